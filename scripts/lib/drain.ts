// Drains the outreach-send queue through the sendOutreach handler the way the Functions host would:
// delete on success, leave for redelivery on a throw, move to `<queue>-poison` after 5 dequeues.
import type { QueueClient } from '@azure/storage-queue';
import type { Deps } from '../../functions/src/app/deps';
import { handleSendOutreach } from '../../functions/src/functions/sendOutreach';
import type { ManualClock } from './clock';

export const MAX_DEQUEUE_COUNT = 5;
/** host.json `visibilityTimeout`: the host tries a failed message again this long after the failure. */
export const HOST_RETRY_DELAY_MS = 2 * 60_000;

export interface DrainReport {
  handled: number;
  results: Record<string, number>;
  poisoned: number;
  errors: number;
}

export interface DrainOptions {
  /** Called after each message, for progress output. */
  onMessage?: (result: string) => void;
  /** Safety net for a runaway loop. */
  maxMessages?: number;
  /** Leave messages meant for later than this in the queue (the simulated day ends here). */
  until?: Date;
}

/**
 * Messages are read in batches and handled in `notBefore` order; the clock jumps to each message's time
 * (the queue's visibility delays are collapsed by the scheduler's cap, so the drain can run at once).
 */
export async function drainOutreachQueue(
  deps: Deps,
  queue: QueueClient,
  poisonQueue: QueueClient,
  clock: ManualClock,
  options: DrainOptions = {},
): Promise<DrainReport> {
  const report: DrainReport = { handled: 0, results: {}, poisoned: 0, errors: 0 };
  const maxMessages = options.maxMessages ?? 100_000;
  const until = options.until?.toISOString() ?? null;
  const later: string[] = [];
  // The clock jumps by the host's retry delay when a failed message comes back, as real time would have.
  const retryAt = new Map<string, Date>();
  try {
    while (report.handled < maxMessages) {
      const batch = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
      if (batch.receivedMessageItems.length === 0) break;
      const ordered = batch.receivedMessageItems
        .map((item) => ({ item, body: safeJson(item.messageText) }))
        .sort((a, b) => notBeforeOf(a.body).localeCompare(notBeforeOf(b.body)));
      for (const { item, body } of ordered) {
        const at = notBeforeOf(body);
        if (until && at > until) {
          // Taken off now and put back as a fresh message below. Left in place, every deferral would count
          // towards maxDequeueCount (the host never dequeues a message before it is due, so a message
          // deferred by a few simulated days would be poisoned on its first failure), and its pop receipt
          // would go stale if this drain outlasted the 30 s visibility and received it again.
          await queue.deleteMessage(item.messageId, item.popReceipt);
          later.push(item.messageText);
          continue;
        }
        if (at) clock.advanceTo(at);
        const retry = retryAt.get(item.messageId);
        if (retry) clock.advanceTo(retry);
        try {
          const result = await handleSendOutreach(deps, item.messageText);
          report.results[result] = (report.results[result] ?? 0) + 1;
          await queue.deleteMessage(item.messageId, item.popReceipt);
          options.onMessage?.(result);
        } catch (error) {
          report.errors++;
          if (item.dequeueCount >= MAX_DEQUEUE_COUNT) {
            await poisonQueue.createIfNotExists();
            await poisonQueue.sendMessage(item.messageText);
            await queue.deleteMessage(item.messageId, item.popReceipt);
            report.poisoned++;
          } else {
            // Make it visible again at once for the next loop; the clock moves by the retry delay then.
            retryAt.set(item.messageId, new Date(clock.now().getTime() + HOST_RETRY_DELAY_MS));
            await queue.updateMessage(item.messageId, item.popReceipt, item.messageText, 0);
          }
          options.onMessage?.(`error: ${error instanceof Error ? error.message : String(error)}`);
        }
        report.handled++;
      }
    }
  } finally {
    // Never expiring, like the scheduler's messages: an expired message would be an email silently lost.
    for (const text of later) await queue.sendMessage(text, { messageTimeToLive: -1 });
  }
  return report;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function notBeforeOf(body: unknown): string {
  const value = (body as { notBefore?: unknown } | null)?.notBefore;
  return typeof value === 'string' ? value : '';
}
