// Renders the shared template library, and practices' overrides of it, with liquidjs under strict settings and limits.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import { ReengageError } from '../../core/errors';
import { LOCALES, type Locale, TEMPLATE_IDS, type TemplateId } from '../../core/model';
import type { RenderContext, RenderedEmail, TemplateRenderer } from '../../core/ports';
import {
  fullSampleContext,
  minimalSampleContext,
  SAMPLE_PLAN_SUMMARY,
  SAMPLE_PROGRESS_NOTE,
} from './sampleContexts';

export type TemplatePart = 'subject' | 'html' | 'text';
export const TEMPLATE_PARTS: readonly TemplatePart[] = ['subject', 'html', 'text'];

/** The three Liquid sources of one template in one locale (a practice's override, or the library's files). */
export type TemplateSources = Record<TemplatePart, string>;

export interface RenderLimits {
  /** Characters one template source may have (also liquidjs `parseLimit`). */
  maxSourceChars: number;
  /** Wall-clock budget of one part's render (liquidjs `renderLimit`). */
  renderLimitInMs: number;
  /** liquidjs `memoryLimit`: ranges, arrays and string filters charge it. */
  memoryLimit: number;
  /** Rendered output beyond this is refused; Gmail clips HTML beyond ~100 KB anyway. */
  maxOutputChars: Record<TemplatePart, number>;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  maxSourceChars: 60_000,
  renderLimitInMs: 500,
  memoryLimit: 1_000_000,
  maxOutputChars: { subject: 300, html: 150_000, text: 60_000 },
};

export interface LiquidTemplateRendererOptions {
  /** The folder holding `<template>/<locale>/{subject,html,text}.liquid` and `_partials/`. */
  templatesDir?: string;
  limits?: Partial<RenderLimits>;
}

interface CompiledTemplate {
  label: string;
  parts: Record<TemplatePart, Template[]>;
}

/**
 * The variables a template may read, mirroring RenderContext. Checked statically on overrides so that a
 * typo inside a branch the sample data never takes is still caught.
 */
type Shape = true | { [key: string]: Shape };
const CONTEXT_SHAPE: { [key: string]: Shape } = {
  locale: true,
  patient: { firstName: true },
  therapist: { displayName: true, signature: true },
  practice: { name: true, bookingUrl: true },
  sinceLastVisit: true,
  progressNote: true,
  planSummary: true,
  resource: { title: true, url: true },
  season: true,
  links: { book: true, later: true, unsubscribe: true, feedback: true },
};
const HEALTH_VARIABLES = ['progressNote', 'planSummary'];
const OVERRIDE_CACHE_SIZE = 200;

/** Locates functions/templates from src/adapters/liquid (vitest, tsx) and from dist/src/adapters/liquid (Functions host). */
export function defaultTemplatesDir(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, '_partials'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new ReengageError('invalid_configuration', `no templates folder (with _partials) above ${__dirname}`);
}

export class LiquidTemplateRenderer implements TemplateRenderer {
  readonly templatesDir: string;
  private readonly limits: RenderLimits;
  private readonly files: Record<string, string>;
  private readonly htmlEngine: Liquid;
  private readonly textEngine: Liquid;
  private readonly compiledFiles = new Map<string, CompiledTemplate>();
  private readonly compiledOverrides = new Map<string, CompiledTemplate>();

  /** `options` may be just the templates folder; undefined means the library next to this file's build. */
  constructor(options: LiquidTemplateRendererOptions | string = {}) {
    if (typeof options === 'string') options = { templatesDir: options };
    this.templatesDir = options.templatesDir ?? defaultTemplatesDir();
    this.limits = { ...DEFAULT_RENDER_LIMITS, ...options.limits };
    this.files = loadTemplateFiles(this.templatesDir);
    const common = {
      // Templates and partials are served from memory: no template can reach the file system.
      templates: this.files,
      cache: true,
      strictVariables: true,
      strictFilters: true,
      ownPropertyOnly: true,
      parseLimit: this.limits.maxSourceChars,
      renderLimit: this.limits.renderLimitInMs,
      memoryLimit: this.limits.memoryLimit,
    };
    this.htmlEngine = new Liquid({ ...common, outputEscape: 'escape' });
    this.textEngine = new Liquid(common);
  }

  async render(templateId: TemplateId, locale: Locale, context: RenderContext): Promise<RenderedEmail> {
    assertKnown(templateId, locale);
    return this.renderCompiled(this.compiledLibraryTemplate(templateId, locale), context);
  }

  /** Renders a practice's override of one template in one locale (validated beforehand by `validateOverride`). */
  async renderOverride(
    templateId: TemplateId,
    locale: Locale,
    sources: TemplateSources,
    context: RenderContext,
  ): Promise<RenderedEmail> {
    assertKnown(templateId, locale);
    const key = createHash('sha256')
      .update(JSON.stringify([templateId, locale, sources]))
      .digest('hex');
    let compiled = this.compiledOverrides.get(key);
    if (!compiled) {
      const label = `override ${templateId}/${locale}`;
      compiled = { label, parts: this.parseParts(label, sources, 'render_failed') };
      if (this.compiledOverrides.size >= OVERRIDE_CACHE_SIZE) {
        const oldest = this.compiledOverrides.keys().next().value;
        if (oldest !== undefined) this.compiledOverrides.delete(oldest);
      }
      this.compiledOverrides.set(key, compiled);
    }
    return this.renderCompiled(compiled, context);
  }

  /** The library's own sources of one template, as a starting point for an override. */
  getLibrarySources(templateId: TemplateId, locale: Locale): TemplateSources {
    assertKnown(templateId, locale);
    const read = (part: TemplatePart): string => {
      const source = this.files[libraryPath(templateId, locale, part)];
      if (source === undefined) {
        throw new ReengageError(
          'render_failed',
          `template ${libraryPath(templateId, locale, part)} is missing`,
        );
      }
      return source;
    };
    return { subject: read('subject'), html: read('html'), text: read('text') };
  }

  /**
   * Accepts an override only if every part parses, uses only RenderContext variables, renders against a
   * full and a minimal sample without placeholders, keeps the required links, and keeps health data out
   * of the subject. Throws ReengageError `invalid_input` naming the part and the problem.
   */
  async validateOverride(templateId: TemplateId, locale: Locale, sources: TemplateSources): Promise<void> {
    assertKnown(templateId, locale);
    for (const part of TEMPLATE_PARTS) {
      const source: unknown = (sources as Partial<Record<TemplatePart, unknown>> | null)?.[part];
      if (typeof source !== 'string' || source.trim() === '') {
        throw invalid(part, 'is missing or empty');
      }
      if (source.length > this.limits.maxSourceChars) {
        throw invalid(
          part,
          `is too long (${source.length} characters; at most ${this.limits.maxSourceChars})`,
        );
      }
    }
    const parts = this.parseParts(`override ${templateId}/${locale}`, sources, 'invalid_input');
    for (const part of TEMPLATE_PARTS) {
      await this.checkVariables(part, parts[part]);
    }
    const samples = [
      { name: 'full', context: fullSampleContext(locale, templateId) },
      { name: 'minimal', context: minimalSampleContext(locale, templateId) },
    ];
    for (const sample of samples) {
      const scope = toScope(sample.context);
      for (const part of TEMPLATE_PARTS) {
        let output: string;
        try {
          output = await this.renderPart(part, parts[part], scope);
        } catch (error) {
          throw invalid(
            part,
            `cannot be rendered with the ${sample.name} sample data: ${describeLiquidError(error)}`,
            error,
          );
        }
        const problem = findOutputProblem(part, output, sample.context, templateId);
        if (problem) throw invalid(part, `${problem} (with the ${sample.name} sample data)`);
      }
    }
  }

  private compiledLibraryTemplate(templateId: TemplateId, locale: Locale): CompiledTemplate {
    const key = `${templateId}/${locale}`;
    let compiled = this.compiledFiles.get(key);
    if (!compiled) {
      const sources = this.getLibrarySources(templateId, locale);
      compiled = {
        label: key,
        parts: this.parseParts(key, sources, 'render_failed', (part) =>
          libraryPath(templateId, locale, part),
        ),
      };
      this.compiledFiles.set(key, compiled);
    }
    return compiled;
  }

  private parseParts(
    label: string,
    sources: TemplateSources,
    code: 'render_failed' | 'invalid_input',
    fileOf?: (part: TemplatePart) => string,
  ): Record<TemplatePart, Template[]> {
    const parse = (part: TemplatePart): Template[] => {
      try {
        return this.engineFor(part).parse(sources[part], fileOf?.(part));
      } catch (error) {
        const message = `${part}: syntax error: ${describeLiquidError(error)}`;
        throw new ReengageError(code, code === 'invalid_input' ? message : `${label} ${message}`, false, {
          cause: error,
        });
      }
    };
    return { subject: parse('subject'), html: parse('html'), text: parse('text') };
  }

  private async renderCompiled(compiled: CompiledTemplate, context: RenderContext): Promise<RenderedEmail> {
    const scope = toScope(context);
    const rendered: Partial<RenderedEmail> = {};
    for (const part of TEMPLATE_PARTS) {
      try {
        rendered[part] = await this.renderPart(part, compiled.parts[part], scope);
      } catch (error) {
        throw new ReengageError(
          'render_failed',
          `${compiled.label} ${part}: ${describeLiquidError(error)}`,
          false,
          {
            cause: error,
          },
        );
      }
    }
    return rendered as RenderedEmail;
  }

  private async renderPart(part: TemplatePart, templates: Template[], scope: object): Promise<string> {
    const raw: unknown = await this.engineFor(part).render(templates, scope);
    const output = typeof raw === 'string' ? raw : String(raw);
    // Checked before any other processing so that a hostile template's huge output is never scanned.
    if (output.length > this.limits.maxOutputChars[part]) {
      throw new RangeError(`output is too large (more than ${this.limits.maxOutputChars[part]} characters)`);
    }
    if (part === 'subject') return toSingleLine(output);
    if (part === 'text') return tidyText(output);
    return `${output.trim()}\n`;
  }

  private engineFor(part: TemplatePart): Liquid {
    return part === 'html' ? this.htmlEngine : this.textEngine;
  }

  private async checkVariables(part: TemplatePart, templates: Template[]): Promise<void> {
    let analysis: Awaited<ReturnType<Liquid['analyze']>>;
    try {
      analysis = await this.engineFor(part).analyze(templates, { partials: true });
    } catch (error) {
      const missing = error instanceof Error && error.message.includes('ENOENT');
      const problem = missing ? 'includes a template that does not exist' : 'cannot be analysed';
      throw invalid(part, `${problem}: ${describeLiquidError(error)}`, error);
    }
    for (const variables of Object.values(analysis.globals)) {
      for (const variable of variables) {
        const segments = variable.segments;
        const name = variable.toString();
        const where = `line ${variable.location.row}, column ${variable.location.col}`;
        if (part === 'subject' && HEALTH_VARIABLES.includes(String(segments[0]))) {
          throw invalid(part, `uses "${name}" (${where}): health data never goes in a subject`);
        }
        const problem = checkPath(segments);
        if (problem) throw invalid(part, `${problem}: "${name}" (${where}). ${ALLOWED_VARIABLES_HINT}`);
      }
    }
  }
}

const ALLOWED_VARIABLES_HINT = `Available variables: ${listPaths(CONTEXT_SHAPE).join(', ')}.`;

function listPaths(shape: { [key: string]: Shape }, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([key, child]) =>
    child === true ? [`${prefix}${key}`] : listPaths(child, `${prefix}${key}.`),
  );
}

function checkPath(segments: ReadonlyArray<unknown>): string | null {
  let node: Shape = { ...CONTEXT_SHAPE };
  for (const [index, segment] of segments.entries()) {
    if (typeof segment !== 'string') return 'uses a computed property, which is not supported';
    if (node === true) {
      // Liquid's `size` is the only property worth reading on a string.
      return segment === 'size' && index === segments.length - 1 ? null : 'uses an unknown variable';
    }
    const child: Shape | undefined = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (child === undefined) return 'uses an unknown variable';
    node = child;
  }
  return null;
}

function libraryPath(templateId: TemplateId, locale: Locale, part: TemplatePart): string {
  return `${templateId}/${locale}/${part}.liquid`;
}

function assertKnown(templateId: TemplateId, locale: Locale): void {
  if (!TEMPLATE_IDS.includes(templateId)) throw new RangeError(`unknown template id: ${String(templateId)}`);
  if (!LOCALES.includes(locale)) throw new RangeError(`unknown locale: ${String(locale)}`);
}

function invalid(part: TemplatePart, problem: string, cause?: unknown): ReengageError {
  return new ReengageError(
    'invalid_input',
    `${part}: ${problem}`,
    false,
    cause === undefined ? undefined : { cause },
  );
}

function loadTemplateFiles(root: string): Record<string, string> {
  if (!existsSync(root)) {
    throw new ReengageError('invalid_configuration', `templates folder not found: ${root}`);
  }
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.liquid')) {
        files[path.relative(root, full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
      }
    }
  };
  walk(root);
  return files;
}

/** C0 and C1 controls plus the Unicode line separators: none belongs in a name or a header. */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/gu;
const CONTROL_CHARACTERS_BUT_NEWLINE = /[^\P{Cc}\n]|[\u2028\u2029]/gu;

/**
 * Plain objects only, strings trimmed, blanks turned into null: Liquid treats "" as true, and a blank
 * first name must fall back to "Bonjour," rather than "Bonjour ,".
 */
function toScope(context: RenderContext): RenderContext {
  const line = (value: string | null | undefined): string | null => {
    const cleaned = (value ?? '').replace(CONTROL_CHARACTERS, ' ').trim();
    return cleaned === '' ? null : cleaned.replace(/ {2,}/g, ' ');
  };
  const multiline = (value: string | null | undefined): string | null => {
    const cleaned = (value ?? '')
      .replace(/\r\n?/g, '\n')
      .replace(CONTROL_CHARACTERS_BUT_NEWLINE, ' ')
      .split('\n')
      .map((row) => row.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return cleaned === '' ? null : cleaned;
  };
  const title = line(context.resource?.title);
  const url = line(context.resource?.url);
  return {
    locale: context.locale,
    patient: { firstName: line(context.patient.firstName) },
    therapist: {
      displayName: line(context.therapist.displayName) ?? '',
      signature: multiline(context.therapist.signature),
    },
    practice: { name: line(context.practice.name) ?? '', bookingUrl: context.practice.bookingUrl },
    sinceLastVisit: line(context.sinceLastVisit),
    progressNote: line(context.progressNote),
    planSummary: line(context.planSummary),
    // Only web links are offered to a patient; anything else (javascript:, data:) falls back to the generic wording.
    resource: title && url && /^https?:\/\//i.test(url) ? { title, url } : null,
    season: line(context.season),
    links: {
      book: context.links.book,
      later: context.links.later,
      unsubscribe: context.links.unsubscribe,
      feedback: line(context.links.feedback),
    },
  };
}

/** A subject is one header line: folding whitespace and control characters go (header injection). */
function toSingleLine(subject: string): string {
  return subject.replace(CONTROL_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
}

function tidyText(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((row) => row.trimEnd());
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

function describeLiquidError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (/limit exceeded/.test(error.message)) {
    return `${error.message} (the template takes too long or too much memory to render)`;
  }
  return error.message;
}

/** What makes a rendered part unacceptable, in words a practice manager can act on; null when fine. */
function findOutputProblem(
  part: TemplatePart,
  output: string,
  context: RenderContext,
  templateId: TemplateId,
): string | null {
  if (output.trim() === '') return 'renders to nothing';
  const visible =
    part === 'html'
      ? output
          .replace(/<!--[\s\S]*?-->/g, ' ')
          .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
          .replace(/<[^>]*>/g, ' ')
      : output;
  const leftover = /\{\{|\}\}|\{%|%\}/.exec(output);
  if (leftover) return `contains a literal "${leftover[0]}" in its output`;
  const word = /\b(undefined|null|NaN)\b/.exec(visible);
  if (word) return `shows the word "${word[1]}": a variable is missing or misspelled`;
  const placeholder = /\[[^\]\n]{0,80}\]/.exec(visible);
  if (placeholder) return `contains the placeholder "${placeholder[0]}": use a variable instead of brackets`;
  if (part === 'subject') {
    for (const secret of [SAMPLE_PROGRESS_NOTE, SAMPLE_PLAN_SUMMARY]) {
      if (output.includes(secret)) return 'contains health data, which never goes in a subject';
    }
    return null;
  }
  const required: Array<[string, string | null]> = [
    ['the booking link (links.book)', context.links.book],
    ['the "not now" link (links.later)', context.links.later],
    ['the unsubscribe link (links.unsubscribe)', context.links.unsubscribe],
  ];
  if (templateId === 'feedback')
    required.push(['the feedback link (links.feedback)', context.links.feedback]);
  for (const [name, url] of required) {
    // The HTML engine escapes `&` in attributes; sample links have none, so the raw URL must appear.
    if (url && !output.includes(url)) return `does not contain ${name}`;
  }
  return null;
}
