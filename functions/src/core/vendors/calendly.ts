// Calendly API v2 webhooks: `Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>`
// (the same scheme as the generic source) and invitee events mapped onto vendor-neutral appointment changes.
import { z } from 'zod';
import { type SignatureCheck, signGeneric, verifyGenericSignature } from '../signature';
import { therapistKey } from './therapistMapping';
import {
  type AppointmentEventType,
  firstNameOf,
  problemsOf,
  type VendorAppointmentChange,
  type VendorParse,
  vendorEmail,
  vendorInstant,
  vendorText,
} from './vendorMessage';

export const CALENDLY_SIGNATURE_HEADER = 'Calendly-Webhook-Signature';

export function signCalendly(signingKey: string, timestamp: number, rawBody: string): string {
  return `t=${timestamp},v1=${signGeneric(signingKey, timestamp, rawBody)}`;
}

/** Same shape and 300 s window as the generic source; any of the practice's signing keys may match. */
export function verifyCalendlySignature(
  header: string | null,
  rawBody: string,
  signingKeys: readonly string[],
  now: Date,
): SignatureCheck {
  return verifyGenericSignature(header, rawBody, signingKeys, now);
}

const INVITEE_URI =
  /^https:\/\/[^\s/]+\/scheduled_events\/[A-Za-z0-9_-]{1,64}\/invitees\/([A-Za-z0-9_-]{1,64})$/;
const inviteeUri = z
  .string()
  .max(300)
  .regex(INVITEE_URI, 'must be a Calendly invitee URI (…/scheduled_events/<uuid>/invitees/<uuid>)');

const uuidOf = (uri: string) => INVITEE_URI.exec(uri)?.[1] ?? '';

const scheduledEvent = z.object({
  uri: z.string().max(300),
  start_time: vendorInstant,
  end_time: vendorInstant.nullish(),
  event_type: z.string().max(300).nullish(),
  event_memberships: z
    .array(z.object({ user: z.string().max(300).nullish(), user_email: vendorEmail.nullish() }))
    .nullish(),
});

const invitee = z.object({
  uri: inviteeUri,
  email: vendorEmail,
  name: vendorText.nullish(),
  first_name: vendorText.nullish(),
  rescheduled: z.boolean().nullish(),
  old_invitee: inviteeUri.nullish(),
  new_invitee: inviteeUri.nullish(),
  scheduled_event: scheduledEvent,
});

const envelope = z.object({ event: z.string(), created_at: vendorInstant, payload: invitee });
// A no-show is about an invitee already known: the scheduled event is not needed to apply it.
const noShowEnvelope = envelope.extend({
  payload: invitee.extend({ scheduled_event: scheduledEvent.nullish() }),
});

const NO_SHOW_EVENTS: Record<string, AppointmentEventType> = {
  'invitee_no_show.created': 'appointment.no_show',
  // The host took the no-show mark back: the meeting took place.
  'invitee_no_show.deleted': 'appointment.completed',
};

type ScheduledEvent = z.infer<typeof scheduledEvent>;

function keysOf(event: ScheduledEvent): string[] {
  const keys: string[] = [];
  const host = event.event_memberships?.[0];
  if (host?.user) keys.push(therapistKey('calendly', 'user', host.user));
  if (host?.user_email) keys.push(therapistKey('calendly', 'organizer', host.user_email));
  if (event.event_type) keys.push(therapistKey('calendly', 'eventType', event.event_type));
  return keys;
}

/** `body` is the parsed JSON; the signature has been verified over the raw bytes already. */
export function parseCalendly(body: unknown): VendorParse {
  const head = z.object({ event: z.string().min(1).max(100) }).safeParse(body);
  if (!head.success) return { ok: false, problems: problemsOf(head.error) };
  const name = head.data.event;
  const noShowType = Object.hasOwn(NO_SHOW_EVENTS, name) ? NO_SHOW_EVENTS[name] : undefined;
  if (name !== 'invitee.created' && name !== 'invitee.canceled' && !noShowType) {
    return { ok: true, message: { kind: 'ignored', reason: `event ${name.slice(0, 40)} is not used` } };
  }
  const parsed = (noShowType ? noShowEnvelope : envelope).safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const { created_at: occurredAt, payload: p } = parsed.data;
  // Calendly sends no event id: the invitee, the event and its time identify a delivery.
  const reference = `calendly:${name}:${uuidOf(p.uri)}:${occurredAt}`;
  const person = { email: p.email, firstName: firstNameOf(p.first_name, p.name), locale: null };
  const base = { occurredAt, person, knownPatientOnly: false, duplicateWhenStateHeld: false };
  const startsAt = p.scheduled_event?.start_time ?? null;

  let changes: VendorAppointmentChange[];
  if (noShowType) {
    changes = [
      { ...base, eventId: reference, type: noShowType, appointmentId: `calendly:${uuidOf(p.uri)}`, startsAt },
    ];
  } else if (name === 'invitee.created') {
    changes = [
      {
        ...base,
        eventId: reference,
        // A reschedule is a new invitee pointing at the old one; the old one is also sent as canceled.
        type: p.old_invitee ? 'appointment.rescheduled' : 'appointment.booked',
        appointmentId: `calendly:${uuidOf(p.uri)}`,
        startsAt,
      },
    ];
    // Cancelling the old booking here too means the pair ends the same whichever webhook comes first.
    if (p.old_invitee && p.old_invitee !== p.uri) {
      changes.push({
        ...base,
        eventId: `${reference}:previous`,
        type: 'appointment.cancelled',
        appointmentId: `calendly:${uuidOf(p.old_invitee)}`,
        startsAt: null,
      });
    }
  } else {
    changes = [
      {
        ...base,
        eventId: reference,
        type: 'appointment.cancelled',
        appointmentId: `calendly:${uuidOf(p.uri)}`,
        startsAt,
      },
    ];
  }
  const therapistKeys = noShowType || !p.scheduled_event ? [] : keysOf(p.scheduled_event);
  return { ok: true, message: { kind: 'changes', reference, changes, therapistKeys } };
}
