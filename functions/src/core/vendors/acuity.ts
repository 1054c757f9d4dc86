// Acuity Scheduling webhooks: a form-encoded body of ids (`action`, `id`, `calendarID`, `appointmentTypeID`)
// signed with `X-Acuity-Signature` (base64 HMAC-SHA256 of the raw body under the API key). The appointment
// itself is fetched from Acuity's API (adapters/webhooks/HttpAcuityApi.ts) and mapped here.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { SignatureCheck } from '../signature';
import { therapistKey } from './therapistMapping';
import {
  type AppointmentEventType,
  firstNameOf,
  problemsOf,
  signedByAny,
  type VendorMessage,
  type VendorProblem,
  vendorEmail,
  vendorInstant,
  vendorText,
} from './vendorMessage';

export const ACUITY_SIGNATURE_HEADER = 'X-Acuity-Signature';

export function signAcuity(apiKey: string, rawBody: string): string {
  return createHmac('sha256', apiKey).update(rawBody, 'utf8').digest('base64');
}

export function verifyAcuitySignature(
  header: string | null,
  rawBody: string,
  apiKeys: readonly string[],
): SignatureCheck {
  if (!header) return { valid: false, reason: 'missing' };
  const value = header.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return { valid: false, reason: 'malformed' };
  const candidate = Buffer.from(value, 'base64');
  const sign = (secret: string) => Buffer.from(signAcuity(secret, rawBody), 'base64');
  return signedByAny(apiKeys, sign, candidate) ? { valid: true } : { valid: false, reason: 'mismatch' };
}

/** Static webhooks send the bare action; dynamic ones (created through the API) prefix `appointment.`. */
const ACTIONS = ['scheduled', 'rescheduled', 'canceled', 'changed'] as const;
type AcuityAction = (typeof ACTIONS)[number];

const digits = z.string().regex(/^\d{1,20}$/, 'must be a numeric Acuity id');

const notification = z.object({
  action: z.string().min(1, 'must not be empty').max(100),
  id: digits,
  calendarID: digits.optional(),
  appointmentTypeID: digits.optional(),
});

export interface AcuityNotification {
  action: AcuityAction;
  appointmentId: string;
}

export type AcuityNotificationParse =
  | { ok: true; notification: AcuityNotification }
  | { ok: true; ignored: string }
  | { ok: false; problems: VendorProblem[] };

/** The raw form body; an action that is not about an appointment (`order.completed`) is ignored. */
export function parseAcuityNotification(rawBody: string): AcuityNotificationParse {
  const form = new URLSearchParams(rawBody);
  const parsed = notification.safeParse(Object.fromEntries(form));
  const action = (form.get('action') ?? '').replace(/^appointment\./, '');
  if (form.get('action') && !ACTIONS.includes(action as AcuityAction)) {
    return { ok: true, ignored: `action ${(form.get('action') ?? '').slice(0, 40)} is not used` };
  }
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  return { ok: true, notification: { action: action as AcuityAction, appointmentId: parsed.data.id } };
}

const numericId = z.union([z.number().int().nonnegative(), digits]).transform((v) => `${v}`);

/** The fields of GET /appointments/{id} that Reengage uses; the rest is ignored. */
const appointment = z.object({
  id: numericId,
  firstName: vendorText.nullish(),
  lastName: vendorText.nullish(),
  email: z.union([vendorEmail, z.literal('')]).nullish(),
  datetime: vendorInstant,
  calendarID: numericId.nullish(),
  appointmentTypeID: numericId.nullish(),
  canceled: z.boolean().nullish(),
  noShow: z.boolean().nullish(),
});

export type AcuityAppointmentParse =
  | { ok: true; message: VendorMessage }
  | { ok: false; problems: VendorProblem[] };

const TYPE_OF_ACTION: Record<AcuityAction, AppointmentEventType> = {
  scheduled: 'appointment.booked',
  rescheduled: 'appointment.rescheduled',
  // `changed` also fires for edits that are not about the time; applying the fetched state is right either way.
  changed: 'appointment.rescheduled',
  // Only reached when Acuity's API says the appointment is not (or no longer) canceled.
  canceled: 'appointment.rescheduled',
};

/**
 * Maps what the API returned. The API is the source of truth, whatever the action said: a webhook
 * delivered late or twice applies the appointment's current state, at the time it was read (`fetchedAt`).
 */
export function mapAcuityAppointment(
  note: AcuityNotification,
  body: unknown,
  fetchedAt: string,
): AcuityAppointmentParse {
  const parsed = appointment.safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const a = parsed.data;
  if (a.id !== note.appointmentId) {
    return { ok: false, problems: [{ field: 'id', message: 'is not the appointment that was requested' }] };
  }
  if (!a.email)
    return { ok: true, message: { kind: 'ignored', reason: 'the appointment has no email address' } };
  const type: AppointmentEventType = a.canceled
    ? 'appointment.cancelled'
    : a.noShow
      ? 'appointment.no_show'
      : TYPE_OF_ACTION[note.action];
  // Acuity sends neither an event id nor a time: each read is its own event (`duplicateWhenStateHeld`
  // recognizes a redelivery by the state it brings, which also copes with a state that comes back later).
  const reference = `acuity:${note.action}:${a.id}`;
  const therapistKeys: string[] = [];
  if (a.calendarID) therapistKeys.push(therapistKey('acuity', 'calendar', a.calendarID));
  if (a.appointmentTypeID) therapistKeys.push(therapistKey('acuity', 'appointmentType', a.appointmentTypeID));
  return {
    ok: true,
    message: {
      kind: 'changes',
      reference,
      changes: [
        {
          eventId: `${reference}:${fetchedAt}`,
          type,
          occurredAt: fetchedAt,
          appointmentId: `acuity:${a.id}`,
          startsAt: a.datetime,
          person: { email: a.email, firstName: firstNameOf(a.firstName, null), locale: null },
          knownPatientOnly: false,
          duplicateWhenStateHeld: true,
        },
      ],
      therapistKeys,
    },
  };
}
