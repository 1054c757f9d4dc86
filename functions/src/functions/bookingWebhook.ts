// POST /api/webhooks/{source}/{practiceId}: booking events in, signature-authenticated (SPEC §8).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Deps } from '../app/deps';
import type { WebhookOutcome } from '../app/webhookOutcome';
import {
  acceptsMediaType,
  receiveBookingWebhook,
  sourceHandlerOf,
  WEBHOOK_SOURCES,
} from '../app/webhookSources';
import { depsFor } from '../composition';
import { MAX_WEBHOOK_BYTES } from '../core/bookingEvents';
import type { WebhookSource } from '../core/ports';
import { problem, readBody } from '../http';

const MEDIA_TYPES = {
  json: 'JSON (Content-Type: application/json)',
  form: 'form-encoded (Content-Type: application/x-www-form-urlencoded)',
};

type Answer<K extends WebhookOutcome['kind']> = (
  outcome: Extract<WebhookOutcome, { kind: K }>,
) => HttpResponseInit;

const ANSWERS: { [K in WebhookOutcome['kind']]: Answer<K> } = {
  unauthorized: (o) => problem(401, 'Unauthorized', `Missing, invalid or expired ${o.header} (${o.reason}).`),
  invalid_json: () => problem(400, 'Invalid JSON', 'The body is not valid JSON.'),
  invalid: (o) =>
    problem(400, `Invalid ${o.what}`, 'Some fields are missing or invalid; nothing was changed.', {
      errors: o.problems,
    }),
  ping: () => ({ status: 200, jsonBody: { ok: true } }),
  ignored: (o) => ({
    status: 202,
    jsonBody: { accepted: true, ignored: o.reason, ...(o.id ? { id: o.id } : {}) },
  }),
  accepted: (o) => ({ status: 202, jsonBody: { accepted: true, id: o.id } }),
  duplicate: (o) => ({ status: 200, jsonBody: { duplicate: true, id: o.id } }),
  upstream_unavailable: (o) =>
    problem(503, 'Booking tool unavailable', o.detail, { headers: { 'Retry-After': '60' } }),
  upstream_failed: (o) => problem(502, 'Booking tool error', o.detail),
};

function answer(outcome: WebhookOutcome): HttpResponseInit {
  return (ANSWERS[outcome.kind] as Answer<typeof outcome.kind>)(outcome);
}

export async function handleBookingWebhook(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const source = request.params.source ?? '';
  const handler = sourceHandlerOf(source);
  if (!handler) {
    return problem(
      404,
      'Unknown source',
      `Webhook source "${source.slice(0, 40)}" is not supported; use one of: ${Object.keys(WEBHOOK_SOURCES).join(', ')}.`,
    );
  }
  if (!acceptsMediaType(handler, request.headers.get('content-type'))) {
    return problem(415, 'Unsupported media type', `The body must be ${MEDIA_TYPES[handler.mediaType]}.`);
  }
  const body = await readBody(request, MAX_WEBHOOK_BYTES);
  if (!body.ok)
    return problem(413, 'Payload too large', `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);
  const outcome = await receiveBookingWebhook(
    deps,
    source as WebhookSource,
    request.params.practiceId ?? '',
    (name) => request.headers.get(name),
    body.text,
  );
  return answer(outcome);
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
