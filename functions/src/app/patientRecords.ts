// Saving a patient together with its DueIndex row, in an order that never loses the patient from the index.
import { dueDayOf, localDateOf, nextAction } from '../core/cadence';
import { isReengageError } from '../core/errors';
import type { Patient, Practice } from '../core/model';
import { summarizeVisits } from '../core/visits';
import type { Deps } from './deps';

const DAY_MS = 86_400_000;

/**
 * The planners' notion of today for a practice: its local date, or the UTC date when that is later, so
 * that a practice west of UTC is not planned a day late by a timer that fires at 05:00 UTC.
 */
export function todayFor(practice: Practice, now: Date): string {
  const local = localDateOf(now, practice.timeZone);
  const utc = now.toISOString().slice(0, 10);
  // ISO dates compare correctly as strings.
  return [local, utc].sort()[1] ?? utc;
}

/** Re-derives lastVisitAt / nextBookingAt when a booking has since become a visit. */
export async function refreshVisits(
  deps: Pick<Deps, 'appointments'>,
  patient: Patient,
  now: Date,
): Promise<Patient> {
  if (!patient.nextBookingAt || Date.parse(patient.nextBookingAt) > now.getTime()) return patient;
  const appointments = [];
  for await (const appointment of deps.appointments.listAppointments(patient.practiceId, patient.id)) {
    appointments.push(appointment);
  }
  return { ...patient, ...summarizeVisits(appointments, now) };
}

/** Drops touches older than a year: the budget never looks further back. */
export function pruneTouches(patient: Patient, now: Date): Patient {
  const horizon = now.getTime() - 366 * DAY_MS;
  return { ...patient, touchLog: patient.touchLog.filter((touch) => Date.parse(touch.at) > horizon) };
}

/**
 * Writes the patient (create when `etag` is null, else ETag-conditional) and moves its DueIndex row to the
 * day its next outreach becomes due. The new index row is written before the patient and the old one
 * deleted after, so a crash leaves at worst a stale row (harmless: it is re-checked), never none.
 * Throws ReengageError `precondition_failed` / `conflict` when the patient changed meanwhile.
 */
export async function savePatient(
  deps: Pick<Deps, 'patients' | 'dueIndex'>,
  practice: Practice,
  patient: Patient,
  etag: string | null,
  now: Date,
): Promise<{ patient: Patient; etag: string }> {
  const previousDay = patient.dueDay;
  const dueDay = dueDayOf(
    nextAction(practice, patient, todayFor(practice, now), now),
    todayFor(practice, now),
  );
  const next: Patient = { ...pruneTouches(patient, now), dueDay, updatedAt: now.toISOString() };
  if (dueDay) await deps.dueIndex.upsertDue({ day: dueDay, practiceId: practice.id, patientId: patient.id });
  const newEtag =
    etag === null ? await deps.patients.createPatient(next) : await deps.patients.updatePatient(next, etag);
  if (previousDay && previousDay !== dueDay) {
    await deps.dueIndex.deleteDue({ day: previousDay, practiceId: practice.id, patientId: patient.id });
  }
  return { patient: next, etag: newEtag };
}

/** Runs an optimistic read-modify-write until it goes through without a concurrent change. */
export async function withOptimisticRetry<T>(attempt: () => Promise<T>, maxAttempts = 8): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const raced = isReengageError(error, 'precondition_failed') || isReengageError(error, 'conflict');
      if (!raced || tries >= maxAttempts) throw error;
    }
  }
}
