// Admin API: a practice's template overrides per locale, practices/{practiceId}/templates/{templateId}/{locale}[/preview].
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { authorizePractice } from '../app/adminAuth';
import { guardAdmin, invalid, json, readJson } from '../app/adminHttp';
import type { Deps } from '../app/deps';
import {
  effectiveTemplate,
  parseTemplateKey,
  previewTemplate,
  putTemplateOverride,
  templateSourcesSchema,
} from '../app/templateOverrides';
import { depsFor } from '../composition';
import { isReengageError } from '../core/errors';
import { ID_PATTERN } from '../core/ids';
import type { Locale, Practice, TemplateId } from '../core/model';
import { LOCALES, TEMPLATE_IDS } from '../core/model';
import { problem } from '../http';

/** Three sources of at most 60,000 characters each, in UTF-8, with room for JSON escaping. */
const MAX_TEMPLATE_BYTES = 768 * 1024;

const previewSchema = z.strictObject({
  patientId: z
    .string({ message: 'must be a string' })
    .regex(ID_PATTERN, 'must be 1-128 characters: letters, digits and _ . : @ + = ~ -')
    .optional(),
  /** A draft to see before storing it; validated like a PUT. */
  sources: templateSourcesSchema.optional(),
});

type Target =
  | { ok: true; practice: Practice; templateId: TemplateId; locale: Locale }
  | { ok: false; response: HttpResponseInit };

async function target(deps: Deps, request: HttpRequest): Promise<Target> {
  const auth = await authorizePractice(deps, request, request.params.practiceId ?? '');
  if (!auth.ok) return auth;
  const key = parseTemplateKey(request.params.templateId ?? '', request.params.locale ?? '');
  if (!key) {
    return {
      ok: false,
      response: problem(
        404,
        'Unknown template',
        `Templates are ${TEMPLATE_IDS.join(', ')}; locales are ${LOCALES.join(', ')}.`,
      ),
    };
  }
  return { ok: true, practice: auth.practice.value, ...key };
}

export function handlePutTemplate(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const t = await target(deps, request);
    if (!t.ok) return t.response;
    const body = await readJson(request, templateSourcesSchema, MAX_TEMPLATE_BYTES);
    if (!body.ok) return body.response;
    const result = await putTemplateOverride(deps, t.practice.id, t.templateId, t.locale, body.value);
    if (result.kind === 'invalid') {
      return problem(
        400,
        'Template refused',
        `${result.problems[0]?.field}: ${result.problems[0]?.message}`,
        {
          errors: result.problems,
        },
      );
    }
    const { templateId, locale, updatedAt } = result.override;
    return json(result.kind === 'created' ? 201 : 200, { templateId, locale, source: 'override', updatedAt });
  });
}

export function handleGetTemplate(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const t = await target(deps, request);
    if (!t.ok) return t.response;
    return json(200, await effectiveTemplate(deps, t.practice.id, t.templateId, t.locale));
  });
}

/** Reverts to the library; 204 whether or not there was an override (safe to repeat). */
export function handleDeleteTemplate(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const t = await target(deps, request);
    if (!t.ok) return t.response;
    await deps.practices.deleteTemplateOverride(t.practice.id, t.templateId, t.locale);
    deps.log.info('template override removed', { practiceId: t.practice.id, template: t.templateId });
    return { status: 204, headers: { 'Cache-Control': 'no-store' } };
  });
}

export function handlePreviewTemplate(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const t = await target(deps, request);
    if (!t.ok) return t.response;
    const body = await readJson(request, previewSchema, MAX_TEMPLATE_BYTES, { optional: true });
    if (!body.ok) return body.response;
    try {
      const result = await previewTemplate(deps, t.practice, t.templateId, t.locale, {
        patientId: body.value.patientId,
        draft: body.value.sources,
      });
      if (result.kind === 'invalid') return invalid('Template refused', result.problems);
      if (result.kind === 'unknown_patient') {
        return problem(404, 'Unknown patient', 'Nothing is held about this patient in this practice.');
      }
      return json(200, result.email);
    } catch (error) {
      if (!isReengageError(error, 'render_failed')) throw error;
      return problem(422, 'Template cannot be rendered', error.message);
    }
  });
}

const withDeps =
  (handle: (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>) =>
  async (request: HttpRequest, context: InvocationContext) =>
    handle(await depsFor(context), request);

const ROUTE = 'practices/{practiceId}/templates/{templateId}/{locale}';

app.http('putTemplateOverride', {
  route: ROUTE,
  methods: ['PUT'],
  authLevel: 'function',
  handler: withDeps(handlePutTemplate),
});

app.http('getTemplate', {
  route: ROUTE,
  methods: ['GET'],
  authLevel: 'function',
  handler: withDeps(handleGetTemplate),
});

app.http('deleteTemplateOverride', {
  route: ROUTE,
  methods: ['DELETE'],
  authLevel: 'function',
  handler: withDeps(handleDeleteTemplate),
});

app.http('previewTemplate', {
  route: `${ROUTE}/preview`,
  methods: ['POST'],
  authLevel: 'function',
  handler: withDeps(handlePreviewTemplate),
});
