// The domain's plain data: what a practice, a therapist, a patient, an appointment and a ledger row are.

export type Locale = 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['fr', 'en'];

export type TemplateId =
  | 'check-in'
  | 'progress'
  | 'seasonal'
  | 'resource'
  | 'direct'
  | 'plan-follow-up'
  | 'no-pressure'
  | 'feedback';

/** The eight templates of the shared library, by their number in the seed wording (1-8). */
export const TEMPLATE_IDS: readonly TemplateId[] = [
  'check-in',
  'progress',
  'seasonal',
  'resource',
  'direct',
  'plan-follow-up',
  'no-pressure',
  'feedback',
];

export type CareStatus = 'in_care' | 'plan_completed' | 'discharged';
export type ContactPreference = 'default' | 'direct';
export type AppointmentStatus = 'booked' | 'cancelled' | 'completed' | 'no_show';
export type Campaign = 'lapse' | 'milestone' | 'seasonal';
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7; // ISO: 1 = Monday

export interface SendWindow {
  days: Weekday[];
  /** Local wall-clock time, `HH:mm`. */
  start: string;
  end: string;
}

export type SeasonalWindowId = 'new-year' | 'rentree' | 'spring';

export interface SeasonalWindow {
  id: SeasonalWindowId;
  /** `MM-dd`: the window opens on the first working day on or after this date. */
  startsOn: string;
  lengthInDays: number;
  enabled: boolean;
}

export interface PracticeResource {
  title: string;
  url: string;
  focusArea: string;
}

export interface CadenceStep {
  /** Days after the last visit. */
  afterDays: number;
}

export interface Practice {
  id: string;
  name: string;
  timeZone: string;
  locale: Locale;
  country: string;
  senderAddress: string;
  senderDisplayName: string;
  bookingUrl: string;
  lapseDays: number;
  cooldownDays: number;
  maxTouchesPerEpisode: number;
  maxTouchesPer365Days: number;
  /** Days after the last visit of cadence steps 2 and 3 (defaults lapseDays + 30, lapseDays + 90). */
  cadenceDays: [number, number, number];
  sendWindow: SendWindow;
  /** Local dates `yyyy-MM-dd` on which nothing is sent. */
  closedDates: string[];
  seasonalWindows: SeasonalWindow[];
  allowClinicalDetails: boolean;
  holdoutPercent: number;
  resources: PracticeResource[];
  /** Therapist used when a booking names none we know. */
  defaultTherapistId: string | null;
  /** Key of the last seasonal window whose planning completed (e.g. `2027:new-year`). */
  lastSeasonalWindowKey: string | null;
}

export interface Therapist {
  practiceId: string;
  id: string;
  displayName: string;
  email: string;
  signature: string;
  locale: Locale;
  active: boolean;
}

export interface EmailConsent {
  granted: boolean;
  at: string | null;
  source: string | null;
}

export interface TreatmentPlan {
  summary: string | null;
  nextMilestoneAt: string | null;
}

export interface Episode {
  /** The lastVisitAt date (`yyyy-MM-dd`, practice-local) that opened the episode. */
  key: string;
  lapsedSince: string;
  /** Last cadence step dealt with (planned, held out, skipped or passed over); 0 before step 1. */
  lastStep: number;
  /** Templates already used in this episode, so that no template repeats within it. */
  templatesUsed: TemplateId[];
  /** Plan milestone (`nextMilestoneAt`) already followed up in this episode, if any. */
  milestoneHandled: string | null;
}

/** One planned (or held-out) email, kept for the per-patient budget. */
export interface TouchRecord {
  at: string;
  outreachId: string;
  episodeKey: string | null;
}

export interface Patient {
  practiceId: string;
  id: string;
  firstName: string | null;
  email: string | null;
  locale: Locale | null;
  therapistId: string | null;
  emailConsent: EmailConsent;
  careStatus: CareStatus;
  contactPreference: ContactPreference;
  pausedUntil: string | null;
  focusArea: string | null;
  /** Health data: never in logs, queue messages, URLs or subjects. */
  progressNote: string | null;
  /** plan.summary is health data. */
  plan: TreatmentPlan | null;
  lastVisitAt: string | null;
  nextBookingAt: string | null;
  episode: Episode | null;
  suppressed: boolean;
  /** Every touch (planned or held out) of the last 365 days, oldest first. */
  touchLog: TouchRecord[];
  /** Last time a booking (new or rescheduled) was received for this patient. */
  lastBookedAt: string | null;
  /** Last time the patient answered an email (book click, not now, feedback, unsubscribe). */
  lastAnsweredAt: string | null;
  /** Watermark of the last patient-profile event applied (out-of-order protection). */
  profileEventAt: string | null;
  /** Day (`yyyyMMdd`) of this patient's current DueIndex row, if any. */
  dueDay: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Appointment {
  practiceId: string;
  id: string;
  patientId: string;
  therapistId: string | null;
  startsAt: string;
  status: AppointmentStatus;
  /** occurredAt of the last event applied to this appointment. */
  lastEventAt: string;
  /** When this appointment was first booked (occurredAt of the booking event). */
  bookedAt: string | null;
}

export type OutreachStatus =
  | 'planned'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'failed'
  | 'held_out'
  | `skipped:${string}`;

export type OutreachResponse = 'book' | 'later' | 'feedback' | 'unsubscribe';

export interface OutreachKey {
  patientId: string;
  campaign: Campaign;
  /** Episode key for lapse and milestone; window key (`2027:new-year`) for seasonal. */
  episodeKey: string;
  step: number;
}

export interface OutreachRow extends OutreachKey {
  practiceId: string;
  /** `patientId|campaign|episodeKey|step`: the row key. */
  id: string;
  templateId: TemplateId;
  locale: Locale;
  therapistId: string | null;
  status: OutreachStatus;
  plannedAt: string;
  notBefore: string;
  /** Deterministic UUID derived from the key: the ACS operation id and the opaque id in headers. */
  operationId: string;
  claimedAt: string | null;
  sentAt: string | null;
  deliveryStatus: string | null;
  deliveryAt: string | null;
  response: OutreachResponse | null;
  respondedAt: string | null;
  rebookedAt: string | null;
  failureReason: string | null;
  attempts: number;
  /**
   * Seasonal rows only: the lapse episode (the patient's last visit date) whose holdout draw and budget the
   * row used, so the report counts it with that episode. Lapse and milestone rows use `episodeKey`;
   * absent on seasonal rows planned before it was recorded.
   */
  lapseEpisodeKey?: string | null;
  /** First time ACS engagement tracking saw the email opened (absent on rows written before tracking). */
  viewedAt?: string | null;
  /** First time ACS engagement tracking saw a link of the email clicked. */
  clickedAt?: string | null;
  /**
   * When the row's personal content was erased (GDPR erasure or retention): the patient id is then a
   * pseudonym (`erased-…`) and the therapist is gone; template, status, dates and answers remain.
   */
  erasedAt?: string | null;
}

export interface DueEntry {
  day: string; // yyyyMMdd
  practiceId: string;
  patientId: string;
}
