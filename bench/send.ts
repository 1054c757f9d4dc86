// Send benchmark: sendOutreach throughput through the real AcsEmailSender against the ACS stand-in, with
// 1..N workers receiving from the outreach-send queue at once, at a given ACS latency and at 0 ms (baseline).
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcsEmailSender } from '../functions/src/adapters/acs/AcsEmailSender';
import { forEachConcurrently } from '../functions/src/app/concurrency';
import type { Deps } from '../functions/src/app/deps';
import { planLapsedOutreach } from '../functions/src/app/planOutreach';
import type { OutreachRow } from '../functions/src/core/model';
import { handleSendOutreach } from '../functions/src/functions/sendOutreach';
import { Harness } from '../scripts/lib/harness';
import { type AcsStandIn, startAcsStandIn } from '../tests/support/acsStandIn';
import { Population } from './lib/population';
import { seedPopulation } from './lib/seed';

export interface SendBenchOptions {
  connectionString: string;
  planningAt: Date;
  rows: number;
  workers: number[];
  latenciesInMs: number[];
  /** Drains per configuration (the median is reported), fewer when the drains exceed `repeatWithinMs`. */
  repetitions?: number;
  repeatWithinMs?: number;
  onProgress?: (message: string) => void;
}

/** One drain of all the planned rows. */
export interface SendSample {
  wallMs: number;
  sent: number;
  perSecond: number;
  results: Record<string, number>;
  errors: number;
  /** Emails the stand-in accepted, distinct operation ids among them, and POSTs it received. */
  accepted: number;
  distinctOperations: number;
  sendAttempts: number;
  /** One accepted email per planned row, for exactly the planned rows' operation ids, every row `sent`. */
  exactlyOnce: boolean;
}

/** A configuration's figures: those of its median drain, and every drain's rate. */
export interface SendRun extends SendSample {
  latencyInMs: number;
  workers: number;
  rows: number;
  /** emails/s of each drain, in order; the figures above are the median one's. */
  samples: number[];
  /** Every drain sent exactly one email per row. */
  allExactlyOnce: boolean;
}

export interface SendBenchResult {
  rows: number;
  runs: SendRun[];
}

/**
 * The rows are planned once; before every drain but the first they are put back as the planner left them
 * (see `replay`), so every configuration sends the same 300 emails from the same state.
 */
export async function runSendBench(options: SendBenchOptions): Promise<SendBenchResult> {
  const progress = options.onProgress ?? (() => {});
  const acs = await startAcsStandIn();
  const harness = await new Harness({
    connectionString: options.connectionString,
    start: new Date(options.planningAt.getTime() - 86_400_000).toISOString(),
    sender: new AcsEmailSender({ connectionString: acs.connectionString }),
  }).ready();
  try {
    progress(`planning ${options.rows} rows`);
    // Every patient due, nobody held out: each one becomes a planned row and one queue message.
    const population = new Population({
      patients: options.rows,
      practices: 10,
      planningAt: options.planningAt,
      dueShare: 1,
      holdoutPercent: 0,
    });
    await seedPopulation(harness, population);
    harness.clock.set(options.planningAt);
    const plan = await planLapsedOutreach(harness.deps);
    const planned = plan.outcomes.flatMap((o) => (o.kind === 'planned' ? [o.row] : []));
    if (planned.length !== options.rows) {
      throw new Error(`expected ${options.rows} planned rows, the planner planned ${planned.length}`);
    }
    // The whole batch is due: the clock stands just after the last reserved send slot.
    const lastSlot = Math.max(...planned.map((row) => Date.parse(row.notBefore)));
    harness.clock.set(new Date(lastSlot + 1000));

    const runs: SendRun[] = [];
    let fresh = true;
    for (const latencyInMs of options.latenciesInMs) {
      acs.setLatency(latencyInMs);
      for (const workers of options.workers) {
        progress(`${latencyInMs} ms ACS latency, ${workers} worker${workers === 1 ? '' : 's'}`);
        // A short drain is at the mercy of whatever else the machine runs; the median of a few is steadier.
        const samples: SendSample[] = [];
        let spentMs = 0;
        while (
          samples.length < (options.repetitions ?? 3) &&
          (samples.length === 0 || spentMs < (options.repeatWithinMs ?? 10_000))
        ) {
          if (!fresh) await replay(harness, planned, () => acs.reset());
          fresh = false;
          const sample = await drainOnce(harness, acs, planned, workers);
          spentMs += sample.wallMs;
          samples.push(sample);
        }
        const median = [...samples].sort((a, b) => a.perSecond - b.perSecond)[(samples.length - 1) >> 1];
        if (!median) throw new Error('no drain ran');
        runs.push({
          ...median,
          latencyInMs,
          workers,
          rows: planned.length,
          samples: samples.map((sample) => sample.perSecond),
          allExactlyOnce: samples.every((sample) => sample.exactlyOnce),
        });
      }
    }
    return { rows: options.rows, runs };
  } finally {
    await harness.dispose();
    rmSync(harness.outboxDirectory, { recursive: true, force: true });
    await acs.close();
  }
}

async function drainOnce(
  harness: Harness,
  acs: AcsStandIn,
  planned: OutreachRow[],
  workers: number,
): Promise<SendSample> {
  const started = performance.now();
  const drained = await drainConcurrently(harness, workers);
  const wallMs = performance.now() - started;
  const operations = new Set(acs.sent.map((email) => email.operationId));
  const expected = new Set(planned.map((row) => row.operationId.toLowerCase()));
  let allSent = true;
  for (const row of planned) {
    const stored = await harness.deps.ledger.getOutreach(row.practiceId, row.id);
    if (stored?.value.status !== 'sent') allSent = false;
  }
  const sent = drained.results.sent ?? 0;
  return {
    wallMs,
    sent,
    perSecond: (sent * 1000) / wallMs,
    results: drained.results,
    errors: drained.errors,
    accepted: acs.sent.length,
    distinctOperations: operations.size,
    sendAttempts: acs.attempts,
    exactlyOnce:
      acs.sent.length === planned.length &&
      operations.size === expected.size &&
      [...expected].every((id) => operations.has(id)) &&
      allSent,
  };
}

/**
 * Puts the rows back as the planner left them (`planned`, same slot, same operation id), with their queue
 * messages, and makes the stand-in forget the operations: the next drain does exactly the same work.
 */
async function replay(harness: Harness, planned: OutreachRow[], forgetOperations: () => void): Promise<void> {
  const { ledger, scheduler } = harness.deps;
  forgetOperations();
  await forEachConcurrently(planned, 16, async (row) => {
    const current = await ledger.getOutreach(row.practiceId, row.id);
    if (!current) throw new Error(`ledger row ${row.id} disappeared`);
    await ledger.updateOutreach(row, current.etag);
    await scheduler.scheduleSend(
      { v: 1, practiceId: row.practiceId, outreachId: row.id, notBefore: row.notBefore },
      new Date(row.notBefore),
    );
  });
}

/**
 * `workers` loops, each receiving one message at a time and handling it as the Functions host would:
 * delete on success, make it visible again on a throw. A loop stops when the queue is empty and no other
 * loop holds a message that could come back.
 */
/** A handler that runs this long means the drain is stuck, not slow (a send takes well under a second). */
const STALL_MS = 60_000;

async function drainConcurrently(
  harness: Harness,
  workers: number,
): Promise<{ results: Record<string, number>; errors: number }> {
  const queue = harness.composition.storage.queues.outreachSend;
  const deps: Deps = harness.deps;
  const results: Record<string, number> = {};
  let errors = 0;
  let holding = 0;
  /** Messages being handled, with when their handler started: a drain that stops moving says which. */
  const held = new Map<string, { since: number; text: string }>();
  const worker = async () => {
    while (true) {
      const batch = await queue.receiveMessages({
        numberOfMessages: 1,
        visibilityTimeout: 60,
        abortSignal: AbortSignal.timeout(STALL_MS),
      });
      const item = batch.receivedMessageItems[0];
      if (!item) {
        if (holding === 0) return;
        const oldest = Math.min(...[...held.values()].map((h) => h.since));
        if (performance.now() - oldest > STALL_MS) {
          const stuck = [...held.values()].map((h) => h.text).join('; ');
          throw new Error(`drain stalled: a handler has not returned for ${STALL_MS / 1000} s (${stuck})`);
        }
        await sleep(10);
        continue;
      }
      holding++;
      held.set(item.messageId, { since: performance.now(), text: item.messageText });
      try {
        const result = await handleSendOutreach(deps, item.messageText);
        results[result] = (results[result] ?? 0) + 1;
        await queue.deleteMessage(item.messageId, item.popReceipt);
      } catch {
        errors++;
        // As the host does after five dequeues: the message leaves (here it is dropped, and the run reports it).
        if (item.dequeueCount >= 5) await queue.deleteMessage(item.messageId, item.popReceipt);
        else await queue.updateMessage(item.messageId, item.popReceipt, item.messageText, 0);
      } finally {
        holding--;
        held.delete(item.messageId);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { results, errors };
}
