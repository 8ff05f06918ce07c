import { availableParallelism, networkInterfaces } from 'node:os';
import { ConferError } from '../domain/shared/errors';
import { join } from 'node:path';
import { iceServersFor } from '../gateways/auth/turn-credentials';
import type { MediaSignaling } from '../protocol/media-signaling.port';
import type { SfuStats } from '../media/sfu';
import type { MediaDeps } from './compose';
import type { Config } from './config';

export type ConferMedia = MediaSignaling & {
  close(): Promise<void>;
  stats(): SfuStats;
  /** The mediasoup workers (their process ids, for CPU per worker). */
  workers?(): ReadonlyArray<{ index: number; pid: number }>;
};

const noStats: SfuStats = {
  workers: 0,
  routers: 0,
  transports: 0,
  producers: 0,
  consumers: 0,
  meetings: 0,
  participants: 0,
};

function unavailable(): ConferMedia {
  return {
    available: false,
    handle: async () => {
      throw new ConferError('CONFER_MEDIA_UNAVAILABLE');
    },
    participantDisconnected: async () => undefined,
    close: async () => undefined,
    stats: () => noStats,
  };
}

/**
 * The address clients are given for our transports. Binding to every interface (0.0.0.0) cannot
 * be announced: then this host's first external IPv4 address is, or loopback on a machine without one.
 */
export function announcedIpFor(
  config: Pick<Config, 'MEDIA_LISTEN_IP' | 'MEDIA_ANNOUNCED_IP'>,
): string | undefined {
  if (config.MEDIA_ANNOUNCED_IP) return config.MEDIA_ANNOUNCED_IP;
  if (config.MEDIA_LISTEN_IP !== '0.0.0.0' && config.MEDIA_LISTEN_IP !== '::') return undefined;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

/** The SFU for this node, when MEDIA is on and the mediasoup worker is available. */
export async function createMediaFromConfig(deps: MediaDeps): Promise<ConferMedia> {
  const { config, logger } = deps;
  if (!config.MEDIA) return unavailable();
  // mediasoup 3.12 reads MEDIASOUP_WORKER_BIN once, when its module is first loaded (else it uses
  // node_modules/mediasoup/worker/out/Release/mediasoup-worker): set it before importing media/.
  if (config.MEDIASOUP_WORKER_BIN) process.env['MEDIASOUP_WORKER_BIN'] = config.MEDIASOUP_WORKER_BIN;
  try {
    const { createSfu } = await import('../media/sfu');
    const announcedIp = announcedIpFor(config);
    const sfu = await createSfu({
      logger: logger.child({ part: 'media' }),
      commands: deps.commands,
      bus: deps.bus,
      nodeId: deps.nodeId,
      links: deps.links,
      workers: config.MEDIA_WORKERS ?? availableParallelism(),
      rtcMinPort: config.MEDIA_RTC_MIN_PORT,
      rtcMaxPort: config.MEDIA_RTC_MAX_PORT,
      listenIp: config.MEDIA_LISTEN_IP,
      ...(announcedIp ? { announcedIp } : {}),
      consumersPerWorker: config.MEDIA_CONSUMERS_PER_WORKER,
      ...(deps.onQuality ? { onQuality: deps.onQuality } : {}),
      ...(deps.objects && config.RECORDING
        ? {
            recording: {
              objects: deps.objects,
              ffmpegPath: config.FFMPEG_PATH,
              workRoot: join(config.DATA_DIR, 'recording-capture'),
            },
          }
        : {}),
      iceServers: (participantId) =>
        iceServersFor(participantId, {
          ...(config.STUN_URLS ? { stunUrls: config.STUN_URLS } : {}),
          ...(config.TURN_URLS ? { turnUrls: config.TURN_URLS } : {}),
          ...(config.TURN_SECRET ? { turnSecret: config.TURN_SECRET } : {}),
          ttlSeconds: config.TURN_TTL_SECONDS,
          nowMs: Date.now(),
        }),
    });
    logger.info({ workers: sfu.stats().workers, announcedIp }, 'media (SFU) ready');
    return sfu;
  } catch (error) {
    // Meetings still work without the SFU (chat, roster): say loudly why media is off.
    logger.error({ err: error }, 'media (SFU) is unavailable');
    return unavailable();
  }
}
