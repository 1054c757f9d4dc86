// Reads and validates every app setting, once. Nothing else in the app reads process.env.
import { z } from 'zod';

const cron = z
  .string()
  .trim()
  .regex(/^\S+( \S+){5}$/, 'must be a six-field NCRONTAB expression such as "0 0 5 * * *"');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Link-signing keys: `kid1:base64secret,kid2:base64secret`; the first signs, all verify. */
const signingKeys = z
  .string()
  .trim()
  .min(1)
  .transform((raw, ctx) => {
    const keys: { id: string; secret: Buffer }[] = [];
    for (const part of raw.split(',')) {
      const [id, secret] = part.split(':');
      if (!id || !secret || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        ctx.addIssue({ code: 'custom', message: 'each key must look like "<kid>:<base64 secret>"' });
        return z.NEVER;
      }
      const bytes = Buffer.from(secret, 'base64');
      if (bytes.length < 32) {
        ctx.addIssue({ code: 'custom', message: `key "${id}" must be at least 32 bytes of base64` });
        return z.NEVER;
      }
      keys.push({ id, secret: bytes });
    }
    return keys;
  });

const schema = z
  .object({
    ReengageStorage: z.string().trim().min(1).optional(),
    ReengageStorage__tableServiceUri: z.url().optional(),
    ReengageStorage__queueServiceUri: z.url().optional(),
    ReengageStorage__credential: z.literal('managedidentity').optional(),
    ReengageStorage__clientId: z.string().trim().min(1).optional(),
    EMAIL_TRANSPORT: z.enum(['acs', 'outbox']).default('outbox'),
    OUTBOX_DIR: z.string().trim().min(1).default('outbox'),
    ACS_ENDPOINT: z.url().optional(),
    ACS_CONNECTION_STRING: z.string().trim().min(1).optional(),
    ACS_SENDS_PER_MINUTE: positiveInt(30),
    ACS_SENDS_PER_HOUR: positiveInt(100),
    PUBLIC_BASE_URL: z.url(),
    LINK_SIGNING_KEYS: signingKeys,
    LAPSED_SCAN_SCHEDULE: cron.default('0 0 5 * * *'),
    MILESTONE_SCAN_SCHEDULE: cron.default('0 15 5 * * *'),
    SEASONAL_SCAN_SCHEDULE: cron.default('0 30 5 * * *'),
    RETENTION_DAYS: positiveInt(730),
    ACUITY_API_BASE_URL: z
      .url()
      .default('https://acuityscheduling.com/api/v1')
      .refine(
        isAllowedAcsEndpoint,
        'must be https (plain http is allowed only on 127.0.0.1 for local stand-ins)',
      ),
  })
  .superRefine((s, ctx) => {
    const identity = s.ReengageStorage__tableServiceUri || s.ReengageStorage__queueServiceUri;
    if (!s.ReengageStorage && !identity) {
      ctx.addIssue({
        code: 'custom',
        path: ['ReengageStorage'],
        message:
          'set ReengageStorage (connection string) or ReengageStorage__tableServiceUri and ReengageStorage__queueServiceUri',
      });
    }
    if (!s.ReengageStorage && identity) {
      for (const key of ['ReengageStorage__tableServiceUri', 'ReengageStorage__queueServiceUri'] as const) {
        if (!s[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required with identity-based storage' });
      }
    }
    if (s.EMAIL_TRANSPORT === 'acs') {
      if (!s.ACS_ENDPOINT && !s.ACS_CONNECTION_STRING) {
        ctx.addIssue({
          code: 'custom',
          path: ['ACS_ENDPOINT'],
          message: 'EMAIL_TRANSPORT=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING',
        });
      }
      const endpoint = s.ACS_ENDPOINT ?? endpointOfConnectionString(s.ACS_CONNECTION_STRING);
      if (endpoint && !isAllowedAcsEndpoint(endpoint)) {
        ctx.addIssue({
          code: 'custom',
          path: [s.ACS_ENDPOINT ? 'ACS_ENDPOINT' : 'ACS_CONNECTION_STRING'],
          message:
            'the ACS endpoint must be https (plain http is allowed only on 127.0.0.1 for local stand-ins)',
        });
      }
    }
  });

export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; queueServiceUri: string; clientId: string | null };

export type EmailTransportConfig =
  | { kind: 'outbox'; directory: string }
  | { kind: 'acs'; endpoint: string; connectionString: string | null };

export interface Config {
  storage: StorageConnection;
  email: EmailTransportConfig;
  quota: { perMinute: number; perHour: number };
  publicBaseUrl: string;
  linkSigningKeys: { id: string; secret: Buffer }[];
  schedules: { lapsed: string; milestone: string; seasonal: string };
  retentionDays: number;
  /** Acuity Scheduling's API, without a trailing slash (tests point it at a local stand-in). */
  acuityApiBaseUrl: string;
}

/** Every setting the app reads, for documentation and the settings-parity test. */
export const SETTING_NAMES = Object.keys(schema.shape) as readonly string[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    SETTING_NAMES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [
      name,
      env[name],
    ]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid Reengage settings:\n  ${lines.join('\n  ')}`);
  }
  const s = parsed.data;
  const storage: StorageConnection = s.ReengageStorage
    ? { kind: 'connectionString', connectionString: s.ReengageStorage }
    : {
        kind: 'identity',
        tableServiceUri: s.ReengageStorage__tableServiceUri ?? '',
        queueServiceUri: s.ReengageStorage__queueServiceUri ?? '',
        clientId: s.ReengageStorage__clientId ?? null,
      };
  const email: EmailTransportConfig =
    s.EMAIL_TRANSPORT === 'outbox'
      ? { kind: 'outbox', directory: s.OUTBOX_DIR }
      : {
          kind: 'acs',
          endpoint: s.ACS_ENDPOINT ?? endpointOfConnectionString(s.ACS_CONNECTION_STRING) ?? '',
          connectionString: s.ACS_CONNECTION_STRING ?? null,
        };
  return {
    storage,
    email,
    quota: { perMinute: s.ACS_SENDS_PER_MINUTE, perHour: s.ACS_SENDS_PER_HOUR },
    publicBaseUrl: s.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    linkSigningKeys: s.LINK_SIGNING_KEYS,
    schedules: {
      lapsed: s.LAPSED_SCAN_SCHEDULE,
      milestone: s.MILESTONE_SCAN_SCHEDULE,
      seasonal: s.SEASONAL_SCAN_SCHEDULE,
    },
    retentionDays: s.RETENTION_DAYS,
    acuityApiBaseUrl: s.ACUITY_API_BASE_URL.replace(/\/+$/, ''),
  };
}

function endpointOfConnectionString(connectionString: string | undefined): string | null {
  const match = /(?:^|;)\s*endpoint=([^;]+)/i.exec(connectionString ?? '');
  return match?.[1]?.trim() ?? null;
}

export function isAllowedAcsEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && url.hostname === '127.0.0.1';
}

let processConfig: Config | undefined;

/** The app's settings from the process environment, validated on first use (at start-up) and cached. */
export function appConfig(): Config {
  processConfig ??= loadConfig(process.env);
  return processConfig;
}
