// Practice overrides: what validateOverride accepts and refuses, and how renderOverride and render fail.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LiquidTemplateRenderer,
  type TemplateSources,
} from '../../functions/src/adapters/liquid/LiquidTemplateRenderer';
import { ReengageError } from '../../functions/src/core/errors';
import { LOCALES, TEMPLATE_IDS, type TemplateId } from '../../functions/src/core/model';
import type { RenderContext } from '../../functions/src/core/ports';

const renderer = new LiquidTemplateRenderer();

const CONTEXT: RenderContext = {
  locale: 'fr',
  patient: { firstName: 'Camille' },
  therapist: { displayName: 'Léa Moreau', signature: null },
  practice: { name: 'Cabinet Horizon', bookingUrl: 'https://booking.test/horizon' },
  sinceLastVisit: 'quelques semaines',
  progressNote: null,
  planSummary: 'Dix séances, puis un bilan',
  resource: null,
  season: null,
  links: {
    book: 'https://reengage.test/api/r/tok-book',
    later: 'https://reengage.test/api/r/tok-later',
    unsubscribe: 'https://reengage.test/api/unsubscribe/tok-unsub',
    feedback: null,
  },
};

/** A standalone override, written the way a practice manager might: no shared layout. */
const VALID: TemplateSources = {
  subject: '{% if patient.firstName %}{{ patient.firstName }}, {% endif %}des nouvelles du cabinet',
  html: [
    '<!DOCTYPE html><html lang="fr"><body>',
    '<p>Bonjour{% if patient.firstName %} {{ patient.firstName }}{% endif %}, toute l’équipe de {{ practice.name }} pense à vous.</p>',
    '<p><a href="{{ links.book }}">Prendre rendez-vous</a> · <a href="{{ links.later }}">Pas pour le moment</a></p>',
    '<p>{{ therapist.displayName }} · <a href="{{ links.unsubscribe }}">Se désinscrire</a></p>',
    '</body></html>',
  ].join('\n'),
  text: [
    'Bonjour{% if patient.firstName %} {{ patient.firstName }}{% endif %}, toute l’équipe de {{ practice.name }} pense à vous.',
    'Prendre rendez-vous : {{ links.book }}',
    'Pas pour le moment : {{ links.later }}',
    '{{ therapist.displayName }}',
    'Se désinscrire : {{ links.unsubscribe }}',
  ].join('\n'),
};

async function rejection(promise: Promise<unknown>): Promise<ReengageError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReengageError);
  return error as ReengageError;
}

async function expectRefused(sources: TemplateSources, message: RegExp, templateId: TemplateId = 'check-in') {
  const error = await rejection(renderer.validateOverride(templateId, 'fr', sources));
  expect(error.code).toBe('invalid_input');
  expect(error.message).toMatch(message);
  return error;
}

describe('validateOverride', () => {
  it('accepts a valid override, which renderOverride then uses', async () => {
    await expect(renderer.validateOverride('check-in', 'fr', VALID)).resolves.toBeUndefined();
    const email = await renderer.renderOverride('check-in', 'fr', VALID, CONTEXT);
    expect(email.subject).toBe('Camille, des nouvelles du cabinet');
    expect(email.html).toContain('<p>Bonjour Camille, toute l’équipe de Cabinet Horizon pense à vous.</p>');
    expect(email.html).toContain('<a href="https://reengage.test/api/r/tok-book">');
    expect(email.text).toBe(
      'Bonjour Camille, toute l’équipe de Cabinet Horizon pense à vous.\n' +
        'Prendre rendez-vous : https://reengage.test/api/r/tok-book\n' +
        'Pas pour le moment : https://reengage.test/api/r/tok-later\n' +
        'Léa Moreau\n' +
        'Se désinscrire : https://reengage.test/api/unsubscribe/tok-unsub\n',
    );
  });

  it('accepts an override built on the shared layout and partials', async () => {
    const sources: TemplateSources = {
      subject: 'Un petit mot de {{ practice.name }}',
      html: [
        "{% layout '_partials/layout.html.liquid' %}",
        '{% block preheader %}Un petit mot.{% endblock %}',
        '{% block content %}<p>Bonjour,</p>',
        "{% include '_partials/button.html.liquid', url: links.book, label: 'Réserver' %}{% endblock %}",
      ].join('\n'),
      text: "{% layout '_partials/fr/layout.text.liquid' %}{% block content %}Bonjour,\n\nRéserver : {{ links.book }}{% endblock %}",
    };
    await renderer.validateOverride('no-pressure', 'fr', sources);
    const email = await renderer.renderOverride('no-pressure', 'fr', sources, CONTEXT);
    expect(email.subject).toBe('Un petit mot de Cabinet Horizon');
    expect(email.html).toContain('>Réserver</a>');
    expect(email.html).toContain('href="https://reengage.test/api/unsubscribe/tok-unsub"');
    expect(email.text).toContain(
      'Ne plus recevoir ces messages\u00a0: https://reengage.test/api/unsubscribe/tok-unsub',
    );
  });

  it.each(TEMPLATE_IDS.flatMap((templateId) => LOCALES.map((locale) => [templateId, locale] as const)))(
    'accepts the library’s own %s / %s as an override',
    async (templateId, locale) => {
      await expect(
        renderer.validateOverride(templateId, locale, renderer.getLibrarySources(templateId, locale)),
      ).resolves.toBeUndefined();
    },
  );

  it('refuses a syntax error, naming the part', async () => {
    await expectRefused(
      { ...VALID, html: `${VALID.html}{% if patient.firstName %}` },
      /^html: syntax error: .*not closed/,
    );
    await expectRefused({ ...VALID, text: `{{ patient.firstName ${VALID.text}` }, /^text: syntax error/);
  });

  it('refuses an unknown variable, even in a branch the sample data never takes', async () => {
    const error = await expectRefused(
      { ...VALID, text: `${VALID.text}\n{{ patient.lastName }}` },
      /^text: uses an unknown variable: "patient\.lastName" \(line 6, column \d+\)/,
    );
    expect(error.message).toContain('Available variables:');
    expect(error.message).toContain('patient.firstName');
    await expectRefused(
      { ...VALID, html: `${VALID.html}{% if season == 'halloween' %}{{ costume }}{% endif %}` },
      /^html: uses an unknown variable: "costume"/,
    );
  });

  it('refuses an unknown filter', async () => {
    await expectRefused(
      { ...VALID, subject: '{{ patient.firstName | shout }}, des nouvelles' },
      /^subject: syntax error: undefined filter: shout/,
    );
  });

  it('refuses a subject that uses health data, however it is disguised', async () => {
    await expectRefused(
      { ...VALID, subject: 'Votre plan : {{ planSummary }}' },
      /^subject: uses "planSummary".*health data/,
    );
    await expectRefused(
      { ...VALID, subject: '{% assign p = progressNote | truncate: 12 %}Bonjour {{ p }}' },
      /^subject: uses "progressNote".*health data/,
    );
  });

  it('refuses a huge loop quickly, through the render limits', { timeout: 5_000 }, async () => {
    await expectRefused(
      { ...VALID, html: `{% for i in (1..100000000) %}x{% endfor %}${VALID.html}` },
      /^html: cannot be rendered with the full sample data: .*limit exceeded/,
    );
    await expectRefused(
      {
        ...VALID,
        text: `{% for i in (1..900) %}{% for j in (1..900) %}{{ i | times: j }}{% endfor %}{% endfor %}${VALID.text}`,
      },
      /^text: cannot be rendered with the full sample data: .*(limit exceeded|output is too large)/,
    );
  });

  it('refuses bracket placeholders and missing values in the output', async () => {
    await expectRefused(
      { ...VALID, text: `Bonjour [Prénom],\n${VALID.text}` },
      /^text: contains the placeholder "\[Prénom\]"/,
    );
    await expectRefused(
      { ...VALID, html: VALID.html.replace('<body>', '<body><p>Bonjour undefined</p>') },
      /^html: shows the word "undefined"/,
    );
    await expectRefused(
      { ...VALID, subject: "Bonjour {{ '{{' }}Prénom}}" },
      /^subject: contains a literal "\{\{"/,
    );
  });

  it('refuses an email without its unsubscribe link or without a booking link', async () => {
    await expectRefused(
      { ...VALID, html: VALID.html.replace('<a href="{{ links.unsubscribe }}">Se désinscrire</a>', '') },
      /^html: does not contain the unsubscribe link/,
    );
    await expectRefused(
      { ...VALID, text: VALID.text.replace('{{ links.book }}', 'https://elsewhere.test') },
      /^text: does not contain the booking link/,
    );
  });

  it('requires the feedback link in an override of template 8', async () => {
    await expectRefused(VALID, /^html: does not contain the feedback link/, 'feedback');
  });

  it('refuses an empty part and an oversized one', async () => {
    await expectRefused({ ...VALID, text: '  ' }, /^text: is missing or empty/);
    await expectRefused(
      { ...VALID, html: 'x'.repeat(60_001) },
      /^html: is too long \(60001 characters; at most 60000\)/,
    );
  });

  it('cannot read files outside the template library', async () => {
    await expectRefused(
      { ...VALID, html: `{% include '../../package.json' %}${VALID.html}` },
      /^html: includes a template that does not exist: .*package\.json/,
    );
  });
});

describe('renderOverride and render failures', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an override subject on one line', async () => {
    const sources = { ...VALID, subject: 'Des nouvelles\r\nBcc: someone@example.org' };
    const email = await renderer.renderOverride('check-in', 'fr', sources, CONTEXT);
    expect(email.subject).toBe('Des nouvelles Bcc: someone@example.org');
  });

  it('maps an override that no longer parses to render_failed', async () => {
    const error = await rejection(
      renderer.renderOverride('check-in', 'fr', { ...VALID, html: '{% if %}' }, CONTEXT),
    );
    expect(error.code).toBe('render_failed');
    expect(error.message).toMatch(/^override check-in\/fr html: syntax error/);
  });

  it('maps a library template that reads an unknown variable to render_failed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reengage-templates-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, '_partials'));
    mkdirSync(path.join(dir, 'check-in', 'fr'), { recursive: true });
    writeFileSync(path.join(dir, 'check-in', 'fr', 'subject.liquid'), 'Bonjour');
    writeFileSync(path.join(dir, 'check-in', 'fr', 'html.liquid'), '<p>{{ patient.lastName }}</p>');
    writeFileSync(path.join(dir, 'check-in', 'fr', 'text.liquid'), 'Bonjour');
    const custom = new LiquidTemplateRenderer({ templatesDir: dir });
    const error = await rejection(custom.render('check-in', 'fr', CONTEXT));
    expect(error.code).toBe('render_failed');
    expect(error.message).toMatch(/^check-in\/fr html: undefined variable: patient\.lastName/);
    const missing = await rejection(custom.render('progress', 'fr', CONTEXT));
    expect(missing.code).toBe('render_failed');
    expect(missing.message).toBe('template progress/fr/subject.liquid is missing');
  });

  it('refuses to start without a templates folder', () => {
    expect(
      () => new LiquidTemplateRenderer({ templatesDir: path.join(tmpdir(), 'no-such-reengage-dir') }),
    ).toThrow(/templates folder not found/);
  });
});
