import type { types } from 'mediasoup';

/** Where this node's pipe transports listen, and the address other nodes are told. */
export interface PipeListen {
  ip: string;
  announcedIp?: string;
}

/**
 * Both ends of a node-to-node pipe are made alike: SRTP (the link crosses a network) and RTX with
 * NACK (losses between nodes are repaired before they reach the receivers); mediasoup requires
 * each setting on both ends.
 */
export function pipeTransportOptions(
  listen: PipeListen,
  appData: Record<string, unknown>,
): types.PipeTransportOptions {
  return {
    listenIp: { ip: listen.ip, ...(listen.announcedIp ? { announcedIp: listen.announcedIp } : {}) },
    enableSrtp: true,
    enableRtx: true,
    enableSctp: false,
    appData,
  };
}
