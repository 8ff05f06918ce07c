/** What the browser remembers between visits: the name, and host tokens for this tab. */
const NAME_KEY = 'confer:name';
const DEVICE_KEY = 'confer:device';
const hostKey = (meetingId: string) => `confer:host:${meetingId}`;

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
