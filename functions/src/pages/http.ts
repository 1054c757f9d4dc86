// The answer pages over HTTP: security headers, redirects, bounded form reads, and a page for every failure.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { AnswerRoute, AnswerView } from '../app/answers';
import type { Deps } from '../app/deps';
import { readBody } from '../http';
import { type PageView, renderPage } from './answerPages';

/** Generous for a 2,000-character comment even in a script that takes 9 bytes a character once encoded. */
export const MAX_FORM_BYTES = 32 * 1024;

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  // The SPEC's CSP has no frame-ancestors; this keeps the confirm buttons from being framed (clickjacking).
  'X-Frame-Options': 'DENY',
};

export function pageResponse(view: AnswerView | PageView): HttpResponseInit {
  if (view.kind === 'redirect') {
    // no-referrer also on the redirect: the booking site must not learn the link (it is a bearer token).
    return {
      status: view.status,
      headers: { Location: view.location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    };
  }
  const headers: Record<string, string> = { ...PAGE_HEADERS };
  if (view.kind === 'method_not_allowed') headers.Allow = view.allow.join(', ');
  if (view.kind === 'unavailable') headers['Retry-After'] = '60';
  return { status: view.status, headers, body: renderPage(view) };
}

export type FormRead = { ok: true; fields: URLSearchParams } | { ok: false; view: PageView };

/**
 * Our own pages post `application/x-www-form-urlencoded`; RFC 8058 one-click clients SHOULD post
 * `multipart/form-data` and MAY post urlencoded, so both are read. Only text fields are kept.
 */
export async function readForm(request: HttpRequest, route: AnswerRoute): Promise<FormRead> {
  const contentType = request.headers.get('content-type') ?? '';
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    return { ok: false, view: { kind: 'unreadable_form', status: 415, route } };
  }
  const body = await readBody(request, MAX_FORM_BYTES);
  if (!body.ok) return { ok: false, view: { kind: 'too_large', status: 413, route } };
  if (type === 'application/x-www-form-urlencoded')
    return { ok: true, fields: new URLSearchParams(body.text) };
  try {
    const data = await new Response(body.text, { headers: { 'content-type': contentType } }).formData();
    const fields = new URLSearchParams();
    for (const [name, value] of data) if (typeof value === 'string') fields.append(name, value);
    return { ok: true, fields };
  } catch {
    return { ok: false, view: { kind: 'unreadable_form', status: 400, route } };
  }
}

/**
 * Runs one answer and turns its outcome into a response. A storage outage or any other failure becomes a
 * friendly 503 page (logged with no personal data) rather than the host's bare error: the patient is told to
 * try again, and on an unsubscribe link how else to stop the emails.
 */
export async function answerWithPage(
  deps: Deps,
  request: HttpRequest,
  route: AnswerRoute,
  methods: readonly string[],
  answer: () => Promise<AnswerView | PageView>,
): Promise<HttpResponseInit> {
  if (!methods.includes(request.method.toUpperCase())) {
    return pageResponse({ kind: 'method_not_allowed', status: 405, route, allow: [...methods] });
  }
  try {
    return pageResponse(await answer());
  } catch (error) {
    deps.log.error('answer failed', {
      route,
      error: error instanceof Error ? error.name : typeof error,
      code: (error as { code?: unknown } | null)?.code?.toString() ?? null,
    });
    return pageResponse({ kind: 'unavailable', status: 503, route });
  }
}
