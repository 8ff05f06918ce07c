import type { BrowserContext } from 'playwright-core';

/** What to do to a person's requests of a type: refuse the first few, hold back the server's answers. */
export interface RequestTampering {
  /** The first `refuse` requests are answered `CONFER_RATE_LIMITED` without reaching the server. */
  readonly refuse?: number;
  /** The server's answers to the others reach the page this much later (a slow server). */
  readonly delayAnswersMs?: number;
}

/**
 * Lets a person's socket.io connection through to the server, except for the request types
 * named: their first requests are refused as a server out of budget refuses them, and the
 * answers to the rest can be held back. socket.io's frames: a request goes out as
 * `42<namespace>,<ack id>[type, payload]`, its answer comes back as `43<namespace>,<ack id>[answer]`.
 * Returns the live count of refusals made, so a test can check they really happened.
 */
export async function tamperWithRequests(
  context: BrowserContext,
  tampering: Readonly<Record<string, RequestTampering>>,
): Promise<Record<string, number>> {
  const refused: Record<string, number> = Object.fromEntries(Object.keys(tampering).map((type) => [type, 0]));
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const upstream = ws.connectToServer();
    const delayedAnswers = new Map<string, number>();
    ws.onMessage((frame) => {
      const request = typeof frame === 'string' ? /^42(\/[^,]*),(\d+)\["([^"]+)"/.exec(frame) : null;
      const rule = request ? tampering[request[3]!] : undefined;
      if (request && rule) {
        const type = request[3]!;
        if (refused[type]! < (rule.refuse ?? 0)) {
          refused[type]! += 1;
          const error = { code: 'CONFER_RATE_LIMITED', message: 'Too many requests; slow down.' };
          ws.send(`43${request[1]},${request[2]}${JSON.stringify([{ ok: false, error }])}`);
          return;
        }
        if (rule.delayAnswersMs) delayedAnswers.set(`${request[1]},${request[2]}`, rule.delayAnswersMs);
      }
      upstream.send(frame);
    });
    upstream.onMessage((frame) => {
      const answer = typeof frame === 'string' ? /^43(\/[^,]*,\d+)\[/.exec(frame) : null;
      const delay = answer ? delayedAnswers.get(answer[1]!) : undefined;
      if (answer && delay !== undefined) {
        delayedAnswers.delete(answer[1]!);
        setTimeout(() => ws.send(frame), delay);
        return;
      }
      ws.send(frame);
    });
  });
  return refused;
}
