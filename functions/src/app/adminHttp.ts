// What every admin API handler shares: JSON bodies read and validated, problem+json answers, no 5xx for bad input.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import type { FieldProblem } from '../core/bookingEvents';
import { isReengageError } from '../core/errors';
import { isJsonContentType, problem, readBody } from '../http';

/** Admin answers carry the practice's data or credentials: never kept by a shared cache. */
export const NO_STORE = { 'Cache-Control': 'no-store' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { ...NO_STORE, ...headers }, jsonBody: body };
}

export function invalid(title: string, problems: FieldProblem[]): HttpResponseInit {
  return problem(400, title, 'Some fields are missing or invalid; nothing was changed.', {
    errors: problems,
  });
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

/**
 * Reads a JSON body of at most `maxBytes` and validates it with `schema`. `optional` lets an empty body
 * stand for `{}` (actions whose options are all optional).
 */
export async function readJson<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
  maxBytes: number,
  options: { optional?: boolean } = {},
): Promise<Parsed<z.output<S>>> {
  const body = await readBody(request, maxBytes);
  if (!body.ok) {
    return {
      ok: false,
      response: problem(413, 'Payload too large', `The body must be at most ${maxBytes} bytes.`),
    };
  }
  let value: unknown = {};
  if (body.text.trim() !== '' || !options.optional) {
    if (!isJsonContentType(request.headers.get('content-type'))) {
      return {
        ok: false,
        response: problem(
          415,
          'Unsupported media type',
          'The body must be JSON (Content-Type: application/json).',
        ),
      };
    }
    try {
      value = JSON.parse(body.text);
    } catch {
      return { ok: false, response: problem(400, 'Invalid JSON', 'The body is not valid JSON.') };
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    return { ok: false, response: invalid('Invalid request body', problemsOf(parsed.error)) };
  return { ok: true, value: parsed.data };
}

/** One problem per bad field, unknown fields included (zod reports those together, on their parent). */
export function problemsOf(error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: [...issue.path, key].map(String).join('.'), message: 'is not a known field' });
      }
    } else {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      problems.push({ field, message: missing ? 'is required' : issue.message });
    }
  }
  return problems;
}

/**
 * The last line of defence of "no input may produce a 5xx": an input that slipped past validation and
 * was refused deeper down (a table key or property too long) is a 400, and a concurrent change a 409.
 * Anything else is a real fault and propagates.
 */
export async function guardAdmin(handle: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await handle();
  } catch (error) {
    if (isReengageError(error, 'invalid_input')) {
      return problem(400, 'Invalid request', error.message);
    }
    if (isReengageError(error, 'precondition_failed') || isReengageError(error, 'conflict')) {
      return problem(409, 'Conflict', 'The resource changed while this request ran; send it again.');
    }
    throw error;
  }
}

// A lone UTF-16 half (JSON may carry one as `\ud800`) has no UTF-8 form: storage cannot keep it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Tabs and line breaks are fine in free text; other C0 controls, DEL and lone surrogates are not. */
export function isCleanText(text: string, options: { multiline?: boolean } = {}): boolean {
  if (LONE_SURROGATE.test(text)) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const lineBreak = code === 0x0a || code === 0x0d || code === 0x09;
    if ((code < 0x20 && !(options.multiline && lineBreak)) || code === 0x7f) return false;
  }
  return true;
}
