import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientAnswers, ClientMessage, ClientMessageType, ErrorBody } from '../protocol/signaling';
import { LoadTestError } from './errors';

/**
 * The public API exactly as the web client uses it: REST to create, join and end meetings,
 * socket.io on the meeting's namespace with `auth: {token}`, every request answered through its
 * acknowledgement. Every call has a deadline, so a server that stops answering is an error
 * counted by code (`TIMEOUT`), never a hung tester.
 */

const REQUEST_TIMEOUT_MS = 10_000;

export interface JoinAnswer {
  participantId: string;
  status: 'joined' | 'waiting';
  webSocketUrl: string;
  token: string;
}

async function rest<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const timeout = error instanceof Error && error.name === 'TimeoutError';
    throw new LoadTestError(
      timeout ? 'TIMEOUT' : 'CONNECTION_REFUSED',
      `${method} ${path}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const err = (parsed as { error?: ErrorBody } | undefined)?.error;
    throw new LoadTestError(
      err?.code ?? `HTTP_${res.status}`,
      `${method} ${path}: ${err?.message ?? res.statusText}`,
    );
  }
  return parsed as T;
}

export const restApi = (baseUrl: string) => ({
  /** Room for every client of the meeting (the default is 100; enterprise meetings go to 500). */
  createMeeting: (title: string, maxParticipants: number) =>
    rest<{ meetingId: string; hostToken: string }>(baseUrl, 'POST', '/meetings', {
      title,
      settings: { maxParticipants },
    }),
  join: (meetingId: string, displayName: string, hostToken?: string) =>
    rest<JoinAnswer>(baseUrl, 'POST', `/meetings/${meetingId}/join`, { displayName }, hostToken),
  endMeeting: (meetingId: string, hostToken: string) =>
    rest<unknown>(baseUrl, 'DELETE', `/meetings/${meetingId}`, undefined, hostToken),
  metrics: async (token: string | undefined): Promise<string> => {
    const res = await fetch(`${baseUrl}/metrics`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok)
      throw new LoadTestError(`HTTP_${res.status}`, `GET /metrics: ${res.status} ${res.statusText}`);
    return res.text();
  },
});

/** One participant's socket to its meeting's namespace. */
export class MeetingSocket {
  private constructor(readonly socket: Socket) {}

  static connect(webSocketUrl: string, token: string): Promise<MeetingSocket> {
    const socket = io(webSocketUrl, {
      auth: { token },
      transports: ['websocket'],
      // A dropped client is a measured failure, not something to paper over.
      reconnection: false,
      forceNew: true,
      timeout: REQUEST_TIMEOUT_MS,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new MeetingSocket(socket)));
      socket.once('connect_error', (error: Error & { data?: ErrorBody }) => {
        socket.close();
        reject(
          new LoadTestError(error.data?.code ?? 'SOCKET_CONNECT_FAILED', `socket connect: ${error.message}`),
        );
      });
    });
  }

  request<K extends ClientMessageType>(type: K, payload: ClientMessage<K>): Promise<ClientAnswers[K]> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new LoadTestError('DISCONNECTED', `${type}: the socket is closed`));
        return;
      }
      const timed = this.socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
        emit(
          event: string,
          payload: unknown,
          callback: (err: Error | null, ack: Ack<ClientAnswers[K]>) => void,
        ): void;
      };
      timed.emit(type, payload, (err, ack) => {
        if (err) reject(new LoadTestError('TIMEOUT', `${type}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
        else if (ack.ok) resolve(ack.data);
        else reject(new LoadTestError(ack.error.code, `${type}: ${ack.error.message}`));
      });
    });
  }

  on(event: string, listener: (payload: never) => void): void {
    this.socket.on(event, listener as (...args: unknown[]) => void);
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
