import type { VNode } from 'preact';
import { choose, mediaChoices } from '../session/media-choices';
import { useStore } from '../session/store';
import { DeviceFields, type DeviceKind } from './device-fields';
import { Dialog } from './dialog';
import { html } from './html';
import { useSession } from './session-context';
import { useDeviceList } from './use-device-list';

/**
 * The meeting's settings: camera, microphone and speaker, blur and noise suppression. Every
 * change applies at once, without rejoining (the producer's track is replaced), and is
 * remembered for the next visit. Esc or Done closes it and focus returns to the Settings button.
 */
export function SettingsDialog(props: { onClose(): void }): VNode {
  const session = useSession();
  const choices = useStore(mediaChoices, (c) => c);
  const devices = useDeviceList();
  const onDevice = (kind: DeviceKind, deviceId: string) => {
    if (kind === 'speaker') choose({ speakerId: deviceId });
    else void session.useDevice(kind, deviceId);
  };
  return html`<${Dialog} title="Settings" onCancel=${props.onClose}>
    <${DeviceFields}
      devices=${devices}
      choices=${choices}
      onDevice=${onDevice}
      onEffect=${(effect: 'blur' | 'noiseSuppression', on: boolean) => void session.setEffect(effect, on)}
    />
    <div class="dialog-actions">
      <button class="btn btn-primary" onClick=${props.onClose}>Done</button>
    </div>
  </${Dialog}>`;
}
