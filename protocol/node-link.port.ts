import type { LinkAck, LinkNotificationType, LinkRequestType } from './node-link';

/**
 * How the SFU of this node reaches the SFUs of other nodes (implemented by the gateways over
 * socket.io, authenticated with the deployment's secret). A plain carrier: the media side checks
 * every payload against protocol/node-link.ts.
 */
export interface NodeLinks {
  /**
   * Sends a request to a node (connecting to it first if need be). Resolves with its
   * acknowledgement; rejects with CONFER_MEDIA_NODE_UNREACHABLE when the node is not live or does
   * not answer in time.
   */
  request(nodeId: string, type: LinkRequestType, payload: unknown): Promise<LinkAck>;
  /** Notifications from nodes this node pulls from. */
  onNotification(listener: (nodeId: string, type: LinkNotificationType, payload: unknown) => void): void;
  /** The link to a node this node pulls from dropped: its pipes there are gone. */
  onLinkLost(listener: (nodeId: string) => void): void;
  /** Requests from other nodes: each server answers the types it handles. */
  serve(handler: LinkServer): void;
}

/** A node pulling from this one, as the source sees it: one link connection. */
export interface LinkPeer {
  /** Unique per connection (a reconnection is a new peer). */
  readonly id: string;
  readonly nodeId: string;
  notify(type: LinkNotificationType, payload: unknown): void;
}

export interface LinkServer {
  /**
   * The request types this server answers; without it, every type no other server claims (the
   * SFU's cascade serves the rest, the signaling gateway claims `peer:` requests).
   */
  handles?(type: string): boolean;
  /** Answers a request (throws a ConferError to refuse it). */
  request(peer: LinkPeer, type: string, payload: unknown): Promise<unknown>;
  /** The peer's connection closed: what it pulled is no longer needed. */
  peerGone(peer: LinkPeer): void;
}
