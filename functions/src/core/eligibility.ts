// Who may be written to, checked when planning and again right before sending (SPEC §5.1).
import type { Patient, Practice } from './model';

export type SkipReason =
  | 'no_email'
  | 'no_consent'
  | 'suppressed'
  | 'discharged'
  | 'paused'
  | 'booked'
  | 'answered'
  | 'episode_budget'
  | 'yearly_budget'
  | 'cooldown';

export const SKIP_REASONS: readonly SkipReason[] = [
  'no_email',
  'no_consent',
  'suppressed',
  'discharged',
  'paused',
  'booked',
  'answered',
  'episode_budget',
  'yearly_budget',
  'cooldown',
];

export interface EligibilityQuestion {
  practice: Practice;
  patient: Patient;
  /** When the email would go out. */
  at: Date;
  /** The lapse episode the email belongs to (budget per episode), if any. */
  episodeKey: string | null;
  /** At send time: when the row was planned (a booking or answer since then stops it). */
  plannedAt?: string;
  /** At send time: the row being sent, whose own touch must not count against it. */
  outreachId?: string;
}

const DAY_MS = 86_400_000;

/** Returns why the patient must not be written to, or null when the email may go. */
export function whyIneligible(q: EligibilityQuestion): SkipReason | null {
  const { practice, patient, at } = q;
  const atMs = at.getTime();
  if (!patient.email) return 'no_email';
  if (!patient.emailConsent.granted) return 'no_consent';
  if (patient.suppressed) return 'suppressed';
  if (patient.careStatus === 'discharged') return 'discharged';
  if (patient.pausedUntil && Date.parse(patient.pausedUntil) > atMs) return 'paused';
  if (patient.nextBookingAt && Date.parse(patient.nextBookingAt) > atMs) return 'booked';
  if (q.plannedAt) {
    const plannedMs = Date.parse(q.plannedAt);
    if (patient.lastBookedAt && Date.parse(patient.lastBookedAt) > plannedMs) return 'booked';
    if (patient.lastAnsweredAt && Date.parse(patient.lastAnsweredAt) > plannedMs) return 'answered';
  }
  const others = patient.touchLog.filter((touch) => touch.outreachId !== q.outreachId);
  if (q.episodeKey !== null) {
    const inEpisode = others.filter((touch) => touch.episodeKey === q.episodeKey).length;
    if (inEpisode >= practice.maxTouchesPerEpisode) return 'episode_budget';
  }
  const lastYear = others.filter((touch) => Date.parse(touch.at) > atMs - 365 * DAY_MS).length;
  if (lastYear >= practice.maxTouchesPer365Days) return 'yearly_budget';
  // Touches planned for later count too: the cooldown is a distance between emails, in either direction.
  const cooldownMs = practice.cooldownDays * DAY_MS;
  if (others.some((touch) => Math.abs(Date.parse(touch.at) - atMs) < cooldownMs)) return 'cooldown';
  return null;
}
