// The three planners: lapse cadence and missed milestones from the DueIndex, seasonal windows per practice.
import { DateTime } from 'luxon';
import { localDateOf, nextAction } from '../core/cadence';
import type { SkipReason } from '../core/eligibility';
import { hashForLog, operationIdOf, outreachIdOf } from '../core/ids';
import type { Campaign, DueEntry, Episode, OutreachRow, Patient, Practice, TemplateId } from '../core/model';
import { decideOutreach, inSeasonalAudience, withOutreachRecorded } from '../core/planning';
import type { Versioned } from '../core/ports';
import { activeSeasonalWindow } from '../core/seasonal';
import { createPracticeCalendar } from '../core/sendWindow';
import { CoalescingSlotStore } from './coalescingSlots';
import { forEachConcurrently } from './concurrency';
import type { Deps } from './deps';
import { refreshVisits, savePatient, todayFor, withOptimisticRetry } from './patientRecords';

/** How many past DueIndex days each run re-reads, so a missed timer run or a crashed one loses nothing. */
export const CATCH_UP_DAYS = 7;

/**
 * Entries (or seasonal patients) planned at once by one run. Each is ~7 dependent table requests; with
 * one at a time a day of 200,000 due entries does not fit a function's timeout (docs/capacity.md).
 * Entries are independent (one patient each, ETag-guarded), and their slot reservations are grouped.
 */
export const PLANNER_CONCURRENCY = 16;

export type PlanOutcome =
  | { kind: 'planned'; row: OutreachRow }
  | { kind: 'held_out'; row: OutreachRow }
  | { kind: 'skipped'; row: OutreachRow; reason: SkipReason }
  | { kind: 'already_planned'; row: OutreachRow }
  | { kind: 'not_due' }
  | { kind: 'stale_index' };

export interface PlanReport {
  entriesRead: number;
  outcomes: PlanOutcome[];
}

type Kind = 'lapse' | 'milestone';

export function planLapsedOutreach(deps: Deps): Promise<PlanReport> {
  return planFromDueIndex(deps, 'lapse');
}

export function planMilestoneOutreach(deps: Deps): Promise<PlanReport> {
  return planFromDueIndex(deps, 'milestone');
}

async function planFromDueIndex(deps: Deps, kind: Kind): Promise<PlanReport> {
  const now = deps.clock.now();
  const practices = new PracticeCache(deps);
  const runDeps: Deps = { ...deps, slots: new CoalescingSlotStore(deps.slots) };
  const report: PlanReport = { entriesRead: 0, outcomes: [] };
  const today = DateTime.fromJSDate(now, { zone: 'UTC' });
  // One day ahead too: practices east of UTC may already be on tomorrow's date.
  for (let back = CATCH_UP_DAYS; back >= -1; back--) {
    const day = today.minus({ days: back }).toFormat('yyyyMMdd');
    await forEachConcurrently(deps.dueIndex.listDue(day), PLANNER_CONCURRENCY, async (entry) => {
      report.entriesRead++;
      const practice = await practices.get(entry.practiceId);
      if (!practice) {
        await deps.dueIndex.deleteDue(entry);
        return;
      }
      report.outcomes.push(await planEntry(runDeps, practice, entry, kind));
    });
  }
  deps.log.info('planner run finished', {
    kind,
    entriesRead: report.entriesRead,
    planned: report.outcomes.filter((o) => o.kind === 'planned').length,
    heldOut: report.outcomes.filter((o) => o.kind === 'held_out').length,
    skipped: report.outcomes.filter((o) => o.kind === 'skipped').length,
  });
  return report;
}

class PracticeCache {
  private readonly cache = new Map<string, Promise<Practice | null>>();
  constructor(private readonly deps: Deps) {}
  get(id: string): Promise<Practice | null> {
    let found = this.cache.get(id);
    if (!found) {
      found = this.deps.practices.getPractice(id).then((v) => v?.value ?? null);
      this.cache.set(id, found);
    }
    return found;
  }
}

async function planEntry(deps: Deps, practice: Practice, entry: DueEntry, kind: Kind): Promise<PlanOutcome> {
  return withOptimisticRetry(async () => {
    const now = deps.clock.now();
    const current = await deps.patients.getPatient(practice.id, entry.patientId);
    if (!current || current.value.dueDay !== entry.day) {
      // A stale row: the patient moved on (or is gone). Harmless, and tidied here.
      await deps.dueIndex.deleteDue(entry);
      return { kind: 'stale_index' };
    }
    const patient = await refreshVisits(deps, current.value, now);
    const action = nextAction(practice, patient, todayFor(practice, now), now);
    if (action.kind === 'none' || action.kind === 'wait') {
      // Moves the index row to the day the patient is next due (or removes it).
      await savePatient(deps, practice, patient, current.etag, now);
      return { kind: 'not_due' };
    }
    if (action.kind !== kind) return { kind: 'not_due' }; // the other planner's job
    const dueStart = DateTime.fromISO(action.dueDate, { zone: practice.timeZone }).toJSDate();
    const earliest = new Date(Math.max(dueStart.getTime(), now.getTime()));
    const episode: Episode =
      action.kind === 'lapse'
        ? { ...action.episode, lastStep: action.step }
        : { ...action.episode, milestoneHandled: action.milestoneAt };
    const draft = {
      campaign: action.kind satisfies Campaign,
      episodeKey: action.episode.key,
      step: action.kind === 'lapse' ? action.step : 1,
      templateId: action.kind === 'lapse' ? action.templateId : ('plan-follow-up' satisfies TemplateId),
    };
    return commitPlan(
      deps,
      practice,
      { value: patient, etag: current.etag },
      draft,
      episode,
      action.episode.key,
      earliest,
    );
  });
}

interface Draft {
  campaign: Campaign;
  episodeKey: string;
  step: number;
  templateId: TemplateId;
}

/**
 * Decides (eligible, held out or skipped), writes the ledger row, schedules the send, then records the
 * touch on the patient. The row key is deterministic, so a re-run finds the row instead of planning anew;
 * a row still `planned` is scheduled again in case the earlier run died before enqueueing it.
 */
async function commitPlan(
  deps: Deps,
  practice: Practice,
  current: Versioned<Patient>,
  draft: Draft,
  /** The lapse episode as it stands after this step; null leaves the patient's episode as it is (seasonal). */
  episode: Episode | null,
  lapseEpisodeKey: string,
  earliest: Date,
): Promise<PlanOutcome> {
  const now = deps.clock.now();
  const patient = current.value;
  const calendar = createPracticeCalendar(practice);
  const sendAt = calendar.nextAllowed(earliest);
  const decision = decideOutreach(practice, patient, draft.campaign, lapseEpisodeKey, sendAt);
  const { reason, budgetEpisodeKey } = decision;
  let notBefore = sendAt;
  if (decision.status === 'planned') {
    [notBefore = sendAt] = await deps.slots.reserveSlots(
      [{ earliest, nextAllowed: calendar.nextAllowed }],
      deps.quota,
    );
  }
  const id = outreachIdOf({ patientId: patient.id, ...draft });
  const row: OutreachRow = {
    practiceId: practice.id,
    id,
    patientId: patient.id,
    campaign: draft.campaign,
    episodeKey: draft.episodeKey,
    step: draft.step,
    templateId: draft.templateId,
    locale: patient.locale ?? practice.locale,
    therapistId: patient.therapistId ?? practice.defaultTherapistId,
    status: decision.status,
    plannedAt: now.toISOString(),
    notBefore: notBefore.toISOString(),
    operationId: operationIdOf(practice.id, id),
    claimedAt: null,
    sentAt: null,
    deliveryStatus: null,
    deliveryAt: null,
    response: null,
    respondedAt: null,
    rebookedAt: null,
    failureReason: reason ?? null,
    attempts: 0,
    ...(draft.campaign === 'seasonal' ? { lapseEpisodeKey } : {}),
  };
  const created = await deps.ledger.createOutreach(row);
  const stored = created === null ? ((await deps.ledger.getOutreach(practice.id, id))?.value ?? row) : row;
  if (stored.status === 'planned') {
    await deps.scheduler.scheduleSend(
      { v: 1, practiceId: practice.id, outreachId: id, notBefore: stored.notBefore },
      new Date(stored.notBefore),
    );
  }
  const updated = withOutreachRecorded(patient, stored, episode, budgetEpisodeKey);
  await savePatient(deps, practice, updated, current.etag, now);
  deps.log.info('outreach planned', {
    practiceId: practice.id,
    patientRef: hashForLog(`${practice.id}/${patient.id}`),
    outreach: stored.operationId,
    template: stored.templateId,
    status: stored.status,
  });
  if (created === null) return { kind: 'already_planned', row: stored };
  if (reason) return { kind: 'skipped', row: stored, reason };
  return decision.status === 'held_out'
    ? { kind: 'held_out', row: stored }
    : { kind: 'planned', row: stored };
}

/**
 * At the start of a practice's seasonal window, template 3 to every lapsed patient not written to within
 * the cooldown, once per window. Reads the practices table and, for a practice whose window is open and
 * not yet planned, that practice's patient partition; never the whole Patients table.
 */
export async function planSeasonalOutreach(deps: Deps): Promise<PlanReport> {
  const report: PlanReport = { entriesRead: 0, outcomes: [] };
  const runDeps: Deps = { ...deps, slots: new CoalescingSlotStore(deps.slots) };
  for await (const listed of deps.practices.listPractices()) {
    const now = deps.clock.now();
    const calendar = createPracticeCalendar(listed);
    const window = activeSeasonalWindow(listed, calendar, now);
    if (!window || listed.lastSeasonalWindowKey === window.key) continue;
    await forEachConcurrently(deps.patients.listPatients(listed.id), PLANNER_CONCURRENCY, async (stored) => {
      report.entriesRead++;
      const outcome = await withOptimisticRetry(async () => {
        const current = await deps.patients.getPatient(listed.id, stored.id);
        if (!current) return null;
        const patient = await refreshVisits(deps, current.value, now);
        // Patients written to within the cooldown are not in the audience at all (SPEC §5.4), rather than skipped.
        if (!inSeasonalAudience(listed, patient, now)) return null;
        const lapseEpisodeKey = localDateOf(patient.lastVisitAt ?? now, listed.timeZone);
        const draft: Draft = {
          campaign: 'seasonal',
          episodeKey: window.key,
          step: 1,
          templateId: 'seasonal',
        };
        return commitPlan(
          runDeps,
          listed,
          { value: patient, etag: current.etag },
          draft,
          null,
          lapseEpisodeKey,
          now,
        );
      });
      if (outcome) report.outcomes.push(outcome);
    });
    await withOptimisticRetry(async () => {
      const current = await deps.practices.getPractice(listed.id);
      if (!current) return;
      await deps.practices.updatePractice(
        { ...current.value, lastSeasonalWindowKey: window.key },
        current.etag,
      );
    });
    deps.log.info('seasonal window planned', { practiceId: listed.id, window: window.key });
  }
  return report;
}
