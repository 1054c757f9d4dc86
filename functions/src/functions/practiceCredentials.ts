// Admin API: POST practices/{practiceId}/keys/rotate and POST practices/{practiceId}/webhook-secrets/{source}/rotate.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizePractice } from '../app/adminAuth';
import { guardAdmin, json, readJson } from '../app/adminHttp';
import type { Deps } from '../app/deps';
import {
  rotatePracticeApiKey,
  rotatePracticeWebhookSecret,
  WEBHOOK_SOURCES,
  webhookRotationSchema,
} from '../app/practiceAdmin';
import { depsFor } from '../composition';
import type { WebhookSource } from '../core/ports';
import { problem } from '../http';

/** The new key is in this answer only; the one used for the call keeps working for the grace period. */
export function handleRotateApiKey(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    const auth = await authorizePractice(deps, request, practiceId);
    if (!auth.ok) return auth.response;
    return json(200, await rotatePracticeApiKey(deps, practiceId));
  });
}

/** Body (optional): `{"secret": "..."}` to set a secret the vendor issued instead of generating one. */
export function handleRotateWebhookSecret(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    const auth = await authorizePractice(deps, request, practiceId);
    if (!auth.ok) return auth.response;
    const source = request.params.source ?? '';
    if (!WEBHOOK_SOURCES.includes(source as WebhookSource)) {
      return problem(
        404,
        'Unknown source',
        `Webhook source "${source.slice(0, 40)}" does not exist; use one of: ${WEBHOOK_SOURCES.join(', ')}.`,
      );
    }
    const body = await readJson(request, webhookRotationSchema, 4096, { optional: true });
    if (!body.ok) return body.response;
    return json(
      200,
      await rotatePracticeWebhookSecret(deps, practiceId, source as WebhookSource, body.value.secret),
    );
  });
}

export async function rotateApiKeyHttp(request: HttpRequest, context: InvocationContext) {
  return handleRotateApiKey(await depsFor(context), request);
}

export async function rotateWebhookSecretHttp(request: HttpRequest, context: InvocationContext) {
  return handleRotateWebhookSecret(await depsFor(context), request);
}

// `/rotate` sub-paths rather than Google-style `keys:rotate`: `:` is the constraint separator of the
// host's route templates and is refused in paths by some front ends.
app.http('rotatePracticeKey', {
  route: 'practices/{practiceId}/keys/rotate',
  methods: ['POST'],
  authLevel: 'function',
  handler: rotateApiKeyHttp,
});

app.http('rotateWebhookSecret', {
  route: 'practices/{practiceId}/webhook-secrets/{source}/rotate',
  methods: ['POST'],
  authLevel: 'function',
  handler: rotateWebhookSecretHttp,
});
