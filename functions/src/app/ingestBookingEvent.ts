// Applies one canonical booking event to patient and appointment state: idempotent, order-tolerant, forward-only.
import type { BookingEvent, BookingEventType, PatientFields } from '../core/bookingEvents';
import { addressHashOf, hashForLog } from '../core/ids';
import type { Appointment, AppointmentStatus, Patient, Practice } from '../core/model';
import type { WebhookSource } from '../core/ports';
import { newPatient } from '../core/practiceDefaults';
import { summarizeVisits } from '../core/visits';
import type { Deps } from './deps';
import { savePatient, withOptimisticRetry } from './patientRecords';

export const REBOOKING_ATTRIBUTION_DAYS = 30;
const DAY_MS = 86_400_000;

export type IngestResult = { kind: 'accepted' } | { kind: 'duplicate' };

/**
 * Idempotency by event id: the event is marked `received` first and `applied` last, so an event whose
 * processing died half-way is applied again on redelivery (every step is idempotent), while a fully
 * applied one is answered as a duplicate.
 */
export async function ingestBookingEvent(
  deps: Deps,
  practice: Practice,
  source: WebhookSource,
  event: BookingEvent,
  bodyHash: string,
): Promise<IngestResult> {
  const now = deps.clock.now();
  const existing = await deps.inboundEvents.getEvent(practice.id, source, event.id);
  if (existing?.value.status === 'applied') return { kind: 'duplicate' };
  const record = {
    practiceId: practice.id,
    source,
    eventId: event.id,
    type: event.type,
    status: 'received' as const,
    receivedAt: now.toISOString(),
    bodyHash,
  };
  let etag = existing?.etag ?? (await deps.inboundEvents.createEvent(record));
  if (etag === null) {
    const raced = await deps.inboundEvents.getEvent(practice.id, source, event.id);
    if (raced?.value.status === 'applied') return { kind: 'duplicate' };
    etag = raced?.etag ?? null;
  }
  await HANDLERS[event.type](deps, practice, event);
  if (etag)
    await deps.inboundEvents.updateEvent({ ...record, status: 'applied' }, etag).catch(() => undefined);
  deps.log.info('booking event applied', {
    practiceId: practice.id,
    source,
    type: event.type,
    patientRef: hashForLog(`${practice.id}/${event.patient.id}`),
  });
  return { kind: 'accepted' };
}

type Handler = (deps: Deps, practice: Practice, event: BookingEvent) => Promise<void>;

const appointmentStatusOf: Record<
  Exclude<BookingEventType, 'patient.upserted' | 'patient.deleted'>,
  AppointmentStatus
> = {
  'appointment.booked': 'booked',
  'appointment.rescheduled': 'booked',
  'appointment.cancelled': 'cancelled',
  'appointment.completed': 'completed',
  'appointment.no_show': 'no_show',
};

/** Exhaustive: adding an event type without a handler does not compile. */
const HANDLERS: Record<BookingEventType, Handler> = {
  'patient.upserted': (deps, practice, event) => applyToPatient(deps, practice, event, false),
  'patient.deleted': (deps, practice, event) => deletePatient(deps, practice, event.patient.id),
  'appointment.booked': applyAppointment,
  'appointment.rescheduled': applyAppointment,
  'appointment.cancelled': applyAppointment,
  'appointment.completed': applyAppointment,
  'appointment.no_show': applyAppointment,
};

function applyProfile(patient: Patient, fields: PatientFields, occurredAt: string): Patient {
  // An event that carries no profile field (an appointment event naming only the patient id) leaves the
  // watermark alone: otherwise an earlier upsert arriving after it would be dropped whole.
  const { id: _id, ...profile } = fields;
  if (Object.values(profile).every((value) => value === undefined)) return patient;
  // Profile fields only move forward: an older upsert arriving late must not undo a newer one.
  if (patient.profileEventAt && Date.parse(patient.profileEventAt) > Date.parse(occurredAt)) return patient;
  const next: Patient = { ...patient, profileEventAt: occurredAt };
  if (fields.firstName !== undefined) next.firstName = fields.firstName;
  if (fields.email !== undefined) next.email = fields.email?.trim() ?? null;
  if (fields.locale !== undefined) next.locale = fields.locale;
  if (fields.therapistId !== undefined) next.therapistId = fields.therapistId;
  if (fields.emailConsent !== undefined) {
    next.emailConsent = {
      granted: fields.emailConsent.granted,
      at: fields.emailConsent.at ?? occurredAt,
      source: fields.emailConsent.source ?? 'booking-tool',
    };
  }
  if (fields.careStatus !== undefined) next.careStatus = fields.careStatus;
  if (fields.contactPreference !== undefined) next.contactPreference = fields.contactPreference;
  if (fields.focusArea !== undefined) next.focusArea = fields.focusArea;
  if (fields.progressNote !== undefined) next.progressNote = fields.progressNote;
  if (fields.plan !== undefined) next.plan = fields.plan ?? null;
  return next;
}

async function applyToPatient(
  deps: Deps,
  practice: Practice,
  event: BookingEvent,
  bookingEvent: boolean,
): Promise<void> {
  await withOptimisticRetry(async () => {
    const now = deps.clock.now();
    const current = await deps.patients.getPatient(practice.id, event.patient.id);
    let patient = applyProfile(
      current?.value ?? newPatient(practice.id, event.patient.id, now),
      event.patient,
      event.occurredAt,
    );
    const appointments: Appointment[] = [];
    for await (const appointment of deps.appointments.listAppointments(practice.id, patient.id))
      appointments.push(appointment);
    // A future booking puts the lapse episode on hold; once it becomes a visit, the episode key (the last
    // visit's date) changes and the planner starts a new episode if the patient lapses again.
    patient = { ...patient, ...summarizeVisits(appointments, now) };
    if (
      bookingEvent &&
      (!patient.lastBookedAt || Date.parse(event.occurredAt) > Date.parse(patient.lastBookedAt))
    ) {
      patient.lastBookedAt = event.occurredAt;
    }
    // An address that unsubscribed or bounced stays suppressed, even for a patient erased and imported again.
    if (patient.email && !patient.suppressed && patient.email !== current?.value.email) {
      const listed = await deps.suppressions.getSuppression(
        practice.id,
        addressHashOf(practice.id, patient.email),
      );
      if (listed) patient.suppressed = true;
    }
    await savePatient(deps, practice, patient, current?.etag ?? null, now);
  });
}

async function applyAppointment(deps: Deps, practice: Practice, event: BookingEvent): Promise<void> {
  const input = event.appointment;
  if (!input) return; // the schema requires it for appointment events
  const status = appointmentStatusOf[event.type as keyof typeof appointmentStatusOf];
  const isBooking = event.type === 'appointment.booked' || event.type === 'appointment.rescheduled';
  let newlyBooked = false;
  let applied = false;
  await withOptimisticRetry(async () => {
    newlyBooked = false;
    applied = false;
    const current = await deps.appointments.getAppointment(practice.id, event.patient.id, input.id);
    if (current && Date.parse(current.value.lastEventAt) > Date.parse(event.occurredAt)) return; // stale event
    const startsAt = input.startsAt ?? current?.value.startsAt ?? event.occurredAt;
    const next: Appointment = {
      practiceId: practice.id,
      id: input.id,
      patientId: event.patient.id,
      therapistId: input.therapistId ?? current?.value.therapistId ?? event.patient.therapistId ?? null,
      startsAt,
      status,
      lastEventAt: event.occurredAt,
      bookedAt: current?.value.bookedAt ?? (isBooking ? event.occurredAt : null),
    };
    if (current) await deps.appointments.updateAppointment(next, current.etag);
    else await deps.appointments.createAppointment(next);
    newlyBooked = event.type === 'appointment.booked' && current?.value.status !== 'booked';
    applied = true;
  });
  await applyToPatient(deps, practice, event, isBooking && applied);
  if (newlyBooked) await attributeRebooking(deps, practice, event.patient.id, event.occurredAt);
}

/**
 * A booking within 30 days after an email (or after a held-out step, for the control group) is recorded
 * on the latest such ledger row.
 */
export async function attributeRebooking(
  deps: Deps,
  practice: Practice,
  patientId: string,
  bookedAt: string,
): Promise<void> {
  const bookedMs = Date.parse(bookedAt);
  let latest: { id: string; at: number } | null = null;
  for await (const row of deps.ledger.listOutreachForPatient(practice.id, patientId)) {
    const touchedAt = row.sentAt ?? (row.status === 'held_out' ? row.notBefore : null);
    if (!touchedAt) continue;
    const at = Date.parse(touchedAt);
    if (at > bookedMs || bookedMs - at > REBOOKING_ATTRIBUTION_DAYS * DAY_MS) continue;
    if (!latest || at > latest.at) latest = { id: row.id, at };
  }
  if (!latest) return;
  const rowId = latest.id;
  await withOptimisticRetry(async () => {
    const current = await deps.ledger.getOutreach(practice.id, rowId);
    if (!current || current.value.rebookedAt) return;
    await deps.ledger.updateOutreach({ ...current.value, rebookedAt: bookedAt }, current.etag);
  });
}

/**
 * The booking tool deleted the patient: their appointments and profile go, and every email still planned
 * for them is skipped. (Full GDPR erasure, which also clears feedback and ledger fields, is the admin API's.)
 */
async function deletePatient(deps: Deps, practice: Practice, patientId: string): Promise<void> {
  for await (const row of deps.ledger.listOutreachForPatient(practice.id, patientId)) {
    if (row.status !== 'planned') continue;
    await withOptimisticRetry(async () => {
      const current = await deps.ledger.getOutreach(practice.id, row.id);
      if (current?.value.status !== 'planned') return;
      await deps.ledger.updateOutreach({ ...current.value, status: 'skipped:patient_deleted' }, current.etag);
    });
  }
  for await (const appointment of deps.appointments.listAppointments(practice.id, patientId)) {
    await deps.appointments.deleteAppointment(practice.id, patientId, appointment.id);
  }
  const current = await deps.patients.getPatient(practice.id, patientId);
  if (current?.value.dueDay) {
    await deps.dueIndex.deleteDue({ day: current.value.dueDay, practiceId: practice.id, patientId });
  }
  await deps.patients.deletePatient(practice.id, patientId);
}
