// The admin API's booking-tool use cases: the therapist mapping (vendor keys -> therapists) and the
// practice's Acuity API credentials, plus the state of each integration for a set-up check.
import { z } from 'zod';
import type { FieldProblem } from '../core/bookingEvents';
import { ID_PATTERN } from '../core/ids';
import type {
  AcuityCredentials,
  PracticeSecrets,
  TherapistMapping,
  TherapistMappingEntry,
  UnmappedTherapistKey,
  WebhookSecret,
  WebhookSource,
} from '../core/ports';
import { previousSecretAcceptedUntil, rotateWebhookSecret } from '../core/secrets';
import {
  emptyTherapistMapping,
  isTherapistKey,
  MAX_THERAPIST_KEY_LENGTH,
  THERAPIST_KEY_KINDS,
  therapistKey,
} from '../core/vendors/therapistMapping';
import { isCleanText } from './adminHttp';
import type { Deps } from './deps';
import { withOptimisticRetry } from './patientRecords';
import { WEBHOOK_SOURCES } from './webhookSources';

// ---------------------------------------------------------------------------------------------------------
// Therapist mapping

/** As many as the unmapped list keeps: every key a booking can offer fits, with room for each therapist. */
export const MAX_MAPPING_ENTRIES = 100;
/** The entries are one table property (32,000 characters); keep clear of it whatever the keys are. */
const MAX_ENTRIES_JSON_CHARS = 30_000;

const ID_MESSAGE = 'must be 1-128 characters: letters, digits and _ . : @ + = ~ -';
const KEY_FORMS = Object.entries(THERAPIST_KEY_KINDS)
  .flatMap(([source, kinds]) => kinds.map((kind) => `${source}:${kind}:…`))
  .join(', ');

const NUMERIC = /^\d{1,20}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const mappingEntrySchema = z.strictObject({
  key: z
    .string({ message: 'must be a string' })
    .trim()
    .superRefine((key, ctx) => {
      const problem = keyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  therapistId: z.string({ message: 'must be a string' }).regex(ID_PATTERN, ID_MESSAGE),
});

/**
 * PUT body: the whole list of entries, replacing the stored one. `practiceId` and `unmapped` (the GET
 * answer's other fields) may be sent back, so that GET, edit, PUT works; `unmapped` is ignored.
 */
export const therapistMappingSchema = z.strictObject({
  practiceId: z.string({ message: 'must be a string' }).optional(),
  entries: z
    .array(mappingEntrySchema, { message: 'must be a list of {key, therapistId}' })
    .max(MAX_MAPPING_ENTRIES, `must list at most ${MAX_MAPPING_ENTRIES} entries`),
  unmapped: z.unknown().optional(),
});

export type TherapistMappingInput = z.output<typeof therapistMappingSchema>;

/**
 * The first thing wrong with a key, or null. A key with the right form but a value the tool never sends
 * would never match a booking, so values are checked too: Calendly names people and event types by their
 * API URI, the other tools by numbers and addresses.
 */
function keyProblem(key: string): string | null {
  if (key === '') return 'must not be empty';
  if (key.length > MAX_THERAPIST_KEY_LENGTH) return `must be at most ${MAX_THERAPIST_KEY_LENGTH} characters`;
  if (!isCleanText(key) || /\s/.test(key)) return 'must not contain spaces or control characters';
  if (!isTherapistKey(key)) return `must be one of ${KEY_FORMS}`;
  const [source, kind, ...rest] = key.split(':');
  const value = rest.join(':');
  if (kind === 'organizer') return EMAIL.test(value) ? null : 'the organizer must be an email address';
  if (source === 'calendly') {
    const segment = kind === 'user' ? 'users' : 'event_types';
    return isHttpsUrlWithSegment(value, segment)
      ? null
      : `must be the Calendly API URI, like https://api.calendly.com/${segment}/<uuid>`;
  }
  return NUMERIC.test(value) ? null : `the ${kind} must be the tool's numeric id`;
}

function isHttpsUrlWithSegment(value: string, segment: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.pathname.split('/').includes(segment);
  } catch {
    return false;
  }
}

/** The key as bookings offer it (organizer addresses in lower case), so that it matches them. */
function normalizedKey(key: string): string {
  const [source, kind, ...rest] = key.split(':');
  return therapistKey(source as keyof typeof THERAPIST_KEY_KINDS, kind ?? '', rest.join(':'));
}

export interface TherapistMappingView {
  practiceId: string;
  entries: TherapistMappingEntry[];
  /** Keys seen in bookings with no entry, oldest first: map them, and they leave this list. */
  unmapped: UnmappedTherapistKey[];
}

export async function getTherapistMappingView(deps: Deps, practiceId: string): Promise<TherapistMappingView> {
  const stored = await deps.practices.getTherapistMapping(practiceId);
  const { entries, unmapped } = stored?.value ?? emptyTherapistMapping(practiceId);
  return { practiceId, entries, unmapped };
}

export type PutTherapistMappingResult =
  | { kind: 'updated'; mapping: TherapistMappingView }
  | { kind: 'invalid'; problems: FieldProblem[] };

/**
 * Replaces the entries. Every therapist must exist; a key may appear once. The unmapped list loses the
 * keys now mapped and keeps the others. The row is rewritten with its ETag, re-read when a booking
 * recorded a new unmapped key meanwhile, so that neither write is lost.
 */
export async function putTherapistMapping(
  deps: Deps,
  practiceId: string,
  input: TherapistMappingInput,
): Promise<PutTherapistMappingResult> {
  const problems: FieldProblem[] = [];
  if (input.practiceId !== undefined && input.practiceId !== practiceId) {
    problems.push({ field: 'practiceId', message: 'must match the practice id in the URL' });
  }
  const entries = input.entries.map((e) => ({ key: normalizedKey(e.key), therapistId: e.therapistId }));
  const firstIndex = new Map<string, number>();
  entries.forEach((entry, i) => {
    const earlier = firstIndex.get(entry.key);
    if (earlier === undefined) firstIndex.set(entry.key, i);
    else problems.push({ field: `entries.${i}.key`, message: `repeats entries.${earlier}.key` });
  });
  const therapistIds = [...new Set(entries.map((e) => e.therapistId))];
  const found = await Promise.all(therapistIds.map((id) => deps.practices.getTherapist(practiceId, id)));
  const unknown = new Set(therapistIds.filter((_, i) => found[i] === null));
  entries.forEach((entry, i) => {
    if (unknown.has(entry.therapistId)) {
      problems.push({ field: `entries.${i}.therapistId`, message: 'is not a therapist of this practice' });
    }
  });
  if (JSON.stringify(entries).length > MAX_ENTRIES_JSON_CHARS) {
    problems.push({ field: 'entries', message: 'are too long together: use fewer or shorter keys' });
  }
  if (problems.length > 0) return { kind: 'invalid', problems };

  const mapped = new Set(entries.map((e) => e.key));
  const mapping = await withOptimisticRetry(async () => {
    const current = await deps.practices.getTherapistMapping(practiceId);
    const next: TherapistMapping = {
      practiceId,
      entries,
      unmapped: (current?.value.unmapped ?? []).filter((u) => !mapped.has(u.key)),
    };
    if (current) await deps.practices.updateTherapistMapping(next, current.etag);
    else await deps.practices.createTherapistMapping(next);
    return next;
  });
  deps.log.info('therapist mapping replaced', { practiceId, entries: entries.length });
  return { kind: 'updated', mapping: { practiceId, entries: mapping.entries, unmapped: mapping.unmapped } };
}

// ---------------------------------------------------------------------------------------------------------
// Acuity credentials

function credential(pattern: RegExp, hint: string, min: number, max: number) {
  return z
    .string({ message: 'must be a string' })
    .trim()
    .min(min, `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => pattern.test(s), hint);
}

export const acuityCredentialsSchema = z.strictObject({
  /** Acuity's numeric User ID (Integrations → API). */
  userId: credential(NUMERIC, 'must be the numeric User ID Acuity shows', 1, 20),
  /** The API key; it also signs Acuity's webhooks. */
  apiKey: credential(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces', 16, 512),
});

export type AcuityCredentialsInput = z.output<typeof acuityCredentialsSchema>;

export interface AcuityCredentialsState {
  source: 'acuity';
  configured: boolean;
  /** After a key change, webhooks signed with the previous key verify until then (null: none). */
  previousKeyAcceptedUntil: string | null;
}

/**
 * Stores the credentials with the practice's secrets, conditionally on their ETag, keeping everything
 * else they hold. When the key changes, the previous one keeps verifying webhooks for the rotation grace
 * period (as webhooks.acuity's previous secret): deliveries Acuity signed before the change still land.
 */
export async function putAcuityCredentials(
  deps: Deps,
  practiceId: string,
  input: AcuityCredentialsInput,
): Promise<{ created: boolean; state: AcuityCredentialsState }> {
  const now = deps.clock.now();
  const credentials: AcuityCredentials = { userId: input.userId, apiKey: input.apiKey };
  return withOptimisticRetry(async () => {
    const current = await deps.practices.getVersionedSecrets(practiceId);
    const secrets: PracticeSecrets = current?.value ?? { practiceId, webhooks: {}, apiKeyHashes: [] };
    const previousKey = secrets.acuity?.apiKey ?? secrets.webhooks.acuity?.current ?? null;
    const webhook = acuityWebhookSecret(secrets.webhooks.acuity, previousKey, credentials.apiKey, now);
    const next: PracticeSecrets = {
      ...secrets,
      webhooks: { ...secrets.webhooks, acuity: webhook },
      acuity: credentials,
    };
    const unchanged =
      current !== null &&
      webhook === secrets.webhooks.acuity &&
      secrets.acuity?.userId === credentials.userId &&
      secrets.acuity.apiKey === credentials.apiKey;
    if (unchanged) return { created: false, state: acuityState(secrets, now) };
    if (current) await deps.practices.updateSecrets(next, current.etag);
    else await deps.practices.upsertSecrets(next);
    deps.log.info('acuity credentials set', { practiceId, keyChanged: previousKey !== credentials.apiKey });
    return { created: !secrets.acuity, state: acuityState(next, now) };
  });
}

/** The same key again changes nothing (the PUT can be repeated); a new one retires the previous. */
function acuityWebhookSecret(
  stored: WebhookSecret | undefined,
  previousKey: string | null,
  apiKey: string,
  now: Date,
): WebhookSecret {
  if (previousKey === apiKey) return stored ?? { current: apiKey, previous: null, rotatedAt: null };
  if (previousKey === null) return { current: apiKey, previous: null, rotatedAt: null };
  return rotateWebhookSecret({ current: previousKey, previous: null, rotatedAt: null }, apiKey, now);
}

export function acuityState(secrets: PracticeSecrets | null, now: Date): AcuityCredentialsState {
  const webhook = secrets?.webhooks.acuity;
  const until = webhook ? previousSecretAcceptedUntil(webhook) : null;
  return {
    source: 'acuity',
    configured: Boolean(secrets?.acuity),
    previousKeyAcceptedUntil: until && Date.parse(until) > now.getTime() ? until : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Set-up state

export interface IntegrationState {
  webhookUrl: string;
  signatureHeader: string;
  /** A delivery from the tool can be verified (and, for Acuity, read back from its API) now. */
  configured: boolean;
}

export interface IntegrationsView {
  practiceId: string;
  sources: Record<WebhookSource, IntegrationState>;
  therapistMapping: { entries: number; unmapped: number };
  /** The API's OpenAPI document. */
  openApiUrl: string;
}

/** What an integrator checks after set-up; never a secret or a credential, only whether one is set. */
export async function integrationsView(deps: Deps, practiceId: string): Promise<IntegrationsView> {
  const [secrets, mapping] = await Promise.all([
    deps.practices.getSecrets(practiceId),
    deps.practices.getTherapistMapping(practiceId),
  ]);
  const base = deps.links.publicBaseUrl;
  const sources = Object.fromEntries(
    (Object.keys(WEBHOOK_SOURCES) as WebhookSource[]).map((source) => [
      source,
      {
        webhookUrl: `${base}/api/webhooks/${source}/${encodeURIComponent(practiceId)}`,
        signatureHeader: WEBHOOK_SOURCES[source].signatureHeader,
        configured: source === 'acuity' ? Boolean(secrets?.acuity) : Boolean(secrets?.webhooks[source]),
      },
    ]),
  ) as Record<WebhookSource, IntegrationState>;
  return {
    practiceId,
    sources,
    therapistMapping: {
      entries: mapping?.value.entries.length ?? 0,
      unmapped: mapping?.value.unmapped.length ?? 0,
    },
    openApiUrl: `${base}/api/openapi.json`,
  };
}
