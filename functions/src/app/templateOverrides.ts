// Practices' template overrides (SPEC §6): validated before they are stored, reverted, shown, previewed, used at send time.
import { z } from 'zod';
import { fullSampleContext } from '../adapters/liquid/sampleContexts';
import type { FieldProblem } from '../core/bookingEvents';
import { isReengageError } from '../core/errors';
import {
  LOCALES,
  type Locale,
  type OutreachRow,
  type Practice,
  TEMPLATE_IDS,
  type TemplateId,
} from '../core/model';
import type { RenderContext, RenderedEmail, TemplateOverride, TemplateSourceSet } from '../core/ports';
import { activeSeasonalWindow } from '../core/seasonal';
import { createPracticeCalendar } from '../core/sendWindow';
import { buildRenderContext } from './composeEmail';
import type { Deps } from './deps';

// A lone UTF-16 half has no UTF-8 form: it could not be stored, nor sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const source = z
  .string({ message: 'must be a string' })
  .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode text');

/** The three parts of an override; the renderer's validation decides what is acceptable in them. */
export const templateSourcesSchema = z.strictObject({ subject: source, html: source, text: source });

export function parseTemplateKey(
  templateId: string,
  locale: string,
): { templateId: TemplateId; locale: Locale } | null {
  if (!TEMPLATE_IDS.includes(templateId as TemplateId) || !LOCALES.includes(locale as Locale)) return null;
  return { templateId: templateId as TemplateId, locale: locale as Locale };
}

export type TemplateView = TemplateSourceSet & {
  templateId: TemplateId;
  locale: Locale;
  source: 'override' | 'library';
  updatedAt: string | null;
};

/** The sources a send would use: the practice's override, or else the library's. */
export async function effectiveTemplate(
  deps: Deps,
  practiceId: string,
  templateId: TemplateId,
  locale: Locale,
): Promise<TemplateView> {
  const override = await deps.practices.getTemplateOverride(practiceId, templateId, locale);
  if (override) {
    const { subject, html, text, updatedAt } = override;
    return { templateId, locale, source: 'override', subject, html, text, updatedAt };
  }
  const library = deps.renderer.getLibrarySources(templateId, locale);
  return { templateId, locale, source: 'library', ...library, updatedAt: null };
}

export type PutOverrideResult =
  | { kind: 'created' | 'updated'; override: TemplateOverride }
  | { kind: 'invalid'; problems: FieldProblem[] };

/** Stores an override only once the renderer accepted it; a refused one changes nothing. */
export async function putTemplateOverride(
  deps: Deps,
  practiceId: string,
  templateId: TemplateId,
  locale: Locale,
  sources: TemplateSourceSet,
): Promise<PutOverrideResult> {
  const problem = await validationProblem(deps, templateId, locale, sources);
  if (problem) return { kind: 'invalid', problems: [problem] };
  const existing = await deps.practices.getTemplateOverride(practiceId, templateId, locale);
  const override: TemplateOverride = {
    practiceId,
    templateId,
    locale,
    subject: sources.subject,
    html: sources.html,
    text: sources.text,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.practices.upsertTemplateOverride(override);
  deps.log.info('template override stored', { practiceId, template: templateId, locale });
  return { kind: existing ? 'updated' : 'created', override };
}

/** The renderer's refusal as a field problem (its message starts with the part: `html: …`). */
async function validationProblem(
  deps: Deps,
  templateId: TemplateId,
  locale: Locale,
  sources: TemplateSourceSet,
): Promise<FieldProblem | null> {
  try {
    await deps.renderer.validateOverride(templateId, locale, sources);
    return null;
  } catch (error) {
    if (!isReengageError(error, 'invalid_input')) throw error;
    const part = /^(subject|html|text):\s*/.exec(error.message);
    return part
      ? { field: part[1] as string, message: error.message.slice(part[0].length) }
      : { field: '(body)', message: error.message };
  }
}

/**
 * The email of one ledger row: the practice's override when there is one, else the library. An override
 * that no longer renders (it was accepted against sample data; real data or tighter limits may differ)
 * falls back to the library: the patient still gets the practice's warm, tested wording.
 */
export async function renderOutreachEmail(
  deps: Deps,
  row: OutreachRow,
  context: RenderContext,
): Promise<RenderedEmail> {
  const override = await deps.practices.getTemplateOverride(row.practiceId, row.templateId, row.locale);
  if (override) {
    try {
      return await deps.renderer.renderOverride(row.templateId, row.locale, override, context);
    } catch (error) {
      if (!isReengageError(error, 'render_failed')) throw error;
      deps.log.warn('template override failed to render; library template used', {
        practiceId: row.practiceId,
        outreach: row.operationId,
        template: row.templateId,
      });
    }
  }
  return deps.renderer.render(row.templateId, row.locale, context);
}

export type PreviewResult =
  | {
      kind: 'rendered';
      email: RenderedEmail & { source: 'draft' | 'override' | 'library'; data: 'sample' | 'patient' };
    }
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'unknown_patient' };

/**
 * Renders the effective template (or a draft given in the request) with sample data, or with a real
 * patient's data. Links are always the sample ones: a preview must never carry a working unsubscribe
 * or booking token. Health data appears only as the practice allows it.
 */
export async function previewTemplate(
  deps: Deps,
  practice: Practice,
  templateId: TemplateId,
  locale: Locale,
  options: { patientId?: string | undefined; draft?: TemplateSourceSet | undefined },
): Promise<PreviewResult> {
  const now = deps.clock.now();
  if (options.draft) {
    const problem = await validationProblem(deps, templateId, locale, options.draft);
    if (problem) return { kind: 'invalid', problems: [{ ...problem, field: `sources.${problem.field}` }] };
  }
  const sample = fullSampleContext(locale, templateId);
  let context: RenderContext;
  if (options.patientId) {
    const patient = await deps.patients.getPatient(practice.id, options.patientId);
    if (!patient) return { kind: 'unknown_patient' };
    const therapistId = patient.value.therapistId ?? practice.defaultTherapistId;
    const therapist = therapistId ? await deps.practices.getTherapist(practice.id, therapistId) : null;
    const row = previewRow(practice, patient.value.id, templateId, locale, therapistId, now);
    context = {
      ...buildRenderContext(practice, therapist, patient.value, row, sample.links, now),
      links: sample.links,
    };
  } else {
    const therapist = practice.defaultTherapistId
      ? await deps.practices.getTherapist(practice.id, practice.defaultTherapistId)
      : null;
    const resource = practice.resources[0];
    context = {
      ...sample,
      therapist: therapist
        ? { displayName: therapist.displayName, signature: therapist.signature || null }
        : sample.therapist,
      practice: { name: practice.name, bookingUrl: practice.bookingUrl },
      progressNote: practice.allowClinicalDetails ? sample.progressNote : null,
      planSummary: practice.allowClinicalDetails ? sample.planSummary : null,
      resource: resource ? { title: resource.title, url: resource.url } : sample.resource,
    };
  }
  const stored = options.draft
    ? null
    : await deps.practices.getTemplateOverride(practice.id, templateId, locale);
  const sources = options.draft ?? stored;
  const rendered = sources
    ? await deps.renderer.renderOverride(templateId, locale, sources, context)
    : await deps.renderer.render(templateId, locale, context);
  return {
    kind: 'rendered',
    email: {
      ...rendered,
      source: options.draft ? 'draft' : stored ? 'override' : 'library',
      data: options.patientId ? 'patient' : 'sample',
    },
  };
}

/** The ledger row a send of this template would have, as far as rendering reads it. */
function previewRow(
  practice: Practice,
  patientId: string,
  templateId: TemplateId,
  locale: Locale,
  therapistId: string | null,
  now: Date,
): OutreachRow {
  let episodeKey = 'preview';
  if (templateId === 'seasonal') {
    const window =
      activeSeasonalWindow(practice, createPracticeCalendar(practice), now)?.id ??
      practice.seasonalWindows.find((w) => w.enabled)?.id ??
      'new-year';
    episodeKey = `${now.getUTCFullYear()}:${window}`;
  }
  return {
    practiceId: practice.id,
    id: `${patientId}|preview`,
    patientId,
    campaign:
      templateId === 'seasonal' ? 'seasonal' : templateId === 'plan-follow-up' ? 'milestone' : 'lapse',
    episodeKey,
    step: 1,
    templateId,
    locale,
    therapistId,
    status: 'planned',
    plannedAt: now.toISOString(),
    notBefore: now.toISOString(),
    operationId: '00000000-0000-0000-0000-000000000000',
    claimedAt: null,
    sentAt: null,
    deliveryStatus: null,
    deliveryAt: null,
    response: null,
    respondedAt: null,
    rebookedAt: null,
    failureReason: null,
    attempts: 0,
  };
}
