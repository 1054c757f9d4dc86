// The booking-tool admin API on Azurite through its real handlers: a therapist mapping set through the API
// routes signed Calendly fixtures, Acuity credentials set through the API are used by an Acuity webhook
// (against the local Acuity stand-in), isolation between practices, and validation.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpAcuityApi } from '../../functions/src/adapters/webhooks/HttpAcuityApi';
import { PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import type { Deps } from '../../functions/src/app/deps';
import type { Appointment, Patient } from '../../functions/src/core/model';
import { handleBookingWebhook } from '../../functions/src/functions/bookingWebhook';
import {
  handleGetIntegrations,
  handleGetTherapistMapping,
  handlePutAcuityCredentials,
  handlePutTherapistMapping,
} from '../../functions/src/functions/integrationAdmin';
import {
  handleGetPractice,
  handlePutPractice,
  handlePutTherapist,
} from '../../functions/src/functions/practiceAdmin';
import { handleRotateWebhookSecret } from '../../functions/src/functions/practiceCredentials';
import { Harness } from '../../scripts/lib/harness';
import { type AcuityStandIn, startAcuityStandIn } from '../support/acuityStandIn';
import { snapshotTables } from '../support/snapshot';

const CALENDLY_KEY = 'calendly-signing-key-5d7f9b1c3e5a';
const ACUITY = { userId: '11145481', apiKey: 'acuity-api-key-9c2f4e6a8b0d1f3e' };
/** A key mistyped when it was first entered: Acuity refuses it. */
const TYPO_KEY = 'acuity-api-key-9c2f4e6a8b0d1f3x';

const SARAH_URI = 'https://api.calendly.com/users/a8e2d4c6-1b3f-4a5d-8e7c-9f0a1b2c3d4e';
const SARAH_EMAIL = 'remplacante@tilleuls.example';
const EVENT_TYPE_URI = 'https://api.calendly.com/event_types/e1a7c3d9-5b2f-4c8e-a6d0-7f9b1e3c5a2d';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures', name));
const json = (name: string) => JSON.parse(fixture(name).toString('utf8'));

// The vendors' schemes as their documentation states them (not the app's signers).
const hmac = (secret: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac;
};
const calendlySignature = (raw: Buffer, t: number) =>
  `t=${t},v1=${hmac(CALENDLY_KEY, `${t}.`, raw).digest('hex')}`;
const acuitySignature = (raw: Buffer, key: string) => hmac(key, raw).digest('base64');

let h: Harness;
let standIn: AcuityStandIn;
let deps: Deps;

beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-11-20T10:00:00Z',
  }).ready();
  standIn = await startAcuityStandIn(ACUITY);
  deps = {
    ...h.deps,
    acuity: new HttpAcuityApi({ baseUrl: standIn.url, timeoutInMs: 250, backoffInMs: 20 }),
  };
});
afterAll(async () => {
  await standIn?.close();
  await h?.dispose();
});

type Handler = (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = any;

interface CallOptions {
  key?: string | null;
  body?: unknown;
  raw?: string;
  contentType?: string;
}

function call(
  handler: Handler,
  method: string,
  route: string,
  params: Record<string, string>,
  options: CallOptions = {},
): Promise<HttpResponseInit> {
  const headers: Record<string, string> = options.key ? { [PRACTICE_KEY_HEADER]: options.key } : {};
  const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (raw !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return handler(
    deps,
    new HttpRequest({
      method,
      url: `https://reengage.example/api/${route}`,
      headers,
      params,
      ...(raw === undefined ? {} : { body: { string: raw } }),
    }),
  );
}

const getMapping = (practiceId: string, key?: string) =>
  call(
    handleGetTherapistMapping,
    'GET',
    `practices/${practiceId}/therapist-mapping`,
    { practiceId },
    { key },
  );
const putMapping = (practiceId: string, body: unknown, key?: string, options: CallOptions = {}) =>
  call(
    handlePutTherapistMapping,
    'PUT',
    `practices/${practiceId}/therapist-mapping`,
    { practiceId },
    { key, body, ...options },
  );
const putAcuity = (practiceId: string, body: unknown, key?: string, options: CallOptions = {}) =>
  call(
    handlePutAcuityCredentials,
    'PUT',
    `practices/${practiceId}/integrations/acuity`,
    { practiceId },
    { key, body, ...options },
  );
const getIntegrations = (practiceId: string, key?: string) =>
  call(handleGetIntegrations, 'GET', `practices/${practiceId}/integrations`, { practiceId }, { key });

const body = (response: HttpResponseInit): Json => response.jsonBody;
const fieldsOf = (response: HttpResponseInit): string[] =>
  (body(response).errors as { field: string }[]).map((e) => e.field);

/** Creates a practice and its therapists through the admin API; returns the practice API key. */
async function createPractice(practiceId: string, therapists: Record<string, string>): Promise<string> {
  const created = await call(
    handlePutPractice,
    'PUT',
    `practices/${practiceId}`,
    { practiceId },
    {
      body: {
        name: 'Cabinet des Tilleuls',
        senderAddress: 'bonjour@tilleuls.example',
        bookingUrl: 'https://tilleuls.example/rdv',
      },
    },
  );
  expect(created.status).toBe(201);
  const key: string = body(created).apiKey;
  for (const [therapistId, displayName] of Object.entries(therapists)) {
    const email = `${therapistId}@tilleuls.example`;
    const params = { practiceId, therapistId };
    const response = await call(
      handlePutTherapist,
      'PUT',
      `practices/${practiceId}/therapists/${therapistId}`,
      params,
      {
        key,
        body: { displayName, email },
      },
    );
    expect(response.status).toBe(201);
  }
  const settings = await call(
    handlePutPractice,
    'PUT',
    `practices/${practiceId}`,
    { practiceId },
    {
      key,
      body: { defaultTherapistId: 'th_accueil' },
    },
  );
  expect(settings.status).toBe(200);
  return key;
}

async function setWebhookSecret(practiceId: string, source: string, secret: string, key: string) {
  const response = await call(
    handleRotateWebhookSecret,
    'POST',
    `practices/${practiceId}/webhook-secrets/${source}/rotate`,
    { practiceId, source },
    { key, body: { secret } },
  );
  expect(response.status).toBe(200);
}

function postWebhook(
  source: string,
  practiceId: string,
  raw: Buffer,
  headers: Record<string, string>,
  contentType: string,
) {
  return handleBookingWebhook(
    deps,
    new HttpRequest({
      method: 'POST',
      url: `https://reengage.example/api/webhooks/${source}/${practiceId}`,
      headers: { 'content-type': contentType, ...headers },
      params: { source, practiceId },
      body: { bytes: raw },
    }),
  );
}

const postCalendly = (practiceId: string, raw: Buffer) =>
  postWebhook(
    'calendly',
    practiceId,
    raw,
    { 'Calendly-Webhook-Signature': calendlySignature(raw, Math.floor(h.clock.now().getTime() / 1000)) },
    'application/json',
  );
const postAcuity = (practiceId: string, raw: Buffer, signingKey: string) =>
  postWebhook(
    'acuity',
    practiceId,
    raw,
    { 'X-Acuity-Signature': acuitySignature(raw, signingKey) },
    'application/x-www-form-urlencoded',
  );

async function patientByEmail(practiceId: string, email: string): Promise<Patient> {
  const id = await h.deps.patients.findPatientIdByEmail(practiceId, email);
  const row = id ? await h.deps.patients.getPatient(practiceId, id) : null;
  if (!row) throw new Error(`no patient with ${email}`);
  return row.value;
}

async function appointmentsOf(practiceId: string, patientId: string): Promise<Appointment[]> {
  const all: Appointment[] = [];
  for await (const appointment of h.deps.appointments.listAppointments(practiceId, patientId))
    all.push(appointment);
  return all;
}

async function expectUnchanged(
  action: () => Promise<HttpResponseInit>,
  status: number,
): Promise<HttpResponseInit> {
  const before = await snapshotTables(h);
  const response = await action();
  expect(response.status).toBe(status);
  expect(await snapshotTables(h)).toBe(before);
  return response;
}

describe('therapist mapping: set through the API, used by Calendly bookings', () => {
  const P = 'prac_int_calendly';
  let key: string;
  beforeAll(async () => {
    key = await createPractice(P, { th_sarah: 'Sarah Klein', th_tom: 'Tom Bernard', th_accueil: 'Accueil' });
    await setWebhookSecret(P, 'calendly', CALENDLY_KEY, key);
  });

  it('GET before any booking: no entries, nothing unmapped', async () => {
    const response = await getMapping(P, key);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(body(response)).toEqual({ practiceId: P, entries: [], unmapped: [] });
  });

  it('a booking by a host nobody mapped goes to the default therapist; GET lists its three keys', async () => {
    expect((await postCalendly(P, fixture('calendly/invitee-created.json'))).status).toBe(202);
    expect((await patientByEmail(P, 'jade.moreau@example.fr')).therapistId).toBe('th_accueil');
    const response = await getMapping(P, key);
    expect(body(response)).toEqual({
      practiceId: P,
      entries: [],
      unmapped: [
        { key: `calendly:user:${SARAH_URI}`, firstSeenAt: '2026-11-20T10:00:00.000Z' },
        { key: `calendly:organizer:${SARAH_EMAIL}`, firstSeenAt: '2026-11-20T10:00:00.000Z' },
        { key: `calendly:eventType:${EVENT_TYPE_URI}`, firstSeenAt: '2026-11-20T10:00:00.000Z' },
      ],
    });
  });

  it('PUT maps the organizer (typed in any case) and the event type: those keys leave the unmapped list', async () => {
    h.clock.advanceBy(60_000);
    const response = await putMapping(
      P,
      {
        entries: [
          { key: 'calendly:organizer:Remplacante@Tilleuls.example', therapistId: 'th_sarah' },
          { key: `calendly:eventType:${EVENT_TYPE_URI}`, therapistId: 'th_tom' },
        ],
      },
      key,
    );
    expect(response.status).toBe(200);
    const expected = {
      practiceId: P,
      entries: [
        { key: `calendly:organizer:${SARAH_EMAIL}`, therapistId: 'th_sarah' },
        { key: `calendly:eventType:${EVENT_TYPE_URI}`, therapistId: 'th_tom' },
      ],
      unmapped: [{ key: `calendly:user:${SARAH_URI}`, firstSeenAt: '2026-11-20T10:00:00.000Z' }],
    };
    expect(body(response)).toEqual(expected);
    expect(body(await getMapping(P, key))).toEqual(expected);
  });

  it('a new signed booking by that organizer goes to the mapped therapist (the organizer wins over the event type)', async () => {
    const booking = json('calendly/invitee-created.json');
    booking.payload.uri = `${booking.payload.event}/invitees/1d3f5b7a-9c2e-4f6a-8b0d-2e4f6a8c0b1d`;
    booking.payload.email = 'lina.petit@example.fr';
    booking.payload.name = 'Lina Petit';
    booking.payload.first_name = 'Lina';
    booking.payload.last_name = 'Petit';
    expect((await postCalendly(P, Buffer.from(JSON.stringify(booking)))).status).toBe(202);
    const lina = await patientByEmail(P, 'lina.petit@example.fr');
    expect(lina.therapistId).toBe('th_sarah');
    expect(await appointmentsOf(P, lina.id)).toEqual([
      expect.objectContaining({
        id: 'calendly:1d3f5b7a-9c2e-4f6a-8b0d-2e4f6a8c0b1d',
        status: 'booked',
        therapistId: 'th_sarah',
      }),
    ]);
    // Resolved by a mapped key: nothing new is reported.
    expect(body(await getMapping(P, key)).unmapped).toHaveLength(1);
  });

  it('PUT replaces the whole list: the user URI mapped, the event type dropped, and the unmapped list empties', async () => {
    const current = body(await getMapping(P, key));
    // The GET answer edited and sent back: practiceId and unmapped are accepted and ignored.
    const response = await putMapping(
      P,
      {
        ...current,
        entries: [
          { key: `calendly:user:${SARAH_URI}`, therapistId: 'th_sarah' },
          { key: `calendly:organizer:${SARAH_EMAIL}`, therapistId: 'th_sarah' },
        ],
      },
      key,
    );
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({
      practiceId: P,
      entries: [
        { key: `calendly:user:${SARAH_URI}`, therapistId: 'th_sarah' },
        { key: `calendly:organizer:${SARAH_EMAIL}`, therapistId: 'th_sarah' },
      ],
      unmapped: [],
    });
    expect((await h.deps.practices.getTherapistMapping(P))?.value.unmapped).toEqual([]);
  });

  it('GET integrations counts the entries and says which tools can deliver, with their webhook URLs', async () => {
    const response = await getIntegrations(P, key);
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({
      practiceId: P,
      sources: {
        generic: {
          webhookUrl: `https://reengage.example/api/webhooks/generic/${P}`,
          signatureHeader: 'Reengage-Signature',
          configured: true,
        },
        calcom: {
          webhookUrl: `https://reengage.example/api/webhooks/calcom/${P}`,
          signatureHeader: 'X-Cal-Signature-256',
          configured: false,
        },
        calendly: {
          webhookUrl: `https://reengage.example/api/webhooks/calendly/${P}`,
          signatureHeader: 'Calendly-Webhook-Signature',
          configured: true,
        },
        acuity: {
          webhookUrl: `https://reengage.example/api/webhooks/acuity/${P}`,
          signatureHeader: 'X-Acuity-Signature',
          configured: false,
        },
      },
      therapistMapping: { entries: 2, unmapped: 0 },
      openApiUrl: 'https://reengage.example/api/openapi.json',
    });
    expect(JSON.stringify(body(response))).not.toContain(CALENDLY_KEY);
  });
});

describe('Acuity credentials: set through the API, used by Acuity webhooks', () => {
  const P = 'prac_int_acuity';
  const ANA = '1180245001';
  const form = () => fixture('acuity/scheduled.form');
  let key: string;
  beforeAll(async () => {
    h.clock.set('2026-11-20T11:00:00Z');
    key = await createPractice(P, { th_lea: 'Léa Martin', th_accueil: 'Accueil' });
    await setWebhookSecret(P, 'calendly', CALENDLY_KEY, key);
    const mapped = await putMapping(
      P,
      { entries: [{ key: 'acuity:calendar:27238', therapistId: 'th_lea' }] },
      key,
    );
    expect(mapped.status).toBe(200);
    standIn.setAppointment(ANA, json('acuity/appointment-1180245001.json'));
  });

  it('before any credentials, an Acuity webhook cannot verify: 401, nothing written, Acuity not called', async () => {
    const seen = standIn.requests.length;
    await expectUnchanged(() => postAcuity(P, form(), ACUITY.apiKey), 401);
    expect(standIn.requests.length).toBe(seen);
    expect(body(await getIntegrations(P, key)).sources.acuity.configured).toBe(false);
  });

  it('PUT stores them (201) and answers only that they are set', async () => {
    const response = await putAcuity(P, { userId: ACUITY.userId, apiKey: TYPO_KEY }, key);
    expect(response.status).toBe(201);
    expect(body(response)).toEqual({ source: 'acuity', configured: true, previousKeyAcceptedUntil: null });
    const secrets = await h.deps.practices.getSecrets(P);
    expect(secrets?.acuity).toEqual({ userId: ACUITY.userId, apiKey: TYPO_KEY });
  });

  it('a webhook signed with the stored key verifies; Acuity refuses that key, so 502 and nothing written', async () => {
    const seen = standIn.requests.length;
    await expectUnchanged(() => postAcuity(P, form(), TYPO_KEY), 502);
    expect(standIn.requests.slice(seen)).toEqual([
      { path: `/api/v1/appointments/${ANA}`, authorized: false },
    ]);
  });

  it('PUT with the right key (200): the next webhook reads the appointment with it and books for the mapped calendar', async () => {
    const response = await putAcuity(P, ACUITY, key);
    expect(response.status).toBe(200);
    // Rotation grace: 7 days after 2026-11-20T11:00Z.
    expect(body(response)).toEqual({
      source: 'acuity',
      configured: true,
      previousKeyAcceptedUntil: '2026-11-27T11:00:00.000Z',
    });
    const seen = standIn.requests.length;
    expect((await postAcuity(P, form(), ACUITY.apiKey)).status).toBe(202);
    expect(standIn.requests.slice(seen)).toEqual([{ path: `/api/v1/appointments/${ANA}`, authorized: true }]);
    const ana = await patientByEmail(P, 'ana.leroy@example.org');
    expect(ana.therapistId).toBe('th_lea');
    expect(await appointmentsOf(P, ana.id)).toEqual([
      expect.objectContaining({
        id: `acuity:${ANA}`,
        status: 'booked',
        startsAt: '2026-12-07T08:30:00.000Z',
        therapistId: 'th_lea',
      }),
    ]);
  });

  it('the rest of the secrets is kept: the practice key, the generic and Calendly secrets', async () => {
    const secrets = await h.deps.practices.getSecrets(P);
    expect(secrets?.webhooks.calendly?.current).toBe(CALENDLY_KEY);
    expect(secrets?.webhooks.generic?.current).toMatch(/^whsec_/);
    expect((await call(handleGetPractice, 'GET', `practices/${P}`, { practiceId: P }, { key })).status).toBe(
      200,
    );
  });

  it('no GET shows the credentials: the integrations and the practice say only that they are set', async () => {
    const integrations = await getIntegrations(P, key);
    expect(body(integrations).sources.acuity).toEqual({
      webhookUrl: `https://reengage.example/api/webhooks/acuity/${P}`,
      signatureHeader: 'X-Acuity-Signature',
      configured: true,
    });
    const practice = await call(handleGetPractice, 'GET', `practices/${P}`, { practiceId: P }, { key });
    for (const answer of [integrations, practice, await getMapping(P, key)]) {
      const text = JSON.stringify(body(answer));
      expect(text).not.toContain(ACUITY.apiKey);
      expect(text).not.toContain(TYPO_KEY);
      expect(text).not.toContain(ACUITY.userId);
    }
  });

  it('the previous key verifies during the grace period, then no longer does', async () => {
    h.clock.advanceBy(60_000);
    // A redelivery signed before the change: authentic, and it brings a state already held.
    const response = await expectUnchanged(() => postAcuity(P, form(), TYPO_KEY), 200);
    expect(body(response)).toMatchObject({ duplicate: true });
    h.clock.set('2026-11-27T11:00:01Z');
    await expectUnchanged(() => postAcuity(P, form(), TYPO_KEY), 401);
    expect((await postAcuity(P, form(), ACUITY.apiKey)).status).toBe(200);
  });

  it('the same PUT again changes nothing but the answer code (200)', async () => {
    const response = await expectUnchanged(() => putAcuity(P, ACUITY, key), 200);
    expect(body(response)).toEqual({ source: 'acuity', configured: true, previousKeyAcceptedUntil: null });
  });
});

describe('isolation: a practice key opens its own practice only', () => {
  const A = 'prac_int_iso_a';
  const B = 'prac_int_iso_b';
  let keyA: string;
  let keyB: string;
  beforeAll(async () => {
    keyA = await createPractice(A, { th_accueil: 'Accueil' });
    keyB = await createPractice(B, { th_accueil: 'Accueil' });
  });

  const mappingBody = { entries: [{ key: 'calcom:eventType:42', therapistId: 'th_accueil' }] };

  it.each([
    ['GET therapist-mapping', (p: string, k?: string) => getMapping(p, k)],
    ['PUT therapist-mapping', (p: string, k?: string) => putMapping(p, mappingBody, k)],
    ['PUT integrations/acuity', (p: string, k?: string) => putAcuity(p, ACUITY, k)],
    ['GET integrations', (p: string, k?: string) => getIntegrations(p, k)],
  ])(
    '%s: the other practice key, no key, a wrong key and an unknown practice answer 401 alike',
    async (_, send) => {
      const before = await snapshotTables(h);
      for (const response of [
        await send(A, keyB),
        await send(A),
        await send(A, `${keyA}x`),
        await send('prac_int_nope', keyA),
      ]) {
        expect(response.status).toBe(401);
        expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
        expect(body(response)).toMatchObject({ status: 401, title: 'Unauthorized' });
      }
      expect(await snapshotTables(h)).toBe(before);
      expect((await send(B, keyB)).status).toBeLessThan(300);
    },
  );
});

describe('validation: 400 naming each bad field, nothing changed', () => {
  const P = 'prac_int_valid';
  let key: string;
  beforeAll(async () => {
    key = await createPractice(P, { th_lea: 'Léa Martin', th_accueil: 'Accueil' });
    expect(
      (await putMapping(P, { entries: [{ key: 'calcom:eventType:7', therapistId: 'th_lea' }] }, key)).status,
    ).toBe(200);
  });

  const entry = (key: string, therapistId = 'th_lea') => ({ key, therapistId });

  it.each([
    [
      'an unknown tool or kind',
      [entry('zoom:host:42'), entry('calcom:calendar:42')],
      ['entries.0.key', 'entries.1.key'],
    ],
    ['a Cal.com event type that is not a number', [entry('calcom:eventType:therapie')], ['entries.0.key']],
    ['an organizer that is not an address', [entry('calcom:organizer:lea')], ['entries.0.key']],
    [
      'a Calendly user given by its uuid alone',
      [entry('calendly:user:a8e2d4c6-1b3f-4a5d-8e7c-9f0a1b2c3d4e')],
      ['entries.0.key'],
    ],
    ['an Acuity calendar that is not a number', [entry('acuity:calendar:Lea')], ['entries.0.key']],
    ['a key with a space', [entry('calcom:organizer:lea @tilleuls.example')], ['entries.0.key']],
    [
      'a therapist the practice does not have',
      [entry('calcom:eventType:1'), entry('calcom:eventType:2', 'th_ghost')],
      ['entries.1.therapistId'],
    ],
    ['a bad therapist id', [entry('calcom:eventType:1', 'th ghost')], ['entries.0.therapistId']],
    [
      'the same key twice (once in capitals)',
      [
        entry(`calcom:organizer:lea@tilleuls.example`),
        entry('calcom:organizer:LEA@tilleuls.example', 'th_accueil'),
      ],
      ['entries.1.key'],
    ],
  ])('PUT therapist-mapping refuses %s', async (_, entries, fields) => {
    const response = await expectUnchanged(() => putMapping(P, { entries }, key), 400);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(fieldsOf(response)).toEqual(fields);
  });

  it('PUT therapist-mapping refuses a body without entries, unknown fields, another practice id, more than 100 entries', async () => {
    expect(fieldsOf(await expectUnchanged(() => putMapping(P, {}, key), 400))).toEqual(['entries']);
    expect(fieldsOf(await expectUnchanged(() => putMapping(P, { entries: 'all' }, key), 400))).toEqual([
      'entries',
    ]);
    expect(
      fieldsOf(
        await expectUnchanged(
          () =>
            putMapping(P, { entries: [{ ...entry('calcom:eventType:1'), note: 'x' }], colour: 'blue' }, key),
          400,
        ),
      ),
    ).toEqual(expect.arrayContaining(['entries.0.note', 'colour']));
    expect(
      fieldsOf(
        await expectUnchanged(() => putMapping(P, { practiceId: 'prac_other', entries: [] }, key), 400),
      ),
    ).toEqual(['practiceId']);
    const many = Array.from({ length: 101 }, (_, i) => entry(`calcom:eventType:${i + 1}`));
    expect(fieldsOf(await expectUnchanged(() => putMapping(P, { entries: many }, key), 400))).toEqual([
      'entries',
    ]);
  });

  it('PUT therapist-mapping: not JSON is 415, broken JSON 400, and exactly 100 entries are fine', async () => {
    await expectUnchanged(
      () => putMapping(P, undefined, key, { raw: 'entries=1', contentType: 'text/plain' }),
      415,
    );
    await expectUnchanged(() => putMapping(P, undefined, key, { raw: '{"entries": [' }), 400);
    const hundred = Array.from({ length: 100 }, (_, i) => entry(`calcom:eventType:${i + 1}`));
    const response = await putMapping(P, { entries: hundred }, key);
    expect(response.status).toBe(200);
    expect(body(response).entries).toHaveLength(100);
  });

  it.each([
    [
      'a User ID that is not a number and a short key',
      { userId: 'lea', apiKey: 'short' },
      ['userId', 'apiKey'],
    ],
    ['a missing key', { userId: ACUITY.userId }, ['apiKey']],
    ['a key with a space', { userId: ACUITY.userId, apiKey: 'acuity api key 9c2f4e6a8b0d' }, ['apiKey']],
    ['numbers instead of strings', { userId: 11145481, apiKey: ACUITY.apiKey }, ['userId']],
    ['an unknown field', { ...ACUITY, password: 'x' }, ['password']],
  ])('PUT integrations/acuity refuses %s', async (_, input, fields) => {
    const response = await expectUnchanged(() => putAcuity(P, input, key), 400);
    expect(fieldsOf(response)).toEqual(fields);
    expect((await h.deps.practices.getSecrets(P))?.acuity).toBeUndefined();
  });

  it('no input produces a 5xx: 200 random bodies to both PUTs', async () => {
    const anyJson = fc.oneof(
      fc.jsonValue(),
      fc.record({
        entries: fc.array(fc.record({ key: fc.string(), therapistId: fc.string() }), { maxLength: 4 }),
      }),
      fc.record({ userId: fc.oneof(fc.string(), fc.integer()), apiKey: fc.string({ maxLength: 600 }) }),
    );
    await fc.assert(
      fc.asyncProperty(anyJson, fc.boolean(), async (value, mapping) => {
        const response = mapping ? await putMapping(P, value, key) : await putAcuity(P, value, key);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 200, seed: 20261120 },
    );
  });
});
