// The chaos runs' dataset: two practices whose patients, on the planning day, cover what the demo covers
// (every template, the control group, every reason not to write), generated from a seed and written
// straight into the tables through the app's own savePatient, as the webhook would have left them.
import { DateTime } from 'luxon';
import type { Deps } from '../../functions/src/app/deps';
import { savePatient } from '../../functions/src/app/patientRecords';
import { localDateOf } from '../../functions/src/core/cadence';
import { outreachIdOf } from '../../functions/src/core/ids';
import type { Appointment, Patient, Practice, Therapist } from '../../functions/src/core/model';
import { newPatient, newPractice } from '../../functions/src/core/practiceDefaults';
import { mulberry32 } from '../../scripts/lib/random';

/**
 * Tuesday 5 January 2027, 05:00 UTC, when the timers fire: a working day in Paris and Toronto, and the
 * opening day of the « Nouvelle année » seasonal window, so the three planners all have work.
 */
export const PLAN_AT = '2027-01-05T05:00:00.000Z';

export type PatientKind =
  | 'check-in'
  | 'progress'
  | 'direct'
  | 'plan'
  | 'late-step-1'
  | 'booking-became-visit'
  | 'resource-step-2'
  | 'no-pressure-step-2'
  | 'feedback-step-3'
  | 'plan-completed'
  | 'milestone'
  | 'seasonal'
  | 'seasonal-long-lapsed'
  | 'no-consent'
  | 'no-email'
  | 'suppressed'
  | 'paused'
  | 'cooldown'
  | 'yearly-budget'
  | 'discharged'
  | 'future-booking'
  | 'in-care';

export const PATIENT_KINDS: readonly PatientKind[] = [
  'check-in',
  'progress',
  'direct',
  'plan',
  'late-step-1',
  'booking-became-visit',
  'resource-step-2',
  'no-pressure-step-2',
  'feedback-step-3',
  'plan-completed',
  'milestone',
  'seasonal',
  'seasonal-long-lapsed',
  'no-consent',
  'no-email',
  'suppressed',
  'paused',
  'cooldown',
  'yearly-budget',
  'discharged',
  'future-booking',
  'in-care',
];

export interface WorldPatient {
  kind: PatientKind;
  patient: Patient;
  appointments: Appointment[];
  /** When the webhook (or the planner) last wrote this patient: its DueIndex day is computed as of then. */
  savedAt: Date;
}

export interface World {
  seed: number;
  planAt: Date;
  practices: { practice: Practice; therapists: Therapist[] }[];
  patients: WorldPatient[];
}

export interface WorldOptions {
  /** Patients of each kind per practice are drawn between 0 and this (at least one due patient each). */
  maxPerKind?: number;
  /** Only these kinds (a small world for systematic sweeps). */
  kinds?: readonly PatientKind[];
  /** Only the first practice. */
  onePractice?: boolean;
}

function practices(): { practice: Practice; therapists: Therapist[] }[] {
  const paris = newPractice({
    id: 'prac-tilleuls',
    name: 'Cabinet des Tilleuls',
    senderAddress: 'bonjour@tilleuls.example',
    bookingUrl: 'https://tilleuls.example/rdv',
    defaultTherapistId: 'th-lea',
    holdoutPercent: 20,
    resources: [
      { title: 'Apprivoiser son anxiété', url: 'https://tilleuls.example/anxiete', focusArea: 'anxiété' },
    ],
  });
  const toronto = newPractice({
    id: 'prac-maple',
    name: 'Maple Street Physio',
    timeZone: 'America/Toronto',
    locale: 'en',
    country: 'CA',
    senderAddress: 'hello@maple.example',
    bookingUrl: 'https://maple.example/book',
    defaultTherapistId: 'th-sam',
    resources: [{ title: 'Sleep better', url: 'https://maple.example/sleep', focusArea: 'sleep' }],
  });
  const therapist = (
    practiceId: string,
    id: string,
    displayName: string,
    locale: 'fr' | 'en',
  ): Therapist => ({
    practiceId,
    id,
    displayName,
    email: `${id}@therapists.example`,
    signature: displayName,
    locale,
    active: true,
  });
  return [
    { practice: paris, therapists: [therapist(paris.id, 'th-lea', 'Léa Martin', 'fr')] },
    { practice: toronto, therapists: [therapist(toronto.id, 'th-sam', 'Sam Taylor', 'en')] },
  ];
}

export function buildWorld(seed: number, options: WorldOptions = {}): World {
  const random = mulberry32(seed);
  const planAt = new Date(PLAN_AT);
  const all = practices().slice(0, options.onePractice ? 1 : 2);
  const kinds = options.kinds ?? PATIENT_KINDS;
  const maxPerKind = options.maxPerKind ?? 2;
  const patients: WorldPatient[] = [];
  for (const { practice, therapists } of all) {
    const counts = kinds.map(() => Math.floor(random() * (maxPerKind + 1)));
    const checkIn = kinds.indexOf('check-in');
    // Never an empty day: at least one plain check-in per practice.
    if (options.kinds === undefined && counts[checkIn] === 0) counts[checkIn] = 1;
    if (options.kinds !== undefined) counts.fill(1);
    kinds.forEach((kind, i) => {
      for (let n = 0; n < (counts[i] ?? 0); n++) {
        const id = `pat-${kind}-${n + 1}`;
        patients.push(buildPatient(practice, therapists[0]?.id ?? null, id, kind, planAt, random));
      }
    });
  }
  return { seed, planAt, practices: all, patients };
}

/** Writes the world: practices and therapists, then each patient as of `savedAt`, with its appointments. */
export async function seedWorld(deps: Deps, world: World): Promise<void> {
  for (const { practice, therapists } of world.practices) {
    await deps.practices.upsertPractice(practice);
    for (const therapist of therapists) await deps.practices.upsertTherapist(therapist);
  }
  const byId = new Map(world.practices.map(({ practice }) => [practice.id, practice]));
  await Promise.all(
    world.patients.map(async ({ patient, appointments, savedAt }) => {
      const practice = byId.get(patient.practiceId);
      if (!practice) throw new RangeError(`no practice ${patient.practiceId}`);
      for (const appointment of appointments) await deps.appointments.createAppointment(appointment);
      await savePatient(deps, practice, patient, null, savedAt);
    }),
  );
}

const DAY_MS = 86_400_000;

function buildPatient(
  practice: Practice,
  therapistId: string | null,
  id: string,
  kind: PatientKind,
  planAt: Date,
  random: () => number,
): WorldPatient {
  const zone = practice.timeZone;
  const planDay = DateTime.fromJSDate(planAt, { zone }).startOf('day');
  /** An instant `daysBefore` local days before the planning day, at `hour` local time. */
  const at = (daysBefore: number, hour = 10): Date =>
    planDay
      .minus({ days: daysBefore })
      .set({ hour, minute: 15 * Math.floor(random() * 4) })
      .toJSDate();
  const iso = (d: Date) => d.toISOString();
  const base: Patient = {
    ...newPatient(practice.id, id, new Date(planAt.getTime() - 400 * DAY_MS)),
    firstName: FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)] ?? 'Camille',
    email: `${id}.${practice.id}@patients.example`,
    locale: practice.locale,
    therapistId,
    emailConsent: { granted: true, at: '2026-01-10T10:00:00.000Z', source: 'booking-tool' },
  };
  /** A lapse episode at `lastStep` after a visit `lastVisit` days ago, each step sent on its due day. */
  const midCadence = (lastVisitDaysBefore: number, lastStep: number, templates: Patient['episode']) => {
    const lastVisitAt = at(lastVisitDaysBefore);
    const key = localDateOf(lastVisitAt, zone);
    const touches = practice.cadenceDays.slice(0, lastStep).map((afterDays, i) => ({
      at: iso(at(lastVisitDaysBefore - afterDays, 9)),
      outreachId: outreachIdOf({ patientId: id, campaign: 'lapse', episodeKey: key, step: i + 1 }),
      episodeKey: key,
    }));
    const lastTouchDaysBefore = lastVisitDaysBefore - (practice.cadenceDays[lastStep - 1] ?? 0);
    return {
      patient: {
        ...base,
        lastVisitAt: iso(lastVisitAt),
        episode: templates ? { ...templates, key } : null,
        touchLog: touches,
      },
      // The planner wrote it last, at 05:00 UTC on the day of its last step.
      savedAt: at(lastTouchDaysBefore, 0),
    };
  };
  const simple = (lastVisitDaysBefore: number, extra: Partial<Patient> = {}): WorldPatient => {
    const lastVisitAt = at(lastVisitDaysBefore);
    return {
      kind,
      patient: { ...base, lastVisitAt: iso(lastVisitAt), ...extra },
      appointments: [],
      savedAt: new Date(lastVisitAt.getTime() + 3_600_000),
    };
  };
  const episode = (lastStep: number, templatesUsed: NonNullable<Patient['episode']>['templatesUsed']) => ({
    key: '',
    lapsedSince: '',
    lastStep,
    templatesUsed,
    milestoneHandled: null,
  });
  switch (kind) {
    case 'check-in':
      return simple(30);
    case 'progress':
      return simple(31, { progressNote: 'Dort mieux, reprend le sport' });
    case 'direct':
      return simple(32, { contactPreference: 'direct' });
    case 'plan':
      return simple(33, { plan: { summary: 'Rééducation du genou, 10 séances', nextMilestoneAt: null } });
    case 'late-step-1':
      // Due five days ago and not planned then (the timer did not run): found by the catch-up days.
      return simple(35);
    case 'booking-became-visit': {
      // Booked 36 days ago for 30 days ago; the booking tool never said "completed": the planner derives it.
      const earlier = at(58);
      const booked = at(30);
      const appointment = (n: number, startsAt: Date, status: Appointment['status']): Appointment => ({
        practiceId: practice.id,
        id: `${id}-apt-${n}`,
        patientId: id,
        therapistId,
        startsAt: iso(startsAt),
        status,
        lastEventAt: iso(at(36)),
        bookedAt: iso(at(60)),
      });
      return {
        kind,
        patient: {
          ...base,
          lastVisitAt: iso(earlier),
          nextBookingAt: iso(booked),
          lastBookedAt: iso(at(36)),
        },
        appointments: [appointment(1, earlier, 'completed'), appointment(2, booked, 'booked')],
        savedAt: at(36, 12),
      };
    }
    case 'resource-step-2': {
      const m = midCadence(60, 1, episode(1, ['check-in']));
      return {
        kind,
        patient: { ...m.patient, focusArea: practice.resources[0]?.focusArea ?? null },
        appointments: [],
        savedAt: m.savedAt,
      };
    }
    case 'no-pressure-step-2': {
      const m = midCadence(60, 1, episode(1, ['progress']));
      return {
        kind,
        patient: { ...m.patient, progressNote: 'Moins de crises' },
        appointments: [],
        savedAt: m.savedAt,
      };
    }
    case 'feedback-step-3': {
      const m = midCadence(120, 2, episode(2, ['check-in', 'no-pressure']));
      return { kind, ...m, appointments: [] };
    }
    case 'plan-completed':
      return simple(90, { careStatus: 'plan_completed' });
    case 'milestone':
      // The plan's milestone was two days ago and nothing was booked since: template 6 at once.
      return simple(20, { plan: { summary: 'Bilan à six semaines', nextMilestoneAt: iso(at(2)) } });
    case 'seasonal': {
      // Cadence finished long ago: only the seasonal window writes to them now.
      const m = midCadence(200, 3, episode(3, ['check-in', 'no-pressure', 'feedback']));
      return { kind, ...m, appointments: [] };
    }
    case 'seasonal-long-lapsed':
      return simple(400);
    case 'no-consent':
      return simple(30, { emailConsent: { granted: false, at: null, source: null } });
    case 'no-email':
      return simple(30, { email: null });
    case 'suppressed':
      return simple(30, { suppressed: true });
    case 'paused':
      return simple(31, { pausedUntil: iso(at(-60)) });
    case 'cooldown': {
      // A milestone email 13 days ago: the step-1 check-in due today falls inside the 21-day cooldown.
      const lastVisitAt = at(30);
      const key = localDateOf(lastVisitAt, zone);
      const milestoneAt = at(15);
      return {
        kind,
        patient: {
          ...base,
          lastVisitAt: iso(lastVisitAt),
          plan: { summary: 'Bilan intermédiaire', nextMilestoneAt: iso(milestoneAt) },
          episode: { ...episode(0, ['plan-follow-up']), key, milestoneHandled: iso(milestoneAt) },
          touchLog: [
            {
              at: iso(at(13, 9)),
              outreachId: outreachIdOf({ patientId: id, campaign: 'milestone', episodeKey: key, step: 1 }),
              episodeKey: key,
            },
          ],
        },
        appointments: [],
        savedAt: at(13, 0),
      };
    }
    case 'yearly-budget': {
      // Six emails in the past year, from earlier episodes: the yearly budget is spent.
      const touchLog = [330, 290, 250, 160, 120, 60].map((days, i) => ({
        at: iso(at(days, 9)),
        outreachId: `${id}|lapse|old-${i}|1`,
        episodeKey: `old-${i}`,
      }));
      return simple(30, { touchLog });
    }
    case 'discharged':
      return simple(30, { careStatus: 'discharged' });
    case 'future-booking':
      return {
        ...simple(40, { nextBookingAt: iso(at(-7)), lastBookedAt: iso(at(10)) }),
        savedAt: at(10, 12),
      };
    case 'in-care':
      return simple(3 + Math.floor(random() * 22));
  }
}

const FIRST_NAMES = ['Camille', 'Thomas', 'Emma', 'Lucas', 'Chloé', 'Jules', 'Manon', 'Léo', 'Grace', 'Noah'];
