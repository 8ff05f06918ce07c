import { z } from 'zod';
import { NODE_LINK_NAMESPACE } from '../cluster/node-links';
import { LinkAnswerSchemas, LinkNotificationSchemas, LinkRequestSchemas } from '../protocol/node-link';
import { describeSchema, type JsonSchema } from './json-schema-text';

/**
 * Renders docs/node-links.md, what the nodes of one deployment say to each other to cascade a
 * meeting, from the zod schemas in protocol/node-link.ts (a test fails when the page is out of date):
 * `npx tsx scripts/node-link-docs.ts > docs/node-links.md`
 */
function fieldsTable(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  const fields = Object.entries(json.properties ?? {});
  if (fields.length === 0) return ['(no fields)', ''];
  return [
    '| field | required | type |',
    '| --- | --- | --- |',
    ...fields.map(
      ([name, field]) =>
        `| \`${name}\` | ${json.required?.includes(name) ? 'yes' : 'no'} | ${describeSchema(field)} |`,
    ),
    '',
  ];
}

export function renderNodeLinkDocs(): string {
  const out: string[] = [
    '# Node links',
    '',
    'Generated from `protocol/node-link.ts` by `npx tsx scripts/node-link-docs.ts > docs/node-links.md`; a test fails when it is out of date.',
    '',
    "What the nodes of one deployment say to each other to cascade a meeting (`media/cascade`): pipes of media, peer signals for participants on another node, and each node's connection-quality figures. Not for clients.",
    '',
    `- **Transport**: socket.io, namespace \`${NODE_LINK_NAMESPACE}\` on the node's own URL (the registry's), with \`auth: { token }\`: an HS256 JWT of the deployment's secret, subject the asking node's id, audience \`confer-node\`, valid 5 minutes. Anything else is refused at the handshake.`,
    '- **Requests** are events named by their type; the acknowledgement is `{ ok: true, data }` or `{ ok: false, error: { code, message, field? } }`, as on client sockets. A node that does not answer within 5 s counts as `CONFER_MEDIA_NODE_UNREACHABLE`. An unknown type gets `CONFER_UNKNOWN_MESSAGE`.',
    '- Both sides check every payload against these schemas: a node link is a boundary like any other.',
    '',
    '## Requests',
    '',
  ];
  for (const type of Object.keys(LinkRequestSchemas) as Array<keyof typeof LinkRequestSchemas>) {
    out.push(`### \`${type}\``, '', 'Request:', '', ...fieldsTable(LinkRequestSchemas[type]));
    out.push('Answer:', '', ...fieldsTable(LinkAnswerSchemas[type]));
  }
  out.push('## Notifications (source → puller, unasked)', '');
  for (const type of Object.keys(LinkNotificationSchemas) as Array<keyof typeof LinkNotificationSchemas>)
    out.push(`### \`${type}\``, '', ...fieldsTable(LinkNotificationSchemas[type]));
  return `${out.join('\n').trimEnd()}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderNodeLinkDocs());
