import { parentPort, workerData } from 'node:worker_threads';
import { runChatShare, targetFromSpec } from './chat-share';
import { SampleLog } from './sample-log';
import type { ChatThreadCommand, ChatThreadData, ChatThreadMessage } from './chat-load-threads';

/**
 * One tester thread (bench/chat-load-threads.ts): its own meetings and clients on its own event
 * loop, sending its share of the rate once told to, and reporting what it measured.
 */
const data = workerData as ChatThreadData;
const port = parentPort!;
const post = (message: ChatThreadMessage) => port.postMessage(message);
const go = new Promise<number | undefined>((resolve) =>
  port.once('message', (command: ChatThreadCommand) => command.type === 'go' && resolve(command.startAtMs)),
);
const sent: [string, number][] = [];
const delivered: [string, number][] = [];
// Off the heap: a long load notes two figures a chat (bench/sample-log.ts).
const ackSentAt = new SampleLog();
const ackMs = new SampleLog();
const raw = await runChatShare(
  targetFromSpec(data.spec),
  {
    ...data.shape,
    onProgress: (line) => post({ type: 'progress', line: `${line} (tester thread ${data.index + 1})` }),
    ...(data.noteSent ? { onSent: (id: string, at: number) => sent.push([id, at]) } : {}),
    ...(data.noteDelivered ? { onDelivered: (id: string, at: number) => delivered.push([id, at]) } : {}),
    ...(data.noteAcks
      ? {
          onAck: (at: number, ms: number) => {
            ackSentAt.push(at);
            ackMs.push(ms);
          },
        }
      : {}),
  },
  {
    idPrefix: `t${data.index}-`,
    startDelayMs: data.startDelayMs,
    beforeSending: async () => {
      post({ type: 'ready' });
      return go;
    },
    onSendEnd: (atUs) => post({ type: 'sent', atUs }),
  },
);
post({
  type: 'done',
  raw,
  sent,
  delivered,
  acks: { sentAtMs: ackSentAt.toArray(), latencyMs: ackMs.toArray() },
});
