import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../domain/shared/errors';
import { clientMessageTypes, type JoinResult } from '../../protocol/signaling';
import { api, connect, next, record, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

/**
 * A property-based fuzzer of socket messages (issue 10): whatever a participant sends, it gets a
 * coded answer (never an internal error, never a crash), and another participant's view of the
 * meeting and of themselves is what it was.
 */
let server: ConferProcess;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  // Budgets wide enough that the fuzzer tests validation, not the rate limiter.
  server = await startConferProcess({
    SOCKET_RATE_PER_SECOND: '10000',
    SOCKET_RATE_BURST: '10000',
    SOCKET_RATE_PER_ADDRESS_PER_SECOND: '10000',
    SOCKET_RATE_PER_ADDRESS_BURST: '10000',
  });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

/** Strings an attacker tries: any code points, plus lone surrogates, controls and bidi overrides. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('\ud800', '\udfff', '\u0000', '\u0007', '\u001b', '\u202e', '\u2066', '\r\n', '\ufeff'),
      fc.string({ maxLength: 10 }),
    )
    .map((parts) => parts.join('')),
  fc.constant('x'.repeat(9000)),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(nasty, tie('any'), { maxKeys: 3 }),
  ),
})).any;
const field = fc.constantFrom(
  'type',
  'message',
  'mediaType',
  'participantId',
  'to',
  'sdp',
  'candidate',
  'lastSeq',
  'capabilities',
  'transportId',
  'producerId',
  'consumerId',
  'tiles',
  'direction',
  '__proto__',
  'constructor',
);
/** Names the socket.io client itself refuses to emit (its own lifecycle events). */
const SOCKET_IO_RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);
// The attacker stays in the meeting: leaving would only make every later message a refusal.
const types = fc
  .oneof(
    fc.constantFrom(...clientMessageTypes.filter((t) => t !== 'leave')),
    nasty,
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  )
  .filter((t) => !SOCKET_IO_RESERVED.has(t));
const payload = fc.oneof(
  fc.dictionary(field, value, { maxKeys: 4 }),
  fc.dictionary(nasty, value, { maxKeys: 3 }),
  value,
);

describe('socket message fuzzer', () => {
  it("answers anything with a coded error or a result, and leaves another participant's view alone", async () => {
    const client = api(server.url);
    const m = await client.createMeeting({ title: 'Fuzz' });
    const hostJoin = await client.join(m.meetingId, 'Host', { hostToken: m.hostToken });
    const host = await connect(hostJoin);
    const attackerJoin = await client.join(m.meetingId, 'Mallory');
    const attacker = await connect(attackerJoin);
    const bystanderJoin = await client.join(m.meetingId, 'Bea');
    const bystander = await connect(bystanderJoin);
    sockets.push(host, attacker, bystander);
    for (const s of [host, attacker, bystander]) expect((await request(s, 'join', {})).ok).toBe(true);
    const before = await request<JoinResult>(bystander, 'join', {});
    const errorsToBystander = record(bystander, ['error']);
    const codes = new Set(Object.keys(ErrorCodes));

    await fc.assert(
      fc.asyncProperty(types, payload, async (type, body) => {
        const ack = await request(attacker, type as never, body);
        expect(typeof ack.ok).toBe('boolean');
        if (!ack.ok) {
          expect(codes.has(ack.error.code), ack.error.code).toBe(true);
          expect(ack.error.code).not.toBe('CONFER_INTERNAL');
        }
      }),
      { numRuns: 400 },
    );

    // The bystander is still connected, unchanged, heard no one else's errors, and still hears the meeting.
    expect(bystander.connected).toBe(true);
    expect(errorsToBystander).toEqual([]);
    const after = await request<JoinResult>(bystander, 'join', {});
    const self = (r: typeof before) => (r.ok ? { ...r.data.self, connectionStatus: undefined } : r.error);
    expect(self(after)).toEqual(self(before));
    const hears = next(bystander, 'chat', (c) => c.message === 'after the storm');
    expect((await request(host, 'chat', { message: 'after the storm' })).ok).toBe(true);
    expect((await hears).from).toBe(hostJoin.participantId);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // Nothing reached the server's "unexpected error" path.
    const log = readFileSync(join(server.dataDir, 'confer.log'), 'utf8');
    expect(log).not.toContain('socket message failed');
  });
});
