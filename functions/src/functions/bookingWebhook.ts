// POST /api/webhooks/{source}/{practiceId}: booking events in, signature-authenticated (SPEC §8).
import { createHash } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Deps } from '../app/deps';
import { ingestBookingEvent } from '../app/ingestBookingEvent';
import { depsFor } from '../composition';
import { MAX_WEBHOOK_BYTES, parseBookingEvent } from '../core/bookingEvents';
import { isValidId } from '../core/ids';
import type { WebhookSource } from '../core/ports';
import { verifyGenericSignature } from '../core/signature';
import { isJsonContentType, problem, readBody } from '../http';

const SUPPORTED_SOURCES: readonly WebhookSource[] = ['generic'];
// Verifying against a throwaway secret when the practice is unknown makes both cases answer alike.
const UNKNOWN_PRACTICE_SECRET = 'reengage-unknown-practice';

export async function handleBookingWebhook(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const source = request.params.source ?? '';
  const practiceId = request.params.practiceId ?? '';
  if (!SUPPORTED_SOURCES.includes(source as WebhookSource)) {
    return problem(
      404,
      'Unknown source',
      `Webhook source "${source.slice(0, 40)}" is not supported; use one of: ${SUPPORTED_SOURCES.join(', ')}.`,
    );
  }
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return problem(415, 'Unsupported media type', 'The body must be JSON (Content-Type: application/json).');
  }
  const body = await readBody(request, MAX_WEBHOOK_BYTES);
  if (!body.ok)
    return problem(413, 'Payload too large', `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);

  // Both reads happen for any well-formed id, so an unknown practice costs the same as a known one.
  const [practice, secrets] = isValidId(practiceId)
    ? await Promise.all([deps.practices.getPractice(practiceId), deps.practices.getSecrets(practiceId)])
    : [null, null];
  const secret = secrets?.webhooks[source as WebhookSource];
  const candidates = secret
    ? [secret.current, ...(secret.previous ? [secret.previous] : [])]
    : [UNKNOWN_PRACTICE_SECRET];
  const check = verifyGenericSignature(
    request.headers.get('reengage-signature'),
    body.text,
    candidates,
    deps.clock.now(),
  );
  if (!check.valid || !practice || !secret) {
    const reason = check.valid ? 'mismatch' : check.reason;
    deps.log.warn('webhook signature rejected', { source, reason });
    return problem(401, 'Unauthorized', `Missing, invalid or expired Reengage-Signature (${reason}).`);
  }

  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return problem(400, 'Invalid JSON', 'The body is not valid JSON.');
  }
  const parsed = parseBookingEvent(json);
  if (!parsed.ok) {
    return problem(400, 'Invalid booking event', 'Some fields are missing or invalid; nothing was changed.', {
      errors: parsed.problems,
    });
  }
  const bodyHash = createHash('sha256').update(body.text, 'utf8').digest('hex');
  const result = await ingestBookingEvent(
    deps,
    practice.value,
    source as WebhookSource,
    parsed.value,
    bodyHash,
  );
  return result.kind === 'duplicate'
    ? { status: 200, jsonBody: { duplicate: true, id: parsed.value.id } }
    : { status: 202, jsonBody: { accepted: true, id: parsed.value.id } };
}

export async function bookingWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handleBookingWebhook(await depsFor(context), request);
}

app.http('bookingWebhook', {
  route: 'webhooks/{source}/{practiceId}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: bookingWebhook,
});
