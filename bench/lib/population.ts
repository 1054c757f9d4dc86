// A deterministic population of practices and patients for the benchmarks: ~1% due on the planning date,
// the others in the states a real practice holds (recent visits, future bookings, mid-cadence, done, discharged).
import { DateTime } from 'luxon';
import { pruneTouches, todayFor } from '../../functions/src/app/patientRecords';
import { CATCH_UP_DAYS } from '../../functions/src/app/planOutreach';
import { dueDayOf, localDateOf, nextAction } from '../../functions/src/core/cadence';
import { outreachIdOf } from '../../functions/src/core/ids';
import type { Locale, Patient, Practice, TemplateId, Therapist } from '../../functions/src/core/model';
import { newPatient, newPractice } from '../../functions/src/core/practiceDefaults';
import { mulberry32 } from '../../scripts/lib/random';

/** Why a patient is in the population: only `due` patients must be planned on the planning date. */
export type PatientKind =
  | 'due'
  | 'recent_visit'
  | 'future_booking'
  | 'mid_cadence'
  | 'cadence_done'
  | 'discharged'
  | 'never_visited';

export interface PopulationOptions {
  patients: number;
  practices: number;
  /** The planner's run: a weekday at 05:00 UTC. */
  planningAt: Date;
  /** Share of patients due on the planning date (0.01 = 1%). */
  dueShare: number;
  /** Overrides every practice's holdout (by default one practice in five keeps 10% of episodes back). */
  holdoutPercent?: number;
  seed?: number;
}

export interface PracticeSetup {
  practice: Practice;
  therapists: Therapist[];
  /** How many patients this practice holds (practices differ in size, as real ones do). */
  patientCount: number;
}

export interface SeededPatient {
  patient: Patient;
  kind: PatientKind;
}

export class Population {
  readonly practices: PracticeSetup[];
  readonly planningDay: string;
  private readonly dueEvery: number;
  private readonly planningDates = new Map<string, DateTime>();

  constructor(readonly options: PopulationOptions) {
    if (!Number.isInteger(options.patients) || options.patients < 1) {
      throw new RangeError('patients must be a positive integer');
    }
    const practiceCount = Math.max(1, Math.min(options.practices, options.patients));
    this.planningDay = DateTime.fromJSDate(options.planningAt, { zone: 'UTC' }).toFormat('yyyyMMdd');
    this.dueEvery = Math.max(1, Math.round(1 / options.dueShare));
    // Sizes from 1x to 7x of the smallest, so the scan reads partitions of very different lengths.
    const weights = Array.from({ length: practiceCount }, (_, p) => 1 + ((p * 3) % 7));
    const total = weights.reduce((a, b) => a + b, 0);
    const counts = weights.map((w) => Math.floor((options.patients * w) / total));
    let left = options.patients - counts.reduce((a, b) => a + b, 0);
    for (let p = 0; left > 0; p = (p + 1) % practiceCount, left--) counts[p] = (counts[p] ?? 0) + 1;
    this.practices = counts.map((patientCount, p) => {
      const setup = practiceSetup(p);
      const { holdoutPercent } = options;
      if (holdoutPercent !== undefined) setup.practice = { ...setup.practice, holdoutPercent };
      return { ...setup, patientCount };
    });
  }

  /** The patients of one practice, built on demand so that 100,000 never sit in memory at once. */
  *patientsOf(practiceIndex: number): Generator<SeededPatient> {
    const setup = this.practices[practiceIndex];
    if (!setup) throw new RangeError(`no practice ${practiceIndex}`);
    const first = this.practices.slice(0, practiceIndex).reduce((n, s) => n + s.patientCount, 0);
    for (let k = 0; k < setup.patientCount; k++) {
      const index = first + k;
      const random = mulberry32((this.options.seed ?? 7) * 1_000_003 + index);
      const kind: PatientKind = index % this.dueEvery === this.dueEvery >> 1 ? 'due' : pickKind(random());
      yield { kind, patient: this.buildPatient(setup, index, kind, random) };
    }
  }

  /** The first day and the last day (yyyyMMdd) the DueIndex planner reads on the planning date. */
  plannerWindow(): { from: string; to: string } {
    const day = DateTime.fromJSDate(this.options.planningAt, { zone: 'UTC' });
    return {
      from: day.minus({ days: CATCH_UP_DAYS }).toFormat('yyyyMMdd'),
      to: day.plus({ days: 1 }).toFormat('yyyyMMdd'),
    };
  }

  private buildPatient(
    setup: PracticeSetup,
    index: number,
    kind: PatientKind,
    random: () => number,
  ): Patient {
    const { practice } = setup;
    const planningAt = this.options.planningAt.getTime();
    const planningDate = this.planningDateOf(practice);
    const id = `pat-${String(index).padStart(7, '0')}`;
    const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    // Dates are computed on the calendar (cheap) and turned into an instant of the practice's zone once:
    // luxon's zone conversions are what seeding 100,000 patients would otherwise spend its time on.
    const localAt = (date: DateTime, hour: number, minute = 0): number =>
      DateTime.fromObject(
        { year: date.year, month: date.month, day: date.day, hour, minute },
        { zone: practice.timeZone },
      ).toMillis();
    /** A visit `daysAgo` days before the planning date, at a working hour of the practice. */
    const visit = (daysAgo: number): Visit => {
      const date = planningDate.minus({ days: daysAgo });
      return { date, at: localAt(date, between(9, 18), 15 * between(0, 3)) };
    };
    const therapist = setup.therapists[index % setup.therapists.length];
    const base: Patient = {
      ...newPatient(practice.id, id, this.options.planningAt),
      firstName: FIRST_NAMES[index % FIRST_NAMES.length] ?? null,
      email: `${id}@patients.example`,
      locale: practice.locale,
      therapistId: therapist?.id ?? null,
      emailConsent: { granted: true, at: '2026-01-10T10:00:00.000Z', source: 'booking-tool' },
      focusArea: random() < 0.3 ? 'sleep' : null,
      // Known to the booking tool since before the oldest visit below.
      createdAt: iso(planningAt - 450 * DAY_MS),
    };
    let patient: Patient = base;
    let savedAt: number;
    const lapse = practice.lapseDays;
    switch (kind) {
      case 'due': {
        // Step 1 due today: the last visit is exactly lapseDays before the planning date.
        const lastVisit = visit(lapse);
        const flavour = random();
        patient = {
          ...base,
          lastVisitAt: iso(lastVisit.at),
          plan: flavour < 0.2 ? { summary: 'Six séances puis un bilan', nextMilestoneAt: null } : null,
          progressNote: flavour >= 0.2 && flavour < 0.4 ? 'Dort mieux depuis un mois' : null,
          contactPreference: flavour >= 0.4 && flavour < 0.5 ? 'direct' : 'default',
        };
        savedAt = lastVisit.at + HOUR_MS;
        break;
      }
      case 'recent_visit': {
        const lastVisit = visit(between(1, lapse - 2));
        patient = {
          ...base,
          lastVisitAt: iso(lastVisit.at),
          careStatus: random() < 0.15 ? 'plan_completed' : 'in_care',
        };
        savedAt = lastVisit.at + HOUR_MS;
        break;
      }
      case 'future_booking': {
        const lastVisit = visit(between(3, 150));
        const booking = localAt(planningDate.plus({ days: between(1, 60) }), between(9, 18));
        const bookedAt = Math.max(lastVisit.at + 2 * HOUR_MS, planningAt - between(1, 20) * DAY_MS);
        patient = {
          ...base,
          lastVisitAt: iso(lastVisit.at),
          nextBookingAt: iso(booking),
          lastBookedAt: iso(bookedAt),
        };
        savedAt = bookedAt;
        break;
      }
      case 'mid_cadence': {
        // Step 1 went out; step 2 (lapseDays + 30) falls 2 to 29 days after the planning date.
        const lastVisit = visit(lapse + between(1, 28));
        const stepOneRun = runAt(lastVisit.date.plus({ days: lapse }));
        patient = withTouches(base, practice, lastVisit, [{ step: 1, template: 'check-in', at: stepOneRun }]);
        savedAt = stepOneRun;
        break;
      }
      case 'cadence_done': {
        const lastVisit = visit(between(140, 400));
        const [d1, d2, d3] = practice.cadenceDays;
        const stepThreeRun = runAt(lastVisit.date.plus({ days: d3 }));
        patient = withTouches(base, practice, lastVisit, [
          { step: 1, template: 'check-in', at: runAt(lastVisit.date.plus({ days: d1 })) },
          { step: 2, template: 'no-pressure', at: runAt(lastVisit.date.plus({ days: d2 })) },
          { step: 3, template: 'feedback', at: stepThreeRun },
        ]);
        savedAt = stepThreeRun;
        break;
      }
      case 'discharged': {
        const lastVisit = visit(between(1, 300));
        patient = { ...base, lastVisitAt: iso(lastVisit.at), careStatus: 'discharged' };
        savedAt = lastVisit.at + HOUR_MS;
        break;
      }
      case 'never_visited':
        savedAt = planningAt - between(1, 90) * DAY_MS;
        break;
    }
    return savedLike(practice, patient, new Date(savedAt));
  }

  /** The planning date on the practice's calendar, as a UTC midnight (calendar arithmetic only). */
  private planningDateOf(practice: Practice): DateTime {
    let date = this.planningDates.get(practice.timeZone);
    if (!date) {
      date = DateTime.fromISO(localDateOf(this.options.planningAt, practice.timeZone), { zone: 'UTC' });
      this.planningDates.set(practice.timeZone, date);
    }
    return date;
  }
}

interface Visit {
  /** The visit's date on the practice's calendar (UTC midnight). */
  date: DateTime;
  /** The visit's instant, epoch ms. */
  at: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The patient as `savePatient` would have stored it at `savedAt`: touches pruned, and `dueDay` the day
 * returned by dueDayOf(nextAction(...)). That is also the day of its DueIndex row.
 */
function savedLike(practice: Practice, patient: Patient, savedAt: Date): Patient {
  const today = todayFor(practice, savedAt);
  const dueDay = dueDayOf(nextAction(practice, patient, today, savedAt), today);
  return {
    ...pruneTouches(patient, savedAt),
    dueDay,
    updatedAt: savedAt.toISOString(),
  };
}

function withTouches(
  base: Patient,
  practice: Practice,
  lastVisit: Visit,
  touches: { step: number; template: TemplateId; at: number }[],
): Patient {
  const episodeKey = lastVisit.date.toISODate() ?? '';
  return {
    ...base,
    lastVisitAt: iso(lastVisit.at),
    episode: {
      key: episodeKey,
      lapsedSince: lastVisit.date.plus({ days: practice.lapseDays }).toISODate() ?? '',
      lastStep: touches.length,
      templatesUsed: touches.map((t) => t.template),
      milestoneHandled: null,
    },
    // Each touch is the send slot the planner reserved that morning, inside the practice's window.
    touchLog: touches.map((t) => ({
      at: iso(t.at + 5 * HOUR_MS),
      outreachId: outreachIdOf({ patientId: base.id, campaign: 'lapse', episodeKey, step: t.step }),
      episodeKey,
    })),
  };
}

/** The planner's timer on a calendar date: 05:00 UTC. */
function runAt(date: DateTime): number {
  return Date.UTC(date.year, date.month - 1, date.day, 5);
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function pickKind(r: number): PatientKind {
  if (r < 0.4) return 'recent_visit';
  if (r < 0.72) return 'future_booking';
  if (r < 0.84) return 'mid_cadence';
  if (r < 0.92) return 'cadence_done';
  if (r < 0.97) return 'discharged';
  return 'never_visited';
}

const ZONES: { zone: string; locale: Locale; country: string }[] = [
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Paris', locale: 'fr', country: 'FR' },
  { zone: 'Europe/Brussels', locale: 'fr', country: 'BE' },
  { zone: 'Europe/London', locale: 'en', country: 'GB' },
];

const FIRST_NAMES = ['Camille', 'Léa', 'Hugo', 'Inès', 'Noah', 'Chloé', 'Jules', 'Emma', 'Louis', 'Zoé'];

function practiceSetup(p: number): Omit<PracticeSetup, 'patientCount'> {
  const place = ZONES[p % ZONES.length] ?? { zone: 'Europe/Paris', locale: 'fr', country: 'FR' };
  const id = `prac-${String(p).padStart(3, '0')}`;
  const therapists: Therapist[] = Array.from({ length: 2 + (p % 5) }, (_, t) => ({
    practiceId: id,
    id: `th-${t}`,
    displayName: `${FIRST_NAMES[(p + t) % FIRST_NAMES.length]} Martin`,
    email: `th-${t}@${id}.example`,
    signature: place.locale === 'fr' ? 'Psychologue clinicienne' : 'Clinical psychologist',
    locale: place.locale,
    active: true,
  }));
  const practice = newPractice({
    id,
    name: `Cabinet ${p}`,
    timeZone: place.zone,
    locale: place.locale,
    country: place.country,
    senderAddress: `bonjour@${id}.example`,
    bookingUrl: `https://${id}.example/rdv`,
    // Most practices keep the default 30 days; a few wait longer before writing.
    lapseDays: p % 4 === 3 ? 45 : 30,
    holdoutPercent: p % 5 === 0 ? 10 : 0,
    defaultTherapistId: therapists[0]?.id ?? null,
    resources: [{ title: 'Mieux dormir', url: `https://${id}.example/sommeil`, focusArea: 'sleep' }],
  });
  return { practice, therapists };
}
