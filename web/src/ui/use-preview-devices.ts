import { useEffect, useRef, useState } from 'preact/hooks';
import { acquireCamera, acquireMicrophone, DeviceError, stopTrack } from '../session/local-media';
import type { LocalTracks } from '../session/meeting-session';

interface Devices extends LocalTracks {
  handedOver: boolean;
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
      const track = await acquireCamera();
      if (live.current.handedOver || !live.current.videoOn) return track.stop();
      change({ camera: track, cameraError: null });
    } catch (e) {
      change({
        videoOn: false,
        cameraError: e instanceof DeviceError ? e.message : 'Camera could not start.',
      });
    }
  };

  const openMicrophone = async () => {
    try {
      const track = await acquireMicrophone();
      if (live.current.handedOver) return track.stop();
      change({ microphone: track, audioOn: true, microphoneError: null });
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
    const { handedOver: _, ...tracks } = live.current;
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
