// Rotation of a practice's credentials: which API keys and webhook secrets are accepted, and for how long.
import type { ApiKeyRecord, PracticeSecrets, WebhookSecret } from './ports';

/** How long a rotated-out API key or webhook secret keeps working, so integrations can switch over. */
export const ROTATION_GRACE_DAYS = 7;
const ROTATION_GRACE_MS = ROTATION_GRACE_DAYS * 86_400_000;
/** Keys still in their grace period beyond this many are dropped, oldest first (rotation in a loop). */
export const MAX_API_KEYS = 10;

/**
 * The secrets a webhook signature may be made with at `now`: the current one, and the previous one
 * until the grace period after its rotation ends. A previous secret without a rotation time cannot be
 * aged, so it is not trusted.
 */
export function acceptedSecrets(secret: WebhookSecret, now: Date): string[] {
  const until = previousSecretAcceptedUntil(secret);
  const previousOk = secret.previous !== null && until !== null && now.getTime() < Date.parse(until);
  return previousOk && secret.previous !== null ? [secret.current, secret.previous] : [secret.current];
}

/** When the previous secret stops being accepted (ISO instant), or null when there is none to accept. */
export function previousSecretAcceptedUntil(secret: WebhookSecret): string | null {
  if (!secret.previous || !secret.rotatedAt) return null;
  const rotatedAt = Date.parse(secret.rotatedAt);
  if (Number.isNaN(rotatedAt)) return null;
  return new Date(rotatedAt + ROTATION_GRACE_MS).toISOString();
}

/** The secret after a rotation to `next`: the current one becomes the previous, for the grace period. */
export function rotateWebhookSecret(
  secret: WebhookSecret | undefined,
  next: string,
  now: Date,
): WebhookSecret {
  return { current: next, previous: secret?.current ?? null, rotatedAt: now.toISOString() };
}

/**
 * sha256 hashes of the API keys accepted at `now`. `apiKeyHashes` (keys written before keys could
 * expire) never expire; `apiKeys` entries do once `notAfter` has passed.
 */
export function acceptedApiKeyHashes(secrets: PracticeSecrets, now: Date): string[] {
  const live = (secrets.apiKeys ?? []).filter((key) => isLive(key, now)).map((key) => key.hash);
  return [...new Set([...secrets.apiKeyHashes, ...live])];
}

/**
 * The API keys after a rotation to `nextHash`: every key that still works (the legacy never-expiring
 * ones included) keeps working until the grace period ends, then only the new one does. Expired
 * entries are dropped.
 */
export function rotateApiKeys(
  secrets: PracticeSecrets,
  nextHash: string,
  now: Date,
): Pick<PracticeSecrets, 'apiKeyHashes' | 'apiKeys'> {
  const graceEnd = now.getTime() + ROTATION_GRACE_MS;
  const retiring = new Map<string, number>();
  const retire = (hash: string, notAfter: number) => {
    if (hash === nextHash) return;
    retiring.set(hash, Math.min(retiring.get(hash) ?? Number.POSITIVE_INFINITY, notAfter));
  };
  for (const hash of secrets.apiKeyHashes) retire(hash, graceEnd);
  for (const key of secrets.apiKeys ?? []) {
    if (!isLive(key, now)) continue;
    retire(key.hash, key.notAfter === null ? graceEnd : Math.min(Date.parse(key.notAfter), graceEnd));
  }
  const kept = [...retiring.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_API_KEYS - 1)
    .map(([hash, notAfter]): ApiKeyRecord => ({ hash, notAfter: new Date(notAfter).toISOString() }));
  return { apiKeyHashes: [], apiKeys: [{ hash: nextHash, notAfter: null }, ...kept] };
}

function isLive(key: ApiKeyRecord, now: Date): boolean {
  if (key.notAfter === null) return true;
  const notAfter = Date.parse(key.notAfter);
  return !Number.isNaN(notAfter) && now.getTime() < notAfter;
}
