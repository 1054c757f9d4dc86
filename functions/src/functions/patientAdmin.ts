// Admin API, GDPR: GET practices/{practiceId}/patients/{patientId}/export and DELETE practices/{practiceId}/patients/{patientId}.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizePractice } from '../app/adminAuth';
import type { Deps } from '../app/deps';
import { erasePatient, exportPatient } from '../app/erasure';
import { depsFor } from '../composition';
import { isValidId } from '../core/ids';
import type { Practice } from '../core/model';
import { problem } from '../http';

type Authorized =
  | { ok: true; practice: Practice; patientId: string }
  | { ok: false; response: HttpResponseInit };

async function authorize(deps: Deps, request: HttpRequest): Promise<Authorized> {
  const auth = await authorizePractice(deps, request, request.params.practiceId ?? '');
  if (!auth.ok) return auth;
  const patientId = request.params.patientId ?? '';
  if (!isValidId(patientId)) {
    return {
      ok: false,
      response: problem(
        400,
        'Invalid patient id',
        'patientId must be 1-128 characters: letters, digits and _ . : @ + = ~ -',
      ),
    };
  }
  return { ok: true, practice: auth.practice.value, patientId };
}

const unknownPatient = () =>
  problem(404, 'Unknown patient', 'Nothing is held about this patient in this practice.');

export async function handleExportPatient(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(deps, request);
  if (!auth.ok) return auth.response;
  const data = await exportPatient(deps, auth.practice, auth.patientId);
  if (!data) return unknownPatient();
  return {
    status: 200,
    headers: {
      'Cache-Control': 'no-store',
      'Content-Disposition': `attachment; filename="patient-${auth.patientId}.json"`,
    },
    jsonBody: data,
  };
}

/** 204 once erased. Nothing left to erase (never known, or already erased) is 404: the request is safe to repeat. */
export async function handleErasePatient(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorize(deps, request);
  if (!auth.ok) return auth.response;
  const result = await erasePatient(deps, auth.practice, auth.patientId);
  return result.kind === 'not_found' ? unknownPatient() : { status: 204 };
}

export async function exportPatientHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handleExportPatient(await depsFor(context), request);
}

export async function erasePatientHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handleErasePatient(await depsFor(context), request);
}

app.http('exportPatient', {
  route: 'practices/{practiceId}/patients/{patientId}/export',
  methods: ['GET'],
  authLevel: 'function',
  handler: exportPatientHttp,
});

app.http('erasePatient', {
  route: 'practices/{practiceId}/patients/{patientId}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: erasePatientHttp,
});
