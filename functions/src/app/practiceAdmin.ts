// The admin API's practice use cases: settings (bootstrap and update), therapists, and credential rotation.
import { randomBytes } from 'node:crypto';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { FieldProblem } from '../core/bookingEvents';
import { defaultCadenceDays } from '../core/cadence';
import { isReengageError } from '../core/errors';
import { SUPPORTED_COUNTRIES } from '../core/holidays';
import { ID_PATTERN } from '../core/ids';
import type { Locale, Practice, SendWindow, Therapist } from '../core/model';
import type { PracticeSecrets, Versioned, WebhookSource } from '../core/ports';
import { newPractice } from '../core/practiceDefaults';
import { validateSeasonalWindow } from '../core/seasonal';
import {
  acceptedApiKeyHashes,
  previousSecretAcceptedUntil,
  rotateApiKeys,
  rotateWebhookSecret,
} from '../core/secrets';
import { createPracticeCalendar, validateSendWindow } from '../core/sendWindow';
import { hashApiKey } from './adminAuth';
import { isCleanText } from './adminHttp';
import type { Deps } from './deps';
import { todayFor, withOptimisticRetry } from './patientRecords';

export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['generic', 'calcom', 'calendly', 'acuity'];

// ---------------------------------------------------------------------------------------------------------
// Validation

const ID_MESSAGE = 'must be 1-128 characters: letters, digits and _ . : @ + = ~ -';
const id = z.string({ message: 'must be a string' }).regex(ID_PATTERN, ID_MESSAGE);
const LOCALE_VALUES = ['fr', 'en'] as const satisfies readonly Locale[];

function whole(min: number, max: number) {
  const range = `must be a whole number from ${min} to ${max}`;
  return z.number({ message: range }).int(range).min(min, range).max(max, range);
}

function text(max: number, options: { multiline?: boolean; allowEmpty?: boolean } = {}) {
  return z
    .string({ message: 'must be a string' })
    .trim()
    .min(options.allowEmpty ? 0 : 1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => isCleanText(s, options), 'must not contain control characters');
}

const email = z
  .string({ message: 'must be a string' })
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

function isHttpsUrl(value: string): boolean {
  if (!isCleanText(value) || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

const httpsUrl = z
  .string({ message: 'must be a string' })
  .max(1000, 'must be at most 1000 characters')
  .refine(isHttpsUrl, 'must be an https:// URL');

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const localDate = z
  .string({ message: 'must be a date yyyy-MM-dd' })
  .refine(
    (s) => LOCAL_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && toIsoDate(s) === s,
    'must be a real date yyyy-MM-dd',
  );

function toIsoDate(s: string): string | null {
  const date = new Date(`${s}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

/** Runs a core validator that throws `invalid_configuration` and reports its message as a zod issue. */
function coreCheck(check: () => void, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  try {
    check();
  } catch (error) {
    if (!isReengageError(error, 'invalid_configuration')) throw error;
    ctx.addIssue({ code: 'custom', path, message: error.message });
  }
}

const sendWindowSchema = z
  .strictObject({
    days: z
      .array(whole(1, 7))
      .min(1, 'must list at least one ISO weekday (1 = Monday ... 7 = Sunday)')
      .max(7),
    start: z.string({ message: 'must be HH:mm' }),
    end: z.string({ message: 'must be HH:mm' }),
  })
  .superRefine((window, ctx) => {
    if (new Set(window.days).size !== window.days.length) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'must not repeat a weekday' });
    }
    coreCheck(() => validateSendWindow(window as SendWindow), ctx);
  });

const seasonalWindowSchema = z
  .strictObject({
    id: z.enum(['new-year', 'rentree', 'spring'], { message: 'must be one of new-year, rentree, spring' }),
    startsOn: z.string({ message: 'must be MM-dd' }),
    lengthInDays: whole(1, 366),
    enabled: z.boolean({ message: 'must be true or false' }),
  })
  .superRefine((window, ctx) => coreCheck(() => validateSeasonalWindow(window), ctx, ['startsOn']));

const resourceSchema = z.strictObject({
  title: text(200),
  url: httpsUrl,
  focusArea: text(100),
});

/**
 * Every settable field is optional: what is given replaces the stored value, what is not keeps it (or
 * the SPEC §3 default on creation). Unknown fields are refused so that a misspelt one is not lost.
 */
export const practiceSettingsSchema = z.strictObject({
  id: id.optional(),
  name: text(200).optional(),
  timeZone: z
    .string({ message: 'must be a string' })
    .max(64)
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Paris')
    .optional(),
  locale: z.enum(LOCALE_VALUES, { message: 'must be fr or en' }).optional(),
  country: z
    .enum(SUPPORTED_COUNTRIES, { message: `must be one of ${SUPPORTED_COUNTRIES.join(', ')}` })
    .optional(),
  senderAddress: email.optional(),
  senderDisplayName: text(100).optional(),
  bookingUrl: httpsUrl.optional(),
  lapseDays: whole(7, 365).optional(),
  cooldownDays: whole(1, 180).optional(),
  maxTouchesPerEpisode: whole(1, 10).optional(),
  maxTouchesPer365Days: whole(1, 24).optional(),
  cadenceDays: z
    .tuple([whole(1, 730), whole(1, 730), whole(1, 730)], {
      message: 'must be three day counts, e.g. [30, 60, 120]',
    })
    .optional(),
  sendWindow: sendWindowSchema.optional(),
  closedDates: z.array(localDate).max(400, 'must list at most 400 dates').optional(),
  seasonalWindows: z
    .array(seasonalWindowSchema)
    .max(3)
    .superRefine((windows, ctx) => {
      if (new Set(windows.map((w) => w.id)).size !== windows.length) {
        ctx.addIssue({ code: 'custom', message: 'must not list a window twice' });
      }
    })
    .optional(),
  allowClinicalDetails: z.boolean({ message: 'must be true or false' }).optional(),
  holdoutPercent: z
    .number({ message: 'must be a number from 0 to 50' })
    .min(0, 'must be a number from 0 to 50')
    .max(50, 'must be a number from 0 to 50')
    .optional(),
  resources: z.array(resourceSchema).max(20, 'must list at most 20 resources').optional(),
  defaultTherapistId: id.nullable().optional(),
  // Read-only fields of the GET answer, accepted (and ignored) so that it can be edited and sent back.
  lastSeasonalWindowKey: z.unknown().optional(),
  credentials: z.unknown().optional(),
});

export type PracticeSettingsInput = z.output<typeof practiceSettingsSchema>;

export const therapistSchema = z.strictObject({
  id: id.optional(),
  practiceId: id.optional(),
  displayName: text(100).optional(),
  email: email.optional(),
  signature: text(1000, { multiline: true, allowEmpty: true }).optional(),
  locale: z.enum(LOCALE_VALUES, { message: 'must be fr or en' }).optional(),
  active: z.boolean({ message: 'must be true or false' }).optional(),
});

export type TherapistInput = z.output<typeof therapistSchema>;

export const webhookRotationSchema = z.strictObject({
  /** A secret chosen by the caller: for vendors that sign with a key they issue (Acuity signs with the API key). */
  secret: z
    .string({ message: 'must be a string' })
    .min(16, 'must be at least 16 characters')
    .max(512, 'must be at most 512 characters')
    .refine((s) => isCleanText(s) && !/\s/.test(s), 'must not contain spaces or control characters')
    .optional(),
});

// ---------------------------------------------------------------------------------------------------------
// Settings

export type PutPracticeResult =
  | { kind: 'created'; practice: Practice; secrets: PracticeSecrets; apiKey: string; webhookSecret: string }
  | { kind: 'updated'; practice: Practice; secrets: PracticeSecrets | null }
  | { kind: 'invalid'; problems: FieldProblem[] }
  /** Another request created the practice meanwhile. */
  | { kind: 'conflict' };

/**
 * Creates a practice and issues its first API key and generic webhook secret (returned once, stored as a
 * hash and as PracticeSecrets). Only the function key protects this call: a practice is claimed by the
 * first request that inserts its secrets row (conditionally), so two racing creations cannot both get a
 * key. A practice row without secrets (a creation that died half-way) can be claimed again.
 */
export async function bootstrapPractice(
  deps: Deps,
  practiceId: string,
  input: PracticeSettingsInput,
): Promise<PutPracticeResult> {
  const now = deps.clock.now();
  const existing = await deps.practices.getPractice(practiceId);
  const problems: FieldProblem[] = [];
  for (const field of ['name', 'senderAddress', 'bookingUrl'] as const) {
    if (input[field] === undefined && !existing) {
      problems.push({ field, message: 'is required to create a practice' });
    }
  }
  const base =
    existing?.value ??
    newPractice({
      id: practiceId,
      name: input.name ?? '',
      ...(input.locale ? { locale: input.locale } : {}),
      ...(input.lapseDays ? { lapseDays: input.lapseDays } : {}),
    });
  const applied = await applySettings(deps, base, input, now);
  problems.push(...applied.problems);
  if (problems.length > 0) return { kind: 'invalid', problems };
  const practice = applied.practice;

  const apiKey = `rk_${randomBytes(32).toString('base64url')}`;
  const webhookSecret = `whsec_${randomBytes(32).toString('base64url')}`;
  const secrets: PracticeSecrets = {
    practiceId,
    webhooks: { generic: { current: webhookSecret, previous: null, rotatedAt: null } },
    apiKeyHashes: [],
    apiKeys: [{ hash: hashApiKey(apiKey), notAfter: null }],
  };
  if (!existing && (await deps.practices.createPractice(practice)) === null) return { kind: 'conflict' };
  if ((await deps.practices.createSecrets(secrets)) === null) return { kind: 'conflict' };
  // A practice row found without secrets is ours once the secrets row is: its settings are replaced.
  if (existing) await deps.practices.upsertPractice(practice);
  deps.log.info('practice created', { practiceId });
  return { kind: 'created', practice, secrets, apiKey, webhookSecret };
}

/** Applies the given settings to the stored practice, re-reading it if it changed meanwhile. */
export async function updatePracticeSettings(
  deps: Deps,
  current: Versioned<Practice>,
  input: PracticeSettingsInput,
): Promise<PutPracticeResult> {
  let stored = current;
  let first = true;
  return withOptimisticRetry(async () => {
    if (!first) {
      const again = await deps.practices.getPractice(current.value.id);
      if (!again) return { kind: 'conflict' } as const;
      stored = again;
    }
    first = false;
    const applied = await applySettings(deps, stored.value, input, deps.clock.now());
    if (applied.problems.length > 0) return { kind: 'invalid', problems: applied.problems } as const;
    await deps.practices.updatePractice(applied.practice, stored.etag);
    const secrets = await deps.practices.getSecrets(applied.practice.id);
    deps.log.info('practice settings updated', { practiceId: applied.practice.id });
    return { kind: 'updated', practice: applied.practice, secrets } as const;
  });
}

/** The given fields over `base`, then the rules that tie fields together. */
async function applySettings(
  deps: Pick<Deps, 'practices'>,
  base: Practice,
  input: PracticeSettingsInput,
  now: Date,
): Promise<{ practice: Practice; problems: FieldProblem[] }> {
  const { id: givenId, lastSeasonalWindowKey: _readOnly, credentials: _alsoReadOnly, ...fields } = input;
  const problems: FieldProblem[] = [];
  if (givenId !== undefined && givenId !== base.id) {
    problems.push({ field: 'id', message: 'must match the practice id in the URL' });
  }
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const practice: Practice = { ...base, ...(given as Partial<Practice>) };
  // The cadence follows lapseDays unless the practice set its own.
  const ownCadence = base.cadenceDays.join() !== defaultCadenceDays(base.lapseDays).join();
  if (fields.cadenceDays === undefined && !ownCadence) {
    practice.cadenceDays = defaultCadenceDays(practice.lapseDays);
  }
  const [step1, step2, step3] = practice.cadenceDays;
  if (step1 < practice.lapseDays) {
    problems.push({
      field: 'cadenceDays',
      message: `the first step must come at least lapseDays (${practice.lapseDays}) days after the last visit`,
    });
  } else if (step2 - step1 < practice.cooldownDays || step3 - step2 < practice.cooldownDays) {
    problems.push({
      field: 'cadenceDays',
      message: `steps must be at least cooldownDays (${practice.cooldownDays}) days apart, in increasing order`,
    });
  }
  if (practice.maxTouchesPer365Days < practice.maxTouchesPerEpisode) {
    problems.push({
      field: 'maxTouchesPer365Days',
      message: `must be at least maxTouchesPerEpisode (${practice.maxTouchesPerEpisode})`,
    });
  }
  if (fields.defaultTherapistId) {
    const therapist = await deps.practices.getTherapist(base.id, fields.defaultTherapistId);
    if (!therapist)
      problems.push({ field: 'defaultTherapistId', message: 'is not a therapist of this practice' });
  }
  if (problems.length === 0) {
    try {
      // A calendar with no open day would stop every planner run for the practice.
      createPracticeCalendar(practice).nextWorkingDay(todayFor(practice, now));
    } catch (error) {
      if (!isReengageError(error, 'invalid_configuration')) throw error;
      problems.push({ field: fields.closedDates ? 'closedDates' : 'sendWindow', message: error.message });
    }
  }
  return { practice, problems };
}

/** What GET answers: the settings, and the state (never the value) of the practice's credentials. */
export function practiceView(practice: Practice, secrets: PracticeSecrets | null, now: Date) {
  const live = secrets ? new Set(acceptedApiKeyHashes(secrets, now)) : new Set<string>();
  const apiKeys = [
    ...(secrets?.apiKeyHashes ?? []).map(() => ({ current: true, validUntil: null as string | null })),
    ...(secrets?.apiKeys ?? [])
      .filter((key) => live.has(key.hash))
      .map((key) => ({ current: key.notAfter === null, validUntil: key.notAfter })),
  ];
  const webhooks = Object.fromEntries(
    Object.entries(secrets?.webhooks ?? {}).map(([source, secret]) => {
      const until = secret ? previousSecretAcceptedUntil(secret) : null;
      return [
        source,
        {
          rotatedAt: secret?.rotatedAt ?? null,
          previousAcceptedUntil: until && Date.parse(until) > now.getTime() ? until : null,
        },
      ];
    }),
  );
  return { ...practice, credentials: { apiKeys, webhooks } };
}

// ---------------------------------------------------------------------------------------------------------
// Credentials

/** A new API key, returned once; every key that worked keeps working for the grace period. */
export async function rotatePracticeApiKey(
  deps: Deps,
  practiceId: string,
): Promise<{ apiKey: string; previousKeysValidUntil: string | null }> {
  const now = deps.clock.now();
  const current = await deps.practices.getVersionedSecrets(practiceId);
  const secrets: PracticeSecrets = current?.value ?? { practiceId, webhooks: {}, apiKeyHashes: [] };
  const apiKey = `rk_${randomBytes(32).toString('base64url')}`;
  const next = { ...secrets, ...rotateApiKeys(secrets, hashApiKey(apiKey), now) };
  if (current) await deps.practices.updateSecrets(next, current.etag);
  else await deps.practices.upsertSecrets(next);
  const until = (next.apiKeys ?? [])
    .map((key) => key.notAfter)
    .filter((notAfter): notAfter is string => notAfter !== null)
    .sort()
    .at(-1);
  deps.log.info('practice api key rotated', { practiceId });
  return { apiKey, previousKeysValidUntil: until ?? null };
}

/**
 * A new webhook secret for one source (generated, or the one given), returned once; the current one
 * becomes the previous and is accepted for the grace period.
 */
export async function rotatePracticeWebhookSecret(
  deps: Deps,
  practiceId: string,
  source: WebhookSource,
  given: string | undefined,
): Promise<{ source: WebhookSource; secret: string; previousAcceptedUntil: string | null }> {
  const now = deps.clock.now();
  const current = await deps.practices.getVersionedSecrets(practiceId);
  const secrets: PracticeSecrets = current?.value ?? { practiceId, webhooks: {}, apiKeyHashes: [] };
  const secret = given ?? `whsec_${randomBytes(32).toString('base64url')}`;
  const rotated = rotateWebhookSecret(secrets.webhooks[source], secret, now);
  const next: PracticeSecrets = { ...secrets, webhooks: { ...secrets.webhooks, [source]: rotated } };
  if (current) await deps.practices.updateSecrets(next, current.etag);
  else await deps.practices.upsertSecrets(next);
  deps.log.info('webhook secret rotated', { practiceId, source });
  return { source, secret, previousAcceptedUntil: previousSecretAcceptedUntil(rotated) };
}

// ---------------------------------------------------------------------------------------------------------
// Therapists

export type PutTherapistResult =
  | { kind: 'created' | 'updated'; therapist: Therapist }
  | { kind: 'invalid'; problems: FieldProblem[] };

/** Creates or updates one therapist; fields not given keep their value (creation needs a name and an email). */
export async function putTherapist(
  deps: Deps,
  practice: Practice,
  therapistId: string,
  input: TherapistInput,
): Promise<PutTherapistResult> {
  const problems: FieldProblem[] = [];
  if (input.id !== undefined && input.id !== therapistId) {
    problems.push({ field: 'id', message: 'must match the therapist id in the URL' });
  }
  if (input.practiceId !== undefined && input.practiceId !== practice.id) {
    problems.push({ field: 'practiceId', message: 'must match the practice id in the URL' });
  }
  const existing = await deps.practices.getTherapist(practice.id, therapistId);
  if (!existing) {
    for (const field of ['displayName', 'email'] as const) {
      if (input[field] === undefined) problems.push({ field, message: 'is required to create a therapist' });
    }
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  const therapist: Therapist = {
    practiceId: practice.id,
    id: therapistId,
    displayName: input.displayName ?? existing?.displayName ?? '',
    email: input.email ?? existing?.email ?? '',
    signature: input.signature ?? existing?.signature ?? '',
    locale: input.locale ?? existing?.locale ?? practice.locale,
    active: input.active ?? existing?.active ?? true,
  };
  await deps.practices.upsertTherapist(therapist);
  return { kind: existing ? 'updated' : 'created', therapist };
}

export async function listTherapists(deps: Deps, practiceId: string): Promise<Therapist[]> {
  const therapists: Therapist[] = [];
  for await (const therapist of deps.practices.listTherapists(practiceId)) therapists.push(therapist);
  return therapists.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
