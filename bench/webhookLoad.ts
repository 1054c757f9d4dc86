// Webhook load (`npm run bench -- --only load`, or `npm run bench:load`): signed generic booking webhooks
// through the real handler at concurrency 50 and 1, then a check that no state was lost or duplicated.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TableClient } from '@azure/data-tables';
import { forEachConcurrently } from '../functions/src/app/concurrency';
import type { Appointment } from '../functions/src/core/model';
import { newPractice } from '../functions/src/core/practiceDefaults';
import { summarizeVisits } from '../functions/src/core/visits';
import { Harness } from '../scripts/lib/harness';
import { mulberry32 } from '../scripts/lib/random';
import type { TableTraffic } from './lib/tableTraffic';

const NOW = '2027-03-09T10:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PRACTICE_ID = 'load-practice';
/** A booking tool retries an answer it did not get (5xx or a dropped connection); this many times at most. */
const MAX_TOOL_ATTEMPTS = 5;

type AppointmentType =
  | 'appointment.booked'
  | 'appointment.rescheduled'
  | 'appointment.cancelled'
  | 'appointment.completed'
  | 'appointment.no_show';
type EventType = AppointmentType | 'patient.upserted';

interface LoadEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  patient: Record<string, unknown> & { id: string };
  appointment?: { id: string; startsAt: string; therapistId: string };
}

interface Send {
  event: LoadEvent;
  /** Index in the send list of the original, for an exact duplicate (sent only once the original was answered). */
  duplicateOf: number | null;
}

// ---- the event mix ------------------------------------------------------------------------------------

interface PatientPlan {
  id: string;
  cursor: number;
  events: LoadEvent[];
  appointments: { id: string; startsAt: number; terminal: boolean; reschedules: number }[];
  upserts: number;
  full: boolean;
}

function buildMix(options: { events: number; patients: number; seed: number }) {
  const random = mulberry32(options.seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  const duplicates = Math.round(options.events * 0.05);
  const originals = options.events - duplicates;
  const plans: PatientPlan[] = [];
  let counter = 0;
  const at = (plan: PatientPlan, minStepMs: number, maxStepMs: number): string | null => {
    const next = plan.cursor + between(minStepMs, maxStepMs);
    if (next > NOW_MS - HOUR_MS) {
      plan.full = true;
      return null;
    }
    plan.cursor = next;
    return new Date(next).toISOString();
  };
  const upsert = (plan: PatientPlan, occurredAt: string) => {
    plan.upserts++;
    plan.events.push({
      id: `evt_${++counter}`,
      type: 'patient.upserted',
      occurredAt,
      patient: {
        id: plan.id,
        firstName: `Name${plan.upserts}`,
        email: `${plan.id}@example.org`,
        locale: random() < 0.8 ? 'fr' : 'en',
        therapistId: 'th_1',
        emailConsent: true,
        careStatus: 'in_care',
      },
    });
  };
  const appointmentEvent = (
    plan: PatientPlan,
    type: AppointmentType,
    occurredAt: string,
    appointment: PatientPlan['appointments'][number],
  ) => {
    plan.events.push({
      id: `evt_${++counter}`,
      type,
      occurredAt,
      patient: { id: plan.id },
      appointment: {
        id: appointment.id,
        startsAt: new Date(appointment.startsAt).toISOString(),
        therapistId: 'th_1',
      },
    });
  };
  const book = (plan: PatientPlan): boolean => {
    const occurredAt = at(plan, HOUR_MS, 5 * DAY_MS);
    if (!occurredAt) return false;
    const appointment = {
      id: `${plan.id}_a${plan.appointments.length + 1}`,
      // Hours rounded so that startsAt survives the ISO round trip exactly.
      startsAt: Math.floor((Date.parse(occurredAt) + between(1, 40) * DAY_MS) / HOUR_MS) * HOUR_MS,
      terminal: false,
      reschedules: 0,
    };
    plan.appointments.push(appointment);
    appointmentEvent(plan, 'appointment.booked', occurredAt, appointment);
    return true;
  };

  for (let i = 0; i < options.patients; i++) {
    const plan: PatientPlan = {
      id: `pat_${i + 1}`,
      cursor: NOW_MS - between(120, 200) * DAY_MS,
      events: [],
      appointments: [],
      upserts: 0,
      full: false,
    };
    upsert(plan, new Date(plan.cursor).toISOString());
    book(plan);
    plans.push(plan);
  }
  let total = plans.reduce((sum, plan) => sum + plan.events.length, 0);
  while (total < originals) {
    const plan = plans[between(0, plans.length)];
    if (!plan || plan.full) continue;
    const before = plan.events.length;
    const last = plan.appointments.at(-1);
    const roll = random();
    if (roll < 0.08) {
      const occurredAt = at(plan, HOUR_MS, 10 * DAY_MS);
      if (occurredAt) upsert(plan, occurredAt);
    } else if (!last || last.terminal) {
      book(plan);
    } else if (roll < 0.3 && last.reschedules < 2) {
      const occurredAt = at(plan, HOUR_MS, 3 * DAY_MS);
      if (occurredAt) {
        last.reschedules++;
        last.startsAt = Math.floor((Date.parse(occurredAt) + between(1, 30) * DAY_MS) / HOUR_MS) * HOUR_MS;
        appointmentEvent(plan, 'appointment.rescheduled', occurredAt, last);
      }
    } else {
      // A visit is reported after it took place; a cancellation can come any time, often before.
      const afterVisit = Math.max(plan.cursor + HOUR_MS, last.startsAt + HOUR_MS) + between(0, HOUR_MS);
      const occurredMs =
        random() < 0.25 || afterVisit > NOW_MS - HOUR_MS
          ? plan.cursor + between(HOUR_MS, 2 * DAY_MS)
          : afterVisit;
      const occurredAt = occurredMs > NOW_MS - HOUR_MS ? null : new Date(occurredMs).toISOString();
      if (occurredAt) plan.cursor = occurredMs;
      else plan.full = true;
      if (occurredAt) {
        const outcome = random();
        const type: AppointmentType =
          Date.parse(occurredAt) < last.startsAt
            ? 'appointment.cancelled'
            : outcome < 0.6
              ? 'appointment.completed'
              : outcome < 0.8
                ? 'appointment.no_show'
                : 'appointment.cancelled';
        last.terminal = true;
        appointmentEvent(plan, type, occurredAt, last);
      }
    }
    total += plan.events.length - before;
  }

  // Out-of-order pairs: two consecutive events of one patient sent in the opposite order.
  const pairs = Math.round((options.events * 0.05) / 2);
  let swapped = 0;
  for (let guard = 0; swapped < pairs && guard < pairs * 50; guard++) {
    const plan = plans[between(0, plans.length)];
    if (!plan || plan.events.length < 2) continue;
    const k = between(0, plan.events.length - 1);
    const [a, b] = [plan.events[k], plan.events[k + 1]];
    if (!a || !b || (a as { swapped?: true }).swapped || (b as { swapped?: true }).swapped) continue;
    plan.events[k] = b;
    plan.events[k + 1] = a;
    Object.assign(a, { swapped: true });
    Object.assign(b, { swapped: true });
    swapped++;
  }

  // Interleave the patients' streams uniformly, each patient's own order kept.
  const queues = plans.map((plan) => [...plan.events]);
  const sends: Send[] = [];
  let remaining = queues.reduce((sum, q) => sum + q.length, 0);
  while (remaining > 0) {
    let pick = between(0, remaining);
    for (const queue of queues) {
      if (pick < queue.length) {
        const event = queue.shift();
        if (event) sends.push({ event, duplicateOf: null });
        break;
      }
      pick -= queue.length;
    }
    remaining--;
  }
  // Exact duplicates: the same body again, somewhere after its original.
  for (let d = 0; d < duplicates; d++) {
    const original = between(0, sends.length);
    const source = sends[original];
    if (!source || source.duplicateOf !== null) {
      d--;
      continue;
    }
    const position = between(original + 1, sends.length + 1);
    sends.splice(position, 0, { event: source.event, duplicateOf: -1 });
  }
  // Indices moved with the splices: resolve each duplicate to the first send of the same event.
  const firstIndex = new Map<string, number>();
  sends.forEach((send, index) => {
    const first = firstIndex.get(send.event.id);
    if (first === undefined) {
      firstIndex.set(send.event.id, index);
      send.duplicateOf = null;
    } else send.duplicateOf = first;
  });
  for (const send of sends) delete (send.event as { swapped?: true }).swapped;
  return { sends, plans, swapped, duplicates };
}

// ---- counting table requests per event type -----------------------------------------------------------

const currentLabel = new AsyncLocalStorage<string>();

class LabelledTraffic {
  readonly byLabel = new Map<string, TableTraffic & { events: number }>();

  attach(clients: Iterable<TableClient>): void {
    for (const client of clients) {
      client.pipeline.addPolicy({
        name: 'benchLoadTraffic',
        sendRequest: async (request, next) => {
          const response = await next(request);
          const traffic = this.entry(currentLabel.getStore() ?? '(outside an event)');
          if (request.method === 'GET') traffic.reads++;
          else traffic.writes++;
          return response;
        },
      });
    }
  }

  entry(label: string) {
    let traffic = this.byLabel.get(label);
    if (!traffic) {
      traffic = { entitiesRead: 0, reads: 0, writes: 0, events: 0 };
      this.byLabel.set(label, traffic);
    }
    return traffic;
  }
}

// ---- one run ------------------------------------------------------------------------------------------

interface RunResult {
  concurrency: number;
  /** Table requests of the run itself (reads + writes) per event sent. */
  tableRequestsPerEvent: number;
  wallMs: number;
  perSecond: number;
  latencies: number[];
  statuses: Map<string, number>;
  toolRetries: number;
  wrongAnswers: string[];
  traffic: LabelledTraffic;
  harness: Harness;
}

async function runLoad(connectionString: string, sends: Send[], concurrency: number): Promise<RunResult> {
  const harness = await new Harness({ connectionString, start: NOW }).ready();
  await harness.addPractice(
    newPractice({ id: PRACTICE_ID, name: 'Cabinet de charge', defaultTherapistId: 'th_1' }),
    [
      {
        practiceId: PRACTICE_ID,
        id: 'th_1',
        displayName: 'Th One',
        email: 'th1@example.org',
        signature: 'Th One',
        locale: 'fr',
        active: true,
      },
    ],
  );
  const traffic = new LabelledTraffic();
  traffic.attach(Object.values(harness.composition.storage.tables));
  const answered: Promise<void>[] = new Array(sends.length);
  const settle: (() => void)[] = new Array(sends.length);
  for (let i = 0; i < sends.length; i++) {
    answered[i] = new Promise<void>((resolve) => {
      settle[i] = resolve;
    });
  }
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const wrongAnswers: string[] = [];
  let toolRetries = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sends.length; i = next++) {
      const send = sends[i] as Send;
      // A booking tool re-sends an event after its first attempt was answered (or timed out), never during it.
      if (send.duplicateOf !== null) await answered[send.duplicateOf];
      const label = send.duplicateOf === null ? send.event.type : 'duplicate';
      traffic.entry(label).events++;
      let status = 'thrown';
      for (let attempt = 1; attempt <= MAX_TOOL_ATTEMPTS; attempt++) {
        const started = performance.now();
        try {
          const response = await currentLabel.run(label, () => harness.postEvent(PRACTICE_ID, send.event));
          status = String(response.status ?? 200);
          if (send.duplicateOf !== null && status === '200') {
            const body = response.jsonBody as { duplicate?: boolean } | undefined;
            if (body?.duplicate !== true) wrongAnswers.push(`${send.event.id}: 200 without duplicate:true`);
          }
        } catch {
          status = 'thrown';
        }
        latencies.push(performance.now() - started);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (!status.startsWith('5') && status !== 'thrown') break;
        toolRetries++;
      }
      const expected = send.duplicateOf === null ? '202' : '200';
      if (status !== expected)
        wrongAnswers.push(`${send.event.id} (${label}): ${status}, expected ${expected}`);
      settle[i]?.();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  // Taken now: the state check reads through the same clients afterwards.
  let requests = 0;
  let events = 0;
  for (const t of traffic.byLabel.values()) {
    requests += t.reads + t.writes;
    events += t.events;
  }
  return {
    tableRequestsPerEvent: requests / events,
    concurrency,
    wallMs,
    perSecond: (sends.length / wallMs) * 1000,
    latencies,
    statuses,
    toolRetries,
    wrongAnswers,
    traffic,
    harness,
  };
}

// ---- the state check ----------------------------------------------------------------------------------

interface ExpectedPatient {
  firstName: string;
  appointments: Map<string, { status: Appointment['status']; startsAt: string; at: number }>;
}

const STATUS_OF: Record<AppointmentType, Appointment['status']> = {
  'appointment.booked': 'booked',
  'appointment.rescheduled': 'booked',
  'appointment.cancelled': 'cancelled',
  'appointment.completed': 'completed',
  'appointment.no_show': 'no_show',
};

/** Sequential, in-order application of each patient's events, by the forward-only rules (latest occurredAt wins). */
function expectedState(plans: PatientPlan[]): Map<string, ExpectedPatient> {
  const expected = new Map<string, ExpectedPatient>();
  for (const plan of plans) {
    const inOrder = [...plan.events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    const state: ExpectedPatient = { firstName: '', appointments: new Map() };
    for (const event of inOrder) {
      if (event.type === 'patient.upserted') state.firstName = String(event.patient.firstName);
      else if (event.appointment) {
        state.appointments.set(event.appointment.id, {
          status: STATUS_OF[event.type],
          startsAt: event.appointment.startsAt,
          at: Date.parse(event.occurredAt),
        });
      }
    }
    expected.set(plan.id, state);
  }
  return expected;
}

async function checkState(harness: Harness, plans: PatientPlan[], sends: Send[]): Promise<string[]> {
  const deps = harness.deps;
  const now = new Date(NOW);
  const problems: string[] = [];
  const expected = expectedState(plans);
  await forEachConcurrently(plans, 16, async (plan) => {
    const want = expected.get(plan.id) as ExpectedPatient;
    const stored = await deps.patients.getPatient(PRACTICE_ID, plan.id);
    if (!stored) {
      problems.push(`${plan.id}: patient row missing`);
      return;
    }
    const wantAppointments: Appointment[] = [...want.appointments].map(([id, a]) => ({
      practiceId: PRACTICE_ID,
      id,
      patientId: plan.id,
      therapistId: 'th_1',
      startsAt: a.startsAt,
      status: a.status,
      lastEventAt: new Date(a.at).toISOString(),
      bookedAt: null,
    }));
    const summary = summarizeVisits(wantAppointments, now);
    const patient = stored.value;
    if (patient.lastVisitAt !== summary.lastVisitAt)
      problems.push(`${plan.id}: lastVisitAt ${patient.lastVisitAt}, expected ${summary.lastVisitAt}`);
    if (patient.nextBookingAt !== summary.nextBookingAt)
      problems.push(`${plan.id}: nextBookingAt ${patient.nextBookingAt}, expected ${summary.nextBookingAt}`);
    if (patient.firstName !== want.firstName)
      problems.push(`${plan.id}: firstName ${patient.firstName}, expected ${want.firstName}`);
    const got = new Map<string, Appointment>();
    for await (const appointment of deps.appointments.listAppointments(PRACTICE_ID, plan.id))
      got.set(appointment.id, appointment);
    if (got.size !== want.appointments.size)
      problems.push(`${plan.id}: ${got.size} appointments, expected ${want.appointments.size}`);
    for (const [id, a] of want.appointments) {
      const row = got.get(id);
      if (!row) problems.push(`${plan.id}/${id}: appointment missing`);
      else if (
        row.status !== a.status ||
        Date.parse(row.startsAt) !== Date.parse(a.startsAt) ||
        Date.parse(row.lastEventAt) !== a.at
      ) {
        problems.push(
          `${plan.id}/${id}: ${row.status} at ${row.startsAt} (event ${row.lastEventAt}), expected ${a.status} at ${a.startsAt}`,
        );
      }
    }
  });
  const originals = sends.filter((send) => send.duplicateOf === null);
  await forEachConcurrently(originals, 16, async ({ event }) => {
    const record = await deps.inboundEvents.getEvent(PRACTICE_ID, 'generic', event.id);
    if (record?.value.status !== 'applied')
      problems.push(
        `${event.id}: InboundEvents ${record ? record.value.status : 'missing'}, expected applied`,
      );
  });
  return problems;
}

// ---- output -------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function printRun(run: RunResult, events: number) {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const statuses = [...run.statuses].map(([s, n]) => `${s} ${fmt(n)}`).join(', ');
  console.log(
    `  concurrency ${String(run.concurrency).padStart(2)}: ${fmt(events)} events in ${fmt(run.wallMs / 1000, 2)} s = ${fmt(run.perSecond, 1)} events/s; ` +
      `latency ms p50 ${fmt(percentile(sorted, 50), 1)}, p90 ${fmt(percentile(sorted, 90), 1)}, p99 ${fmt(percentile(sorted, 99), 1)}, max ${fmt(sorted.at(-1) ?? 0, 1)}`,
  );
  console.log(
    `                  statuses: ${statuses}; booking-tool retries after 5xx/throw: ${run.toolRetries}`,
  );
}

function printTraffic(run: RunResult) {
  console.log(`  table requests per event (concurrency ${run.concurrency}), reads + writes:`);
  const rows = [...run.traffic.byLabel].sort(([a], [b]) => a.localeCompare(b));
  let reads = 0;
  let writes = 0;
  let events = 0;
  for (const [label, t] of rows) {
    reads += t.reads;
    writes += t.writes;
    events += t.events;
    if (t.events === 0) {
      console.log(`    ${label.padEnd(26)} ${fmt(t.reads)} reads, ${fmt(t.writes)} writes`);
      continue;
    }
    console.log(
      `    ${label.padEnd(26)} ${fmt(t.events).padStart(6)} events  ${fmt(t.reads / t.events, 2).padStart(6)} r + ${fmt(t.writes / t.events, 2).padStart(5)} w = ${fmt((t.reads + t.writes) / t.events, 2)}`,
    );
  }
  console.log(
    `    ${'all events'.padEnd(26)} ${fmt(events).padStart(6)} events  ${fmt(reads / events, 2).padStart(6)} r + ${fmt(writes / events, 2).padStart(5)} w = ${fmt((reads + writes) / events, 2)}`,
  );
}

// ---- the benchmark -------------------------------------------------------------------------------------

export interface WebhookLoadOptions {
  connectionString: string;
  events: number;
  patients: number;
  concurrency: number;
  seed: number;
  /** Also replay the same events one at a time, the baseline the concurrent run is compared with. */
  baseline: boolean;
}

export interface WebhookLoadRun {
  concurrency: number;
  wallMs: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  statuses: Record<string, number>;
  toolRetries: number;
  tableRequestsPerEvent: number;
  /** Wrong answers and patients whose stored state differs from an in-order replay. */
  problems: number;
}

export interface WebhookLoadResult {
  events: number;
  patients: number;
  duplicates: number;
  outOfOrderPairs: number;
  runs: WebhookLoadRun[];
  allCorrect: boolean;
}

/**
 * Sends the mix through the real bookingWebhook handler at `concurrency` (and, as the baseline, one at a
 * time), each run on its own tables, then checks every patient against an in-order replay. Prints as it goes.
 */
export async function runWebhookLoadBench(options: WebhookLoadOptions): Promise<WebhookLoadResult> {
  const { events, patients, concurrency, seed } = options;
  for (const [name, n] of Object.entries({ events, patients, concurrency, seed })) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  console.log(`  ${fmt(events)} signed generic webhooks for ${fmt(patients)} patients of one practice`);
  const mix = buildMix({ events, patients, seed });
  const byType = new Map<string, number>();
  for (const send of mix.sends) {
    const label = send.duplicateOf === null ? send.event.type : 'duplicate';
    byType.set(label, (byType.get(label) ?? 0) + 1);
  }
  console.log(
    `  mix: ${[...byType].map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}; ${mix.swapped} out-of-order pairs\n`,
  );

  const main = await runLoad(options.connectionString, mix.sends, concurrency);
  printRun(main, mix.sends.length);
  const baseline = options.baseline ? await runLoad(options.connectionString, mix.sends, 1) : null;
  if (baseline) {
    printRun(baseline, mix.sends.length);
    console.log(
      `  concurrency ${concurrency} vs 1: ${fmt(main.perSecond / baseline.perSecond, 2)}x the throughput`,
    );
  }
  console.log('');
  printTraffic(baseline ?? main);
  if (baseline) printTraffic(main);
  console.log('');
  const runs: WebhookLoadRun[] = [];
  for (const run of baseline ? [main, baseline] : [main]) {
    const problems = [...run.wrongAnswers, ...(await checkState(run.harness, mix.plans, mix.sends))];
    const originals = mix.sends.filter((s) => s.duplicateOf === null).length;
    console.log(
      `  check, concurrency ${run.concurrency}: ${fmt(patients)} patients (lastVisitAt, nextBookingAt, firstName, every appointment's status/startsAt/lastEventAt) ` +
        `against an in-order replay; ${fmt(originals)} event ids applied in InboundEvents; ${fmt(mix.duplicates)} duplicates answered 200: ` +
        (problems.length === 0 ? 'all correct' : `${problems.length} WRONG`),
    );
    const kinds = new Map<string, number>();
    for (const problem of problems) {
      const kind = /^\S+: (\w+)/.exec(problem)?.[1] ?? 'other';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    if (kinds.size > 0) console.log(`    by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    for (const problem of problems.slice(0, 12)) console.log(`    ${problem}`);
    runs.push(summarizeRun(run, problems.length));
    await run.harness.dispose();
  }
  return {
    events: mix.sends.length,
    patients,
    duplicates: mix.duplicates,
    outOfOrderPairs: mix.swapped,
    runs,
    allCorrect: runs.every((run) => run.problems === 0),
  };
}

function summarizeRun(run: RunResult, problems: number): WebhookLoadRun {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    concurrency: run.concurrency,
    wallMs: run.wallMs,
    perSecond: run.perSecond,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
    statuses: Object.fromEntries(run.statuses),
    toolRetries: run.toolRetries,
    tableRequestsPerEvent: run.tableRequestsPerEvent,
    problems,
  };
}
