// Turns a booking tool's appointment changes into canonical booking events (patients matched by address,
// therapists through the practice's mapping) and applies them with ingestBookingEvent.
import { type BookingEvent, parseBookingEvent } from '../core/bookingEvents';
import { hashForLog } from '../core/ids';
import type { AppointmentStatus, Practice } from '../core/model';
import type { TherapistMapping, Versioned, WebhookSource } from '../core/ports';
import { emptyTherapistMapping, resolveTherapist, withUnmappedKeys } from '../core/vendors/therapistMapping';
import {
  type AppointmentEventType,
  patientIdForEmail,
  type VendorAppointmentChange,
  type VendorMessage,
  type VendorPerson,
} from '../core/vendors/vendorMessage';
import type { Deps } from './deps';
import { ingestBookingEvent } from './ingestBookingEvent';
import { withOptimisticRetry } from './patientRecords';
import type { WebhookOutcome } from './webhookOutcome';

type Changes = Extract<VendorMessage, { kind: 'changes' }>;

interface TherapistChoice {
  /** Whether the payload named an organizer, calendar or event type at all. */
  named: boolean;
  therapistId: string | null;
  mapped: boolean;
}

interface PatientMatch {
  patientId: string;
  known: boolean;
}

const STATUS_OF: Record<AppointmentEventType, AppointmentStatus> = {
  'appointment.booked': 'booked',
  'appointment.rescheduled': 'booked',
  'appointment.cancelled': 'cancelled',
  'appointment.completed': 'completed',
  'appointment.no_show': 'no_show',
};

/**
 * Everything is resolved and validated before anything is written, so that a payload rejected with a 400
 * changes nothing. The canonical events then go through ingestBookingEvent one by one (each idempotent by
 * its vendor-derived id, ordered by its occurredAt).
 */
export async function ingestVendorMessage(
  deps: Deps,
  practice: Practice,
  source: WebhookSource,
  message: Changes,
  bodyHash: string,
): Promise<WebhookOutcome> {
  const mapping = message.therapistKeys.length ? await deps.practices.getTherapistMapping(practice.id) : null;
  const therapist = chooseTherapist(practice, mapping?.value ?? null, message.therapistKeys);

  const matches = new Map<string, PatientMatch>();
  const planned: { event: BookingEvent; change: VendorAppointmentChange }[] = [];
  for (const change of message.changes) {
    const address = change.person.email.trim().toLowerCase();
    const match = matches.get(address) ?? (await matchPatient(deps, practice, change.person));
    matches.set(address, match);
    if (change.knownPatientOnly && !match.known) continue;
    const parsed = parseBookingEvent(toBookingEvent(change, match, therapist));
    if (!parsed.ok) return { kind: 'invalid', what: 'booking', problems: parsed.problems };
    planned.push({ event: parsed.value, change });
  }
  if (planned.length === 0) {
    return { kind: 'ignored', id: message.reference, reason: 'no patient of the practice has this address' };
  }

  if (therapist.named && !therapist.mapped) {
    deps.log.warn('booking therapist not mapped', {
      practiceId: practice.id,
      source,
      keyRefs: message.therapistKeys.map(hashForLog).join(','),
      fallbackTherapistId: therapist.therapistId,
    });
    await recordUnmappedKeys(deps, practice, mapping, message.therapistKeys);
  }

  let applied = false;
  for (const { event, change } of planned) {
    if (change.duplicateWhenStateHeld && (await holdsState(deps, practice, event))) continue;
    const result = await ingestBookingEvent(deps, practice, source, event, bodyHash);
    if (result.kind === 'accepted') applied = true;
  }
  return applied ? { kind: 'accepted', id: message.reference } : { kind: 'duplicate', id: message.reference };
}

function chooseTherapist(
  practice: Practice,
  mapping: TherapistMapping | null,
  keys: string[],
): TherapistChoice {
  if (keys.length === 0) return { named: false, therapistId: null, mapped: false };
  const mapped = resolveTherapist(mapping, keys);
  return mapped
    ? { named: true, therapistId: mapped, mapped: true }
    : { named: true, therapistId: practice.defaultTherapistId, mapped: false };
}

/** By the address index; an address never seen makes a new patient whose id derives from it. */
async function matchPatient(deps: Deps, practice: Practice, person: VendorPerson): Promise<PatientMatch> {
  const found = await deps.patients.findPatientIdByEmail(practice.id, person.email);
  return found
    ? { patientId: found, known: true }
    : { patientId: patientIdForEmail(practice.id, person.email), known: false };
}

/**
 * A known patient keeps the profile the practice gave them (import, generic source): a booking form's
 * name is not more authoritative. A new one starts with what the tool knows, and no email consent:
 * booking tools collect an address to confirm appointments, not consent to other emails.
 */
function toBookingEvent(
  change: VendorAppointmentChange,
  match: PatientMatch,
  therapist: TherapistChoice,
): unknown {
  const assignTherapist = therapist.mapped || (therapist.named && !match.known);
  return {
    id: change.eventId,
    type: change.type,
    occurredAt: change.occurredAt,
    patient: {
      id: match.patientId,
      ...(match.known
        ? {}
        : { firstName: change.person.firstName, email: change.person.email, locale: change.person.locale }),
      ...(assignTherapist ? { therapistId: therapist.therapistId } : {}),
    },
    appointment: {
      id: change.appointmentId,
      ...(change.startsAt ? { startsAt: change.startsAt } : {}),
      ...(therapist.named ? { therapistId: therapist.therapistId } : {}),
    },
  };
}

async function holdsState(deps: Deps, practice: Practice, event: BookingEvent): Promise<boolean> {
  const input = event.appointment;
  if (!input) return false;
  const current = await deps.appointments.getAppointment(practice.id, event.patient.id, input.id);
  if (!current) return false;
  const held = current.value;
  return (
    held.status === STATUS_OF[event.type as AppointmentEventType] &&
    (input.startsAt === undefined || Date.parse(held.startsAt) === Date.parse(input.startsAt)) &&
    (input.therapistId === undefined || held.therapistId === input.therapistId)
  );
}

/** Reported on the mapping row for the admin API; written only when a key is new there. */
async function recordUnmappedKeys(
  deps: Deps,
  practice: Practice,
  first: Versioned<TherapistMapping> | null,
  keys: string[],
): Promise<void> {
  const seenAt = deps.clock.now().toISOString();
  let read: Versioned<TherapistMapping> | null | undefined = first;
  await withOptimisticRetry(async () => {
    const current = read === undefined ? await deps.practices.getTherapistMapping(practice.id) : read;
    read = undefined;
    const next = withUnmappedKeys(current?.value ?? emptyTherapistMapping(practice.id), keys, seenAt);
    if (!next) return;
    if (current) await deps.practices.updateTherapistMapping(next, current.etag);
    else await deps.practices.createTherapistMapping(next);
  });
}
