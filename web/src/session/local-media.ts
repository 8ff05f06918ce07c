/** The person's own microphone, camera and screen: acquiring them and explaining failures. */

export type Device = 'camera' | 'microphone' | 'screen';

export class DeviceError extends Error {
  constructor(
    readonly device: Device,
    readonly reason: 'denied' | 'missing' | 'busy' | 'cancelled' | 'unsupported' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'DeviceError';
  }
}

const CAMERA: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};
const MICROPHONE: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};
/** Slides and code need sharp text, not motion: full resolution, few frames. */
const SCREEN: MediaTrackConstraints = {
  width: { max: 1920 },
  height: { max: 1080 },
  frameRate: { ideal: 10, max: 15 },
};

/** The camera: a chosen one (`deviceId`), or the system's default. */
export async function acquireCamera(deviceId?: string | null): Promise<MediaStreamTrack> {
  const stream = await getUserMedia({ video: { ...CAMERA, ...exactly(deviceId) } }, 'camera');
  return firstTrack(stream, 'camera');
}

/** The microphone: a chosen one (`deviceId`), or the system's default. */
export async function acquireMicrophone(deviceId?: string | null): Promise<MediaStreamTrack> {
  const stream = await getUserMedia({ audio: { ...MICROPHONE, ...exactly(deviceId) } }, 'microphone');
  return firstTrack(stream, 'microphone');
}

/** What `acquirePreferred` opened, and whether it had to give up the chosen device for the default. */
export interface Acquired {
  track: MediaStreamTrack;
  /** The chosen device was not there (unplugged, another computer): the default was opened. */
  fellBack: boolean;
}

/**
 * The chosen device, or the default when the chosen one is gone (a remembered id from another
 * visit, a device unplugged). Other failures (denied, busy) are the person's to fix: thrown.
 */
export async function acquirePreferred(
  device: 'camera' | 'microphone',
  deviceId: string | null,
): Promise<Acquired> {
  const acquire = device === 'camera' ? acquireCamera : acquireMicrophone;
  if (!deviceId) return { track: await acquire(null), fellBack: false };
  try {
    return { track: await acquire(deviceId), fellBack: false };
  } catch (error) {
    if (!(error instanceof DeviceError && error.reason === 'missing')) throw error;
    return { track: await acquire(null), fellBack: true };
  }
}

/** The device a track comes from (empty for synthetic tracks, which have none). */
export function deviceIdOf(track: MediaStreamTrack | null | undefined): string | null {
  return track?.getSettings().deviceId || null;
}

// `exact`: a missing device must fail (and fall back knowingly), not silently open another.
const exactly = (deviceId: string | null | undefined): MediaTrackConstraints =>
  deviceId ? { deviceId: { exact: deviceId } } : {};

export async function acquireScreen(): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getDisplayMedia) {
    throw new DeviceError('screen', 'unsupported', 'This browser cannot share the screen.');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN, audio: false });
  } catch (error) {
    throw explain(error, 'screen');
  }
  const track = firstTrack(stream, 'screen');
  track.contentHint = 'detail';
  return track;
}

async function getUserMedia(constraints: MediaStreamConstraints, device: Device): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DeviceError(
      device,
      'unsupported',
      'This page cannot use the camera or microphone (it needs https or localhost).',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    throw explain(error, device);
  }
}

function firstTrack(stream: MediaStream, device: Device): MediaStreamTrack {
  const track = stream.getTracks()[0];
  if (!track) throw new DeviceError(device, 'missing', `No ${device} track was delivered.`);
  return track;
}

const NAMES: Record<Device, string> = {
  camera: 'Camera',
  microphone: 'Microphone',
  screen: 'Screen sharing',
};

/** Turns a getUserMedia / getDisplayMedia failure into a sentence a person can act on. */
export function explain(error: unknown, device: Device): DeviceError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const label = NAMES[device];
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      if (device === 'screen') return new DeviceError(device, 'cancelled', 'Screen sharing was cancelled.');
      return new DeviceError(
        device,
        'denied',
        `${label} access was denied. Allow it in your browser's site settings, then turn it on again.`,
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new DeviceError(device, 'missing', `No ${device} was found on this device.`);
    case 'NotReadableError':
    case 'AbortError':
      return new DeviceError(device, 'busy', `${label} is in use by another app, or could not start.`);
    default:
      return new DeviceError(device, 'other', `${label} could not start.`);
  }
}

export function stopTrack(track: MediaStreamTrack | null | undefined): void {
  track?.stop();
}
