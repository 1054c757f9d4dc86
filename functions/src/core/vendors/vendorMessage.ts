// What a booking tool's webhook says once verified and validated: the vendor-neutral step between each
// vendor's payload (calcom.ts, calendly.ts, acuity.ts) and the canonical BookingEvent (../bookingEvents.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { BookingEventType } from '../bookingEvents';
import type { Locale } from '../model';

export type AppointmentEventType = Exclude<BookingEventType, 'patient.upserted' | 'patient.deleted'>;

/**
 * The person an appointment is for, as the booking tool knows them. Booking tools have no stable id for
 * a person (Cal.com attendees, Calendly invitees and Acuity appointments are per booking), so the
 * address is what matches them to a patient.
 */
export interface VendorPerson {
  email: string;
  firstName: string | null;
  locale: Locale | null;
}

export interface VendorAppointmentChange {
  /** Vendor-derived and stable across redeliveries: the idempotency key of the canonical event. */
  eventId: string;
  type: AppointmentEventType;
  occurredAt: string;
  appointmentId: string;
  startsAt: string | null;
  person: VendorPerson;
  /** Apply only to a patient already held: a guest's no-show flag must not create a patient. */
  knownPatientOnly: boolean;
  /**
   * The tool sends no event id or timestamp (Acuity): a delivery whose state we already hold is a
   * duplicate, whatever its event id.
   */
  duplicateWhenStateHeld: boolean;
}

export type VendorMessage =
  /** A connection test: answered, nothing changes. */
  | { kind: 'ping' }
  /** A trigger or state Reengage does not use (e.g. Cal.com MEETING_STARTED): answered, nothing changes. */
  | { kind: 'ignored'; reason: string }
  | {
      kind: 'changes';
      /** Names the delivery in the answer (`id`) and in logs. */
      reference: string;
      /** Applied in order: a new booking before the cancellation of the one it replaces. */
      changes: VendorAppointmentChange[];
      /** Candidate therapist keys, most specific first; empty when the payload names no organizer. */
      therapistKeys: string[];
    };

export type VendorParse = { ok: true; message: VendorMessage } | { ok: false; problems: VendorProblem[] };

export interface VendorProblem {
  field: string;
  message: string;
}

export function problemsOf(error: z.ZodError): VendorProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
}

const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** `+0100` and `+01` as `+01:00`, the form Date.parse is specified to read. */
function isoZone(zone: string): string {
  if (zone.length === 3) return `${zone}:00`;
  if (zone.length === 5) return `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return zone;
}

/**
 * An ISO 8601 instant with a zone as the vendors write it (Calendly: microseconds; Acuity: `-0700`),
 * normalized to `toISOString()` form so that the canonical schema and comparisons see one format.
 */
export const vendorInstant = z
  .string()
  .max(40, 'must be at most 40 characters')
  .transform((text, ctx) => {
    const match = INSTANT.exec(text);
    const ms = match ? Date.parse(`${match[1]}${isoZone(match[2] ?? '')}`) : Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time with a time zone' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

export const vendorEmail = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

/** Free text as vendors send it; what Reengage keeps of it is cleaned by `firstNameOf`. */
export const vendorText = z.string().max(1000, 'must be at most 1000 characters');

/** C0 controls (but none of tab, line feed, carriage return) and DEL never reach a stored name. */
function withoutControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return out;
}

/** The given first name, else the first word of the full name; at most 100 characters; null when empty. */
export function firstNameOf(
  firstName: string | null | undefined,
  fullName: string | null | undefined,
): string | null {
  const explicit = withoutControls(firstName ?? '').trim();
  const fromFull =
    withoutControls(fullName ?? '')
      .trim()
      .split(/\s+/)[0] ?? '';
  const chosen = (explicit || fromFull).slice(0, 100).trim();
  return chosen || null;
}

/** Only fr and en have templates; any other language leaves the patient on the practice's locale. */
export function localeOf(tag: string | null | undefined): Locale | null {
  const language = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return language === 'fr' || language === 'en' ? language : null;
}

/** Constant-time equality of two byte strings of possibly different lengths. */
export function sameBytes(expected: Buffer, candidate: Buffer): boolean {
  if (expected.length !== candidate.length) {
    // Compare anyway, so that a wrong length costs the same as a wrong value.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, candidate);
}

/**
 * True when `candidate` is the signature of the raw body under any of the secrets (rotation). Every
 * secret is tried, so that timing does not tell which one matched.
 */
export function signedByAny(
  secrets: readonly string[],
  sign: (secret: string) => Buffer,
  candidate: Buffer,
): boolean {
  let matched = false;
  for (const secret of secrets) {
    if (sameBytes(sign(secret), candidate)) matched = true;
  }
  return matched;
}

/**
 * The id of a patient first met through a booking tool: derived from the address (salted with the
 * practice), so that two webhooks racing for the same new person name the same patient.
 */
export function patientIdForEmail(practiceId: string, email: string): string {
  const digest = createHash('sha256')
    .update(`reengage-patient\n${practiceId}\n${email.trim().toLowerCase()}`, 'utf8')
    .digest('hex');
  return `em-${digest.slice(0, 24)}`;
}
