import WebSocket from 'ws';
import type { ErrorBody } from '../../protocol/ack';

/** A frame as the plain WebSocket endpoint sends it: the design's `{type, …}`. */
export type Frame = { type: string } & Record<string, unknown>;
export type AckFrame =
  | { type: 'ack'; id: string | number; ok: true; data: unknown }
  | { type: 'ack'; id: string | number; ok: false; error: ErrorBody };

/** The join answer's webSocketUrl (http…/meetings/{id}) as a WebSocket URL with the token. */
export const plainWebSocketUrl = (webSocketUrl: string, token: string): string =>
  `${webSocketUrl.replace(/^http/, 'ws')}?token=${encodeURIComponent(token)}`;

/**
 * A client of the plain WebSocket endpoint with nothing but `ws`, as a script or a mobile app
 * would write one: JSON text frames, requests answered by `ack` frames carrying their `id`.
 */
export class PlainClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  private nextId = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(url: string): Promise<PlainClient> {
    const ws = new WebSocket(url);
    const client = new PlainClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a raw frame (any text, for bad input). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends `{type, id, …payload}` and resolves with its `ack` frame. */
  async request(type: string, payload: object = {}): Promise<AckFrame> {
    const id = `r${++this.nextId}`;
    this.send({ type, id, ...payload });
    return (await this.next('ack', (f) => f['id'] === id)) as unknown as AckFrame;
  }

  /** The first frame of `type` (already received or to come) that matches. */
  next(type: string, match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const find = () => this.frames.find((f) => f.type === type && match(f));
      const found = find();
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const f = find();
        if (!f) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(f);
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.ws.close();
  }
}
