// The Functions host as the chaos runs need it: timer invocations of the planners, and the outreach-send
// queue trigger (delete on success, redeliver on a throw, poison after maxDequeueCount), where a worker
// process may die mid-message and where storage may vanish for a while.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { Deps } from '../../functions/src/app/deps';
import {
  planLapsedOutreach,
  planMilestoneOutreach,
  planSeasonalOutreach,
} from '../../functions/src/app/planOutreach';
import { handleSendOutreach } from '../../functions/src/functions/sendOutreach';
import type { ManualClock } from '../../scripts/lib/clock';
import { HOST_RETRY_DELAY_MS, MAX_DEQUEUE_COUNT } from '../../scripts/lib/drain';
import { isSimulatedCrash, type SimulatedCrash } from './faults';

/** The three timers of one planning day, in the order the harness and the demo run them. */
export async function runPlanners(deps: Deps): Promise<SimulatedCrash | null> {
  try {
    await planMilestoneOutreach(deps);
    await planLapsedOutreach(deps);
    await planSeasonalOutreach(deps);
    return null;
  } catch (error) {
    if (isSimulatedCrash(error)) return error;
    throw error;
  }
}

export interface QueueHostOptions {
  deps: Deps;
  queue: QueueClient;
  poison: QueueClient;
  clock: ManualClock;
  /** Messages fetched per poll (host.json has batchSize 1; more lets the clock follow notBefore order). */
  batchSize?: number;
  visibilityTimeoutInSeconds?: number;
  /**
   * Storage may be down: queue operations that fail are retried, and an empty receive ends the drain only
   * once the queue holds nothing at all (messages left invisible by a failed update come back by themselves).
   */
  outageDeadline?: number;
  /** A look at the queue between messages, to stop storage at a chosen point. */
  onMessageHandled?: (handled: number) => Promise<void> | void;
  /**
   * When each failed message may be tried again (by message id), shared by every host of a run: the retry
   * delay belongs to the message, whichever instance picks it up next.
   */
  retryAt?: Map<string, number>;
  /**
   * Shared by the hosts of a run: how many messages they are handling right now. The simulated clock only
   * jumps forward when none is mid-message and `quiet()` holds (no ACS request still being answered):
   * minutes pass for everyone at once, never in the middle of one worker's request.
   */
  inFlight?: { handlers: number };
  quiet?: () => boolean;
}

/** How long a host waits for the others to be quiet before it moves the clock anyway. */
const QUIET_WAIT_MS = 10_000;

export interface QueueHostReport {
  handled: number;
  results: Record<string, number>;
  /** Handler failures the host retried (redelivery), storage outages included. */
  errors: number;
  poisoned: number;
  /** Queue operations of the host itself that failed while storage was down. */
  storageErrors: number;
  crash: SimulatedCrash | null;
}

/** Drains the queue until it is empty or the worker process dies (a SimulatedCrash from its deps). */
export async function runQueueHost(options: QueueHostOptions): Promise<QueueHostReport> {
  const { deps, queue, poison, clock } = options;
  const report: QueueHostReport = {
    handled: 0,
    results: {},
    errors: 0,
    poisoned: 0,
    storageErrors: 0,
    crash: null,
  };
  const tolerant = options.outageDeadline !== undefined;
  const retryAt = options.retryAt ?? new Map<string, number>();
  const inFlight = options.inFlight ?? { handlers: 0 };
  const handle = async (message: string): Promise<string> => {
    inFlight.handlers++;
    try {
      return await handleSendOutreach(deps, message);
    } finally {
      inFlight.handlers--;
    }
  };
  const platform = async <T>(operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await operation();
    } catch (error) {
      if (!tolerant) throw error;
      report.storageErrors++;
      return undefined;
    }
  };
  while (true) {
    if (tolerant && Date.now() > (options.outageDeadline ?? 0)) {
      throw new Error('the queue did not drain before the outage deadline');
    }
    const batch = await platform(() =>
      queue.receiveMessages({
        numberOfMessages: options.batchSize ?? 32,
        visibilityTimeout: options.visibilityTimeoutInSeconds ?? 30,
      }),
    );
    if (!batch) {
      await sleep(50);
      continue;
    }
    if (batch.receivedMessageItems.length === 0) {
      if (!tolerant) break;
      const properties = await platform(() => queue.getProperties());
      if (properties?.approximateMessagesCount === 0) break;
      await sleep(100);
      continue;
    }
    const ordered = [...batch.receivedMessageItems].sort((a, b) =>
      notBeforeOf(a.messageText).localeCompare(notBeforeOf(b.messageText)),
    );
    for (const [index, item] of ordered.entries()) {
      const due = Math.max(Date.parse(notBeforeOf(item.messageText)) || 0, retryAt.get(item.messageId) ?? 0);
      if (due > clock.now().getTime()) {
        const deadline = Date.now() + QUIET_WAIT_MS;
        while ((inFlight.handlers > 0 || !(options.quiet?.() ?? true)) && Date.now() < deadline)
          await sleep(2);
        // Checked and moved in the same turn of the event loop: no handler can start in between.
        clock.advanceTo(new Date(due));
      }
      try {
        const result = await handle(item.messageText);
        retryAt.delete(item.messageId);
        report.results[result] = (report.results[result] ?? 0) + 1;
        await platform(() => queue.deleteMessage(item.messageId, item.popReceipt));
      } catch (error) {
        if (isSimulatedCrash(error)) {
          report.crash = error;
          await platform(() => releaseAfterCrash(queue, item, ordered.slice(index + 1)));
          return report;
        }
        report.errors++;
        retryAt.set(item.messageId, clock.now().getTime() + HOST_RETRY_DELAY_MS);
        if (item.dequeueCount >= MAX_DEQUEUE_COUNT) {
          await platform(async () => {
            await poison.createIfNotExists();
            await poison.sendMessage(item.messageText, { messageTimeToLive: -1 });
            await queue.deleteMessage(item.messageId, item.popReceipt);
            report.poisoned++;
          });
        } else {
          // Visible again at once, the clock moving by the retry delay when it is picked up; if storage is
          // down, the update fails and it comes back after its visibility timeout.
          await platform(() => queue.updateMessage(item.messageId, item.popReceipt, item.messageText, 0));
        }
      }
      report.handled++;
      await options.onMessageHandled?.(report.handled);
    }
  }
  return report;
}

/**
 * A dead worker's messages come back once their visibility timeout runs out; this makes that happen at
 * once. The one it was handling keeps its dequeue count; the others of its batch were never started, so
 * they go back as they were first enqueued.
 */
async function releaseAfterCrash(
  queue: QueueClient,
  handling: DequeuedMessageItem,
  untouched: DequeuedMessageItem[],
): Promise<void> {
  await queue.updateMessage(handling.messageId, handling.popReceipt, handling.messageText, 0);
  for (const item of untouched) {
    await queue.sendMessage(item.messageText, { messageTimeToLive: -1 });
    await queue.deleteMessage(item.messageId, item.popReceipt);
  }
}

/** At-least-once delivery made visible: every message on the queue is put there a second time. */
export async function duplicateEveryMessage(queue: QueueClient): Promise<number> {
  const texts: string[] = [];
  while (true) {
    const batch = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
    if (batch.receivedMessageItems.length === 0) break;
    for (const item of batch.receivedMessageItems) {
      texts.push(item.messageText);
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
  for (const text of texts) {
    await queue.sendMessage(text, { messageTimeToLive: -1 });
    await queue.sendMessage(text, { messageTimeToLive: -1 });
  }
  return texts.length;
}

/** What docs/operations.md tells an operator to do: put poisoned messages back on the queue. */
export async function redrivePoison(queue: QueueClient, poison: QueueClient): Promise<number> {
  if (!(await poison.exists())) return 0;
  let moved = 0;
  while (true) {
    const batch = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
    if (batch.receivedMessageItems.length === 0) return moved;
    for (const item of batch.receivedMessageItems) {
      await queue.sendMessage(item.messageText, { messageTimeToLive: -1 });
      await poison.deleteMessage(item.messageId, item.popReceipt);
      moved++;
    }
  }
}

export async function queueDepth(queue: QueueClient): Promise<number> {
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

function notBeforeOf(text: string): string {
  try {
    const value = (JSON.parse(text) as { notBefore?: unknown } | null)?.notBefore;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}
