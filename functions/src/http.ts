// Shared by the HTTP functions: problem+json answers and bounded body reads.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { FieldProblem } from './core/bookingEvents';

export function problem(
  status: number,
  title: string,
  detail: string,
  extra: { errors?: FieldProblem[]; headers?: Record<string, string> } = {},
): HttpResponseInit {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...extra.headers },
    jsonBody: {
      type: 'about:blank',
      title,
      status,
      detail,
      ...(extra.errors ? { errors: extra.errors } : {}),
    },
  };
}

export type BodyRead = { ok: true; text: string } | { ok: false; tooLarge: true };

/** The raw bytes, or null when there are more than `maxBytes` (by header first, then by what arrived). */
export async function readBodyBytes(request: HttpRequest, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  const bytes = Buffer.from(await request.arrayBuffer());
  return bytes.length > maxBytes ? null : bytes;
}

/** The raw body as UTF-8 text, refusing more than `maxBytes`. */
export async function readBody(request: HttpRequest, maxBytes: number): Promise<BodyRead> {
  const bytes = await readBodyBytes(request, maxBytes);
  return bytes ? { ok: true, text: bytes.toString('utf8') } : { ok: false, tooLarge: true };
}

export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type?.startsWith('application/') === true && type.endsWith('+json'));
}
