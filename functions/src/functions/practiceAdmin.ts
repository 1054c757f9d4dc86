// Admin API: PUT/GET practices/{practiceId} (settings; the first PUT creates the practice) and its therapists.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizePractice } from '../app/adminAuth';
import { guardAdmin, invalid, json, readJson } from '../app/adminHttp';
import type { Deps } from '../app/deps';
import {
  bootstrapPractice,
  listTherapists,
  practiceSettingsSchema,
  practiceView,
  putTherapist,
  therapistSchema,
  updatePracticeSettings,
} from '../app/practiceAdmin';
import { depsFor } from '../composition';
import { isValidId } from '../core/ids';
import { problem } from '../http';

const MAX_SETTINGS_BYTES = 64 * 1024;
const ID_HINT = 'must be 1-128 characters: letters, digits and _ . : @ + = ~ -';

/**
 * Creation needs only the function key (the practice has no key yet) and answers 201 with its API key and
 * generic webhook secret, shown this once. Once created, changing it takes the practice's key.
 */
export function handlePutPractice(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    if (!isValidId(practiceId))
      return invalid('Invalid practice id', [{ field: 'practiceId', message: ID_HINT }]);
    const secrets = await deps.practices.getSecrets(practiceId);
    if (secrets) {
      const auth = await authorizePractice(deps, request, practiceId);
      if (!auth.ok) return auth.response;
      const body = await readJson(request, practiceSettingsSchema, MAX_SETTINGS_BYTES);
      if (!body.ok) return body.response;
      const result = await updatePracticeSettings(deps, auth.practice, body.value);
      if (result.kind === 'invalid') return invalid('Invalid practice settings', result.problems);
      if (result.kind !== 'updated') return conflict();
      return json(200, practiceView(result.practice, result.secrets, deps.clock.now()));
    }
    const body = await readJson(request, practiceSettingsSchema, MAX_SETTINGS_BYTES);
    if (!body.ok) return body.response;
    const result = await bootstrapPractice(deps, practiceId, body.value);
    if (result.kind === 'invalid') return invalid('Invalid practice settings', result.problems);
    if (result.kind !== 'created') return conflict();
    return json(
      201,
      {
        practice: practiceView(result.practice, result.secrets, deps.clock.now()),
        apiKey: result.apiKey,
        webhookSecrets: { generic: result.webhookSecret },
      },
      { Location: `/api/practices/${practiceId}` },
    );
  });
}

const conflict = () =>
  problem(
    409,
    'Conflict',
    'Another request created this practice at the same time; use the key it received.',
  );

export function handleGetPractice(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    const auth = await authorizePractice(deps, request, practiceId);
    if (!auth.ok) return auth.response;
    const secrets = await deps.practices.getSecrets(practiceId);
    return json(200, practiceView(auth.practice.value, secrets, deps.clock.now()));
  });
}

export function handlePutTherapist(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const auth = await authorizePractice(deps, request, request.params.practiceId ?? '');
    if (!auth.ok) return auth.response;
    const therapistId = request.params.therapistId ?? '';
    if (!isValidId(therapistId))
      return invalid('Invalid therapist id', [{ field: 'therapistId', message: ID_HINT }]);
    const body = await readJson(request, therapistSchema, MAX_SETTINGS_BYTES);
    if (!body.ok) return body.response;
    const result = await putTherapist(deps, auth.practice.value, therapistId, body.value);
    if (result.kind === 'invalid') return invalid('Invalid therapist', result.problems);
    return json(result.kind === 'created' ? 201 : 200, result.therapist);
  });
}

export function handleListTherapists(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    const auth = await authorizePractice(deps, request, practiceId);
    if (!auth.ok) return auth.response;
    return json(200, { therapists: await listTherapists(deps, practiceId) });
  });
}

const withDeps =
  (handle: (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>) =>
  async (request: HttpRequest, context: InvocationContext) =>
    handle(await depsFor(context), request);

app.http('putPractice', {
  route: 'practices/{practiceId}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: withDeps(handlePutPractice),
});

app.http('getPractice', {
  route: 'practices/{practiceId}',
  methods: ['GET'],
  authLevel: 'function',
  handler: withDeps(handleGetPractice),
});

app.http('putTherapist', {
  route: 'practices/{practiceId}/therapists/{therapistId}',
  methods: ['PUT'],
  authLevel: 'function',
  handler: withDeps(handlePutTherapist),
});

app.http('listTherapists', {
  route: 'practices/{practiceId}/therapists',
  methods: ['GET'],
  authLevel: 'function',
  handler: withDeps(handleListTherapists),
});
