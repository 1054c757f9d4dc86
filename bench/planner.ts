// Planner benchmark: one day's planLapsedOutreach through the DueIndex against a scan of every patient
// partition (what a planner without the index has to do), on the same seeded data.
import { rmSync } from 'node:fs';
import { DateTime } from 'luxon';
import { forEachConcurrently } from '../functions/src/app/concurrency';
import type { Deps } from '../functions/src/app/deps';
import { refreshVisits, todayFor } from '../functions/src/app/patientRecords';
import { CATCH_UP_DAYS, type PlanReport, planLapsedOutreach } from '../functions/src/app/planOutreach';
import { nextAction } from '../functions/src/core/cadence';
import type { DueEntry, Practice } from '../functions/src/core/model';
import type { QuotaLimits } from '../functions/src/core/ports';
import { Harness } from '../scripts/lib/harness';
import { type AzuriteCost, measureAzuriteCost } from './lib/azuriteCost';
import { Population } from './lib/population';
import { type SeedResult, seedPopulation } from './lib/seed';
import { type TableTraffic, TableTrafficMeter } from './lib/tableTraffic';

/** Requests in flight in the concurrent variants: patient re-reads (index) or practice partitions (scan). */
export const LOOKUP_CONCURRENCY = 16;

export interface PlannerBenchOptions {
  connectionString: string;
  patients: number;
  practices: number;
  planningAt: Date;
  /** ACS sends per hour the planner spreads sends under; the app's default setting (100) when omitted. */
  sendsPerHour?: number;
  onProgress?: (message: string, done?: number, total?: number) => void;
}

export interface Measured {
  wallMs: number;
  traffic: TableTraffic;
  byTable: Record<string, TableTraffic>;
  /** How many patients were found due (or were planned) on the planning date. */
  due: number;
}

export interface PlannerBenchResult {
  patients: number;
  practices: number;
  planningAt: string;
  quota: QuotaLimits;
  seed: Omit<SeedResult, 'dueOnPlanningDay'> & { dueOnPlanningDay: number };
  /** The real planLapsedOutreach, planning writes included. */
  planner: Measured & { outcomes: Record<string, number>; entriesRead: number };
  /** Read-only: the DueIndex partitions, each patient re-read and nextAction evaluated, no planning writes. */
  indexLookup: Measured;
  /** The same read path with `LOOKUP_CONCURRENCY` patient reads in flight instead of one. */
  indexLookupConcurrent: Measured & { concurrency: number };
  /** Read-only: every patient of every practice listed and nextAction evaluated in memory. */
  scan: Measured;
  /** The same scan with `LOOKUP_CONCURRENCY` practices listed at once. */
  scanConcurrent: Measured & { concurrency: number };
  sameDuePatients: boolean;
  /** Point read and replace on the seeded Patients table vs a small table: Azurite's size penalty. */
  azuriteCost: AzuriteCost;
  rerun: { entriesRead: number; newlyPlanned: number; wallMs: number };
}

export async function runPlannerBench(options: PlannerBenchOptions): Promise<PlannerBenchResult> {
  const progress = options.onProgress ?? (() => {});
  const population = new Population({
    patients: options.patients,
    practices: options.practices,
    planningAt: options.planningAt,
    dueShare: 0.01,
  });
  // Seeding happens "yesterday"; the planner then runs at its timer on the planning date.
  const harness = await new Harness({
    connectionString: options.connectionString,
    start: new Date(options.planningAt.getTime() - 86_400_000).toISOString(),
  }).ready();
  const meter = new TableTrafficMeter();
  for (const [role, client] of Object.entries(harness.composition.storage.tables)) meter.attach(client, role);
  try {
    progress(
      `seeding ${options.patients.toLocaleString('en')} patients in ${population.practices.length} practices`,
    );
    const seed = await seedPopulation(harness, population, {
      onProgress: (done, total) => progress('patients written', done, total),
    });
    harness.clock.set(options.planningAt);
    const { quota } = harness.deps;
    const deps: Deps = {
      ...harness.deps,
      quota: { ...quota, perHour: options.sendsPerHour ?? quota.perHour },
    };
    await warmUp(deps, population);

    progress('DueIndex lookup (read-only)');
    const indexLookup = await measure(meter, () => findDueThroughIndex(deps, 1));
    progress(`DueIndex lookup, ${LOOKUP_CONCURRENCY} reads in flight (read-only)`);
    const indexLookupConcurrent = await measure(meter, () => findDueThroughIndex(deps, LOOKUP_CONCURRENCY));
    progress('scan of every patient partition (read-only)');
    const scan = await measure(meter, () => findDueByScan(deps, 1));
    progress(`scan, ${LOOKUP_CONCURRENCY} partitions in flight (read-only)`);
    const scanConcurrent = await measure(meter, () => findDueByScan(deps, LOOKUP_CONCURRENCY));
    progress('planLapsedOutreach (the real planner)');
    let report: PlanReport = { entriesRead: 0, outcomes: [] };
    const planner = await measure(meter, async () => {
      report = await planLapsedOutreach(deps);
      return plannedKeys(report);
    });
    progress('planLapsedOutreach again (nothing new to plan)');
    const rerunStarted = performance.now();
    const rerun = await planLapsedOutreach(deps);
    const rerunMs = performance.now() - rerunStarted;
    progress(
      `Azurite's own cost per request, ${options.patients.toLocaleString('en')} rows vs a small table`,
    );
    const azuriteCost = await measureAzuriteCost(
      options.connectionString,
      harness.composition.storage.tables.patients,
      options.patients,
      population.practices[0]?.practice.id ?? '',
    );

    const expected = seed.dueOnPlanningDay;
    const sameDuePatients = [indexLookup, indexLookupConcurrent, scan, scanConcurrent, planner].every((m) =>
      sameSet(expected, m.found),
    );
    const outcomes: Record<string, number> = {};
    for (const outcome of report.outcomes) {
      const key = outcome.kind === 'skipped' ? `skipped:${outcome.reason}` : outcome.kind;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    return {
      patients: options.patients,
      practices: population.practices.length,
      planningAt: options.planningAt.toISOString(),
      quota: deps.quota,
      seed: { ...seed, dueOnPlanningDay: expected.size },
      planner: { ...summary(planner), outcomes, entriesRead: report.entriesRead },
      indexLookup: summary(indexLookup),
      indexLookupConcurrent: { ...summary(indexLookupConcurrent), concurrency: LOOKUP_CONCURRENCY },
      scan: summary(scan),
      scanConcurrent: { ...summary(scanConcurrent), concurrency: LOOKUP_CONCURRENCY },
      sameDuePatients,
      azuriteCost,
      rerun: {
        entriesRead: rerun.entriesRead,
        newlyPlanned: plannedKeys({ ...rerun, outcomes: rerun.outcomes.filter(isNew) }).size,
        wallMs: rerunMs,
      },
    };
  } finally {
    await harness.dispose();
    rmSync(harness.outboxDirectory, { recursive: true, force: true });
  }
}

type Found = Omit<Measured, 'due'> & { found: Set<string> };

async function measure(meter: TableTrafficMeter, run: () => Promise<Set<string>>): Promise<Found> {
  meter.reset();
  const started = performance.now();
  const found = await run();
  const wallMs = performance.now() - started;
  return { wallMs, traffic: meter.total(), byTable: meter.snapshot(), found };
}

function summary({ found, ...rest }: Found): Measured {
  return { ...rest, due: found.size };
}

/**
 * The DueIndex planner's read path alone: the same partitions, re-reads and decisions, nothing written.
 * With `concurrency` > 1 the patient re-reads of a partition overlap, as a planner could do them.
 */
async function findDueThroughIndex(deps: Deps, concurrency: number): Promise<Set<string>> {
  const now = deps.clock.now();
  const today = DateTime.fromJSDate(now, { zone: 'UTC' });
  const practices = new Map<string, Promise<Practice | null>>();
  const practiceOf = (id: string) => {
    let found = practices.get(id);
    if (!found) {
      found = deps.practices.getPractice(id).then((v) => v?.value ?? null);
      practices.set(id, found);
    }
    return found;
  };
  const due = new Set<string>();
  const check = async (entry: DueEntry) => {
    const practice = await practiceOf(entry.practiceId);
    const current = await deps.patients.getPatient(entry.practiceId, entry.patientId);
    if (!practice || !current || current.value.dueDay !== entry.day) return;
    const patient = await refreshVisits(deps, current.value, now);
    if (nextAction(practice, patient, todayFor(practice, now), now).kind === 'lapse') {
      due.add(`${practice.id}|${patient.id}`);
    }
  };
  for (let back = CATCH_UP_DAYS; back >= -1; back--) {
    const day = today.minus({ days: back }).toFormat('yyyyMMdd');
    await forEachConcurrently(deps.dueIndex.listDue(day), concurrency, check);
  }
  return due;
}

/** What a planner without the index must do: read every patient of every practice and decide in memory. */
async function findDueByScan(deps: Deps, concurrency: number): Promise<Set<string>> {
  const now = deps.clock.now();
  const due = new Set<string>();
  const practices: Practice[] = [];
  for await (const practice of deps.practices.listPractices()) practices.push(practice);
  const scanPractice = async (practice: Practice) => {
    const today = todayFor(practice, now);
    for await (const stored of deps.patients.listPatients(practice.id)) {
      const patient = await refreshVisits(deps, stored, now);
      if (nextAction(practice, patient, today, now).kind === 'lapse') due.add(`${practice.id}|${patient.id}`);
    }
  };
  await forEachConcurrently(practices, concurrency, scanPractice);
  return due;
}

/**
 * A few requests per table and the decision code on one small practice, so that connection set-up and the
 * JIT's first compilations are not charged to whichever run comes first.
 */
async function warmUp(deps: Deps, population: Population): Promise<void> {
  for await (const _ of deps.dueIndex.listDue(`${population.planningDay.slice(0, 4)}0101`)) break;
  const smallest = population.practices.reduce((a, b) => (b.patientCount < a.patientCount ? b : a));
  const now = deps.clock.now();
  const practice = (await deps.practices.getPractice(smallest.practice.id))?.value;
  if (!practice) throw new Error(`practice ${smallest.practice.id} was not seeded`);
  for await (const patient of deps.patients.listPatients(practice.id)) {
    await deps.patients.getPatient(practice.id, patient.id);
    nextAction(practice, await refreshVisits(deps, patient, now), todayFor(practice, now), now);
  }
}

type Outcome = PlanReport['outcomes'][number];

function isNew(outcome: Outcome): boolean {
  return outcome.kind === 'planned' || outcome.kind === 'held_out' || outcome.kind === 'skipped';
}

function plannedKeys(report: PlanReport): Set<string> {
  const keys = new Set<string>();
  for (const outcome of report.outcomes) {
    if ('row' in outcome) keys.add(`${outcome.row.practiceId}|${outcome.row.patientId}`);
  }
  return keys;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((key) => b.has(key));
}
