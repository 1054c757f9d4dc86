// `npm run bench [-- --only planner|render|send|load ...]` (options in USAGE): starts a private Azurite,
// runs the benchmarks, prints each figure next to a baseline measured in the same run, writes artifacts/bench.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from '../scripts/lib/azurite';
import { type PlannerBenchResult, runPlannerBench } from './planner';
import { type RenderBenchResult, runRenderBench } from './render';
import { runSendBench, type SendBenchResult } from './send';
import { runWebhookLoadBench } from './webhookLoad';

const BENCHES = ['planner', 'render', 'send', 'load'] as const;
type Bench = (typeof BENCHES)[number];

/** Targets of the DueIndex issue: the index must read 20x fewer entities and be 10x faster than a scan. */
const TARGET_FEWER_ENTITIES = 20;
const TARGET_FASTER = 10;
/** A Tuesday: the planner runs at its default timer, 05:00 UTC. */
const PLANNING_AT = new Date('2027-03-09T05:00:00Z');

const USAGE = `usage: npm run bench -- [--only planner|render|send|load]
  planner: [--patients N (100000)] [--practices N (100)] [--sends-per-hour N (the app's default)]
  load:    [--events N (5000)] [--concurrency N (50)] [--load-patients N (1500)]`;

interface Options {
  patients: number;
  /** Practices the planner's patients are spread over (sizes 1x to 7x of the smallest). */
  practices: number;
  only: Bench[];
  /** ACS_SENDS_PER_HOUR for the planner run; the app's default when omitted. */
  sendsPerHour: number | null;
  load: { events: number; concurrency: number; patients: number };
}

function parseOptions(): Options {
  let values: {
    patients?: string;
    practices?: string;
    only?: string;
    'sends-per-hour'?: string;
    events?: string;
    concurrency?: string;
    'load-patients'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        patients: { type: 'string', default: '100000' },
        practices: { type: 'string', default: '100' },
        only: { type: 'string' },
        'sends-per-hour': { type: 'string' },
        events: { type: 'string', default: '5000' },
        concurrency: { type: 'string', default: '50' },
        'load-patients': { type: 'string', default: '1500' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.info(USAGE);
    process.exit(0);
  }
  const positive = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
    return n;
  };
  const patients = positive('patients');
  const practices = positive('practices');
  const load = {
    events: positive('events'),
    concurrency: positive('concurrency'),
    patients: positive('load-patients'),
  };
  if (values.only !== undefined && !BENCHES.includes(values.only as Bench)) {
    fail(`--only must be one of ${BENCHES.join(', ')}`);
  }
  const perHour = values['sends-per-hour'];
  const sendsPerHour = perHour === undefined ? null : Number(perHour);
  if (sendsPerHour !== null && (!Number.isInteger(sendsPerHour) || sendsPerHour < 1)) {
    fail('--sends-per-hour must be a positive integer');
  }
  return {
    patients,
    practices,
    only: values.only ? [values.only as Bench] : [...BENCHES],
    sendsPerHour,
    load,
  };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

// ---- output -------------------------------------------------------------------------------------------

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
let lastProgressLine = 0;

function heading(title: string): void {
  process.stdout.write(`\n${title}\n${'─'.repeat(title.length)}\n`);
}

/** Progress lines: redrawn in place on a terminal, one line every ~10% otherwise. */
function progress(message: string, done?: number, total?: number): void {
  if (done === undefined || total === undefined) {
    process.stdout.write(`  · ${message} (${elapsed()})\n`);
    return;
  }
  const percent = Math.floor((done / total) * 100);
  const line = `  · ${message}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${percent}%, ${elapsed()})`;
  if (process.stdout.isTTY) {
    process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
  } else if (percent >= lastProgressLine + 10 || done === total) {
    lastProgressLine = done === total ? 0 : percent;
    process.stdout.write(`${line}\n`);
  }
}

function row(label: string, ...cells: string[]): void {
  process.stdout.write(`  ${label.padEnd(34)}${cells.map((c) => c.padStart(16)).join('')}\n`);
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (n: number) => (Number.isFinite(n) ? `${n >= 100 ? n.toFixed(0) : n.toFixed(1)}x` : 'n/a');
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const workersLabel = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;

/** A wrong answer invalidates the figures around it: unlike a missed target, it fails the run. */
function check(ok: boolean): void {
  if (!ok) process.exitCode = 1;
}

function reportPlanner(r: PlannerBenchResult): Record<string, unknown> {
  check(r.sameDuePatients && r.rerun.newlyPlanned === 0);
  const readRatio = r.scan.traffic.entitiesRead / r.planner.traffic.entitiesRead;
  const timeRatio = r.scan.wallMs / r.planner.wallMs;
  const lookupReadRatio = r.scan.traffic.entitiesRead / r.indexLookup.traffic.entitiesRead;
  const lookupTimeRatio = r.scan.wallMs / r.indexLookup.wallMs;
  const concurrentReadRatio =
    r.scanConcurrent.traffic.entitiesRead / r.indexLookupConcurrent.traffic.entitiesRead;
  const concurrentTimeRatio = r.scanConcurrent.wallMs / r.indexLookupConcurrent.wallMs;
  const concurrency = r.indexLookupConcurrent.concurrency;
  process.stdout.write(
    `  ${int(r.patients)} patients in ${r.practices} practices, seeded in ${seconds(r.seed.elapsedMs)} ` +
      `(${int(r.seed.transactions)} transactions, ${int(r.seed.dueIndexRows)} DueIndex rows); ` +
      `planning on ${r.planningAt} under an ACS quota of ${r.quota.perMinute}/min, ${int(r.quota.perHour)}/h\n\n`,
  );
  row('', 'entities read', 'requests', 'wall time', 'due found');
  const line = (label: string, m: PlannerBenchResult['scan']) =>
    row(
      label,
      int(m.traffic.entitiesRead),
      `${int(m.traffic.reads)}r/${int(m.traffic.writes)}w`,
      seconds(m.wallMs),
      int(m.due),
    );
  line('planLapsedOutreach (DueIndex)', r.planner);
  line('  its read path alone', r.indexLookup);
  line(`  same, ${concurrency} reads in flight`, r.indexLookupConcurrent);
  line('baseline: scan of all partitions', r.scan);
  line(`  same, ${concurrency} partitions in flight`, r.scanConcurrent);
  process.stdout.write('\n  entities read by the planner, per table: ');
  process.stdout.write(
    `${Object.entries(r.planner.byTable)
      .filter(([, t]) => t.entitiesRead > 0)
      .map(([table, t]) => `${table} ${int(t.entitiesRead)}`)
      .join(', ')}\n`,
  );
  process.stdout.write(
    `  outcomes: ${Object.entries(r.planner.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}\n`,
  );
  process.stdout.write(
    `  same due patient ids (seeded = index = scan = planned): ${r.sameDuePatients ? 'yes' : 'NO'}, ` +
      `${int(r.seed.dueOnPlanningDay)} patients\n`,
  );
  process.stdout.write(
    `  second run on the same day: ${int(r.rerun.entriesRead)} DueIndex rows read, ` +
      `${int(r.rerun.newlyPlanned)} newly planned (${seconds(r.rerun.wallMs)})\n\n`,
  );
  const cost = r.azuriteCost;
  process.stdout.write(
    `  Azurite itself, one request at a time on ${int(cost.samples)} rows: point read ${cost.large.readMs.toFixed(2)} ms, ` +
      `replace ${cost.large.replaceMs.toFixed(2)} ms in the ${int(cost.large.tableRows)}-row Patients table; ` +
      `${cost.small.readMs.toFixed(2)} ms and ${cost.small.replaceMs.toFixed(2)} ms in a table of only those rows ` +
      `(writes ${ratio(cost.large.replaceMs / cost.small.replaceMs)} slower at this size)\n\n`,
  );
  row('scan / index', 'planner', 'read path', `both ${concurrency}-wide`);
  row('  entities read', ratio(readRatio), ratio(lookupReadRatio), ratio(concurrentReadRatio));
  row('  wall time', ratio(timeRatio), ratio(lookupTimeRatio), ratio(concurrentTimeRatio));
  process.stdout.write(
    `\n  target >= ${TARGET_FEWER_ENTITIES}x fewer entities read: ${verdict(readRatio >= TARGET_FEWER_ENTITIES)} ` +
      `(planner ${ratio(readRatio)}, read path ${ratio(lookupReadRatio)})\n` +
      `  target >= ${TARGET_FASTER}x faster: ${verdict(timeRatio >= TARGET_FASTER)} ` +
      `(planner ${ratio(timeRatio)}, read path ${ratio(lookupTimeRatio)}, ` +
      `both ${concurrency}-wide ${ratio(concurrentTimeRatio)})\n`,
  );
  return {
    ...r,
    ratios: {
      entitiesRead: readRatio,
      wallTime: timeRatio,
      readPathEntitiesRead: lookupReadRatio,
      readPathWallTime: lookupTimeRatio,
      concurrentEntitiesRead: concurrentReadRatio,
      concurrentWallTime: concurrentTimeRatio,
    },
    targets: {
      fewerEntitiesRead: { target: TARGET_FEWER_ENTITIES, met: readRatio >= TARGET_FEWER_ENTITIES },
      faster: { target: TARGET_FASTER, met: timeRatio >= TARGET_FASTER },
    },
  };
}

function reportRender(r: RenderBenchResult): Record<string, unknown> {
  process.stdout.write(
    `  ${r.combinations} template/locale pairs, ${int(r.warm.emails)} renders over ${seconds(r.warm.wallMs)} ` +
      `on one thread; an email averages ${int(r.averageChars)} characters (subject + HTML + text)\n\n`,
  );
  row('', 'emails/s', 'ms/email');
  row('LiquidTemplateRenderer, warm', int(r.warm.perSecond), (1000 / r.warm.perSecond).toFixed(3));
  row('baseline: first (cold) render', int(r.cold.perSecond), (1000 / r.cold.perSecond).toFixed(3));
  row('baseline: string concatenation', int(r.concat.perSecond), (1000 / r.concat.perSecond).toFixed(4));
  process.stdout.write(
    `\n  warm vs cold: ${ratio(r.warm.perSecond / r.cold.perSecond)} faster; ` +
      `string concatenation of the same size is ${ratio(r.concat.perSecond / r.warm.perSecond)} faster than Liquid\n`,
  );
  return { ...r };
}

function reportSend(r: SendBenchResult): Record<string, unknown> {
  check(r.runs.every((run) => run.allExactlyOnce));
  process.stdout.write(
    `  ${r.rows} planned rows per drain, real AcsEmailSender → ACS stand-in, workers receiving from the queue; ` +
      `median of up to 3 drains\n\n`,
  );
  const latencies = [...new Set(r.runs.map((run) => run.latencyInMs))];
  row('workers \\ ACS latency', ...latencies.map((l) => `${l} ms: emails/s`));
  for (const workers of [...new Set(r.runs.map((run) => run.workers))]) {
    row(
      `  ${workers}`,
      ...latencies.map((l) => {
        const run = r.runs.find((x) => x.workers === workers && x.latencyInMs === l);
        return run ? run.perSecond.toFixed(1) : '';
      }),
    );
  }
  process.stdout.write('\n');
  for (const run of r.runs) {
    process.stdout.write(
      `  ${String(run.latencyInMs).padStart(3)} ms, ${workersLabel(run.workers).padStart(10)}: ` +
        `drains at ${run.samples.map((n) => n.toFixed(1)).join(', ')} emails/s; median ${run.sent} sent in ` +
        `${seconds(run.wallMs)}, stand-in recorded ${run.accepted} emails for ${run.rows} rows ` +
        `(${run.distinctOperations} distinct operation ids, ${run.sendAttempts} POSTs): ` +
        `${run.allExactlyOnce ? 'exactly one each, every drain' : 'NOT exactly one each'}` +
        `${run.errors > 0 ? `, ${run.errors} handler errors` : ''}\n`,
    );
  }
  const baseline = Math.min(...latencies);
  const find = (l: number, w: number) => r.runs.find((x) => x.latencyInMs === l && x.workers === w);
  process.stdout.write('\n');
  for (const latency of latencies.filter((l) => l !== baseline)) {
    for (const run of r.runs.filter((x) => x.latencyInMs === latency)) {
      const base = find(baseline, run.workers);
      const one = find(latency, Math.min(...r.runs.map((x) => x.workers)));
      if (!base || !one) continue;
      process.stdout.write(
        `  ${latency} ms, ${workersLabel(run.workers)}: ${ratio(run.perSecond / base.perSecond)} the ${baseline} ms throughput, ` +
          `${ratio(run.perSecond / one.perSecond)} the ${one.workers}-worker throughput at ${latency} ms\n`,
      );
    }
  }
  return { ...r };
}

// ---- main ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const load = () => os.loadavg().map((n) => Number(n.toFixed(2)));
  process.stdout.write(
    `Reengage benchmarks: ${options.only.join(', ')} (${os.cpus().length} cores, Node ${process.version}, ` +
      `load average ${load().join(' ')})\n`,
  );
  if ((os.loadavg()[0] ?? 0) > os.cpus().length / 2) {
    process.stdout.write(
      '  note: the machine is already busy; timings will be lower and noisier than on an idle one\n',
    );
  }
  const report: Record<string, unknown> = {
    command,
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: load(),
    },
  };
  const needsAzurite = options.only.some((b) => b !== 'render');
  // In memory, Azurite keeps every entity on its heap: budget 8 KiB per seeded patient (row, DueIndex row, indexes).
  const heapMiB = Math.max(4096, Math.ceil((options.patients * 8) / 1024));
  const azurite = needsAzurite ? await startAzurite({ heapMiB }) : null;
  try {
    if (azurite) progress('Azurite started (in memory)');
    if (options.only.includes('planner') && azurite) {
      heading(`Planner: one day's planning, DueIndex vs scan`);
      const result = await runPlannerBench({
        connectionString: azurite.connectionString,
        patients: options.patients,
        practices: options.practices,
        planningAt: PLANNING_AT,
        sendsPerHour: options.sendsPerHour ?? undefined,
        onProgress: progress,
      });
      report.planner = reportPlanner(result);
    }
    if (options.only.includes('render')) {
      heading('Render: LiquidTemplateRenderer, 8 templates x 2 locales');
      report.render = reportRender(await runRenderBench({ onProgress: progress }));
    }
    if (options.only.includes('send') && azurite) {
      heading('Send: sendOutreach through AcsEmailSender to the ACS stand-in');
      const result = await runSendBench({
        connectionString: azurite.connectionString,
        planningAt: PLANNING_AT,
        rows: 300,
        workers: [1, 4, 16],
        latenciesInMs: [0, 50],
        onProgress: progress,
      });
      report.send = reportSend(result);
    }
    if (options.only.includes('load') && azurite) {
      heading(`Load: booking webhooks through bookingWebhook, concurrency ${options.load.concurrency} vs 1`);
      const result = await runWebhookLoadBench({
        connectionString: azurite.connectionString,
        ...options.load,
        seed: 1,
        baseline: true,
      });
      check(result.allCorrect);
      report.load = result;
    }
  } finally {
    await azurite?.stop();
  }
  report.totalSeconds = (performance.now() - started) / 1000;
  report.loadAverageAtEnd = load();
  const file = path.resolve('artifacts', 'bench.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nDone in ${elapsed()}; report written to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
