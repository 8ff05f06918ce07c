import { useEffect, useState } from 'preact/hooks';
import { listDevices, NO_DEVICES, watchDevices, type DeviceList } from '../session/devices';

/**
 * The person's devices, listed again when one is plugged in or out, and whenever `refresh`
 * changes (a device just opened: the browser now tells its name).
 */
export function useDeviceList(refresh: unknown[] = []): DeviceList {
  const [list, setList] = useState<DeviceList>(NO_DEVICES);
  useEffect(() => {
    let live = true;
    const load = () =>
      void listDevices().then((next) => {
        if (live) setList(next);
      });
    load();
    const unwatch = watchDevices(load);
    return () => {
      live = false;
      unwatch();
    };
  }, refresh);
  return list;
}
