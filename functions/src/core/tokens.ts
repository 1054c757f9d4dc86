// Signed, expiring link tokens bound to one practice and one ledger row (by its opaque operation id).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkAction = 'book' | 'later' | 'feedback' | 'unsubscribe';
const ACTIONS: readonly LinkAction[] = ['book', 'later', 'feedback', 'unsubscribe'];

export const LINK_LIFETIME_DAYS = 90;
export const UNSUBSCRIBE_LIFETIME_DAYS = 365;

export interface SigningKey {
  id: string;
  secret: Buffer;
}

export interface LinkToken {
  practiceId: string;
  /** The ledger row's operation id: opaque, carries no personal data. */
  outreachRef: string;
  action: LinkAction;
  /** Unix seconds. */
  expiresAt: number;
}

export type TokenCheck =
  | { valid: true; token: LinkToken }
  | {
      valid: false;
      reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'expired';
      token: LinkToken | null;
    };

export function lifetimeInDays(action: LinkAction): number {
  return action === 'unsubscribe' ? UNSUBSCRIBE_LIFETIME_DAYS : LINK_LIFETIME_DAYS;
}

export function issueToken(fields: Omit<LinkToken, 'expiresAt'>, key: SigningKey, now: Date): string {
  const expiresAt = Math.floor(now.getTime() / 1000) + lifetimeInDays(fields.action) * 86_400;
  const payload = Buffer.from(
    JSON.stringify({
      k: key.id,
      p: fields.practiceId,
      o: fields.outreachRef,
      a: fields.action,
      e: expiresAt,
    }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

function mac(key: SigningKey, payload: string): string {
  return createHmac('sha256', key.secret).update(payload, 'ascii').digest('base64url');
}

/** Accepts a token signed by any known key id (rotation), then checks its expiry. */
export function verifyToken(raw: string, keys: readonly SigningKey[], now: Date): TokenCheck {
  if (raw.length > 1024 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(raw)) {
    return { valid: false, reason: 'malformed', token: null };
  }
  const [payload = '', signature = ''] = raw.split('.');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed', token: null };
  }
  const parsed = parsePayload(body);
  if (!parsed) return { valid: false, reason: 'malformed', token: null };
  const key = keys.find((k) => k.id === parsed.keyId);
  if (!key) return { valid: false, reason: 'unknown_key', token: null };
  const expected = Buffer.from(mac(key, payload), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { valid: false, reason: 'bad_signature', token: null };
  }
  if (parsed.token.expiresAt * 1000 <= now.getTime()) {
    return { valid: false, reason: 'expired', token: parsed.token };
  }
  return { valid: true, token: parsed.token };
}

function parsePayload(body: unknown): { keyId: string; token: LinkToken } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { k, p, o, a, e } = body as Record<string, unknown>;
  if (typeof k !== 'string' || typeof p !== 'string' || typeof o !== 'string') return null;
  if (typeof a !== 'string' || !ACTIONS.includes(a as LinkAction)) return null;
  if (typeof e !== 'number' || !Number.isInteger(e)) return null;
  return { keyId: k, token: { practiceId: p, outreachRef: o, action: a as LinkAction, expiresAt: e } };
}
