import { useEffect, useRef, useState } from 'preact/hooks';
import { acquirePreferred, DeviceError, deviceIdOf, stopTrack } from '../session/local-media';
import { chooseDevice, chosenDevice } from '../session/media-choices';
import type { LocalTracks } from '../session/meeting-session';

interface Devices extends LocalTracks {
  handedOver: boolean;
  /** A remembered device is not connected: which one, said once, in a sentence. */
  deviceNotice: string | null;
}

/**
 * The chosen device (remembered from an earlier visit, or picked here), or the default when it
 * is not connected: then the person is told, and the default becomes the choice.
 */
async function openChosen(
  kind: 'camera' | 'microphone',
): Promise<{ track: MediaStreamTrack; notice: string | null }> {
  const chosen = chosenDevice(kind);
  const { track, fellBack } = await acquirePreferred(kind, chosen);
  if (fellBack || !chosen) chooseDevice(kind, deviceIdOf(track));
  return {
    track,
    notice: fellBack ? `The ${kind} you chose last time is not connected: using the default ${kind}.` : null,
  };
}

/**
 * The pre-join page's microphone and camera. The truth lives in a ref (an async join reads it
 * after awaiting, when render-time values would be stale); state only triggers re-renders.
 * Ownership of the tracks passes to the meeting on `handOver()`; otherwise they stop on unmount.
 */
export function usePreviewDevices() {
  const live = useRef<Devices>({
    microphone: null,
    camera: null,
    audioOn: true,
    videoOn: true,
    cameraError: null,
    microphoneError: null,
    handedOver: false,
    deviceNotice: null,
  });
  const [, setVersion] = useState(0);
  const change = (patch: Partial<Devices>) => {
    live.current = { ...live.current, ...patch };
    setVersion((v) => v + 1);
  };
  // Settles once the first attempts to open both devices are over, whatever their outcome.
  const [settled] = useState(() => {
    let settle = () => {};
    const promise = new Promise<void>((resolve) => (settle = resolve));
    return { promise, settle };
  });

  const openCamera = async () => {
    try {
      const { track, notice } = await openChosen('camera');
      if (live.current.handedOver || !live.current.videoOn) return track.stop();
      // Two quick choices: the later device wins, the earlier one closes.
      stopTrack(live.current.camera);
      change({ camera: track, cameraError: null, ...(notice ? { deviceNotice: notice } : {}) });
    } catch (e) {
      change({
        videoOn: false,
        cameraError: e instanceof DeviceError ? e.message : 'Camera could not start.',
      });
    }
  };

  /** `turnOn`: a first open or a retry turns the microphone on; switching devices keeps it as it was. */
  const openMicrophone = async (turnOn = true) => {
    try {
      const { track, notice } = await openChosen('microphone');
      if (live.current.handedOver) return track.stop();
      stopTrack(live.current.microphone);
      change({
        microphone: track,
        ...(turnOn ? { audioOn: true } : {}),
        microphoneError: null,
        ...(notice ? { deviceNotice: notice } : {}),
      });
    } catch (e) {
      change({
        audioOn: false,
        microphoneError: e instanceof DeviceError ? e.message : 'Microphone could not start.',
      });
    }
  };

  useEffect(() => {
    void Promise.all([openMicrophone(), openCamera()]).then(settled.settle);
    return () => {
      // Leaving the page without joining: release the devices.
      if (!live.current.handedOver) {
        stopTrack(live.current.microphone);
        stopTrack(live.current.camera);
      }
    };
  }, []);

  const current = (): LocalTracks => {
    const { handedOver: _, deviceNotice: __, ...tracks } = live.current;
    return tracks;
  };
  const d = live.current;
  return {
    settled: settled.promise,
    microphone: d.microphone,
    camera: d.camera,
    micOn: d.audioOn,
    cameraOn: d.videoOn,
    microphoneError: d.microphoneError,
    cameraError: d.cameraError,
    deviceNotice: d.deviceNotice,
    /** Another camera or microphone: the preview switches to it (a camera that is off stays off). */
    chooseDevice(kind: 'camera' | 'microphone', deviceId: string) {
      chooseDevice(kind, deviceId);
      change({ deviceNotice: null });
      if (kind === 'camera') {
        if (!live.current.videoOn) return;
        stopTrack(live.current.camera);
        change({ camera: null });
        void openCamera();
      } else {
        stopTrack(live.current.microphone);
        change({ microphone: null });
        void openMicrophone(false);
      }
    },
    toggleMic() {
      // No track yet (denied or missing): asking again is how a person retries after fixing it.
      if (live.current.microphone === null) void openMicrophone();
      else change({ audioOn: !live.current.audioOn });
    },
    toggleCamera() {
      if (live.current.videoOn) {
        // Off means off: the camera light goes out.
        stopTrack(live.current.camera);
        change({ camera: null, videoOn: false });
      } else {
        change({ videoOn: true });
        void openCamera();
      }
    },
    /** What the devices are right now. */
    current,
    /** The meeting takes the tracks: this page will not stop them. */
    handOver(): LocalTracks {
      live.current.handedOver = true;
      return current();
    },
  };
}
