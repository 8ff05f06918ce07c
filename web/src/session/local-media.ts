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

export async function acquireCamera(): Promise<MediaStreamTrack> {
  const stream = await getUserMedia({ video: CAMERA }, 'camera');
  return firstTrack(stream, 'camera');
}

export async function acquireMicrophone(): Promise<MediaStreamTrack> {
  const stream = await getUserMedia({ audio: MICROPHONE }, 'microphone');
  return firstTrack(stream, 'microphone');
}

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
