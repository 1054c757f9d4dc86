// The generic webhook signature: `Reengage-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck =
  | { valid: true }
  | { valid: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedHeader | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

export function signGeneric(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/**
 * Verifies over the exact raw bytes. Several `v1=` may be present and several secrets may be valid
 * (rotation: current and previous); any pair matching in constant time is enough.
 */
export function verifyGenericSignature(
  header: string | null,
  rawBody: string,
  secrets: readonly string[],
  now: Date,
  toleranceInSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header) return { valid: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { valid: false, reason: 'malformed' };
  const nowInSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowInSeconds - parsed.timestamp) > toleranceInSeconds)
    return { valid: false, reason: 'expired' };
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signGeneric(secret, parsed.timestamp, rawBody), 'hex');
    for (const candidate of parsed.signatures) {
      // Evaluate every pair so timing does not reveal which secret or signature matched.
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  return matched ? { valid: true } : { valid: false, reason: 'mismatch' };
}
