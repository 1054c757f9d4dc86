// Identifiers: ledger row keys and the deterministic operation id derived from them.
import { createHash } from 'node:crypto';
import type { Campaign, OutreachKey } from './model';

/** Ids from booking tools end up in Table keys joined by `|`: keep them to a safe alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,127}$/;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function outreachIdOf(key: OutreachKey): string {
  return `${key.patientId}|${key.campaign}|${key.episodeKey}|${key.step}`;
}

const CAMPAIGNS: readonly Campaign[] = ['lapse', 'milestone', 'seasonal'];

export function parseOutreachId(id: string): OutreachKey | null {
  const parts = id.split('|');
  if (parts.length !== 4) return null;
  const [patientId, campaign, episodeKey, stepText] = parts as [string, string, string, string];
  const step = Number(stepText);
  if (!isValidId(patientId) || !CAMPAIGNS.includes(campaign as Campaign) || !episodeKey) return null;
  if (!Number.isInteger(step) || step < 1 || step > 9) return null;
  return { patientId, campaign: campaign as Campaign, episodeKey, step };
}

// RFC 4122 name-based UUID (version 5, SHA-1) under a namespace of our own, so that the same ledger row
// always yields the same ACS operation id, across workers and retries.
const NAMESPACE = Buffer.from('6f0c1b52-3a4e-4c7d-9a59-2f1e8d7c6b5a'.replace(/-/g, ''), 'hex');

export function operationIdOf(practiceId: string, outreachId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${practiceId}/${outreachId}`, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A short, stable, non-reversible reference for logs (never log names or addresses). */
export function hashForLog(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
}

/** The suppression list's key for an address: salted per practice, never reversible to the address. */
export function addressHashOf(practiceId: string, email: string): string {
  return createHash('sha256')
    .update(`reengage-suppression\n${practiceId}\n${email.trim().toLowerCase()}`, 'utf8')
    .digest('hex');
}
