import { runChatLoadOnThreads } from './chat-load-threads';
import {
  monotonicUs,
  runChatShare,
  summarizeChatLoad,
  type ChatLoadOptions,
  type ChatLoadResult,
  type ChatTarget,
} from './chat-share';

export {
  CHAT_LOAD_BUDGETS,
  bareRelayTarget,
  conferTarget,
  durableRelayTarget,
  type ChatLoadOptions,
  type ChatLoadResult,
  type ChatTarget,
} from './chat-share';

/**
 * Opens the meetings, then sends chat at a fixed total rate from every participant in turn for
 * `durationMs`, timing each message from send to its arrival at every other participant: on this
 * thread, or spread over `testerThreads` threads (bench/chat-load-threads.ts).
 */
export async function runChatLoad(target: ChatTarget, options: ChatLoadOptions): Promise<ChatLoadResult> {
  const threads = options.testerThreads ?? 1;
  if (threads > 1) return runChatLoadOnThreads(target, options, threads);
  let from = 0;
  const raw = await runChatShare(target, options, {
    idPrefix: '',
    startDelayMs: 0,
    beforeSending: async () => {
      const startAtMs = await options.startGate?.();
      options.onSendStart?.();
      from = monotonicUs();
      return startAtMs;
    },
    onSendEnd: (to) => options.onSendPhase?.(from, to),
  });
  return summarizeChatLoad(target.name, options, [raw]);
}
