// Lapse episodes, the cadence of SPEC §5.2, the missed-milestone follow-up, and which template each step uses.
import { DateTime } from 'luxon';
import type { Episode, Patient, Practice, TemplateId } from './model';

/** A step whose due date passed more than this long ago is passed over rather than sent late. */
export const STALE_AFTER_DAYS = 30;
/** plan_completed patients get one check-in, this many days after the last visit. */
export const PLAN_COMPLETED_CHECK_IN_DAYS = 90;

export function defaultCadenceDays(lapseDays: number): [number, number, number] {
  return [lapseDays, lapseDays + 30, lapseDays + 90];
}

export function localDateOf(instant: string | Date, timeZone: string): string {
  const dt =
    typeof instant === 'string'
      ? DateTime.fromISO(instant, { zone: timeZone })
      : DateTime.fromJSDate(instant, { zone: timeZone });
  return dt.toISODate() ?? '';
}

function addDays(localDate: string, days: number): string {
  return DateTime.fromISO(localDate, { zone: 'UTC' }).plus({ days }).toISODate() ?? '';
}

function daysBetween(fromLocalDate: string, toLocalDate: string): number {
  const from = DateTime.fromISO(fromLocalDate, { zone: 'UTC' });
  const to = DateTime.fromISO(toLocalDate, { zone: 'UTC' });
  return Math.round(to.diff(from, 'days').days);
}

export function freshEpisode(key: string, lapsedSince: string): Episode {
  return { key, lapsedSince, lastStep: 0, templatesUsed: [], milestoneHandled: null };
}

export type NextAction =
  /** Nothing will ever be due in the current state (discharged, no visit yet, cadence finished). */
  | { kind: 'none' }
  /** Come back on this practice-local date. */
  | { kind: 'wait'; dueDate: string }
  /** A lapse cadence step is due now; `passedOver` steps were too late and are dropped silently. */
  | {
      kind: 'lapse';
      episode: Episode;
      step: number;
      dueDate: string;
      templateId: TemplateId;
      passedOver: number[];
    }
  /** The plan milestone passed with no booking since: template 6 at once. */
  | { kind: 'milestone'; episode: Episode; milestoneAt: string; dueDate: string };

/**
 * What is next for this patient. `today` is the planner's run date (practice-local `yyyy-MM-dd`);
 * `now` decides whether a booking is still in the future. Visits must already be derived.
 */
export function nextAction(practice: Practice, patient: Patient, today: string, now: Date): NextAction {
  if (patient.careStatus === 'discharged') return { kind: 'none' };
  const tz = practice.timeZone;
  if (patient.nextBookingAt && Date.parse(patient.nextBookingAt) > now.getTime()) {
    // The booking will become the last visit; look again when it could lapse.
    return { kind: 'wait', dueDate: addDays(localDateOf(patient.nextBookingAt, tz), practice.lapseDays) };
  }
  if (!patient.lastVisitAt) return { kind: 'none' };
  const lastVisitDate = localDateOf(patient.lastVisitAt, tz);
  const episode =
    patient.episode?.key === lastVisitDate
      ? patient.episode
      : freshEpisode(lastVisitDate, addDays(lastVisitDate, practice.lapseDays));

  const candidates: Exclude<NextAction, { kind: 'none' } | { kind: 'wait' }>[] = [];
  const waits: string[] = [];

  const milestoneAt = patient.plan?.nextMilestoneAt ?? null;
  if (
    patient.careStatus === 'in_care' &&
    milestoneAt &&
    episode.milestoneHandled !== milestoneAt &&
    Date.parse(milestoneAt) > Date.parse(patient.lastVisitAt)
  ) {
    // "Passed" means the whole milestone day went by without a booking.
    const dueDate = addDays(localDateOf(milestoneAt, tz), 1);
    const lateBy = daysBetween(dueDate, today);
    if (lateBy < 0) waits.push(dueDate);
    else if (lateBy <= STALE_AFTER_DAYS)
      candidates.push({ kind: 'milestone', episode, milestoneAt, dueDate });
  }

  const stepDays =
    patient.careStatus === 'plan_completed' ? [PLAN_COMPLETED_CHECK_IN_DAYS] : [...practice.cadenceDays];
  const lastEpisodeTouch = patient.touchLog
    .filter((touch) => touch.episodeKey === episode.key)
    .map((touch) => localDateOf(touch.at, tz))
    .sort()
    .at(-1);
  const passedOver: number[] = [];
  for (let step = episode.lastStep + 1; step <= stepDays.length; step++) {
    const afterVisit = stepDays[step - 1] ?? 0;
    let dueDate = addDays(lastVisitDate, afterVisit);
    if (step > 1 && lastEpisodeTouch) {
      // When an earlier step went out late (a patient imported long after lapsing, a long closure), the next
      // one waits out the cooldown instead of landing inside it and being skipped.
      const spaced = addDays(lastEpisodeTouch, practice.cooldownDays);
      if (spaced > dueDate) dueDate = spaced;
    }
    const lateBy = daysBetween(dueDate, today);
    if (lateBy < 0) {
      waits.push(dueDate);
      break;
    }
    if (lateBy > STALE_AFTER_DAYS) {
      passedOver.push(step);
      continue;
    }
    candidates.push({
      kind: 'lapse',
      episode,
      step,
      dueDate,
      templateId: chooseTemplate(practice, patient, episode, step),
      passedOver,
    });
    break;
  }

  const first = candidates.sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
  if (first) return first;
  const nextWait = waits.sort()[0];
  if (nextWait) return { kind: 'wait', dueDate: nextWait };
  return { kind: 'none' };
}

/** The template of a lapse cadence step (SPEC §5.2), never repeating one already used in the episode. */
export function chooseTemplate(
  practice: Practice,
  patient: Patient,
  episode: Episode,
  step: number,
): TemplateId {
  if (patient.careStatus === 'plan_completed') return 'check-in';
  const used = new Set(episode.templatesUsed);
  if (step === 1) {
    const hasPlan = Boolean(patient.plan && (patient.plan.summary || patient.plan.nextMilestoneAt));
    if (hasPlan && !used.has('plan-follow-up')) return 'plan-follow-up';
    if (patient.progressNote) return 'progress';
    if (patient.contactPreference === 'direct') return 'direct';
    return 'check-in';
  }
  if (step === 2) {
    return resourceFor(practice, patient) && !used.has('resource') ? 'resource' : 'no-pressure';
  }
  return 'feedback';
}

export function resourceFor(practice: Practice, patient: Patient): { title: string; url: string } | null {
  if (!patient.focusArea) return null;
  const wanted = patient.focusArea.trim().toLowerCase();
  const match = practice.resources.find((resource) => resource.focusArea.trim().toLowerCase() === wanted);
  return match ? { title: match.title, url: match.url } : null;
}

/** DueIndex day (`yyyyMMdd`) for the patient's next action, or null when nothing is ever due. */
export function dueDayOf(action: NextAction, today: string): string | null {
  switch (action.kind) {
    case 'none':
      return null;
    case 'wait':
      return action.dueDate.replaceAll('-', '');
    case 'lapse':
    case 'milestone':
      return (action.dueDate < today ? today : action.dueDate).replaceAll('-', '');
  }
}
