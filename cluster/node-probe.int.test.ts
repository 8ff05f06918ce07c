import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeProbe } from './node-probe';

/*
 * The second look at a late node, against real HTTP servers standing where the node was: only an
 * answer of `ok` from the node asked counts; silence, a refusal, an error or another node's
 * answer do not, and a silent server is given up on at the probe's time limit.
 */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A server answering /healthz as `answer` says (or never, for `hang`). */
async function nodeAt(answer: { status: number; body: unknown } | 'hang'): Promise<string> {
  const server = createServer((request, response) => {
    if (answer === 'hang' || request.url !== '/healthz') return;
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
  servers.push(server);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const probe = createNodeProbe();
const healthy = (node: string) => ({ status: 200, body: { ok: true, details: { node, sockets: 3 } } });

describe('node probe', () => {
  it('counts an answer from the node asked', async () => {
    const url = await nodeAt(healthy('b'));
    expect(await probe({ nodeId: 'b', url })).toBe(true);
    // A trailing slash in the address changes nothing.
    expect(await probe({ nodeId: 'b', url: `${url}/` })).toBe(true);
  });

  it('does not count another node answering at the old address', async () => {
    const url = await nodeAt(healthy('c'));
    expect(await probe({ nodeId: 'b', url })).toBe(false);
  });

  it('does not count a node that says it is unwell, or answers something else', async () => {
    const unwell = await nodeAt({ status: 503, body: { ok: false, details: { node: 'b' } } });
    expect(await probe({ nodeId: 'b', url: unwell })).toBe(false);
    const notOk = await nodeAt({ status: 200, body: { ok: false, details: { node: 'b' } } });
    expect(await probe({ nodeId: 'b', url: notOk })).toBe(false);
    const html = await nodeAt({ status: 200, body: '<html>' });
    expect(await probe({ nodeId: 'b', url: html })).toBe(false);
  });

  it('gives up on a node that does not answer within its time limit', async () => {
    // Without the limit this would wait for ever (the test's own timeout would fail it).
    const url = await nodeAt('hang');
    expect(await createNodeProbe({ timeoutMs: 300 })({ nodeId: 'b', url })).toBe(false);
  });

  it('does not count a refused connection', async () => {
    const url = await nodeAt(healthy('b'));
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
    expect(await probe({ nodeId: 'b', url })).toBe(false);
  });
});
