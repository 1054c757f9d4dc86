// Cal.com webhooks: `X-Cal-Signature-256` (hex HMAC-SHA256 of the raw body, no timestamp) and the booking
// triggers mapped onto vendor-neutral appointment changes.
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import type { SignatureCheck } from '../signature';
import { therapistKey } from './therapistMapping';
import {
  type AppointmentEventType,
  firstNameOf,
  localeOf,
  problemsOf,
  signedByAny,
  type VendorAppointmentChange,
  type VendorParse,
  type VendorPerson,
  vendorEmail,
  vendorInstant,
  vendorText,
} from './vendorMessage';

export const CALCOM_SIGNATURE_HEADER = 'X-Cal-Signature-256';

export function signCalcom(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex');
}

/** Cal.com signs the exact body it sends; any of the practice's secrets (rotation) may match. */
export function verifyCalcomSignature(
  header: string | null,
  rawBody: string,
  secrets: readonly string[],
): SignatureCheck {
  if (!header) return { valid: false, reason: 'missing' };
  const value = header.trim();
  if (!/^[0-9a-f]{64}$/i.test(value)) return { valid: false, reason: 'malformed' };
  const candidate = Buffer.from(value, 'hex');
  const sign = (secret: string) => Buffer.from(signCalcom(secret, rawBody), 'hex');
  return signedByAny(secrets, sign, candidate) ? { valid: true } : { valid: false, reason: 'mismatch' };
}

/** Booking uids become appointment ids `calcom:<uid>`, which must fit the id alphabet. */
const uid = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,110}$/,
    'must be a Cal.com booking uid (letters, digits, _ . : - …)',
  );

const attendee = z.object({
  email: vendorEmail,
  name: vendorText.nullish(),
  firstName: vendorText.nullish(),
  timeZone: vendorText.nullish(),
  locale: vendorText.nullish(),
  language: z.object({ locale: vendorText.nullish() }).nullish(),
  noShow: z.boolean().nullish(),
});

const organizer = z.object({
  // The Ping test sends an empty address.
  email: z.union([vendorEmail, z.literal('')]).nullish(),
});

const booking = z.object({
  uid,
  startTime: vendorInstant,
  endTime: vendorInstant.nullish(),
  organizer: organizer.nullish(),
  attendees: z.array(attendee).min(1, 'must list at least one attendee'),
  eventTypeId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).nullish(),
  rescheduleUid: uid.nullish(),
  fromReschedule: uid.nullish(),
  rescheduleStartTime: vendorInstant.nullish(),
});

const bookingEnvelope = z.object({ triggerEvent: z.string(), createdAt: vendorInstant, payload: booking });

const noShowEnvelope = z.object({
  triggerEvent: z.string(),
  createdAt: vendorInstant,
  payload: z.object({
    bookingUid: uid,
    attendees: z.array(z.object({ email: vendorEmail, noShow: z.boolean() })).min(1, 'must list an attendee'),
  }),
});

/** MEETING_ENDED is sent from a scheduled job: the booking itself, flat, with the trigger name added. */
const meetingEnded = booking.extend({ user: z.object({ email: vendorEmail.nullish() }).nullish() });

const BOOKING_TRIGGERS: Record<string, AppointmentEventType> = {
  BOOKING_CREATED: 'appointment.booked',
  BOOKING_RESCHEDULED: 'appointment.rescheduled',
  BOOKING_CANCELLED: 'appointment.cancelled',
};

type Booking = z.infer<typeof booking>;

function bookerOf(b: Booking): VendorPerson {
  // Cal.com lists the person who booked first; the others are guests they added.
  const first = b.attendees[0];
  return {
    email: first?.email ?? '',
    firstName: firstNameOf(first?.firstName, first?.name),
    locale: localeOf(first?.language?.locale ?? first?.locale),
  };
}

function keysOf(organizerEmail: string | null | undefined, eventTypeId: string | number | null | undefined) {
  const keys: string[] = [];
  if (organizerEmail) keys.push(therapistKey('calcom', 'organizer', organizerEmail));
  if (eventTypeId !== null && eventTypeId !== undefined)
    keys.push(therapistKey('calcom', 'eventType', `${eventTypeId}`));
  return keys;
}

function change(
  fields: Pick<VendorAppointmentChange, 'eventId' | 'type' | 'occurredAt' | 'startsAt' | 'person'> & {
    uid: string;
  },
  knownPatientOnly = false,
): VendorAppointmentChange {
  const { uid: bookingUid, ...rest } = fields;
  return { ...rest, appointmentId: `calcom:${bookingUid}`, knownPatientOnly, duplicateWhenStateHeld: false };
}

/** `body` is the parsed JSON; the signature has been verified over the raw bytes already. */
export function parseCalcom(body: unknown): VendorParse {
  const trigger = z.object({ triggerEvent: z.string().min(1).max(100) }).safeParse(body);
  if (!trigger.success) return { ok: false, problems: problemsOf(trigger.error) };
  const name = trigger.data.triggerEvent;
  if (name === 'PING') return { ok: true, message: { kind: 'ping' } };

  const type = Object.hasOwn(BOOKING_TRIGGERS, name) ? BOOKING_TRIGGERS[name] : undefined;
  if (type) {
    const parsed = bookingEnvelope.safeParse(body);
    if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
    const { createdAt, payload: b } = parsed.data;
    // No event id and no timestamp header: the booking, the trigger and its time identify a delivery.
    const reference = `calcom:${name}:${b.uid}:${createdAt}`;
    const person = bookerOf(b);
    const changes = [
      change({ eventId: reference, type, occurredAt: createdAt, startsAt: b.startTime, person, uid: b.uid }),
    ];
    const previous = b.rescheduleUid ?? b.fromReschedule;
    if (type === 'appointment.rescheduled' && previous && previous !== b.uid) {
      changes.push(
        change({
          eventId: `${reference}:previous`,
          type: 'appointment.cancelled',
          occurredAt: createdAt,
          startsAt: b.rescheduleStartTime ?? null,
          person,
          uid: previous,
        }),
      );
    }
    return {
      ok: true,
      message: {
        kind: 'changes',
        reference,
        changes,
        therapistKeys: keysOf(b.organizer?.email, b.eventTypeId),
      },
    };
  }

  if (name === 'BOOKING_NO_SHOW_UPDATED') {
    const parsed = noShowEnvelope.safeParse(body);
    if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
    const { createdAt, payload } = parsed.data;
    const reference = `calcom:${name}:${payload.bookingUid}:${createdAt}`;
    const changes = payload.attendees.map((a) =>
      change(
        {
          // Keyed by the address, not the position, so a reordered list names the same events.
          eventId: `${reference}:${createHash('sha256').update(a.email.toLowerCase()).digest('hex').slice(0, 16)}`,
          // Cal.com lets a host mark attendance only once the meeting is over: not a no-show means it took place.
          type: a.noShow ? 'appointment.no_show' : 'appointment.completed',
          occurredAt: createdAt,
          startsAt: null,
          person: { email: a.email, firstName: null, locale: null },
          uid: payload.bookingUid,
        },
        true,
      ),
    );
    return { ok: true, message: { kind: 'changes', reference, changes, therapistKeys: [] } };
  }

  if (name === 'MEETING_ENDED') {
    const wrapped = typeof body === 'object' && body !== null && 'payload' in body;
    const parsed = (
      wrapped ? z.object({ payload: meetingEnded }).transform((b) => b.payload) : meetingEnded
    ).safeParse(body);
    if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
    const b = parsed.data;
    const reference = `calcom:${name}:${b.uid}`;
    const endedAt = b.endTime ?? b.startTime;
    return {
      ok: true,
      message: {
        kind: 'changes',
        reference,
        changes: [
          change({
            eventId: reference,
            type: 'appointment.completed',
            // The flat payload carries the booking's own createdAt, not the trigger's: the meeting's end is the event.
            occurredAt: endedAt,
            startsAt: b.startTime,
            person: bookerOf(b),
            uid: b.uid,
          }),
        ],
        therapistKeys: [],
      },
    };
  }

  return { ok: true, message: { kind: 'ignored', reason: `trigger ${name.slice(0, 40)} is not used` } };
}
