// A practice and a patient as they start out, with the defaults of SPEC §3.
import { defaultCadenceDays } from './cadence';
import type { Locale, Patient, Practice } from './model';
import { defaultSeasonalWindows } from './seasonal';

export function newPractice(fields: Pick<Practice, 'id' | 'name'> & Partial<Practice>): Practice {
  const locale: Locale = fields.locale ?? 'fr';
  const lapseDays = fields.lapseDays ?? 30;
  return {
    timeZone: 'Europe/Paris',
    locale,
    country: 'FR',
    senderAddress: 'DoNotReply@example.org',
    senderDisplayName: fields.name,
    bookingUrl: 'https://example.org/book',
    lapseDays,
    cooldownDays: 21,
    maxTouchesPerEpisode: 3,
    maxTouchesPer365Days: 6,
    cadenceDays: defaultCadenceDays(lapseDays),
    sendWindow: { days: [1, 2, 3, 4, 5], start: '09:30', end: '17:30' },
    closedDates: [],
    seasonalWindows: defaultSeasonalWindows(locale),
    allowClinicalDetails: false,
    holdoutPercent: 0,
    resources: [],
    defaultTherapistId: null,
    lastSeasonalWindowKey: null,
    ...fields,
  };
}

export function newPatient(practiceId: string, id: string, now: Date): Patient {
  const at = now.toISOString();
  return {
    practiceId,
    id,
    firstName: null,
    email: null,
    locale: null,
    therapistId: null,
    emailConsent: { granted: false, at: null, source: null },
    careStatus: 'in_care',
    contactPreference: 'default',
    pausedUntil: null,
    focusArea: null,
    progressNote: null,
    plan: null,
    lastVisitAt: null,
    nextBookingAt: null,
    episode: null,
    suppressed: false,
    touchLog: [],
    lastBookedAt: null,
    lastAnsweredAt: null,
    profileEventAt: null,
    dueDay: null,
    createdAt: at,
    updatedAt: at,
  };
}
