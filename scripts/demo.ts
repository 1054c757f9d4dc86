// `npm run demo [-- --date 2027-01-05]`: a demo practice's history through the real app on a private Azurite,
// then one week of planning and sending ending on the chosen date, printed as a table; emails land in outbox/.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { OutboxEmailSender } from '../functions/src/adapters/outbox/OutboxEmailSender';
import { nextAction } from '../functions/src/core/cadence';
import { publicHolidays } from '../functions/src/core/holidays';
import {
  type OutreachRow,
  type Patient,
  type Practice,
  TEMPLATE_IDS,
  type TemplateId,
  type Therapist,
} from '../functions/src/core/model';
import type { EmailSender } from '../functions/src/core/ports';
import { createPracticeCalendar } from '../functions/src/core/sendWindow';
import { startAzurite } from './lib/azurite';
import { ManualClock } from './lib/clock';
import { type DemoPatient, demoPatients, demoPractice, demoTherapists } from './lib/demoData';
import { Harness } from './lib/harness';

const { values } = parseArgs({
  options: { date: { type: 'string', default: '2027-01-05' }, outbox: { type: 'string', default: 'outbox' } },
});
const date = DateTime.fromISO(values.date ?? '', { zone: 'Europe/Paris' });
if (!date.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(values.date ?? '')) {
  console.error(`--date must be a date like 2027-01-05 (got "${values.date}")`);
  process.exit(2);
}
const WEEK_DAYS = 7;
const HISTORY_DAYS = 200;

function step(message: string): void {
  process.stdout.write(`\n▸ ${message}\n`);
}

function progress(label: string, done: number, total: number): void {
  if (!process.stdout.isTTY) {
    if (done === total) process.stdout.write(`  ${label}: ${done}/${total}\n`);
    return;
  }
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r  ${label} [${'█'.repeat(filled)}${'·'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stdout.write('\n');
}

/** Lets history go to a scratch folder and the demo week to outbox/. */
class SwitchableSender implements EmailSender {
  constructor(public target: EmailSender) {}
  send: EmailSender['send'] = (email, operationId) => this.target.send(email, operationId);
  getStatus: EmailSender['getStatus'] = (operationId) => this.target.getStatus(operationId);
}

async function main(): Promise<void> {
  const outboxDirectory = path.resolve(values.outbox ?? 'outbox');
  const weekStart = date.minus({ days: WEEK_DAYS - 1 });
  const historyStart = date.minus({ days: HISTORY_DAYS });
  process.stdout.write(
    `Reengage demo: a practice's history, then the week ${weekStart.toFormat('dd LLL yyyy')} → ${date.toFormat('dd LLL yyyy')}\n`,
  );

  step('Starting a private Azurite (in memory, free ports)');
  const azurite = await startAzurite();
  const historyOutbox = mkdtempSync(path.join(tmpdir(), 'reengage-demo-history-'));
  rmSync(outboxDirectory, { recursive: true, force: true });
  mkdirSync(outboxDirectory, { recursive: true });
  const historyClock = new ManualClock(historyStart.toJSDate());
  const sender = new SwitchableSender(new OutboxEmailSender(historyOutbox, historyClock));
  const harness = new Harness({
    connectionString: azurite.connectionString,
    start: historyStart.toJSDate().toISOString(),
    sender,
  });
  // The outbox senders read the harness clock, so file names carry simulated times.
  sender.target = new OutboxEmailSender(historyOutbox, harness.clock);
  try {
    await harness.ready();
    const practice = demoPractice(date);
    const therapists = demoTherapists(practice.id);
    const patients = demoPatients(practice, date);
    await harness.addPractice(practice, therapists);
    process.stdout.write(
      `  ${practice.name}: ${therapists.length} therapists, ${patients.length} patients, holdout ${practice.holdoutPercent}%\n`,
    );

    step(
      `Replaying ${HISTORY_DAYS - WEEK_DAYS} days of history through bookingWebhook and the daily planners`,
    );
    const events = patients.flatMap((p) => p.events.map((e) => ({ ...e, patient: p })));
    events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    let next = 0;
    const runDay = async (day: DateTime, onDrain?: (result: string) => void) => {
      // Timers fire at 05:00 UTC on the calendar day (not on the Paris midnight, which is the day before in UTC).
      const plannerAt = DateTime.fromISO(day.toISODate() ?? '', { zone: 'UTC' }).set({ hour: 5 });
      const endOfDay = day.endOf('day').toUTC();
      const post = async (until: DateTime) => {
        while (next < events.length && (events[next]?.occurredAt ?? '') <= (until.toISO() ?? '')) {
          const e = events[next++];
          if (!e) break;
          harness.clock.advanceTo(e.occurredAt);
          const response = await harness.postEvent(practice.id, e.body);
          if (response.status !== 202)
            throw new Error(`event ${e.body.id} was refused: ${JSON.stringify(response.jsonBody)}`);
          await e.patient.afterEvent?.(harness, e.body.id);
        }
      };
      await post(plannerAt);
      harness.clock.advanceTo(plannerAt.toJSDate());
      await harness.plan();
      // Events between the planner run and the end of the day (a booking may arrive before the send).
      const sameDay = events.slice(next).filter((e) => e.occurredAt <= (endOfDay.toISO() ?? ''));
      if (sameDay.length) {
        const firstSendAt = sameDay[0]?.occurredAt ?? '';
        await post(DateTime.fromISO(firstSendAt));
      }
      await harness.drain({ onMessage: onDrain, until: endOfDay.toJSDate() });
      await post(endOfDay);
    };
    const historyDays = HISTORY_DAYS - WEEK_DAYS;
    for (let i = 0; i <= historyDays; i++) {
      await runDay(historyStart.plus({ days: i }));
      progress('days', i + 1, historyDays + 1);
    }
    const historyEmails = readdirSync(historyOutbox).filter((f) => f.endsWith('.eml')).length;
    process.stdout.write(
      `  ${historyEmails} emails sent before the demo week (kept aside in ${historyOutbox})\n`,
    );

    step(
      `The demo week: planners at 05:00 UTC each day, sendOutreach draining the queue into ${path.relative(process.cwd(), outboxDirectory) || '.'}/`,
    );
    sender.target = new OutboxEmailSender(outboxDirectory, harness.clock);
    const weekStartIso = weekStart.startOf('day').toUTC().toISO() ?? '';
    let sent = 0;
    for (let i = 0; i < WEEK_DAYS; i++) {
      const day = weekStart.plus({ days: i });
      await runDay(day, (result) => {
        if (result === 'sent') sent++;
      });
      process.stdout.write(`  ${day.setLocale('en').toFormat('ccc dd LLL')}: ${sent} sent so far\n`);
    }

    step('What happened, patient by patient');
    const rows: OutreachRow[] = [];
    for await (const row of harness.deps.ledger.listOutreach(practice.id)) {
      if (row.plannedAt >= weekStartIso) rows.push(row);
    }
    await printTable(harness, practice, therapists, patients, rows);
    const files = readdirSync(outboxDirectory).filter((f) => f.endsWith('.eml'));
    process.stdout.write(
      `\n${files.length} emails are in ${outboxDirectory} (one RFC 5322 .eml file each, every header included).\n`,
    );
  } finally {
    await harness.dispose().catch(() => undefined);
    await azurite.stop();
    rmSync(historyOutbox, { recursive: true, force: true });
  }
}

async function printTable(
  harness: Harness,
  practice: Practice,
  therapists: Therapist[],
  patients: DemoPatient[],
  rows: OutreachRow[],
): Promise<void> {
  const calendar = createPracticeCalendar(practice);
  const holidays = new Map(
    [date.year - 1, date.year]
      .flatMap((y) => publicHolidays(practice.country, y))
      .map((h) => [h.date, h.name]),
  );
  const therapistName = new Map(therapists.map((t) => [t.id, t.displayName]));
  const lines: string[][] = [];
  for (const demo of patients) {
    const stored = (await harness.deps.patients.getPatient(practice.id, demo.id))?.value ?? null;
    const mine = rows
      .filter((r) => r.patientId === demo.id)
      .sort((a, b) => a.notBefore.localeCompare(b.notBefore));
    const who = [demo.label, therapistName.get(stored?.therapistId ?? demo.therapistId) ?? '—'];
    if (mine.length === 0) {
      lines.push([
        ...who,
        '—',
        stored?.locale ?? '—',
        '',
        notPlannedReason(practice, stored, harness.clock.now()),
      ]);
      continue;
    }
    for (const row of mine) {
      const local = DateTime.fromISO(row.notBefore, { zone: practice.timeZone });
      const plannedDay = DateTime.fromISO(row.plannedAt, { zone: practice.timeZone }).toISODate() ?? '';
      const status = row.status.startsWith('skipped:')
        ? `skipped: ${row.status.slice(8).replace('_', ' ')}`
        : row.status === 'held_out'
          ? 'held out (control group)'
          : row.status;
      let note = status;
      if (row.status === 'sent' || row.status === 'delivered') {
        const deferred = deferral(plannedDay, local.toISODate() ?? '', holidays, calendar);
        if (deferred) note += `, ${deferred}`;
      }
      lines.push([
        ...who,
        `${templateNumber(row.templateId)} ${row.templateId}${row.campaign === 'lapse' ? ` (step ${row.step})` : ` (${row.campaign})`}`,
        row.locale,
        row.status.startsWith('skipped:') ? '' : local.setLocale('fr').toFormat('ccc dd/LL HH:mm'),
        note,
      ]);
    }
  }
  const header = ['patient', 'therapist', 'template', 'lang', 'local send time', 'outcome'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${format(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
}

function templateNumber(id: TemplateId): string {
  return `${TEMPLATE_IDS.indexOf(id) + 1}`;
}

function deferral(
  plannedDay: string,
  sendDay: string,
  holidays: Map<string, string>,
  calendar: ReturnType<typeof createPracticeCalendar>,
): string | null {
  if (sendDay <= plannedDay) return null;
  const holiday = holidays.get(plannedDay);
  if (holiday) return `due on a public holiday (${holiday}), moved to the next working day`;
  if (!calendar.isWorkingDay(plannedDay)) return 'due on a weekend, moved to Monday';
  return null;
}

function notPlannedReason(practice: Practice, patient: Patient | null, now: Date): string {
  if (!patient) return 'not in Reengage';
  if (patient.careStatus === 'discharged') return 'not written to: discharged';
  if (patient.nextBookingAt && Date.parse(patient.nextBookingAt) > now.getTime()) {
    return `not written to: booked for ${DateTime.fromISO(patient.nextBookingAt, { zone: practice.timeZone }).toFormat('dd/LL')}`;
  }
  const action = nextAction(
    practice,
    patient,
    DateTime.fromJSDate(now, { zone: practice.timeZone }).toISODate() ?? '',
    now,
  );
  if (action.kind === 'wait')
    return `nothing due yet (next on ${DateTime.fromISO(action.dueDate).toFormat('dd/LL')})`;
  return 'nothing due';
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
