import type { BrowserContext } from 'playwright-core';

/**
 * Chromium's fake devices offer exactly one camera. To switch cameras, a test adds a second one
 * in the page: `enumerateDevices` lists it and `getUserMedia` asked for its id returns a canvas's
 * captured stream, flat magenta (#ff00ff) with a thin moving bar so that frames keep coming. It
 * is a stand-in for a real second camera, not one: what it proves is that the client opens the
 * chosen device and the producer sends it. `window.__unplugSecondCamera()` takes it away as an
 * unplugged camera goes: its track ends and the browser fires `devicechange`.
 */
export const SECOND_CAMERA = { deviceId: 'confer-test-second-camera', label: 'Test camera 2 (canvas)' };

export async function addSecondCamera(context: BrowserContext): Promise<void> {
  await context.addInitScript(({ deviceId, label }) => {
    const devices = navigator.mediaDevices;
    const enumerate = devices.enumerateDevices.bind(devices);
    const getUserMedia = devices.getUserMedia.bind(devices);
    const opened: MediaStreamTrack[] = [];
    let plugged = true;
    devices.enumerateDevices = async () => {
      const list = await enumerate();
      if (!plugged) return list;
      const camera = { deviceId, groupId: 'confer-test', kind: 'videoinput', label, toJSON: () => ({}) };
      return [...list, camera as MediaDeviceInfo];
    };
    devices.getUserMedia = async (constraints) => {
      const video = constraints?.video;
      const asked = typeof video === 'object' ? video.deviceId : undefined;
      const id = typeof asked === 'object' && asked !== null && 'exact' in asked ? asked.exact : asked;
      if (id !== deviceId) return getUserMedia(constraints);
      if (!plugged) throw new DOMException('Requested device not found', 'NotFoundError');
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 480;
      const context2d = canvas.getContext('2d')!;
      let x = 0;
      const draw = () => {
        context2d.fillStyle = '#ff00ff';
        context2d.fillRect(0, 0, 640, 480);
        context2d.fillStyle = '#ff30ff';
        context2d.fillRect(x, 0, 16, 480);
        x = (x + 8) % 640;
      };
      draw();
      const timer = setInterval(draw, 33);
      const stream = canvas.captureStream(30);
      const track = stream.getVideoTracks()[0]!;
      const stop = track.stop.bind(track);
      track.stop = () => {
        clearInterval(timer);
        stop();
      };
      opened.push(track);
      return stream;
    };
    (window as unknown as { __unplugSecondCamera(): void }).__unplugSecondCamera = () => {
      plugged = false;
      for (const track of opened.splice(0)) {
        if (track.readyState !== 'live') continue;
        track.stop();
        // stop() fires no `ended`; a camera pulled out does.
        track.dispatchEvent(new Event('ended'));
      }
      devices.dispatchEvent(new Event('devicechange'));
    };
  }, SECOND_CAMERA);
}
