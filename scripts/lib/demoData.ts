// The demo practice: three therapists and about forty patients whose histories, relative to the demo date,
// lead to every template and every reason not to write during the demo week.
import { DateTime } from 'luxon';
import { localDateOf } from '../../functions/src/core/cadence';
import { isHeldOut } from '../../functions/src/core/holdout';
import type { Practice, Therapist } from '../../functions/src/core/model';
import { newPractice } from '../../functions/src/core/practiceDefaults';
import type { Harness } from './harness';

export interface DemoEvent {
  occurredAt: string;
  body: {
    id: string;
    type: string;
    occurredAt: string;
    patient: Record<string, unknown>;
    appointment?: Record<string, unknown>;
  };
}

export interface DemoPatient {
  id: string;
  label: string;
  therapistId: string;
  events: DemoEvent[];
  /** Runs after one of this patient's events was posted (e.g. the patient answers "not now"). */
  afterEvent?: (harness: Harness, eventId: string) => Promise<void>;
}

const ZONE = 'Europe/Paris';
const HOLDOUT_PERCENT = 10;

export function demoPractice(date: DateTime): Practice {
  void date;
  return newPractice({
    id: 'cabinet-tilleuls',
    name: 'Cabinet des Tilleuls',
    senderAddress: 'bonjour@cabinet-tilleuls.example',
    senderDisplayName: 'Cabinet des Tilleuls',
    bookingUrl: 'https://cabinet-tilleuls.example/rendez-vous',
    holdoutPercent: HOLDOUT_PERCENT,
    defaultTherapistId: 'th-lea',
    resources: [
      {
        title: 'Apprivoiser son anxiété au quotidien',
        url: 'https://cabinet-tilleuls.example/ressources/anxiete',
        focusArea: 'anxiété',
      },
      {
        title: 'Sleep better: a gentle guide',
        url: 'https://cabinet-tilleuls.example/resources/sleep',
        focusArea: 'sleep',
      },
    ],
  });
}

export function demoTherapists(practiceId: string): Therapist[] {
  return [
    {
      practiceId,
      id: 'th-lea',
      displayName: 'Léa Martin',
      email: 'lea.martin@cabinet-tilleuls.example',
      signature: 'Léa Martin\nPsychologue clinicienne',
      locale: 'fr',
      active: true,
    },
    {
      practiceId,
      id: 'th-hugo',
      displayName: 'Hugo Bernard',
      email: 'hugo.bernard@cabinet-tilleuls.example',
      signature: 'Hugo Bernard\nKinésithérapeute',
      locale: 'fr',
      active: true,
    },
    {
      practiceId,
      id: 'th-sarah',
      displayName: 'Sarah Collins',
      email: 'sarah.collins@cabinet-tilleuls.example',
      signature: 'Sarah Collins\nPsychotherapist',
      locale: 'en',
      active: true,
    },
  ];
}

interface Spec {
  name: string;
  /** What the demo expects for this patient, shown in the first column. */
  why: string;
  therapist: 'th-lea' | 'th-hugo' | 'th-sarah';
  locale?: 'fr' | 'en';
  /** Days before the demo date of the last visit. */
  lastVisit: number;
  sessions?: number;
  profile?: Record<string, unknown>;
  heldOut?: boolean;
  /** Extra booking: [days before the demo date it was made (may be negative: after 07:00 UTC that day), days after it is for]. */
  booking?: { madeDaysBefore: number; atHourUtc?: number; forDaysAfter: number };
  milestoneDaysBefore?: number;
  pausedDaysAfter?: number;
}

const SPECS: Spec[] = [
  // Every template during the demo week.
  { name: 'Camille', why: 'check-in', therapist: 'th-lea', lastVisit: 30 },
  { name: 'Thomas', why: 'due on a holiday', therapist: 'th-hugo', lastVisit: 34 },
  { name: 'Emma', why: 'due on a Saturday', therapist: 'th-sarah', locale: 'en', lastVisit: 33 },
  {
    name: 'Lucas',
    why: 'progress',
    therapist: 'th-lea',
    lastVisit: 31,
    profile: { progressNote: 'Dort mieux, reprend le sport' },
  },
  {
    name: 'Olivia',
    why: 'progress',
    therapist: 'th-sarah',
    locale: 'en',
    lastVisit: 35,
    profile: { progressNote: 'Fewer panic episodes' },
  },
  {
    name: 'Chloé',
    why: 'direct',
    therapist: 'th-hugo',
    lastVisit: 32,
    profile: { contactPreference: 'direct' },
  },
  {
    name: 'Jules',
    why: 'plan follow-up',
    therapist: 'th-lea',
    lastVisit: 36,
    profile: { plan: { summary: 'Rééducation du genou, 10 séances', nextMilestoneAt: null } },
  },
  {
    name: 'Manon',
    why: 'missed milestone',
    therapist: 'th-hugo',
    lastVisit: 20,
    milestoneDaysBefore: 2,
    profile: { plan: { summary: 'Bilan à 6 semaines' } },
  },
  {
    name: 'Léo',
    why: 'resource (step 2)',
    therapist: 'th-lea',
    lastVisit: 60,
    profile: { focusArea: 'anxiété' },
  },
  { name: 'Grace', why: 'no-pressure (step 2)', therapist: 'th-sarah', locale: 'en', lastVisit: 61 },
  { name: 'Hugo', why: 'feedback (step 3)', therapist: 'th-hugo', lastVisit: 120 },
  {
    name: 'Mila',
    why: 'plan completed, 90 days',
    therapist: 'th-sarah',
    locale: 'en',
    lastVisit: 90,
    profile: { careStatus: 'plan_completed' },
  },
  { name: 'Inès', why: 'seasonal', therapist: 'th-lea', lastVisit: 200 },
  { name: 'Nathan', why: 'seasonal (long lapsed)', therapist: 'th-hugo', lastVisit: 400 },
  { name: 'Sophie', why: 'seasonal', therapist: 'th-sarah', locale: 'en', lastVisit: 300 },
  // Every reason not to write.
  {
    name: 'Louise',
    why: 'booked after planning',
    therapist: 'th-lea',
    lastVisit: 30,
    booking: { madeDaysBefore: 0, atHourUtc: 7, forDaysAfter: 5 },
  },
  {
    name: 'Gabriel',
    why: 'has a booking',
    therapist: 'th-hugo',
    lastVisit: 40,
    booking: { madeDaysBefore: 10, forDaysAfter: 7 },
  },
  {
    name: 'Alice',
    why: 'discharged',
    therapist: 'th-lea',
    lastVisit: 30,
    profile: { careStatus: 'discharged' },
  },
  {
    name: 'Raphaël',
    why: 'no consent',
    therapist: 'th-hugo',
    lastVisit: 30,
    profile: { emailConsent: false },
  },
  { name: 'Zoé', why: 'said "not now"', therapist: 'th-lea', lastVisit: 31, pausedDaysAfter: 60 },
  {
    name: 'Arthur',
    why: 'cooldown',
    therapist: 'th-hugo',
    lastVisit: 30,
    milestoneDaysBefore: 14,
    profile: { plan: { summary: 'Bilan intermédiaire' } },
  },
  {
    name: 'Jade',
    why: 'budget spent',
    therapist: 'th-lea',
    lastVisit: 120,
    milestoneDaysBefore: 115,
    profile: { plan: { summary: 'Suivi mensuel' } },
  },
  { name: 'Noah', why: 'held out', therapist: 'th-hugo', lastVisit: 30, heldOut: true },
  { name: 'Adam', why: 'no email address', therapist: 'th-lea', lastVisit: 30, profile: { email: null } },
  // Patients in care, nothing due this week.
  ...[
    'Rose',
    'Arthur B.',
    'Lina',
    'Paul',
    'Anna',
    'Victor',
    'Eva',
    'Louis',
    'Ambre',
    'Jack',
    'Alba',
    'Mael',
    'Lou',
    'Ethan',
    'Nina',
    'Oscar',
  ].map(
    (name, i): Spec => ({
      name,
      why: 'in care',
      therapist: (['th-lea', 'th-hugo', 'th-sarah'] as const)[i % 3] ?? 'th-lea',
      locale: i % 3 === 2 ? 'en' : 'fr',
      lastVisit: 3 + ((i * 5) % 22),
    }),
  ),
];

function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Visits happen at 10:00 local; the practice's booking tool reports completion an hour later. */
function visitAt(date: DateTime, daysBefore: number): DateTime {
  return date.minus({ days: daysBefore }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
}

export function demoPatients(practice: Practice, date: DateTime): DemoPatient[] {
  const local = date.setZone(ZONE);
  return SPECS.map((spec) => {
    const last = visitAt(local, spec.lastVisit);
    const episodeKey = localDateOf(last.toJSDate(), ZONE);
    // Pick the id so that the control group is exactly the patients meant to be in it.
    let id = `pat-${slug(spec.name)}`;
    for (
      let n = 2;
      isHeldOut(practice.id, id, episodeKey, practice.holdoutPercent) !== Boolean(spec.heldOut);
      n++
    ) {
      id = `pat-${slug(spec.name)}-${n}`;
    }
    const locale = spec.locale ?? 'fr';
    const profile: Record<string, unknown> = {
      id,
      firstName: spec.name.replace(/ .*$/, ''),
      email: `${slug(spec.name)}@patients.example`,
      locale,
      therapistId: spec.therapist,
      emailConsent: { granted: true, source: 'formulaire d’accueil' },
      careStatus: 'in_care',
      ...spec.profile,
    };
    if (spec.milestoneDaysBefore !== undefined) {
      const plan = (profile.plan as Record<string, unknown> | undefined) ?? {};
      profile.plan = {
        summary: null,
        ...plan,
        nextMilestoneAt: visitAt(local, spec.milestoneDaysBefore).toUTC().toISO(),
      };
    }
    const events: DemoEvent[] = [];
    const sessions = spec.sessions ?? 3;
    const first = last.minus({ weeks: sessions - 1 });
    const add = (at: DateTime, type: string, extra: Partial<DemoEvent['body']> = {}) => {
      const occurredAt = at.toUTC().toISO() ?? '';
      events.push({
        occurredAt,
        body: { id: `${id}-${events.length + 1}`, type, occurredAt, patient: { id }, ...extra },
      });
    };
    add(first.minus({ days: 8 }), 'patient.upserted', { patient: profile });
    for (let s = 0; s < sessions; s++) {
      const visit = first.plus({ weeks: s });
      const appointment = { id: `${id}-rdv-${s + 1}`, startsAt: visit.toISO(), therapistId: spec.therapist };
      add(visit.minus({ days: 6 }), 'appointment.booked', { appointment });
      add(visit.plus({ hours: 1 }), 'appointment.completed', { appointment });
    }
    if (spec.booking) {
      const madeAt = local
        .minus({ days: spec.booking.madeDaysBefore })
        .setZone('UTC')
        .set({ hour: spec.booking.atHourUtc ?? 12, minute: 0 });
      const startsAt = visitAt(local, -spec.booking.forDaysAfter).toISO();
      add(madeAt, 'appointment.booked', {
        appointment: { id: `${id}-rdv-next`, startsAt, therapistId: spec.therapist },
      });
    }
    const demo: DemoPatient = {
      id,
      label: `${spec.name} (${spec.why})`,
      therapistId: spec.therapist,
      events,
    };
    if (spec.pausedDaysAfter !== undefined) {
      const lastEventId = events.at(-1)?.body.id;
      const pausedUntil = local.plus({ days: spec.pausedDaysAfter }).toUTC().toISO();
      // What the "not now" link does (the answer endpoints come with the patients-answer-back work).
      demo.afterEvent = async (harness, eventId) => {
        if (eventId !== lastEventId) return;
        const current = await harness.deps.patients.getPatient(practice.id, id);
        if (current)
          await harness.deps.patients.updatePatient({ ...current.value, pausedUntil }, current.etag);
      };
    }
    return demo;
  });
}
