import { z } from 'zod';
import { describeSchema, type JsonSchema } from './json-schema-text';
import { ErrorCodes } from '../domain/shared/errors';
import {
  clientExamples,
  clientRules,
  errorsOfEveryMessage,
  serverExamples,
  serverNotes,
} from '../protocol/examples';
import {
  ClientMessageSchemas,
  clientMessageTypes,
  REACTION_BUDGET,
  type ClientMessageType,
} from '../protocol/signaling';

/**
 * Renders docs/protocol.md, the signaling protocol both ways, from the zod schemas and the typed
 * examples in protocol/ (a test fails when the page is out of date):
 * `npx tsx scripts/protocol-docs.ts > docs/protocol.md`
 */

const budgetOf = (type: ClientMessageType) =>
  type.startsWith('media:')
    ? 'media: 2,000 per 10 s per participant'
    : `messages: \`SOCKET_RATE_*\` per participant and \`SOCKET_RATE_PER_ADDRESS_*\` per address${
        type === 'reaction'
          ? `; and reactions: ${REACTION_BUDGET.count} per ${REACTION_BUDGET.perSeconds} s per participant`
          : ''
      }`;

export function renderProtocolDocs(): string {
  const out: string[] = [
    '# Signaling protocol',
    '',
    'Generated from `protocol/signaling.ts` (schemas) and `protocol/examples.ts` (typed examples) by `npx tsx scripts/protocol-docs.ts > docs/protocol.md`; a test fails when it is out of date.',
    '',
    "Every message is the design's `{type, …}` object (shared/seed/video-conference-design.md, \"WebSocket APIs\"); Confer's additions (`seq`, names, ids, host and media messages) sit beside the design's fields.",
    '',
    '## Connecting',
    '',
    "- **socket.io**: connect to the join answer's `webSocketUrl` (namespace `/meetings/{meetingId}`) with `auth: { token }`. Send each message as the event named by its `type`; the object may carry `type` too (it must then be the event's name). The acknowledgement callback gets `{ ok: true, data }` or `{ ok: false, error: { code, message, field? } }`. Server messages arrive as events named by their `type`, the object carrying `type` as well.",
    '- **Plain WebSocket**: `webSocketUrl` with a `ws(s)` scheme and `?token=<token>`. JSON text frames `{type, …}` both ways. A request may carry `id` (string ≤ 64 chars or integer): it is answered by `{ "type": "ack", "id", "ok", "data" | "error" }`; a refused request without `id` gets an `error` frame, and a `join` without `id` (as the design prints it) gets its answer as a `joined` message (so does a socket.io `join` without a callback). A refused connection gets an `error` frame and close code 1008; a connection over its budget of attempts gets HTTP 429.',
    '- Both framings carry the same messages through the same checks: the token (its meeting, its expiry: an expired token\'s connection gets an `error` with `field: "token"` and is closed), the sender\'s standing (`domain/access/standing.ts`), the schema (unknown fields refused, naming them), the budgets (`CONFER_RATE_LIMITED`). Connection attempts: `SOCKET_CONNECTS_PER_MINUTE` per client address.',
    "- **Resuming**: every broadcast from the meeting's history carries `seq`; send `join` with `lastSeq` after a reconnection and what was missed follows the answer as ordinary messages.",
    '',
    `Errors every client message may get: ${errorsOfEveryMessage.map((c) => `\`${c}\``).join(', ')}; an unknown \`type\` gets \`CONFER_UNKNOWN_MESSAGE\` (\`field: "type"\`). Codes: \`docs/errors.md\`.`,
    '',
    '## Client → server',
    '',
  ];
  for (const type of clientMessageTypes) {
    const schema = z.toJSONSchema(ClientMessageSchemas[type], { unrepresentable: 'any' }) as JsonSchema;
    const rules = clientRules[type];
    out.push(`### \`${type}\``, '', '```json', JSON.stringify(clientExamples[type]), '```', '');
    const fields = Object.entries(schema.properties ?? {});
    if (fields.length > 0) {
      out.push('| field | required | type |', '| --- | --- | --- |');
      for (const [name, field] of fields)
        out.push(
          `| \`${name}\` | ${schema.required?.includes(name) ? 'yes' : 'no'} | ${describeSchema(field)} |`,
        );
      out.push('');
    }
    out.push(
      `- Sender: ${rules.sender}. Budget: ${budgetOf(type)}.`,
      `- Errors besides the common ones: ${rules.errors.length ? rules.errors.map((c) => `\`${c}\``).join(', ') : 'none'}.`,
      '',
    );
  }
  out.push('## Server → client', '');
  for (const [type, example] of Object.entries(serverExamples)) {
    out.push(`### \`${type}\``, '', '```json', JSON.stringify(example), '```', '');
    const note = serverNotes[type as keyof typeof serverNotes];
    if (note) out.push(note, '');
  }
  out.push(
    '## Error codes',
    '',
    ...Object.entries(ErrorCodes).map(([code, text]) => `- \`${code}\`: ${text}`),
  );
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderProtocolDocs());
