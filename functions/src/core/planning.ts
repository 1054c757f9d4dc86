// The planner's decisions, shared by the planners (which write them) and GET upcoming (which only forecasts).
import { type SkipReason, whyIneligible } from './eligibility';
import { isHeldOut } from './holdout';
import type { Campaign, Episode, OutreachStatus, Patient, Practice, TemplateId } from './model';

const DAY_MS = 86_400_000;

export interface OutreachDecision {
  status: Extract<OutreachStatus, 'planned' | 'held_out'> | `skipped:${SkipReason}`;
  reason: SkipReason | null;
  /** The lapse episode whose budget the email counts against: none for seasonal emails. */
  budgetEpisodeKey: string | null;
}

/**
 * Eligible, held out (control group) or skipped, for an email that would go at `sendAt`. Seasonal emails
 * answer to the yearly budget and the cooldown, not to the lapse episode's budget: a patient whose
 * cadence is over may still hear from the practice at a fresh start.
 */
export function decideOutreach(
  practice: Practice,
  patient: Patient,
  campaign: Campaign,
  lapseEpisodeKey: string,
  sendAt: Date,
): OutreachDecision {
  const budgetEpisodeKey = campaign === 'seasonal' ? null : lapseEpisodeKey;
  const reason = whyIneligible({ practice, patient, at: sendAt, episodeKey: budgetEpisodeKey });
  if (reason) return { status: `skipped:${reason}`, reason, budgetEpisodeKey };
  const heldOut = isHeldOut(practice.id, patient.id, lapseEpisodeKey, practice.holdoutPercent);
  return { status: heldOut ? 'held_out' : 'planned', reason: null, budgetEpisodeKey };
}

/**
 * The patient once a ledger row exists for them: the touch counted (planned, held out or already sent)
 * and the template marked as used in the episode. `episode` null leaves the patient's episode as it is.
 */
export function withOutreachRecorded(
  patient: Patient,
  row: { id: string; status: OutreachStatus; notBefore: string; templateId: TemplateId },
  episode: Episode | null,
  budgetEpisodeKey: string | null,
): Patient {
  const counts = row.status === 'planned' || row.status === 'held_out' || row.status === 'sent';
  const touches = counts ? [{ at: row.notBefore, outreachId: row.id, episodeKey: budgetEpisodeKey }] : [];
  const used = row.status.startsWith('skipped:') ? [] : [row.templateId];
  return {
    ...patient,
    episode: episode
      ? { ...episode, templatesUsed: [...new Set([...episode.templatesUsed, ...used])] }
      : patient.episode,
    touchLog: [...patient.touchLog.filter((t) => t.outreachId !== row.id), ...touches],
  };
}

/**
 * The seasonal planner's audience: lapsed (no future booking, last visit lapseDays ago, not discharged)
 * and not written to within the cooldown. Patients outside it are not skipped, just not addressed.
 */
export function inSeasonalAudience(practice: Practice, patient: Patient, now: Date): boolean {
  if (patient.careStatus === 'discharged' || !patient.lastVisitAt) return false;
  if (patient.nextBookingAt && Date.parse(patient.nextBookingAt) > now.getTime()) return false;
  if (Date.parse(patient.lastVisitAt) + practice.lapseDays * DAY_MS > now.getTime()) return false;
  const cooldownMs = practice.cooldownDays * DAY_MS;
  return !patient.touchLog.some((touch) => Math.abs(Date.parse(touch.at) - now.getTime()) < cooldownMs);
}
