// The seeded world the fuzz tests run against, and the arbitraries and checks they share.
import { HttpRequest } from '@azure/functions';
import fc from 'fast-check';
import { expect, inject } from 'vitest';
import { hashApiKey } from '../../functions/src/app/adminAuth';
import { isReengageError } from '../../functions/src/core/errors';
import type { OutreachRow } from '../../functions/src/core/model';
import { issueToken, type LinkAction } from '../../functions/src/core/tokens';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { snapshotTables } from '../support/snapshot';

export const PRACTICE_ID = 'prac_fuzz';
export const API_KEY = 'key-of-prac-fuzz-0123456789';
/** The key the harness signs links with (LINK_SIGNING_KEYS `k1:` 32 bytes of 7). */
export const LINK_KEY = { id: 'k1', secret: Buffer.alloc(32, 7) };
/** While the fuzzing runs: five days after the emails left, so their links are valid. */
export const FUZZ_NOW = '2027-01-05T10:00:00Z';
const SENT_ON = '2026-12-31T05:00:00Z';

/**
 * Fixed, so that every run tries the same inputs; set FUZZ_SEED to explore others. On a failure fast-check
 * prints the seed, the path and the shrunk counterexample, which replay it.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20270105);

export interface FuzzWorld {
  h: Harness;
  /** Ledger rows whose email went out through the outbox: real operation ids (ACS message ids). */
  sent: OutreachRow[];
  /** A row planned but not sent yet, so the send consumer has real work to find. */
  planned: OutreachRow;
  /** Patients known to the practice; `pat_fz_erase` has no email and is the only one erasure may hit. */
  patientIds: string[];
  /** Real link tokens of the sent emails, every action, as the emails carry them. */
  tokens: Record<LinkAction, string[]>;
  /** Correctly signed tokens that expired before FUZZ_NOW. */
  expiredTokens: string[];
}

async function visit(h: Harness, patientId: string, day: string, email: boolean): Promise<void> {
  const response = await h.postEvent(PRACTICE_ID, {
    id: `${patientId}-${day}`,
    type: 'appointment.completed',
    occurredAt: `${day}T12:00:00Z`,
    patient: {
      id: patientId,
      firstName: 'Camille',
      ...(email ? { email: `${patientId}@example.org` } : {}),
      locale: 'fr',
      therapistId: 'th_1',
      emailConsent: true,
    },
    appointment: { id: `${patientId}-apt`, startsAt: `${day}T10:00:00+01:00` },
  });
  expect(response.status).toBe(202);
}

/**
 * One practice (webhook secret, API key hash), five patients, three emails planned and sent, one planned
 * and waiting: every id, token and message id the fuzzers mutate is a real one.
 */
export async function seedFuzzWorld(): Promise<FuzzWorld> {
  const h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-12-01T12:00:00Z',
  }).ready();
  await h.addPractice(aPractice({ id: PRACTICE_ID, defaultTherapistId: 'th_1' }), [
    aTherapist({ practiceId: PRACTICE_ID }),
  ]);
  const secrets = await h.deps.practices.getSecrets(PRACTICE_ID);
  if (!secrets) throw new Error('the harness stored no secrets');
  await h.deps.practices.upsertSecrets({ ...secrets, apiKeyHashes: [hashApiKey(API_KEY)] });

  for (const id of ['pat_fz_a', 'pat_fz_b', 'pat_fz_c']) await visit(h, id, '2026-12-01', true);
  await visit(h, 'pat_fz_erase', '2026-12-01', false);
  h.clock.set(SENT_ON);
  await h.plan();
  expect((await h.drain()).results).toEqual({ sent: 3 });
  // A day later a fourth patient's step 1 is planned; the harness queue is never drained again.
  h.clock.set('2026-12-02T12:00:00Z');
  await visit(h, 'pat_fz_d', '2026-12-02', true);
  h.clock.set('2027-01-01T05:00:00Z');
  await h.plan();
  h.clock.set(FUZZ_NOW);

  const rows: OutreachRow[] = [];
  for await (const row of h.deps.ledger.listOutreach(PRACTICE_ID)) rows.push(row);
  const sent = rows.filter((r) => r.status === 'sent');
  const planned = rows.find((r) => r.status === 'planned');
  expect(sent).toHaveLength(3);
  if (!planned) throw new Error('no planned row');

  const actions: LinkAction[] = ['book', 'later', 'feedback', 'unsubscribe'];
  const tokenOf = (row: OutreachRow, action: LinkAction, at: string) =>
    issueToken({ practiceId: PRACTICE_ID, outreachRef: row.operationId, action }, LINK_KEY, new Date(at));
  const tokens = Object.fromEntries(
    actions.map((action) => [action, sent.map((row) => tokenOf(row, action, SENT_ON))]),
  ) as Record<LinkAction, string[]>;
  // 90 days (a year for unsubscribe) before FUZZ_NOW and a bit more: expired, signature still ours.
  const expiredTokens = actions.map((action) =>
    tokenOf(
      sent[0] as OutreachRow,
      action,
      action === 'unsubscribe' ? '2025-12-01T00:00:00Z' : '2026-10-01T00:00:00Z',
    ),
  );
  return {
    h,
    sent,
    planned,
    patientIds: ['pat_fz_a', 'pat_fz_b', 'pat_fz_c', 'pat_fz_d', 'pat_fz_erase'],
    tokens,
    expiredTokens,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const LONE_SURROGATES = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Characters that break naive code: controls, quotes, key separators, escapes, RTL marks, emoji, lone surrogates. */
const NASTY_CHARS = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u007f',
  '\u0085',
  '"',
  "'",
  '\\',
  '/',
  '#',
  '?',
  '%',
  '~',
  '|',
  '&',
  '=',
  '<',
  '>',
  '.',
  '\u00e9',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\u{1f600}',
);

/** Strings from every corner: ASCII, full Unicode, graphemes, nasty characters and lone surrogates. */
export const anyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({
      unit: fc.oneof(
        NASTY_CHARS,
        LONE_SURROGATES,
        fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
      ),
      maxLength,
    }),
  );

/** A header value the fetch Headers class accepts (no NUL, CR or LF; Latin-1). */
export const headerValue: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
      fc.constant('\t'),
    ),
    maxLength: 80,
  })
  .map((value) => value.trim());

export const contentTypes = (...real: string[]): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constantFrom<string | undefined>(
      undefined,
      '',
      ...real,
      ...real.map((type) => type.toUpperCase()),
      ...real.map((type) => `${type}; charset=utf-8`),
      'application/json',
      'application/cloudevents+json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'multipart/form-data; boundary=XyZ',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary="unterminated',
      'text/plain',
      'text/html',
      'application/xml',
      'application/octet-stream',
      ';',
      'application/',
      '*/*',
    ),
    headerValue,
  );

/**
 * Methods the host could route (Request refuses CONNECT, TRACE and TRACK, and the host sends tokens only).
 * Any case: the handlers must upper-case before they compare.
 */
export const httpMethod: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'post', 'Post'),
  fc
    .stringMatching(/^[A-Za-z]{1,10}$/)
    .filter((m) => !['CONNECT', 'TRACE', 'TRACK'].includes(m.toUpperCase())),
);

/** Mutations of a real token: characters swapped, cut, doubled, or its payload re-encoded. */
export function mutatedToken(real: string): fc.Arbitrary<string> {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %';
  return fc.oneof(
    fc
      .tuple(fc.nat({ max: real.length - 1 }), fc.constantFrom(...chars.split('')))
      .map(([at, char]) => real.slice(0, at) + char + real.slice(at + 1)),
    fc.nat({ max: real.length }).map((at) => real.slice(0, at)),
    fc.nat({ max: real.length }).map((at) => real.slice(at)),
    fc.constant(`${real}.${real}`),
    fc.constant(`${real}${real}`),
    fc.constant(real.toUpperCase()),
    fc.constant(encodeURIComponent(`${real} `)),
    anyString(10).map((tail) => real + tail),
  );
}

/** Values of the wrong type, shape or size for any field. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  anyString(60),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'é'.repeat(n)),
  fc.constantFrom(null, true, 0, -1, 1e308, '', ' ', '2026-02-30T10:00:00Z', 'pat/../x', []),
  fc.object({ maxDepth: 4 }),
);

type Mutation = { op: 'remove'; path: string[] } | { op: 'set'; path: string[]; value: unknown };

function mutate(value: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(value);
  let target: unknown = copy;
  for (const key of mutation.path.slice(0, -1)) {
    if (typeof target !== 'object' || target === null) return copy;
    target = (target as Record<string, unknown>)[key];
  }
  if (typeof target !== 'object' || target === null) return copy;
  const record = target as Record<string, unknown>;
  const last = mutation.path.at(-1) as string;
  if (mutation.op === 'remove') delete record[last];
  // defineProperty, so that `__proto__` becomes a JSON key rather than the object's prototype.
  else
    Object.defineProperty(record, last, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** A valid value with one to three fields (at `paths`) removed or set to junk. */
export function mutated(valid: fc.Arbitrary<unknown>, paths: string[][]): fc.Arbitrary<unknown> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('remove' as const), path: fc.constantFrom(...paths) }),
    fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...paths), value: junkValue }),
  );
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([value, mutations]) => mutations.reduce(mutate, value));
}

// ---------------------------------------------------------------------------------------------------------
// Checks

/** The world's rows, compared only when they may have changed: a snapshot is ~11 table scans. */
export class TableWitness {
  private current: string | null = null;

  constructor(private readonly h: Harness) {}

  async before(): Promise<string> {
    this.current ??= await snapshotTables(this.h);
    return this.current;
  }

  /** Asserts that nothing changed since `before()`. */
  async expectUnchanged(what: string): Promise<void> {
    const before = await this.before();
    const after = await snapshotTables(this.h);
    if (after !== before) this.current = after;
    expect(after, `${what} changed the tables`).toBe(before);
  }

  /** An accepted input may have changed anything: the next `before()` takes a fresh snapshot. */
  changed(): void {
    this.current = null;
  }
}

/** A queue consumer may only throw what the host should retry: a retryable ReengageError. */
export function expectRetryableOnly(error: unknown): void {
  if (isReengageError(error) && error.retryable) return;
  throw new Error(
    `the consumer threw a non-retryable failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    { cause: error },
  );
}

/** An HttpRequest as the host builds it: a GET or HEAD body is dropped (the library would warn on each). */
export function request(init: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: string | Uint8Array;
}): HttpRequest {
  const { body, ...rest } = init;
  const bodyless = ['GET', 'HEAD'].includes(init.method.toUpperCase());
  if (body === undefined || bodyless) return new HttpRequest(rest);
  return new HttpRequest({ ...rest, body: typeof body === 'string' ? { string: body } : { bytes: body } });
}

export const fuzzParameters = (numRuns: number): fc.Parameters<unknown> => ({
  seed: FUZZ_SEED,
  numRuns,
});
