// One chaos run: seed a world, plan it and send it with faults (crashed workers, duplicate and concurrent
// deliveries, concurrent planners, a flaky ACS, storage going away), restart what died, drain once faults
// stop, then check the invariants from the tables and the stand-in's record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../../functions/src/app/deps';
import { type AzuriteInstance, startAzurite } from '../../scripts/lib/azurite';
import { type AcsChaos, ChaosEnv, type SenderCounts } from './env';
import { type CrashPlan, faultyDeps, SimulatedProcess } from './faults';
import {
  duplicateEveryMessage,
  type QueueHostOptions,
  type QueueHostReport,
  queueDepth,
  redrivePoison,
  runPlanners,
  runQueueHost,
} from './host';
import { type CheckResult, checkInvariants, readSettled } from './invariants';
import { buildWorld, seedWorld, type WorldOptions } from './world';

/** The crash plan of each new worker process, by how many of its kind were started before it in this run. */
export type CrashPicker = (attempt: number) => CrashPlan;

export interface RunSpec {
  /** What kind of run, for the summary's counts. */
  label: string;
  /** This run, for a violation's report (e.g. `random #17`, replayed with `--only 17`). */
  id?: string;
  seed: number;
  world?: WorldOptions;
  planning?: {
    crash?: CrashPicker;
    /** Two planner invocations at once: on the same deps, or on two hosts over the same storage. */
    concurrent?: 'sameDeps' | 'twoHosts';
  };
  /** Every message enqueued twice before sending starts (at-least-once delivery). */
  duplicateMessages?: boolean;
  sending?: {
    crash?: CrashPicker;
    /** Two hosts draining the queue at once (2 messages per poll, so they interleave). */
    hosts?: 1 | 2;
  };
  acsChaos?: AcsChaos | null;
  /** Crashes allowed in the whole run; later processes run clean, so every run ends. */
  maxCrashes?: number;
}

export interface RunResult {
  label: string;
  id: string;
  seed: number;
  check: CheckResult;
  /** `port.method:before|after` of each injected crash. */
  crashes: string[];
  planAttempts: number;
  hostAttempts: number;
  /** ACS answers by status (`429`, `500`, `503`, `dropped`...), from the stand-in's record. */
  acsAnswers: Record<string, number>;
  sender: SenderCounts;
  redriven: number;
  storageErrors: number;
  hostErrors: number;
  durationMs: number;
  /** Final status by row id, for comparisons with the same world run without faults. */
  statuses: Map<string, string>;
}

const NO_CRASH: CrashPicker = () => ({ kind: 'none' });

export async function runScenario(connectionString: string, spec: RunSpec): Promise<RunResult> {
  const env = await ChaosEnv.create({
    connectionString,
    start: '2026-01-01T00:00:00Z',
    acsChaos: spec.acsChaos ?? null,
  });
  try {
    return await runIn(env, spec);
  } finally {
    await env.dispose();
  }
}

async function runIn(env: ChaosEnv, spec: RunSpec, outage?: OutageOptions): Promise<RunResult> {
  const started = performance.now();
  const world = buildWorld(spec.seed, spec.world);
  env.clock.set('2026-01-01T00:00:00Z');
  await seedWorld(env.deps, world);
  env.clock.set(world.planAt);

  const crashes: string[] = [];
  // A crash is reserved when a process that may crash starts, and given back if it survives.
  let budget = spec.maxCrashes ?? Number.POSITIVE_INFINITY;
  const processFor = (picker: CrashPicker | undefined, attempt: number) => {
    const plan = budget > 0 ? (picker ?? NO_CRASH)(attempt) : ({ kind: 'none' } as const);
    if (plan.kind !== 'none') budget--;
    return new SimulatedProcess(plan);
  };
  const ended = (process: SimulatedProcess) => {
    if (process.crash) crashes.push(process.crash.point);
    else if (process.mayCrash) budget++;
  };

  // Planning: each invocation is a process; one that dies is invoked again (same day, same clock).
  let planAttempts = 0;
  const planner = async (deps: Deps) => {
    for (let attempt = 0; ; attempt++) {
      planAttempts++;
      const process = processFor(spec.planning?.crash, attempt);
      const crash = await runPlanners(faultyDeps(deps, process));
      ended(process);
      if (!crash) return;
    }
  };
  const concurrent = spec.planning?.concurrent;
  if (concurrent) {
    const other = concurrent === 'twoHosts' ? await env.addHost().ready() : env.deps;
    await Promise.all([planner(env.deps), planner(other)]);
  } else {
    await planner(env.deps);
  }

  if (spec.duplicateMessages) await duplicateEveryMessage(env.queue);

  // Sending: each host is a worker process draining the queue; one that dies is restarted.
  const reports: QueueHostReport[] = [];
  let hostAttempts = 0;
  const hostCount = spec.sending?.hosts ?? 1;
  while (env.compositions.length < hostCount) await env.addHost().ready();
  const host = async (deps: Deps) => {
    for (let attempt = 0; ; attempt++) {
      hostAttempts++;
      const process = processFor(spec.sending?.crash, attempt);
      const report = await runQueueHost({
        ...hostOptions(env, faultyDeps(deps, process), outage),
        batchSize: hostCount > 1 ? 2 : 32,
      });
      reports.push(report);
      ended(process);
      if (!report.crash) return;
    }
  };
  await Promise.all(env.compositions.slice(0, hostCount).map((c) => host(c.deps)));

  // Faults stop (no more crashes; ACS keeps its own): drain, and re-drive what was poisoned, until done.
  let redriven = 0;
  for (let round = 0; round < 20; round++) {
    reports.push(await runQueueHost(hostOptions(env, env.deps)));
    const moved = await redrivePoison(env.queue, env.poisonQueue);
    redriven += moved;
    if (moved === 0 && (await queueDepth(env.queue)) === 0) break;
  }

  const check = await checkInvariants(env.deps, world, env.acs, {
    pending: await queueDepth(env.queue),
    poisoned: await queueDepth(env.poisonQueue),
  });
  const acsAnswers: Record<string, number> = {};
  for (const request of env.acs.requests) {
    const key = String(request.status);
    acsAnswers[key] = (acsAnswers[key] ?? 0) + 1;
  }
  const { rows } = await readSettled(env.deps, world);
  return {
    label: spec.label,
    id: spec.id ?? spec.label,
    seed: spec.seed,
    check,
    crashes,
    planAttempts,
    hostAttempts,
    acsAnswers,
    sender: { ...env.senderCounts },
    redriven,
    storageErrors: reports.reduce((n, r) => n + r.storageErrors, 0),
    hostErrors: reports.reduce((n, r) => n + r.errors, 0),
    durationMs: performance.now() - started,
    statuses: new Map(rows.map((row) => [`${row.practiceId}/${row.id}`, row.status])),
  };
}

interface OutageOptions {
  /** Called after each message the first sending host handles; may take storage down. */
  onMessageHandled: (handled: number) => Promise<void> | void;
  deadline: number;
}

function hostOptions(env: ChaosEnv, deps: Deps, outage?: OutageOptions): QueueHostOptions {
  return {
    deps,
    queue: env.queue,
    poison: env.poisonQueue,
    clock: env.clock,
    retryAt: env.retryAt,
    inFlight: env.inFlight,
    quiet: () => env.acsQuiet(),
    ...(outage
      ? {
          outageDeadline: outage.deadline,
          onMessageHandled: outage.onMessageHandled,
          // Short, so messages whose release failed while storage was down come back within seconds.
          visibilityTimeoutInSeconds: 2,
        }
      : {}),
  };
}

/** The port calls (`port.method`) of one clean planning pass, or of one clean drain after it: what a sweep walks. */
export async function callsOf(
  connectionString: string,
  spec: RunSpec,
  phase: 'planning' | 'sending',
): Promise<string[]> {
  const env = await ChaosEnv.create({ connectionString, start: '2026-01-01T00:00:00Z' });
  try {
    const world = buildWorld(spec.seed, spec.world);
    await seedWorld(env.deps, world);
    env.clock.set(world.planAt);
    const planning = new SimulatedProcess();
    await runPlanners(faultyDeps(env.deps, planning));
    if (phase === 'planning') return planning.trace;
    const sending = new SimulatedProcess();
    await runQueueHost(hostOptions(env, faultyDeps(env.deps, sending)));
    return sending.trace;
  } finally {
    await env.dispose();
  }
}

/**
 * Azurite with disk persistence, stopped after the `stopAfter`th message of the drain and started again on
 * the same ports and folder `downMs` later: the handlers meet storage errors meanwhile, which are
 * retryable, so the messages are redelivered once storage is back.
 */
export async function runStorageOutage(
  spec: RunSpec & { stopAfter: number; downMs: number },
): Promise<RunResult & { outages: number }> {
  const location = mkdtempSync(path.join(tmpdir(), 'reengage-chaos-azurite-'));
  let azurite: AzuriteInstance = await startAzurite({ location });
  const ports = {
    blob: portOf(azurite.blobUrl),
    queue: portOf(azurite.queueUrl),
    table: portOf(azurite.tableUrl),
  };
  let outages = 0;
  let restarted: Promise<void> = Promise.resolve();
  const env = await ChaosEnv.create({
    connectionString: azurite.connectionString,
    start: '2026-01-01T00:00:00Z',
    acsChaos: spec.acsChaos ?? null,
  });
  try {
    const result = await runIn(env, spec, {
      deadline: Date.now() + 120_000,
      onMessageHandled: (handled) => {
        if (handled !== spec.stopAfter || outages > 0) return;
        outages++;
        // Not awaited: the drain goes on and its next handler meets storage going away under it.
        restarted = (async () => {
          await azurite.stop();
          await sleep(spec.downMs);
          azurite = await startAzurite({ location, ports });
        })();
      },
    });
    await restarted;
    return { ...result, outages };
  } finally {
    await restarted.catch(() => undefined);
    await env.dispose();
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}
