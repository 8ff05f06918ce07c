import { ConferError, ErrorCodes, type ErrorCode } from '../domain/shared/errors';
import { LinkAnswerSchemas, type LinkAnswer, type LinkRequestType } from './node-link';
import type { NodeLinks } from './node-link.port';

/**
 * Sends a request to another node and checks its answer: a refusal comes back as the other node's
 * ConferError (same code, message and field), anything unknown or malformed as the node being
 * unreachable, since this node cannot tell what happened there.
 */
export async function askNode<K extends LinkRequestType>(
  links: NodeLinks,
  nodeId: string,
  type: K,
  payload: unknown,
): Promise<LinkAnswer<K>> {
  const ack = await links.request(nodeId, type, payload);
  if (!ack.ok) {
    const known = Object.prototype.hasOwnProperty.call(ErrorCodes, ack.error.code);
    const code = known ? (ack.error.code as ErrorCode) : 'CONFER_MEDIA_NODE_UNREACHABLE';
    throw new ConferError(code, ack.error.message, ack.error.field);
  }
  const parsed = LinkAnswerSchemas[type].safeParse(ack.data);
  if (!parsed.success)
    throw new ConferError(
      'CONFER_MEDIA_NODE_UNREACHABLE',
      `Node ${nodeId} answered ${type} with a malformed answer`,
    );
  return parsed.data as LinkAnswer<K>;
}
