// The admin API's second factor: the practice's own API key (the function key is checked by the host).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { isValidId } from '../core/ids';
import type { Practice } from '../core/model';
import type { Versioned } from '../core/ports';
import { acceptedApiKeyHashes } from '../core/secrets';
import { problem } from '../http';
import type { Deps } from './deps';

/** Header carrying the practice API key (the function key travels as `x-functions-key` or `?code=`). */
export const PRACTICE_KEY_HEADER = 'x-reengage-key';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type AdminAuthorization =
  | { ok: true; practice: Versioned<Practice> }
  | { ok: false; response: HttpResponseInit };

/**
 * A practice's key opens that practice only. Unknown practice, missing key and wrong key answer alike
 * (401), so the API does not tell which practices exist. Keys are stored as sha256 hashes; after a
 * rotation the previous key is accepted until its grace period ends (core/secrets.ts), then refused.
 */
export async function authorizePractice(
  deps: Deps,
  request: HttpRequest,
  practiceId: string,
): Promise<AdminAuthorization> {
  const denied: AdminAuthorization = {
    ok: false,
    response: problem(
      401,
      'Unauthorized',
      `A valid practice API key is required in the ${PRACTICE_KEY_HEADER} header.`,
      {
        headers: { 'WWW-Authenticate': `ApiKey header="${PRACTICE_KEY_HEADER}"` },
      },
    ),
  };
  const key = request.headers.get(PRACTICE_KEY_HEADER);
  if (!key || key.length > 512 || !isValidId(practiceId)) return denied;
  const [practice, secrets] = await Promise.all([
    deps.practices.getPractice(practiceId),
    deps.practices.getSecrets(practiceId),
  ]);
  const given = Buffer.from(hashApiKey(key), 'hex');
  let matched = false;
  for (const stored of secrets ? acceptedApiKeyHashes(secrets, deps.clock.now()) : []) {
    const expected = Buffer.from(stored, 'hex');
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!practice || !matched) return denied;
  return { ok: true, practice };
}
