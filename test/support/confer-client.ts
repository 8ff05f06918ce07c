import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../protocol/signaling';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Joined {
  participantId: string;
  token: string;
  webSocketUrl: string;
  status: 'joined' | 'waiting';
  role: 'host' | 'participant';
}

/** A thin REST client of the API, as a web client or integration uses it. */
export function api(baseUrl: string) {
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  return {
    call,
    async createMeeting(body: Record<string, unknown> = { title: 'Test meeting' }) {
      const res = await call<{ meetingId: string; joinUrl: string; hostToken: string }>(
        'POST',
        '/meetings',
        body,
      );
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async join(
      meetingId: string,
      displayName: string,
      options: { hostToken?: string; passcode?: string } = {},
    ) {
      const res = await call<Joined>(
        'POST',
        `/meetings/${meetingId}/join`,
        { displayName, ...(options.passcode ? { passcode: options.passcode } : {}) },
        options.hostToken,
      );
      if (res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
  };
}

/** Connects a socket.io client to the webSocketUrl that join returned, with its token. */
export async function connect(
  joined: Pick<Joined, 'webSocketUrl' | 'token'>,
  auth: Record<string, unknown> = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = io(joined.webSocketUrl, {
    auth: { token: joined.token, ...auth },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

/** Sends a message and resolves with its acknowledgement. */
export function request<T = unknown>(
  socket: ClientSocket,
  event: keyof ClientToServerEvents,
  payload?: unknown,
): Promise<Ack<T>> {
  return new Promise((resolve) => {
    const emit = socket.emit.bind(socket) as (e: string, ...args: unknown[]) => void;
    if (payload === undefined) emit(event, (r: Ack<T>) => resolve(r));
    else emit(event, payload, (r: Ack<T>) => resolve(r));
  });
}

/** Resolves with the next `event` received whose payload satisfies `match`. */
export function next<K extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: K,
  match: (payload: Parameters<ServerToClientEvents[K]>[0]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Parameters<ServerToClientEvents[K]>[0]> {
  const loose = socket as unknown as {
    on(e: string, l: (p: never) => void): void;
    off(e: string, l: (p: never) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      loose.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<ServerToClientEvents[K]>[0]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      loose.off(event, listener);
      resolve(payload);
    };
    loose.on(event, listener);
  });
}

/** Records every message of the given types, for asserting on what arrived (or did not). */
export function record(
  socket: ClientSocket,
  events: (keyof ServerToClientEvents)[],
): { event: string; payload: unknown }[] {
  const seen: { event: string; payload: unknown }[] = [];
  const loose = socket as unknown as { on(e: string, l: (p: unknown) => void): void };
  for (const event of events) loose.on(event, (payload) => seen.push({ event, payload }));
  return seen;
}
