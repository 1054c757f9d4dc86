// The booking webhook sources of SPEC §8: how each one's signature is verified over the raw body and what
// its payload becomes. bookingWebhook dispatches on the `{source}` route segment through WEBHOOK_SOURCES.
import { createHash } from 'node:crypto';
import { parseBookingEvent } from '../core/bookingEvents';
import { isReengageError } from '../core/errors';
import { hashForLog, isValidId } from '../core/ids';
import type { Practice } from '../core/model';
import type { PracticeSecrets, WebhookSource } from '../core/ports';
import { acceptedSecrets } from '../core/secrets';
import { type SignatureCheck, verifyGenericSignature } from '../core/signature';
import {
  ACUITY_SIGNATURE_HEADER,
  mapAcuityAppointment,
  parseAcuityNotification,
  verifyAcuitySignature,
} from '../core/vendors/acuity';
import { CALCOM_SIGNATURE_HEADER, parseCalcom, verifyCalcomSignature } from '../core/vendors/calcom';
import { CALENDLY_SIGNATURE_HEADER, parseCalendly, verifyCalendlySignature } from '../core/vendors/calendly';
import type { VendorMessage, VendorParse } from '../core/vendors/vendorMessage';
import { isJsonContentType } from '../http';
import type { Deps } from './deps';
import { ingestBookingEvent } from './ingestBookingEvent';
import { ingestVendorMessage } from './ingestVendorMessage';
import type { WebhookOutcome } from './webhookOutcome';

export interface SourceHandler {
  /** What the tool posts; anything else is answered 415. */
  mediaType: 'json' | 'form';
  /** The header carrying the signature (HTTP header names are case-insensitive). */
  signatureHeader: string;
  /** The secrets accepted at `now` for this source, current first; none means nothing can verify. */
  secretsOf(secrets: PracticeSecrets, now: Date): string[];
  verify(header: string | null, rawBody: string, secrets: readonly string[], now: Date): SignatureCheck;
  /** Runs only after the signature verified: parses, validates, applies. */
  receive(deps: Deps, practice: Practice, secrets: PracticeSecrets, rawBody: string): Promise<WebhookOutcome>;
}

/** The current secret, and the previous one during its grace period after a rotation (core/secrets.ts). */
const webhookSecretsOf = (secrets: PracticeSecrets, source: WebhookSource, now: Date): string[] => {
  const secret = secrets.webhooks[source];
  return secret ? acceptedSecrets(secret, now) : [];
};

const bodyHashOf = (rawBody: string) => createHash('sha256').update(rawBody, 'utf8').digest('hex');

function parseJson(rawBody: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch {
    return { ok: false };
  }
}

async function applyVendorMessage(
  deps: Deps,
  practice: Practice,
  source: WebhookSource,
  message: VendorMessage,
  rawBody: string,
): Promise<WebhookOutcome> {
  if (message.kind === 'ping') return { kind: 'ping' };
  if (message.kind === 'ignored') return { kind: 'ignored', id: null, reason: message.reason };
  return ingestVendorMessage(deps, practice, source, message, bodyHashOf(rawBody));
}

function jsonVendor(
  source: WebhookSource,
  signatureHeader: string,
  verify: SourceHandler['verify'],
  parse: (body: unknown) => VendorParse,
  what: string,
): SourceHandler {
  return {
    mediaType: 'json',
    signatureHeader,
    secretsOf: (secrets, now) => webhookSecretsOf(secrets, source, now),
    verify,
    async receive(deps, practice, _secrets, rawBody) {
      const json = parseJson(rawBody);
      if (!json.ok) return { kind: 'invalid_json' };
      const parsed = parse(json.value);
      if (!parsed.ok) return { kind: 'invalid', what, problems: parsed.problems };
      return applyVendorMessage(deps, practice, source, parsed.message, rawBody);
    },
  };
}

const generic: SourceHandler = {
  mediaType: 'json',
  signatureHeader: 'Reengage-Signature',
  secretsOf: (secrets, now) => webhookSecretsOf(secrets, 'generic', now),
  verify: verifyGenericSignature,
  async receive(deps, practice, _secrets, rawBody) {
    const json = parseJson(rawBody);
    if (!json.ok) return { kind: 'invalid_json' };
    const parsed = parseBookingEvent(json.value);
    if (!parsed.ok) return { kind: 'invalid', what: 'booking event', problems: parsed.problems };
    const result = await ingestBookingEvent(deps, practice, 'generic', parsed.value, bodyHashOf(rawBody));
    return { kind: result.kind, id: parsed.value.id };
  },
};

const acuity: SourceHandler = {
  mediaType: 'form',
  signatureHeader: ACUITY_SIGNATURE_HEADER,
  // Acuity signs with the API key; webhooks.acuity may hold the previous key while it is being rotated.
  secretsOf: (secrets, now) => [
    ...new Set([
      ...(secrets.acuity ? [secrets.acuity.apiKey] : []),
      ...webhookSecretsOf(secrets, 'acuity', now),
    ]),
  ],
  verify: (header, rawBody, secrets) => verifyAcuitySignature(header, rawBody, secrets),
  async receive(deps, practice, secrets, rawBody) {
    const note = parseAcuityNotification(rawBody);
    if (!note.ok) return { kind: 'invalid', what: 'Acuity notification', problems: note.problems };
    if ('ignored' in note) return { kind: 'ignored', id: null, reason: note.ignored };
    const { appointmentId } = note.notification;
    if (!secrets.acuity) {
      return { kind: 'upstream_failed', detail: 'No Acuity API credentials are set up for this practice.' };
    }
    let lookup: Awaited<ReturnType<Deps['acuity']['getAppointment']>>;
    try {
      lookup = await deps.acuity.getAppointment(secrets.acuity, appointmentId);
    } catch (error) {
      if (!isReengageError(error, 'transport_unavailable')) throw error;
      deps.log.warn('acuity api unavailable', { practiceId: practice.id, appointmentId });
      return {
        kind: 'upstream_unavailable',
        detail: 'The Acuity API could not be reached; deliver again later.',
      };
    }
    const reference = `acuity:${note.notification.action}:${appointmentId}`;
    if (lookup.kind === 'not_found') {
      // Authentic and well-formed, but the appointment is gone: nothing the sender can fix by retrying.
      deps.log.warn('acuity appointment not found', { practiceId: practice.id, appointmentId });
      return { kind: 'ignored', id: reference, reason: 'the appointment no longer exists in Acuity' };
    }
    if (lookup.kind === 'refused') {
      deps.log.error('acuity api refused the credentials', {
        practiceId: practice.id,
        status: lookup.status,
      });
      return {
        kind: 'upstream_failed',
        detail: `The Acuity API refused the request (HTTP ${lookup.status}).`,
      };
    }
    const mapped = mapAcuityAppointment(note.notification, lookup.body, deps.clock.now().toISOString());
    if (!mapped.ok) {
      deps.log.error('acuity appointment unreadable', {
        practiceId: practice.id,
        appointmentId,
        fields: mapped.problems.map((p) => p.field).join(','),
      });
      return {
        kind: 'upstream_failed',
        detail: 'The Acuity API answered with an appointment that cannot be read.',
      };
    }
    return applyVendorMessage(deps, practice, 'acuity', mapped.message, rawBody);
  },
};

/** Exhaustive: a source added to WebhookSource without a handler does not compile. */
export const WEBHOOK_SOURCES: Record<WebhookSource, SourceHandler> = {
  generic,
  calcom: jsonVendor(
    'calcom',
    CALCOM_SIGNATURE_HEADER,
    verifyCalcomSignature,
    parseCalcom,
    'Cal.com payload',
  ),
  calendly: jsonVendor(
    'calendly',
    CALENDLY_SIGNATURE_HEADER,
    verifyCalendlySignature,
    parseCalendly,
    'Calendly payload',
  ),
  acuity,
};

export function sourceHandlerOf(source: string): SourceHandler | null {
  return Object.hasOwn(WEBHOOK_SOURCES, source) ? WEBHOOK_SOURCES[source as WebhookSource] : null;
}

export function acceptsMediaType(handler: SourceHandler, contentType: string | null): boolean {
  if (handler.mediaType === 'json') return isJsonContentType(contentType);
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

// Verifying against a throwaway secret when the practice is unknown makes both cases answer alike.
const UNKNOWN_PRACTICE_SECRET = 'reengage-unknown-practice';

/**
 * Authenticates, then hands the raw body to the source. Both reads happen for any well-formed practice
 * id, so an unknown practice costs the same as a known one, and answers the same as a bad signature.
 */
export async function receiveBookingWebhook(
  deps: Deps,
  source: WebhookSource,
  practiceId: string,
  header: (name: string) => string | null,
  rawBody: string,
): Promise<WebhookOutcome> {
  const handler = WEBHOOK_SOURCES[source];
  const [practice, secrets] = isValidId(practiceId)
    ? await Promise.all([deps.practices.getPractice(practiceId), deps.practices.getSecrets(practiceId)])
    : [null, null];
  const now = deps.clock.now();
  const candidates = secrets ? handler.secretsOf(secrets, now) : [];
  const check = handler.verify(
    header(handler.signatureHeader),
    rawBody,
    candidates.length ? candidates : [UNKNOWN_PRACTICE_SECRET],
    now,
  );
  if (!check.valid || !practice || !secrets || candidates.length === 0) {
    const reason = check.valid ? 'mismatch' : check.reason;
    deps.log.warn('webhook signature rejected', {
      source,
      reason,
      practiceRef: hashForLog(practiceId),
    });
    return { kind: 'unauthorized', header: handler.signatureHeader, reason };
  }
  return handler.receive(deps, practice.value, secrets, rawBody);
}
