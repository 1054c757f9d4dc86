// Sample render contexts: what overrides are validated against, and what previews and the gallery show.
import type { Locale, TemplateId } from '../../core/model';
import type { RenderContext } from '../../core/ports';

const SAMPLE_LINKS = {
  book: 'https://reengage.example/api/r/sample-book-token',
  later: 'https://reengage.example/api/r/sample-later-token',
  unsubscribe: 'https://reengage.example/api/unsubscribe/sample-unsubscribe-token',
  feedback: 'https://reengage.example/api/r/sample-feedback-token',
};

/**
 * Distinctive health-data stand-ins: if they show up in a subject, an override leaks health data.
 * Kept identical across locales so the leak check does not depend on translation.
 */
export const SAMPLE_PROGRESS_NOTE = 'Sample progress note: sleeps through the night again';
export const SAMPLE_PLAN_SUMMARY = 'Sample plan summary: six sessions, then a review';

const WORDING: Record<Locale, { since: string; therapist: string; signature: string; resource: string }> = {
  fr: {
    since: 'quelques semaines',
    therapist: 'Claire Dubois',
    signature: 'Psychologue clinicienne\n01 23 45 67 89',
    resource: 'Cinq minutes pour souffler : un exercice de respiration',
  },
  en: {
    since: 'a few weeks',
    therapist: 'Claire Dubois',
    signature: 'Clinical psychologist\n+44 20 7946 0000',
    resource: 'Five minutes to breathe: a short exercise',
  },
};

/** Every optional value filled in, as when the practice allows clinical details. */
export function fullSampleContext(locale: Locale, templateId: TemplateId): RenderContext {
  const wording = WORDING[locale];
  return {
    locale,
    patient: { firstName: 'Camille' },
    therapist: { displayName: wording.therapist, signature: wording.signature },
    practice: { name: 'Cabinet des Tilleuls', bookingUrl: 'https://booking.example/cabinet-des-tilleuls' },
    sinceLastVisit: wording.since,
    progressNote: SAMPLE_PROGRESS_NOTE,
    planSummary: SAMPLE_PLAN_SUMMARY,
    resource: { title: wording.resource, url: 'https://resources.example/respiration' },
    season: templateId === 'seasonal' ? 'new-year' : null,
    links: { ...SAMPLE_LINKS },
  };
}

/** Every optional value missing: the wording must still read naturally. */
export function minimalSampleContext(locale: Locale, templateId: TemplateId): RenderContext {
  const full = fullSampleContext(locale, templateId);
  return {
    ...full,
    patient: { firstName: null },
    therapist: { displayName: full.therapist.displayName, signature: null },
    sinceLastVisit: null,
    progressNote: null,
    planSummary: null,
    resource: null,
    season: null,
    links: { ...full.links, feedback: templateId === 'feedback' ? SAMPLE_LINKS.feedback : null },
  };
}
