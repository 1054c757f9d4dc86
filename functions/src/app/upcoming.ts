// What the planners will do for one practice in the next days, and why: their core decisions, run ahead on a copy.
import { DateTime } from 'luxon';
import { dueDayOf, localDateOf, nextAction } from '../core/cadence';
import { type SkipReason, whyIneligible } from '../core/eligibility';
import { outreachIdOf } from '../core/ids';
import type {
  Campaign,
  Episode,
  OutreachRow,
  OutreachStatus,
  Patient,
  Practice,
  TemplateId,
} from '../core/model';
import { decideOutreach, inSeasonalAudience, withOutreachRecorded } from '../core/planning';
import { activeSeasonalWindow } from '../core/seasonal';
import { createPracticeCalendar, type PracticeCalendar } from '../core/sendWindow';
import type { Deps } from './deps';
import { pruneTouches, refreshVisits, todayFor } from './patientRecords';

export const MAX_UPCOMING_DAYS = 31;
const DAY_MS = 86_400_000;
/** How many past DueIndex days a planner run re-reads (planOutreach.ts CATCH_UP_DAYS). */
const CATCH_UP_DAYS = 7;

type RunKind = 'lapse' | 'milestone' | 'seasonal';
/**
 * When the planners run each day, in UTC: the default schedules of config.ts (LAPSED_SCAN_SCHEDULE
 * 05:00, MILESTONE_SCAN_SCHEDULE 05:15, SEASONAL_SCAN_SCHEDULE 05:30). A deployment with other
 * schedules gets the same decisions, possibly a day apart.
 */
const DAILY_RUNS: { kind: RunKind; minutes: number }[] = [
  { kind: 'lapse', minutes: 5 * 60 },
  { kind: 'milestone', minutes: 5 * 60 + 15 },
  { kind: 'seasonal', minutes: 5 * 60 + 30 },
];

/** `skip:<reason>` carries an eligibility reason (core/eligibility.ts), or `patient_deleted`. */
export type UpcomingDecision =
  | 'will_send'
  | 'held_out'
  | 'planned'
  | `skip:${SkipReason | 'patient_deleted'}`;

export interface UpcomingItem {
  patientId: string;
  /** The practice's own admin API: the first name helps the manager; no address, no health data. */
  firstName: string | null;
  therapistId: string | null;
  templateId: TemplateId;
  campaign: Campaign;
  step: number;
  /** Practice-local date the step becomes due (null for rows already planned). */
  dueDate: string | null;
  /** Practice-local date of the planner run that plans it (or planned it). */
  plannedOn: string;
  /** Practice-local time; the quota may move the actual send a few minutes later. */
  predictedSendAt: string;
  decision: UpcomingDecision;
}

export interface UpcomingReport {
  practiceId: string;
  timeZone: string;
  generatedAt: string;
  until: string;
  days: number;
  items: UpcomingItem[];
  totals: Record<string, number>;
}

interface Run {
  kind: RunKind;
  at: Date;
}

interface Known {
  status: string;
  notBefore: string;
}

/**
 * Rows already planned (and due before the horizon), then every planner run until the horizon replayed
 * in order on an in-memory copy of the patients it would read: the DueIndex days a run reads, the whole
 * practice on the day a seasonal window opens. Each run takes the same decisions as planOutreach.ts
 * (nextAction, whyIneligible at the send time, holdout) and leaves the patient as the planner would.
 */
export async function listUpcoming(deps: Deps, practice: Practice, days: number): Promise<UpcomingReport> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() + days * DAY_MS);
  const calendar = createPracticeCalendar(practice);
  const zone = practice.timeZone;
  const local = (at: Date | string) =>
    (typeof at === 'string' ? DateTime.fromISO(at, { zone }) : DateTime.fromJSDate(at, { zone })).toISO({
      suppressMilliseconds: true,
    }) ?? '';
  const runs = plannerRuns(now, until);
  const items: UpcomingItem[] = [];

  const patients = new Map<string, Patient>();
  /** Patients with a DueIndex row: the only ones the lapse and milestone planners can reach. */
  const indexed = new Set<string>();
  const lastRun = runs.at(-1)?.at ?? now;
  for (const day of utcDays(addUtcDays(runs[0]?.at ?? now, -CATCH_UP_DAYS), addUtcDays(lastRun, 1))) {
    for await (const entry of deps.dueIndex.listDueForPractice(day, practice.id))
      indexed.add(entry.patientId);
  }
  for (const id of [...indexed].sort()) {
    const found = await deps.patients.getPatient(practice.id, id);
    if (found) patients.set(id, found.value);
  }
  const patientOf = async (id: string): Promise<Patient | null> => {
    const cached = patients.get(id);
    if (cached) return cached;
    const found = await deps.patients.getPatient(practice.id, id);
    if (found) patients.set(id, found.value);
    return found?.value ?? null;
  };

  const known = new Map<string, Known>();
  for await (const row of deps.ledger.listOutreach(practice.id)) {
    known.set(row.id, { status: row.status, notBefore: row.notBefore });
    if (row.status !== 'planned' || Date.parse(row.notBefore) >= until.getTime()) continue;
    const patient = await patientOf(row.patientId);
    items.push({
      ...describe(row, patient),
      dueDate: null,
      plannedOn: localDateOf(row.plannedAt, zone),
      predictedSendAt: local(row.notBefore),
      decision: plannedDecision(practice, patient, row),
    });
  }

  let seasonalKey = practice.lastSeasonalWindowKey;
  let everyoneLoaded = false;
  for (const run of runs) {
    const commit = (
      patient: Patient,
      draft: Draft,
      episode: Episode | null,
      lapseKey: string,
      earliest: Date,
    ) => {
      const item = decide(practice, calendar, known, patient, draft, episode, lapseKey, earliest, run.at);
      patients.set(patient.id, item.patient);
      if (item.patient.dueDay) indexed.add(patient.id);
      if (item.forecast) {
        items.push({
          patientId: patient.id,
          firstName: patient.firstName,
          therapistId: patient.therapistId ?? practice.defaultTherapistId,
          templateId: draft.templateId,
          campaign: draft.campaign,
          step: draft.step,
          dueDate: item.forecast.dueDate,
          plannedOn: todayFor(practice, run.at),
          predictedSendAt: local(item.forecast.sendAt),
          decision: item.forecast.decision,
        });
      }
    };

    if (run.kind === 'seasonal') {
      const window = activeSeasonalWindow(practice, calendar, run.at);
      if (!window || window.key === seasonalKey) continue;
      if (!everyoneLoaded) {
        for await (const patient of deps.patients.listPatients(practice.id)) {
          if (!patients.has(patient.id)) patients.set(patient.id, patient);
        }
        everyoneLoaded = true;
      }
      for (const id of [...patients.keys()].sort()) {
        const patient = await refreshVisits(deps, patients.get(id) as Patient, run.at);
        if (!inSeasonalAudience(practice, patient, run.at)) {
          continue;
        }
        const lapseKey = localDateOf(patient.lastVisitAt ?? run.at, zone);
        const draft = {
          campaign: 'seasonal',
          episodeKey: window.key,
          step: 1,
          templateId: 'seasonal',
        } as const;
        commit(patient, { ...draft, dueDate: window.startsOn }, null, lapseKey, run.at);
      }
      seasonalKey = window.key;
      continue;
    }

    const from = DateTime.fromJSDate(run.at, { zone: 'UTC' });
    const lowest = from.minus({ days: CATCH_UP_DAYS }).toFormat('yyyyMMdd');
    const highest = from.plus({ days: 1 }).toFormat('yyyyMMdd');
    for (const id of [...indexed].sort()) {
      const stored = patients.get(id);
      if (!stored?.dueDay || stored.dueDay < lowest || stored.dueDay > highest) continue;
      const patient = await refreshVisits(deps, stored, run.at);
      const today = todayFor(practice, run.at);
      const action = nextAction(practice, patient, today, run.at);
      if (action.kind === 'none' || action.kind === 'wait') {
        // The planner saves the patient, which moves (or removes) its DueIndex row.
        patients.set(id, { ...pruneTouches(patient, run.at), dueDay: dueDayOf(action, today) });
        continue;
      }
      if (action.kind !== run.kind) continue; // the other planner's job
      const dueStart = DateTime.fromISO(action.dueDate, { zone }).toJSDate();
      const earliest = new Date(Math.max(dueStart.getTime(), run.at.getTime()));
      if (action.kind === 'lapse') {
        const draft = {
          campaign: 'lapse',
          episodeKey: action.episode.key,
          step: action.step,
          templateId: action.templateId,
          dueDate: action.dueDate,
        } as const;
        commit(patient, draft, { ...action.episode, lastStep: action.step }, action.episode.key, earliest);
      } else {
        const draft = {
          campaign: 'milestone',
          episodeKey: action.episode.key,
          step: 1,
          templateId: 'plan-follow-up',
          dueDate: action.dueDate,
        } as const;
        const episode = { ...action.episode, milestoneHandled: action.milestoneAt };
        commit(patient, draft, episode, action.episode.key, earliest);
      }
    }
  }

  items.sort(
    (a, b) =>
      a.predictedSendAt.localeCompare(b.predictedSendAt) ||
      (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0),
  );
  const totals: Record<string, number> = {};
  for (const item of items) totals[item.decision] = (totals[item.decision] ?? 0) + 1;
  return {
    practiceId: practice.id,
    timeZone: zone,
    generatedAt: now.toISOString(),
    until: until.toISOString(),
    days,
    items,
    totals,
  };
}

interface Draft {
  campaign: Campaign;
  episodeKey: string;
  step: number;
  templateId: TemplateId;
  dueDate: string;
}

/** planOutreach.ts commitPlan, without writing: the decision, and the patient as the planner leaves it. */
function decide(
  practice: Practice,
  calendar: PracticeCalendar,
  known: Map<string, Known>,
  patient: Patient,
  draft: Draft,
  episode: Episode | null,
  lapseEpisodeKey: string,
  earliest: Date,
  runAt: Date,
): { patient: Patient; forecast: { sendAt: Date; decision: UpcomingDecision; dueDate: string } | null } {
  const sendAt = calendar.nextAllowed(earliest);
  const id = outreachIdOf({ patientId: patient.id, ...draft });
  let entry = known.get(id);
  let forecast: { sendAt: Date; decision: UpcomingDecision; dueDate: string } | null = null;
  const { status, reason, budgetEpisodeKey } = decideOutreach(
    practice,
    patient,
    draft.campaign,
    lapseEpisodeKey,
    sendAt,
  );
  if (!entry) {
    entry = { status, notBefore: sendAt.toISOString() };
    known.set(id, entry);
    const decision: UpcomingDecision = reason
      ? `skip:${reason}`
      : status === 'held_out'
        ? 'held_out'
        : 'will_send';
    forecast = { sendAt, decision, dueDate: draft.dueDate };
  }
  const updated = withOutreachRecorded(
    patient,
    { id, status: entry.status as OutreachStatus, notBefore: entry.notBefore, templateId: draft.templateId },
    episode,
    budgetEpisodeKey,
  );
  const today = todayFor(practice, runAt);
  const dueDay = dueDayOf(nextAction(practice, updated, today, runAt), today);
  return { patient: { ...pruneTouches(updated, runAt), dueDay }, forecast };
}

/** A row already planned: sent unless the check made right before sending would stop it. */
function plannedDecision(practice: Practice, patient: Patient | null, row: OutreachRow): UpcomingDecision {
  if (!patient) return 'skip:patient_deleted';
  const episodeKey = patient.touchLog.find((t) => t.outreachId === row.id)?.episodeKey ?? null;
  const reason = whyIneligible({
    practice,
    patient,
    at: new Date(row.notBefore),
    episodeKey,
    plannedAt: row.plannedAt,
    outreachId: row.id,
  });
  return reason ? `skip:${reason}` : 'planned';
}

function describe(row: OutreachRow, patient: Patient | null) {
  return {
    patientId: row.patientId,
    firstName: patient?.firstName ?? null,
    therapistId: row.therapistId,
    templateId: row.templateId,
    campaign: row.campaign,
    step: row.step,
  };
}

/** Every planner run from now until the horizon, in order. */
function plannerRuns(now: Date, until: Date): Run[] {
  const runs: Run[] = [];
  const first = DateTime.fromJSDate(now, { zone: 'UTC' }).startOf('day');
  for (let day = first; day.toMillis() < until.getTime(); day = day.plus({ days: 1 })) {
    for (const run of DAILY_RUNS) {
      const at = day.plus({ minutes: run.minutes }).toJSDate();
      if (at >= now && at < until) runs.push({ kind: run.kind, at });
    }
  }
  return runs;
}

function addUtcDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/** `yyyyMMdd` of every UTC day from `from` to `to`, both included. */
function utcDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = DateTime.fromJSDate(to, { zone: 'UTC' }).startOf('day');
  for (
    let day = DateTime.fromJSDate(from, { zone: 'UTC' }).startOf('day');
    day <= last;
    day = day.plus({ days: 1 })
  ) {
    days.push(day.toFormat('yyyyMMdd'));
  }
  return days;
}
