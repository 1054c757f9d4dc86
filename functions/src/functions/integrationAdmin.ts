// Admin API for booking-tool set-up: practices/{practiceId}/therapist-mapping (GET, PUT),
// practices/{practiceId}/integrations/acuity (PUT credentials) and practices/{practiceId}/integrations (GET).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { type AdminAuthorization, authorizePractice } from '../app/adminAuth';
import { guardAdmin, invalid, json, readJson } from '../app/adminHttp';
import type { Deps } from '../app/deps';
import {
  acuityCredentialsSchema,
  getTherapistMappingView,
  integrationsView,
  putAcuityCredentials,
  putTherapistMapping,
  therapistMappingSchema,
} from '../app/integrationAdmin';
import { depsFor } from '../composition';

const MAX_MAPPING_BYTES = 64 * 1024;
const MAX_CREDENTIALS_BYTES = 4 * 1024;

const authorize = (deps: Deps, request: HttpRequest): Promise<AdminAuthorization> =>
  authorizePractice(deps, request, request.params.practiceId ?? '');

export function handleGetTherapistMapping(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const auth = await authorize(deps, request);
    if (!auth.ok) return auth.response;
    return json(200, await getTherapistMappingView(deps, auth.practice.value.id));
  });
}

/** Replaces every entry; answers the mapping as GET would, its unmapped list without the keys now mapped. */
export function handlePutTherapistMapping(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const auth = await authorize(deps, request);
    if (!auth.ok) return auth.response;
    const body = await readJson(request, therapistMappingSchema, MAX_MAPPING_BYTES);
    if (!body.ok) return body.response;
    const result = await putTherapistMapping(deps, auth.practice.value.id, body.value);
    if (result.kind === 'invalid') return invalid('Invalid therapist mapping', result.problems);
    return json(200, result.mapping);
  });
}

/** 201 the first time, 200 when replaced; the answer says only that credentials are set, never them. */
export function handlePutAcuityCredentials(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const auth = await authorize(deps, request);
    if (!auth.ok) return auth.response;
    const body = await readJson(request, acuityCredentialsSchema, MAX_CREDENTIALS_BYTES);
    if (!body.ok) return body.response;
    const result = await putAcuityCredentials(deps, auth.practice.value.id, body.value);
    return json(result.created ? 201 : 200, result.state);
  });
}

export function handleGetIntegrations(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const auth = await authorize(deps, request);
    if (!auth.ok) return auth.response;
    return json(200, await integrationsView(deps, auth.practice.value.id));
  });
}

const withDeps =
  (handle: (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>) =>
  async (request: HttpRequest, context: InvocationContext) =>
    handle(await depsFor(context), request);

app.http('getTherapistMapping', {
  route: 'practices/{practiceId}/therapist-mapping',
  methods: ['GET'],
  authLevel: 'function',
  handler: withDeps(handleGetTherapistMapping),
});

app.http('putTherapistMapping', {
  route: 'practices/{practiceId}/therapist-mapping',
  methods: ['PUT'],
  authLevel: 'function',
  handler: withDeps(handlePutTherapistMapping),
});

app.http('putAcuityCredentials', {
  route: 'practices/{practiceId}/integrations/acuity',
  methods: ['PUT'],
  authLevel: 'function',
  handler: withDeps(handlePutAcuityCredentials),
});

app.http('getIntegrations', {
  route: 'practices/{practiceId}/integrations',
  methods: ['GET'],
  authLevel: 'function',
  handler: withDeps(handleGetIntegrations),
});
