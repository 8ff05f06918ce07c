import type { VNode } from 'preact';
import type { DeviceList, DeviceOption } from '../session/devices';
import type { EffectName } from '../session/effects/start-effect';
import type { MediaPreferences } from '../session/preferences';
import { html } from './html';
import { Icon, type IconName } from './icons';
import './media-settings.css';

export type DeviceKind = 'camera' | 'microphone' | 'speaker';

interface DeviceFieldsProps {
  devices: DeviceList;
  choices: MediaPreferences;
  onDevice(kind: DeviceKind, deviceId: string): void;
  onEffect(effect: EffectName, on: boolean): void;
}

/**
 * Camera, microphone and speaker pickers and the two effects, as the pre-join page and the
 * meeting's settings dialog both show them. Each select is named by its label ("Camera").
 */
export function DeviceFields(props: DeviceFieldsProps): VNode {
  const { devices, choices } = props;
  return html`<div class="device-fields">
    <${DeviceSelect}
      kind="camera"
      label="Camera"
      icon="camera"
      options=${devices.cameras}
      value=${choices.cameraId}
      onChange=${props.onDevice}
    />
    <${DeviceSelect}
      kind="microphone"
      label="Microphone"
      icon="mic"
      options=${devices.microphones}
      value=${choices.microphoneId}
      onChange=${props.onDevice}
    />
    ${
      // Browsers that cannot choose an output list none: the system's speaker plays.
      devices.speakers.length > 0 &&
      html`<${DeviceSelect}
        kind="speaker"
        label="Speaker"
        icon="speaker"
        options=${devices.speakers}
        value=${choices.speakerId}
        onChange=${props.onDevice}
      />`
    }
    <div class="effect-toggles" role="group" aria-label="Effects">
      <${EffectToggle}
        effect="blur"
        label="Blur my background"
        on=${choices.blur}
        onChange=${props.onEffect}
      />
      <${EffectToggle}
        effect="noiseSuppression"
        label="Noise suppression"
        on=${choices.noiseSuppression}
        onChange=${props.onEffect}
      />
    </div>
  </div>`;
}

function DeviceSelect(props: {
  kind: DeviceKind;
  label: string;
  icon: IconName;
  options: DeviceOption[];
  value: string | null;
  onChange(kind: DeviceKind, deviceId: string): void;
}): VNode {
  const known = props.options.some((o) => o.deviceId === props.value);
  return html`<label class="field device-field">
    <span><${Icon} name=${props.icon} size=${16} /> ${props.label}</span>
    <select
      name=${props.kind}
      value=${known ? (props.value ?? '') : ''}
      disabled=${props.options.length === 0}
      onChange=${(e: Event) => {
        const id = (e.target as HTMLSelectElement).value;
        if (id) props.onChange(props.kind, id);
      }}
    >
      ${!known && html`<option value="">${props.options.length === 0 ? 'None found' : 'System default'}</option>`}
      ${props.options.map((o) => html`<option key=${o.deviceId} value=${o.deviceId}>${o.label}</option>`)}
    </select>
  </label>`;
}

function EffectToggle(props: {
  effect: EffectName;
  label: string;
  on: boolean;
  onChange(effect: EffectName, on: boolean): void;
}): VNode {
  return html`<label class="effect-toggle">
    <input
      type="checkbox"
      role="switch"
      name=${props.effect}
      checked=${props.on}
      onChange=${(e: Event) => props.onChange(props.effect, (e.target as HTMLInputElement).checked)}
    />
    <span>${props.label}</span>
  </label>`;
}
