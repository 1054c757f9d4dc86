// Decodes queue message bodies, and validates the send requests that QueueSendScheduler writes.
//
// Our producers write plain JSON, but Event Grid's storage-queue destination and older Storage SDKs
// write base64 of the JSON, and the Functions host may hand over a string, a parsed object or bytes.
import { z } from 'zod';
import type { SendRequest } from '../../core/ports';

export type DecodedMessage = { ok: true; value: unknown } | { ok: false; error: 'empty' | 'not_json' };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseJson(text: string): { ok: true; value: unknown } | null {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return null;
  }
}

export function decodeQueueMessage(body: unknown): DecodedMessage {
  if (body instanceof Uint8Array) return decodeQueueMessage(Buffer.from(body).toString('utf8'));
  // The host already parsed a JSON body into an object (messageEncoding none).
  if (typeof body !== 'string')
    return body === null || body === undefined ? { ok: false, error: 'empty' } : { ok: true, value: body };
  const text = body.trim();
  if (text === '') return { ok: false, error: 'empty' };
  const raw = parseJson(text);
  if (raw) return raw;
  if (BASE64.test(text)) {
    const decoded = parseJson(Buffer.from(text, 'base64').toString('utf8'));
    if (decoded) return decoded;
  }
  return { ok: false, error: 'not_json' };
}

const sendRequestSchema = z.object({
  v: z.literal(1),
  practiceId: z.string().min(1).max(256),
  outreachId: z.string().min(1).max(512),
  notBefore: z.iso.datetime({ offset: true }),
});

export type ParsedSendRequest = { ok: true; request: SendRequest } | { ok: false; error: string };

/** A message that is not a valid SendRequest is permanent garbage: the consumer logs and completes it. */
export function parseSendRequest(body: unknown): ParsedSendRequest {
  const decoded = decodeQueueMessage(body);
  if (!decoded.ok) return decoded;
  const parsed = sendRequestSchema.safeParse(decoded.value);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`)
        .join('; '),
    };
  }
  return { ok: true, request: parsed.data };
}
