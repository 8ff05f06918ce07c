/** The person's cameras, microphones and speakers, as the browser lists them. */

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface DeviceList {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  /** Empty where the browser cannot choose an output (no `setSinkId`): the system's speaker plays. */
  speakers: DeviceOption[];
}

export const NO_DEVICES: DeviceList = { cameras: [], microphones: [], speakers: [] };

/** Whether audio elements can be sent to a chosen speaker (Chromium, Firefox 116+, not Safari). */
export const canChooseSpeaker = (): boolean =>
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

export async function listDevices(): Promise<DeviceList> {
  if (!navigator.mediaDevices?.enumerateDevices) return NO_DEVICES;
  const all = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  const of = (kind: MediaDeviceKind, noun: string): DeviceOption[] => {
    // Chromium lists "default" (labelled "Default - …") beside the real devices: kept, since a
    // track opened without a choice reports that id.
    const devices = all.filter((d) => d.kind === kind && d.deviceId);
    // Labels are empty until the page may use a device of that kind: number them instead.
    return devices.map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
  };
  return {
    cameras: of('videoinput', 'Camera'),
    microphones: of('audioinput', 'Microphone'),
    speakers: canChooseSpeaker() ? of('audiooutput', 'Speaker') : [],
  };
}

/** Calls `onChange` when a device is plugged in or out; returns the unsubscribe. */
export function watchDevices(onChange: () => void): () => void {
  const devices = navigator.mediaDevices;
  if (!devices?.addEventListener) return () => undefined;
  devices.addEventListener('devicechange', onChange);
  return () => devices.removeEventListener('devicechange', onChange);
}

/** The label of a device, for a sentence ("Using Built-in Camera"). */
export function labelOf(list: DeviceOption[], deviceId: string | null): string | null {
  return list.find((d) => d.deviceId === deviceId)?.label ?? null;
}
