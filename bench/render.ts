// Render benchmark: emails per second from LiquidTemplateRenderer on one thread, over the 8 templates in both
// locales, against two baselines of the same run: the first (cold) render and plain string concatenation.
import { LiquidTemplateRenderer } from '../functions/src/adapters/liquid/LiquidTemplateRenderer';
import { fullSampleContext } from '../functions/src/adapters/liquid/sampleContexts';
import { LOCALES, type Locale, TEMPLATE_IDS, type TemplateId } from '../functions/src/core/model';
import type { RenderContext, RenderedEmail } from '../functions/src/core/ports';

export interface RenderBenchOptions {
  /** How long the warm loop runs. */
  warmMs?: number;
  /** Fresh renderers whose first renders are timed (each renders every pair once, cold). */
  coldRounds?: number;
  onProgress?: (message: string) => void;
}

export interface Rate {
  emails: number;
  wallMs: number;
  perSecond: number;
}

export interface RenderBenchResult {
  combinations: number;
  averageChars: number;
  warm: Rate;
  cold: Rate;
  concat: Rate;
  /** Warm emails per second, per template and locale. */
  perTemplate: Record<string, number>;
}

interface Pair {
  templateId: TemplateId;
  locale: Locale;
  context: RenderContext;
}

export async function runRenderBench(options: RenderBenchOptions = {}): Promise<RenderBenchResult> {
  const progress = options.onProgress ?? (() => {});
  const pairs: Pair[] = TEMPLATE_IDS.flatMap((templateId) =>
    LOCALES.map((locale) => ({ templateId, locale, context: fullSampleContext(locale, templateId) })),
  );

  progress('cold renders (a fresh renderer parses each template on first use)');
  const coldRounds = options.coldRounds ?? 20;
  let coldMs = 0;
  // Round -1 is not timed: it compiles liquidjs itself, a once-per-process cost, not a per-template one.
  for (let round = -1; round < coldRounds; round++) {
    const fresh = new LiquidTemplateRenderer(); // reading the files is not part of a render
    const started = performance.now();
    for (const pair of pairs) await fresh.render(pair.templateId, pair.locale, pair.context);
    if (round >= 0) coldMs += performance.now() - started;
  }

  progress('warm-up, then timed warm renders');
  const renderer = new LiquidTemplateRenderer();
  const samples = new Map<Pair, RenderedEmail>();
  for (let i = 0; i < 20; i++) {
    for (const pair of pairs)
      samples.set(pair, await renderer.render(pair.templateId, pair.locale, pair.context));
  }
  const warmMs = options.warmMs ?? 3000;
  const perPair = new Map<Pair, number>(pairs.map((pair) => [pair, 0]));
  let emails = 0;
  const warmStarted = performance.now();
  while (performance.now() - warmStarted < warmMs) {
    for (const pair of pairs) {
      const t = performance.now();
      await renderer.render(pair.templateId, pair.locale, pair.context);
      perPair.set(pair, (perPair.get(pair) ?? 0) + (performance.now() - t));
      emails++;
    }
  }
  const warmWall = performance.now() - warmStarted;
  const rounds = emails / pairs.length;

  progress('string concatenation of the same size');
  const builders = pairs.map((pair) => concatenationOfSameSize(pair.context, samples.get(pair)));
  let concatEmails = 0;
  let sink = 0;
  const concatStarted = performance.now();
  while (performance.now() - concatStarted < 1000) {
    for (const build of builders) {
      const email = build();
      sink += email.subject.length + email.html.length + email.text.length;
      concatEmails++;
    }
  }
  const concatWall = performance.now() - concatStarted;
  if (sink === 0) throw new Error('the concatenation baseline produced nothing');

  const chars = [...samples.values()].reduce(
    (n, e) => n + e.subject.length + e.html.length + e.text.length,
    0,
  );
  return {
    combinations: pairs.length,
    averageChars: chars / pairs.length,
    warm: rate(emails, warmWall),
    cold: rate(coldRounds * pairs.length, coldMs),
    concat: rate(concatEmails, concatWall),
    perTemplate: Object.fromEntries(
      pairs.map((pair) => [`${pair.templateId}/${pair.locale}`, (1000 * rounds) / (perPair.get(pair) ?? 1)]),
    ),
  };
}

function rate(emails: number, wallMs: number): Rate {
  return { emails, wallMs, perSecond: (emails * 1000) / wallMs };
}

/**
 * The cheapest way to produce an email of the same size: the variable parts HTML-escaped and glued between
 * fixed strings cut to the rendered sizes. A floor for what any renderer costs, not a real alternative.
 */
function concatenationOfSameSize(
  context: RenderContext,
  sample: RenderedEmail | undefined,
): () => RenderedEmail {
  if (!sample) throw new TypeError('no rendered sample');
  const filler = (size: number) => 'x'.repeat(Math.max(0, size));
  const subjectFixed = filler(sample.subject.length - (context.patient.firstName ?? '').length);
  const htmlFixed = filler(Math.floor(sample.html.length / 4));
  const textFixed = filler(Math.floor(sample.text.length / 4));
  return () => {
    const name = escapeHtml(context.patient.firstName ?? '');
    const therapist = escapeHtml(context.therapist.displayName);
    const practice = escapeHtml(context.practice.name);
    return {
      subject: subjectFixed + (context.patient.firstName ?? ''),
      html:
        htmlFixed +
        name +
        htmlFixed +
        escapeHtml(context.links.book) +
        htmlFixed +
        therapist +
        htmlFixed +
        practice,
      text:
        textFixed +
        (context.patient.firstName ?? '') +
        textFixed +
        context.links.book +
        textFixed +
        textFixed,
    };
  };
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
