import { z } from 'zod';

/**
 * What the browser remembers between visits: the name, the devices and effects chosen, and host
 * tokens for this tab.
 */
const NAME_KEY = 'confer:name';
const DEVICE_KEY = 'confer:device';
const MEDIA_KEY = 'confer:media';
const hostKey = (meetingId: string) => `confer:host:${meetingId}`;

/** A device id as browsers write them (opaque, hashed per origin); anything else is not ours. */
const deviceId = z.string().min(1).max(512).nullable().catch(null);

/**
 * Stored by an earlier version, edited by hand or by an extension: each field is read on its own
 * and a bad one falls back to its default, so one broken value never loses the others.
 */
const MediaPreferencesSchema = z.object({
  cameraId: deviceId,
  microphoneId: deviceId,
  speakerId: deviceId,
  blur: z.boolean().catch(false),
  noiseSuppression: z.boolean().catch(false),
});

export type MediaPreferences = z.infer<typeof MediaPreferencesSchema>;

/** Effects are off until the person turns them on (they cost CPU); devices are the system's default. */
export const DEFAULT_MEDIA: MediaPreferences = {
  cameraId: null,
  microphoneId: null,
  speakerId: null,
  blur: false,
  noiseSuppression: false,
};

/** Reads what was stored; anything unreadable gives the defaults, field by field. */
export function parseMediaPreferences(raw: string | null): MediaPreferences {
  if (!raw) return { ...DEFAULT_MEDIA };
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_MEDIA };
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return { ...DEFAULT_MEDIA };
  const parsed = MediaPreferencesSchema.safeParse({ ...DEFAULT_MEDIA, ...stored });
  return parsed.success ? parsed.data : { ...DEFAULT_MEDIA };
}

export const preferences = {
  /**
   * A random id for this browser, made once and kept: the server bars a removed person's browser
   * by it, and slows down knocking after a denial. It says nothing about the person or machine.
   */
  deviceId(): string {
    const known = readStorage(localStorage, DEVICE_KEY);
    if (known) return known;
    // getRandomValues, unlike randomUUID, works on plain-http pages too.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const made = `dev_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    writeStorage(localStorage, DEVICE_KEY, made);
    return made;
  },
  displayName(): string {
    return readStorage(localStorage, NAME_KEY) ?? '';
  },
  saveDisplayName(name: string): void {
    writeStorage(localStorage, NAME_KEY, name);
  },
  /** Devices and effects, as last chosen (defaults when nothing, or nothing readable, is stored). */
  media(): MediaPreferences {
    return parseMediaPreferences(readStorage(localStorage, MEDIA_KEY));
  },
  saveMedia(media: MediaPreferences): void {
    writeStorage(localStorage, MEDIA_KEY, JSON.stringify(media));
  },
  /** The host token of a meeting created in this tab (it makes the first join the host's). */
  hostToken(meetingId: string): string | undefined {
    return readStorage(sessionStorage, hostKey(meetingId)) ?? undefined;
  },
  saveHostToken(meetingId: string, token: string): void {
    writeStorage(sessionStorage, hostKey(meetingId), token);
  },
};

// Storage may be disabled (private mode, policies): the page still works, it only forgets.
function readStorage(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(storage: Storage, key: string, value: string): void {
  try {
    storage.setItem(key, value);
  } catch {
    // Nothing to do: see above.
  }
}
