// The runs a chaos session is made of (seeded random mixes of faults, systematic crash sweeps) and the
// summary they add up to.
import { forEachConcurrently } from '../../functions/src/app/concurrency';
import { mulberry32 } from '../../scripts/lib/random';
import type { CrashPlan } from './faults';
import { differences } from './invariants';
import { type CrashPicker, callsOf, type RunResult, type RunSpec, runScenario } from './scenario';
import type { PatientKind, WorldOptions } from './world';

/** The world of the systematic sweeps: one practice, one patient per planner path that writes something. */
export const SWEEP_WORLD: WorldOptions = {
  onePractice: true,
  kinds: [
    'check-in',
    'booking-became-visit',
    'resource-step-2',
    'milestone',
    'seasonal',
    'no-consent',
    'cooldown',
  ],
};

/** One planned email: what "one send" means in the send sweep. */
export const ONE_SEND_WORLD: WorldOptions = {
  onePractice: true,
  kinds: ['check-in'] satisfies PatientKind[],
};

const plansOf =
  (plans: CrashPlan[]): CrashPicker =>
  (attempt) =>
    plans[attempt] ?? { kind: 'none' };

/**
 * A seeded mix: planner and worker crashes at a random call (before or after it), two planners at once,
 * every message delivered twice, two hosts sending at once, and ACS answering 429/500/503/slow/timeouts.
 * Crash plans are drawn up front, so a run is the same whichever process asks first.
 */
export function randomSpec(seed: number, index: number): RunSpec & { features: string[] } {
  const random = mulberry32(seed * 100_003 + index);
  const features: string[] = [];
  const crashes = (callsUpTo: number): CrashPlan[] =>
    Array.from({ length: 3 }, () => ({
      kind: 'atCall',
      call: 1 + Math.floor(random() * callsUpTo),
      when: random() < 0.5 ? 'before' : 'after',
    }));
  const planningCrash = random() < 0.6 ? crashes(160) : null;
  if (planningCrash) features.push('planner crashes');
  const concurrentDraw = random();
  const concurrent = concurrentDraw < 0.15 ? 'sameDeps' : concurrentDraw < 0.3 ? 'twoHosts' : undefined;
  if (concurrent === 'sameDeps') features.push('two planners at once (same deps)');
  if (concurrent === 'twoHosts') features.push('two planners at once (two hosts)');
  const duplicateMessages = random() < 0.3;
  if (duplicateMessages) features.push('every message delivered twice');
  const sendingCrash = random() < 0.7 ? crashes(140) : null;
  if (sendingCrash) features.push('send worker crashes');
  const hosts = random() < 0.3 ? 2 : 1;
  if (hosts === 2) features.push('two hosts sending at once');
  const acsChaos = random() < 0.5 ? { seed: seed * 7919 + index, probability: 0.1 + random() * 0.25 } : null;
  if (acsChaos) features.push('ACS 429/500/503/slow/timeouts');
  return {
    label: 'random',
    id: `random #${index}`,
    seed: seed * 100_003 + index,
    world: { maxPerKind: 1 },
    planning: { ...(planningCrash ? { crash: plansOf(planningCrash) } : {}), concurrent },
    duplicateMessages,
    sending: { ...(sendingCrash ? { crash: plansOf(sendingCrash) } : {}), hosts },
    acsChaos,
    maxCrashes: 3,
    features,
  };
}

/** Calls that change something outside the process: storage, the queue, ACS. */
const WRITE = /\.(create|update|upsert|delete|reserve|schedule|send)/;

/**
 * Crash after call k of one planning pass (or one drain), for every k, then restart: each run must end
 * exactly as the same world does without faults, and pass the invariants. `writesOnly` skips the reads: a
 * crash after a read leaves storage as the crash after the write before it does, so its restart is the same.
 */
export async function sweep(
  connectionString: string,
  base: RunSpec,
  phase: 'planning' | 'sending',
  options: { concurrency: number; writesOnly?: boolean; onResult?: (result: RunResult) => void },
): Promise<RunResult[]> {
  const baseline = await runScenario(connectionString, { ...base, label: `${base.label} baseline` });
  const calls = await callsOf(connectionString, base, phase);
  const plans: Extract<CrashPlan, { kind: 'atCall' }>[] = [{ kind: 'atCall', call: 1, when: 'before' }];
  calls.forEach((call, i) => {
    if (!options.writesOnly || WRITE.test(call)) plans.push({ kind: 'atCall', call: i + 1, when: 'after' });
  });
  const results = await runPool(
    plans.map((plan) => async () => {
      const result = await runScenario(connectionString, {
        ...base,
        id: `${base.label}, crash ${plan.when} call ${plan.call}`,
        [phase]: { crash: plansOf([plan]) },
      });
      result.check.violations.push(...differences(baseline.statuses, result.statuses));
      options.onResult?.(result);
      return result;
    }),
    options.concurrency,
  );
  return [baseline, ...results];
}

export async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  await forEachConcurrently(tasks.keys(), concurrency, async (index) => {
    const task = tasks[index];
    if (task) results[index] = await task();
  });
  return results;
}

export class Summary {
  runs = 0;
  readonly runsByLabel = new Map<string, number>();
  readonly features = new Map<string, number>();
  readonly crashes = new Map<string, { before: number; after: number }>();
  readonly acsAnswers = new Map<string, number>();
  readonly rowsByStatus = new Map<string, number>();
  emails = 0;
  duplicates = 0;
  sendTimeouts = 0;
  storageErrors = 0;
  hostErrors = 0;
  outageHostErrors = 0;
  planners = 0;
  sendWorkers = 0;
  redriven = 0;
  outages = 0;
  readonly leftovers: string[] = [];
  readonly violations: string[] = [];

  add(result: RunResult & { outages?: number }, features: string[] = []): void {
    this.runs++;
    bump(this.runsByLabel, result.label);
    for (const feature of features) bump(this.features, feature);
    for (const point of result.crashes) {
      const [where = point, when] = point.split(':');
      const entry = this.crashes.get(where) ?? { before: 0, after: 0 };
      if (when === 'before') entry.before++;
      else entry.after++;
      this.crashes.set(where, entry);
    }
    for (const [status, n] of Object.entries(result.acsAnswers)) bump(this.acsAnswers, status, n);
    for (const [status, n] of Object.entries(result.check.rowsByStatus)) bump(this.rowsByStatus, status, n);
    this.emails += result.check.emails;
    this.duplicates += result.check.duplicates;
    this.sendTimeouts += result.sender.sendTimeouts;
    this.storageErrors += result.storageErrors;
    this.hostErrors += result.hostErrors;
    this.planners += result.planAttempts;
    this.sendWorkers += result.hostAttempts;
    if (result.outages) this.outageHostErrors += result.hostErrors;
    this.redriven += result.redriven;
    this.outages += result.outages ?? 0;
    const where = `${result.id} (world seed ${result.seed}${result.crashes.length ? `, crashes ${result.crashes.join(' ')}` : ''})`;
    for (const leftover of result.check.leftovers) this.leftovers.push(`${leftover} in ${where}`);
    for (const violation of result.check.violations) this.violations.push(`${violation} in ${where}`);
  }

  render(): string {
    const lines: string[] = [];
    const row = (name: string, value: string | number) => lines.push(`${name.padEnd(40)} ${value}`);
    row('runs', `${this.runs} (${list(this.runsByLabel)})`);
    for (const [feature, n] of sorted(this.features)) row(`  with ${feature}`, n);
    row('processes started (planners, send workers)', `${this.planners}, ${this.sendWorkers}`);
    const injected = [...this.crashes.values()].reduce((n, c) => n + c.before + c.after, 0);
    row('injected crashes', `${injected} at ${this.crashes.size} points`);
    for (const [where, { before, after }] of [...this.crashes].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(
        `  ${where.padEnd(38)} before ${String(before).padStart(4)}   after ${String(after).padStart(4)}`,
      );
    }
    row('ACS answers by status', list(this.acsAnswers));
    row('sends the client gave up on (timeouts)', this.sendTimeouts);
    row('storage outages (Azurite restarted)', this.outages);
    row('queue operations failed during outages', this.storageErrors);
    row('handler failures redelivered', `${this.hostErrors} (${this.outageHostErrors} in outage runs)`);
    row('poisoned messages re-driven', this.redriven);
    row('emails sent (taken by ACS)', this.emails);
    row('duplicates (must be 0)', this.duplicates);
    row('rows by final status', list(this.rowsByStatus));
    row('leftovers (planned/sending at the end)', this.leftovers.length);
    for (const leftover of this.leftovers.slice(0, 20)) lines.push(`  ${leftover}`);
    row('invariant violations', this.violations.length);
    for (const violation of this.violations.slice(0, 50)) lines.push(`  ${violation}`);
    return lines.join('\n');
  }
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sorted(map: Map<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function list(map: Map<string, number>): string {
  return sorted(map)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
