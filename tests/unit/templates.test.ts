// Golden and safety tests of the shared template library: every template, in both locales, with every optional value present and absent.
import { describe, expect, it } from 'vitest';
import { LiquidTemplateRenderer } from '../../functions/src/adapters/liquid/LiquidTemplateRenderer';
import { LOCALES, type Locale, TEMPLATE_IDS, type TemplateId } from '../../functions/src/core/model';
import type { RenderContext, RenderedEmail } from '../../functions/src/core/ports';

const NBSP = '\u00a0'; // before « : » and inside guillemets
const NNBSP = '\u202f'; // before « ? ! ; »

const renderer = new LiquidTemplateRenderer();

const LINKS = {
  book: 'https://reengage.test/api/r/tok-book-7f3a',
  later: 'https://reengage.test/api/r/tok-later-91c2',
  unsubscribe: 'https://reengage.test/api/unsubscribe/tok-unsub-44d0',
  feedback: 'https://reengage.test/api/r/tok-feedback-5be8',
};
const PROGRESS_NOTE = 'Vous avez retrouvé le goût de courir le dimanche';
const PLAN_SUMMARY = 'Dix séances de rééducation du genou, puis un bilan';
const THERAPIST = 'Léa Moreau';
const PRACTICE = 'Cabinet Horizon';

function fullContext(locale: Locale, overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    locale,
    patient: { firstName: 'Camille' },
    therapist: {
      displayName: THERAPIST,
      signature: locale === 'fr' ? 'Kinésithérapeute\n06 12 34 56 78' : 'Physiotherapist\n+44 7700 900123',
    },
    practice: { name: PRACTICE, bookingUrl: 'https://booking.test/horizon' },
    sinceLastVisit: locale === 'fr' ? 'quelques semaines' : 'a few weeks',
    progressNote: PROGRESS_NOTE,
    planSummary: PLAN_SUMMARY,
    resource: { title: 'Trois étirements pour le matin', url: 'https://resources.test/etirements' },
    season: 'new-year',
    links: { ...LINKS },
    ...overrides,
  };
}

function minimalContext(locale: Locale, templateId: TemplateId): RenderContext {
  return {
    locale,
    patient: { firstName: null },
    therapist: { displayName: THERAPIST, signature: null },
    practice: { name: PRACTICE, bookingUrl: 'https://booking.test/horizon' },
    sinceLastVisit: null,
    progressNote: null,
    planSummary: null,
    resource: null,
    season: null,
    links: { ...LINKS, feedback: templateId === 'feedback' ? LINKS.feedback : null },
  };
}

const CASES = TEMPLATE_IDS.flatMap((templateId) =>
  LOCALES.flatMap((locale) => [
    { templateId, locale, kind: 'full' as const, context: fullContext(locale) },
    { templateId, locale, kind: 'minimal' as const, context: minimalContext(locale, templateId) },
  ]),
);

/** Text a reader sees in the HTML: no comments (Outlook conditionals), no tags. */
function visibleText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&zwnj;|&#847;/g, ' ');
}

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'wbr',
]);
const BLOCK_ELEMENTS = new Set(['p', 'div', 'table', 'ul', 'ol', 'h1', 'h2', 'h3']);

/** A tiny well-formedness check: every element closed in order, no block inside a <p>, no stray < or >. */
function expectWellFormed(html: string): void {
  const markup = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE html>/i, '');
  const open: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(\/?)>/g)) {
    const [tag, closing, rawName, selfClosing] = match;
    const name = (rawName ?? '').toLowerCase();
    if (closing) {
      expect(open.at(-1), `unexpected ${tag}`).toBe(name);
      open.pop();
    } else if (!VOID_ELEMENTS.has(name) && !selfClosing) {
      if (BLOCK_ELEMENTS.has(name)) expect(open, `<${name}> inside a paragraph`).not.toContain('p');
      open.push(name);
    }
  }
  expect(open, 'unclosed elements').toEqual([]);
  expect(visibleText(markup), 'stray angle bracket in text').not.toMatch(/[<>]/);
}

function expectNoLeftovers(label: string, value: string, allowBrackets = false): void {
  expect(value, `${label}: template syntax`).not.toMatch(/\{\{|\}\}|\{%|%\}/);
  expect(value, `${label}: missing value`).not.toMatch(/\b(undefined|null|NaN)\b/);
  if (!allowBrackets) expect(value, `${label}: bracket placeholder`).not.toMatch(/[[\]]/);
}

async function render(
  templateId: TemplateId,
  locale: Locale,
  context: RenderContext,
): Promise<RenderedEmail> {
  return renderer.render(templateId, locale, context);
}

describe.each(CASES)('$templateId / $locale with a $kind context', ({ templateId, locale, context }) => {
  it('has no placeholder, template syntax or missing value left', async () => {
    const email = await render(templateId, locale, context);
    expectNoLeftovers('subject', email.subject);
    expectNoLeftovers('text', email.text);
    expectNoLeftovers('html', email.html, true);
    expect(visibleText(email.html)).not.toMatch(/[[\]]/);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject.length).toBeGreaterThan(5);
  });

  it('is well-formed HTML in the right language with every required part', async () => {
    const { html } = await render(templateId, locale, context);
    expectWellFormed(html);
    expect(html).toMatch(new RegExp(`^<!DOCTYPE html>\\s*<html lang="${locale}"`));
    expect(html).toContain(`href="${LINKS.book}"`);
    expect(html).toContain(`href="${LINKS.later}"`);
    expect(html).toContain(`href="${LINKS.unsubscribe}"`);
    if (templateId === 'feedback') expect(html).toContain(`href="${LINKS.feedback}"`);
    else expect(html).not.toContain(LINKS.feedback);
    expect(html).toContain(THERAPIST);
    expect(html).toContain(PRACTICE);
    // Layout: presentation tables only, nothing fetched from outside, a hidden preheader.
    for (const table of html.match(/<table\b[^>]*>/g) ?? []) expect(table).toContain('role="presentation"');
    expect(html).toContain('max-width:600px');
    expect(html).not.toMatch(/<(img|link|script|style)\b/i);
    expect(html).not.toMatch(/src=|url\(/i);
    expect(html).toMatch(/<body[^>]*>\s*<div style="display:none;[^"]*">[^<\s]/);
  });

  it('has a plain-text twin with every URL written out and the signature', async () => {
    const { text } = await render(templateId, locale, context);
    expect(text).toContain(LINKS.book);
    expect(text).toContain(LINKS.later);
    expect(text).toContain(LINKS.unsubscribe);
    if (templateId === 'feedback') expect(text).toContain(LINKS.feedback);
    expect(text).toContain(THERAPIST);
    expect(text).toContain(PRACTICE);
    expect(text).not.toMatch(/<[a-z/]/i);
    expect(text.startsWith(locale === 'fr' ? 'Bonjour' : 'Hello')).toBe(true);
    if (context.therapist.signature) expect(text).toContain(context.therapist.signature);
  });

  it('keeps health data out of the subject, and out of every body but its own template', async () => {
    const email = await render(templateId, locale, context);
    for (const secret of [PROGRESS_NOTE, PLAN_SUMMARY]) expect(email.subject).not.toContain(secret);
    const bodies = [email.html, email.text];
    for (const body of bodies) {
      expect(body.includes(PROGRESS_NOTE)).toBe(templateId === 'progress' && context.progressNote !== null);
      expect(body.includes(PLAN_SUMMARY)).toBe(
        templateId === 'plan-follow-up' && context.planSummary !== null,
      );
    }
  });

  it('greets by first name only when there is one', async () => {
    const { text, html } = await render(templateId, locale, context);
    const hello = locale === 'fr' ? 'Bonjour' : 'Hello';
    const greeting = context.patient.firstName ? `${hello} ${context.patient.firstName},` : `${hello},`;
    expect(text.split('\n')[0]).toBe(greeting);
    expect(html).toContain(`>${greeting}</p>`);
  });
});

describe.each(CASES.filter((c) => c.locale === 'fr'))(
  '$templateId / fr with a $kind context',
  ({ templateId, locale, context }) => {
    it('follows French typography', async () => {
      const email = await render(templateId, locale, context);
      for (const [part, value] of [
        ['subject', email.subject],
        ['text', email.text],
        ['html', visibleText(email.html)],
      ] as const) {
        expect(value, `${part}: straight apostrophe`).not.toContain("'");
        // A plain space, or nothing, before ? ! ; : is wrong in French (URLs aside: "https:").
        expect(value.replace(/https?:\/\//g, ''), `${part}: spacing before punctuation`).not.toMatch(
          /[^\u00a0\u202f][?!;:]/,
        );
        expect(value, `${part}: spacing inside guillemets`).not.toMatch(/« | »/);
      }
    });
  },
);

describe('golden wording, written by hand', () => {
  const SUBJECTS: Record<TemplateId, Record<Locale, [full: string, minimal: string]>> = {
    'check-in': {
      fr: [`Camille, comment allez-vous${NNBSP}?`, `Comment allez-vous${NNBSP}?`],
      en: ['Camille, how are you doing?', 'How are you doing?'],
    },
    progress: {
      fr: ['Camille, un mot sur le chemin parcouru', 'Un mot sur le chemin parcouru'],
      en: ['Camille, a word about how far you’ve come', 'A word about how far you’ve come'],
    },
    seasonal: {
      fr: ['Camille, mes meilleurs vœux pour cette nouvelle année', 'Une nouvelle saison commence'],
      en: ['Camille, warm wishes for the new year', 'A new season is beginning'],
    },
    resource: {
      fr: ['Camille, une ressource qui pourrait vous être utile', 'Un petit mot pour vous'],
      en: ['Camille, a resource you might find helpful', 'A short note for you'],
    },
    direct: {
      fr: [
        'Camille, reprenons rendez-vous quand vous le souhaitez',
        'Reprenons rendez-vous quand vous le souhaitez',
      ],
      en: [
        'Camille, let’s book your next session whenever you’re ready',
        'Let’s book your next session whenever you’re ready',
      ],
    },
    'plan-follow-up': {
      fr: [`Camille, et pour la suite${NNBSP}?`, `Et pour la suite${NNBSP}?`],
      en: ['Camille, about your next steps', 'About your next steps'],
    },
    'no-pressure': {
      fr: ['Camille, rien ne presse', 'Rien ne presse'],
      en: ['Camille, there’s no rush', 'There’s no rush'],
    },
    feedback: {
      fr: ['Camille, votre avis nous serait précieux', 'Votre avis nous serait précieux'],
      en: ['Camille, we’d value your thoughts', 'We’d value your thoughts'],
    },
  };

  /** One sentence per template that carries its purpose, with the full and the minimal context. */
  const KEY_SENTENCES: Record<TemplateId, Record<Locale, [full: string, minimal: string]>> = {
    'check-in': {
      fr: [
        'Notre dernière séance remonte à quelques semaines, et je voulais simplement prendre de vos nouvelles.',
        'Je voulais simplement prendre de vos nouvelles.',
      ],
      en: [
        'It’s been a few weeks since our last session, and I simply wanted to see how you’re doing.',
        'I simply wanted to see how you’re doing.',
      ],
    },
    progress: {
      fr: [
        `Lors de nos dernières séances, nous avions noté${NBSP}: «${NBSP}${PROGRESS_NOTE}${NBSP}». Ce progrès vous appartient.`,
        'Les efforts que vous avez fournis au fil de nos séances comptent, et ce que vous avez construit vous appartient.',
      ],
      en: [
        `In our recent sessions, we noted: “${PROGRESS_NOTE}”. That progress is yours.`,
        'The effort you put into our sessions matters, and what you have built is yours.',
      ],
    },
    seasonal: {
      fr: [
        'En ce début d’année, je vous adresse mes meilleurs vœux.',
        'Une nouvelle saison commence, et c’est souvent une belle occasion de prendre un moment pour soi.',
      ],
      en: [
        'As the new year begins, I send you my warmest wishes.',
        'A new season is beginning, and it is often a good moment to make some time for yourself.',
      ],
    },
    resource: {
      fr: [
        `En repensant à nos échanges, j’ai pensé que cette ressource pourrait vous être utile${NBSP}:`,
        'les outils que nous avons vus ensemble restent les vôtres',
      ],
      en: [
        'Thinking back on our conversations, I thought this resource might be helpful to you:',
        'the tools we explored together are still yours',
      ],
    },
    direct: {
      fr: [
        'il vous suffit de choisir le créneau qui vous convient',
        'il vous suffit de choisir le créneau qui vous convient',
      ],
      en: ['just choose a time that suits you', 'just choose a time that suits you'],
    },
    'plan-follow-up': {
      fr: [
        `Nous avions prévu ensemble la suite de votre accompagnement${NBSP}: «${NBSP}${PLAN_SUMMARY}${NBSP}».`,
        'Nous avions prévu ensemble la suite de votre accompagnement. Le moment que nous avions envisagé',
      ],
      en: [
        `We had planned the next steps of your care together: “${PLAN_SUMMARY}”.`,
        'We had planned the next steps of your care together. We have now reached the point',
      ],
    },
    'no-pressure': {
      fr: [
        'Si un jour vous en ressentez le besoin, je suis là.',
        'Si un jour vous en ressentez le besoin, je suis là.',
      ],
      en: ['If you ever feel the need, I’m here.', 'If you ever feel the need, I’m here.'],
    },
    feedback: {
      fr: [
        `Auriez-vous deux minutes pour nous dire ce qui a été utile pour vous, et ce que nous pourrions améliorer${NNBSP}?`,
        `Auriez-vous deux minutes pour nous dire ce qui a été utile pour vous, et ce que nous pourrions améliorer${NNBSP}?`,
      ],
      en: [
        'Would you have two minutes to tell us what was helpful for you, and what we could do better?',
        'Would you have two minutes to tell us what was helpful for you, and what we could do better?',
      ],
    },
  };

  describe.each(CASES)('$templateId / $locale ($kind)', ({ templateId, locale, kind, context }) => {
    const index = kind === 'full' ? 0 : 1;

    it('has the expected subject', async () => {
      const { subject } = await render(templateId, locale, context);
      expect(subject).toBe(SUBJECTS[templateId][locale][index]);
    });

    it('says its key sentence in both the HTML and the text', async () => {
      const { html, text } = await render(templateId, locale, context);
      const sentence = KEY_SENTENCES[templateId][locale][index];
      expect(text).toContain(sentence);
      expect(html).toContain(sentence);
    });
  });

  it.each([
    ['fr', 'rentree', 'Camille, une belle rentrée à vous', 'La rentrée est souvent synonyme de reprise'],
    ['fr', 'spring', 'Camille, le printemps est là', 'Avec l’arrivée du printemps'],
    ['fr', 'halloween', 'Camille, une nouvelle saison commence', 'Une nouvelle saison commence'],
    ['en', 'rentree', 'Camille, a fresh start after the summer', 'The end of the summer often brings'],
    ['en', 'spring', 'Camille, spring is here', 'With spring arriving'],
    ['en', 'halloween', 'Camille, a new season is beginning', 'A new season is beginning'],
  ] as const)('seasonal %s for season "%s"', async (locale, season, subject, sentence) => {
    const email = await render('seasonal', locale, fullContext(locale, { season }));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(sentence);
  });

  it('links the shared resource by its title, in HTML and as a written-out URL in text', async () => {
    const email = await render('resource', 'fr', fullContext('fr'));
    expect(email.html).toMatch(
      /<a href="https:\/\/resources\.test\/etirements"[^>]*>Trois étirements pour le matin<\/a>/,
    );
    expect(email.text).toContain('Trois étirements pour le matin\nhttps://resources.test/etirements\n');
  });

  it('offers the feedback link as the button of template 8, and booking as a plain link', async () => {
    const { html } = await render('feedback', 'en', fullContext('en'));
    expect(html).toMatch(
      /<a href="https:\/\/reengage\.test\/api\/r\/tok-feedback-5be8"[^>]*>Share my feedback<\/a>/,
    );
    expect(html).toMatch(
      /<a href="https:\/\/reengage\.test\/api\/r\/tok-book-7f3a"[^>]*>book a session<\/a>/,
    );
  });

  it('falls back to "just reply" and a booking button when template 8 has no feedback link', async () => {
    const email = await render('feedback', 'fr', fullContext('fr', { links: { ...LINKS, feedback: null } }));
    expect(email.text).toContain('Il vous suffit de répondre à cet e-mail, en quelques mots.');
    expect(email.html).toMatch(
      /<a href="https:\/\/reengage\.test\/api\/r\/tok-book-7f3a"[^>]*>Prendre rendez-vous<\/a>/,
    );
  });

  it('shows the therapist signature line by line in HTML', async () => {
    const { html } = await render('check-in', 'fr', fullContext('fr'));
    expect(html).toContain('Kinésithérapeute<br />\n06 12 34 56 78');
  });
});

describe('hostile or messy values', () => {
  it('escapes a patient name, a signature and a practice name in HTML', async () => {
    const context = fullContext('en', {
      patient: { firstName: '<script>alert(1)</script>' },
      therapist: { displayName: 'Dr <b>Evil</b>', signature: '<img src=x onerror=alert(2)>\nline 2' },
      practice: { name: 'Smith & "Jones"', bookingUrl: 'https://booking.test' },
    });
    for (const templateId of TEMPLATE_IDS) {
      const { html } = await render(templateId, 'en', context);
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>Evil');
      expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
      expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;<br />');
      expect(html).toContain('Smith &amp; &#34;Jones&#34;');
      expectWellFormed(html);
    }
  });

  it('keeps the subject on one line whatever the first name holds', async () => {
    const context = fullContext('en', { patient: { firstName: 'Camille\r\nBcc: someone@example.org' } });
    const { subject } = await render('check-in', 'en', context);
    expect(subject).toBe('Camille Bcc: someone@example.org, how are you doing?');
  });

  it('treats blank optional values as missing', async () => {
    const context = fullContext('fr', {
      patient: { firstName: '   ' },
      therapist: { displayName: THERAPIST, signature: ' \n ' },
      sinceLastVisit: '',
      progressNote: '  ',
    });
    const email = await render('progress', 'fr', context);
    expect(email.subject).toBe('Un mot sur le chemin parcouru');
    expect(email.text.startsWith('Bonjour,\n\nEn repensant à notre travail ensemble')).toBe(true);
    expect(email.text).toContain('Les efforts que vous avez fournis');
  });

  it('drops a resource whose link is not a web address', async () => {
    const context = fullContext('en', { resource: { title: 'Click me', url: 'javascript:alert(1)' } });
    const email = await render('resource', 'en', context);
    expect(email.subject).toBe('Camille, a short note for you');
    expect(email.html).not.toContain('javascript:');
  });

  it('rejects an unknown template id or locale as a programming error', async () => {
    await expect(render('birthday' as TemplateId, 'fr', fullContext('fr'))).rejects.toThrow(RangeError);
    await expect(render('check-in', 'de' as Locale, fullContext('fr'))).rejects.toThrow(RangeError);
  });
});
