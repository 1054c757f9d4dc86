// The admin API on Azurite through its real handlers: bootstrap, settings, therapists, credential rotation,
// isolation between practices, template overrides (used by a real send), previews and upcoming sends.
import { createHash } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import type { Deps } from '../../functions/src/app/deps';
import { savePatient } from '../../functions/src/app/patientRecords';
import {
  planLapsedOutreach,
  planMilestoneOutreach,
  planSeasonalOutreach,
} from '../../functions/src/app/planOutreach';
import type { UpcomingItem, UpcomingReport } from '../../functions/src/app/upcoming';
import type { OutreachRow, Patient, Practice } from '../../functions/src/core/model';
import { acceptedSecrets } from '../../functions/src/core/secrets';
import { signGeneric, verifyGenericSignature } from '../../functions/src/core/signature';
import {
  handleGetPractice,
  handleListTherapists,
  handlePutPractice,
  handlePutTherapist,
} from '../../functions/src/functions/practiceAdmin';
import {
  handleRotateApiKey,
  handleRotateWebhookSecret,
} from '../../functions/src/functions/practiceCredentials';
import {
  handleDeleteTemplate,
  handleGetTemplate,
  handlePreviewTemplate,
  handlePutTemplate,
} from '../../functions/src/functions/templateAdmin';
import { handleUpcoming } from '../../functions/src/functions/upcoming';
import { Harness } from '../../scripts/lib/harness';
import { aPatient } from '../support/builders';
import { readOutbox } from '../support/outbox';

let h: Harness;
beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2027-02-01T08:00:00Z',
  }).ready();
});
afterAll(() => h.dispose());

type Handler = (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = any;

interface CallOptions {
  key?: string | null;
  body?: unknown;
  raw?: string;
  contentType?: string;
  query?: string;
}

function call(
  handler: Handler,
  method: string,
  path: string,
  params: Record<string, string>,
  options: CallOptions = {},
): Promise<HttpResponseInit> {
  const headers: Record<string, string> = options.key ? { [PRACTICE_KEY_HEADER]: options.key } : {};
  const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (raw !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return handler(
    h.deps,
    new HttpRequest({
      method,
      url: `https://reengage.example/api/${path}${options.query ?? ''}`,
      headers,
      params,
      ...(raw === undefined ? {} : { body: { string: raw } }),
    }),
  );
}

const putPractice = (practiceId: string, body: unknown, key?: string, options: CallOptions = {}) =>
  call(handlePutPractice, 'PUT', `practices/${practiceId}`, { practiceId }, { key, body, ...options });
const getPractice = (practiceId: string, key?: string) =>
  call(handleGetPractice, 'GET', `practices/${practiceId}`, { practiceId }, { key });
const putTherapist = (practiceId: string, therapistId: string, body: unknown, key?: string) =>
  call(
    handlePutTherapist,
    'PUT',
    `practices/${practiceId}/therapists/${therapistId}`,
    { practiceId, therapistId },
    { key, body },
  );
const listTherapists = (practiceId: string, key?: string) =>
  call(handleListTherapists, 'GET', `practices/${practiceId}/therapists`, { practiceId }, { key });
const rotateKey = (practiceId: string, key?: string) =>
  call(handleRotateApiKey, 'POST', `practices/${practiceId}/keys/rotate`, { practiceId }, { key });
const rotateWebhook = (practiceId: string, source: string, key?: string, options: CallOptions = {}) =>
  call(
    handleRotateWebhookSecret,
    'POST',
    `practices/${practiceId}/webhook-secrets/${source}/rotate`,
    { practiceId, source },
    { key, ...options },
  );
const templateCall =
  (handler: Handler, method: string, suffix = '') =>
  (practiceId: string, templateId: string, locale: string, key?: string, body?: unknown) =>
    call(
      handler,
      method,
      `practices/${practiceId}/templates/${templateId}/${locale}${suffix}`,
      { practiceId, templateId, locale },
      { key, body },
    );
const putTemplate = templateCall(handlePutTemplate, 'PUT');
const getTemplate = templateCall(handleGetTemplate, 'GET');
const deleteTemplate = templateCall(handleDeleteTemplate, 'DELETE');
const preview = templateCall(handlePreviewTemplate, 'POST', '/preview');
const upcoming = (practiceId: string, key?: string, query = '') =>
  call(handleUpcoming, 'GET', `practices/${practiceId}/upcoming`, { practiceId }, { key, query });

const body = (response: HttpResponseInit): Json => response.jsonBody;
const fieldsOf = (response: HttpResponseInit): string[] =>
  (body(response).errors as { field: string }[]).map((e) => e.field);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const essentials = (name: string) => ({
  name,
  senderAddress: 'bonjour@cabinet.example',
  bookingUrl: 'https://cabinet.example/rdv',
});

/** Creates a practice through the bootstrap PUT and returns its API key. */
async function createPractice(practiceId: string, extra: Record<string, unknown> = {}): Promise<Json> {
  const response = await putPractice(practiceId, { ...essentials(`Cabinet ${practiceId}`), ...extra });
  expect(response.status).toBe(201);
  return body(response);
}

describe('creating a practice (bootstrap) and its settings', () => {
  const ID = 'prac_adm_boot';
  let created: Json;

  it('creates with the function key alone: 201 with the API key and webhook secret, shown once', async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    const response = await putPractice(ID, {
      ...essentials('Cabinet des Lilas'),
      timeZone: 'America/Toronto',
      country: 'CA',
      locale: 'en',
    });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ Location: `/api/practices/${ID}`, 'Cache-Control': 'no-store' });
    created = body(response);
    expect(created.apiKey).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    expect(created.webhookSecrets.generic).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.practice).toMatchObject({
      id: ID,
      name: 'Cabinet des Lilas',
      senderDisplayName: 'Cabinet des Lilas',
      timeZone: 'America/Toronto',
      locale: 'en',
      lapseDays: 30,
      cooldownDays: 21,
      cadenceDays: [30, 60, 120],
      sendWindow: { days: [1, 2, 3, 4, 5], start: '09:30', end: '17:30' },
      holdoutPercent: 0,
      allowClinicalDetails: false,
      credentials: {
        apiKeys: [{ current: true, validUntil: null }],
        webhooks: { generic: { rotatedAt: null } },
      },
    });
    expect(JSON.stringify(created.practice)).not.toContain(created.apiKey);
    expect(JSON.stringify(created.practice)).not.toContain(created.webhookSecrets.generic);
  });

  it('stores only the sha256 of the key', async () => {
    const secrets = await h.deps.practices.getSecrets(ID);
    expect(secrets?.apiKeys).toEqual([{ hash: sha256(created.apiKey), notAfter: null }]);
    expect(JSON.stringify(secrets)).not.toContain(created.apiKey);
    expect(secrets?.webhooks.generic?.current).toBe(created.webhookSecrets.generic);
  });

  it('GET answers the settings with the key, and never a secret', async () => {
    const response = await getPractice(ID, created.apiKey);
    expect(response.status).toBe(200);
    expect(body(response)).toEqual(created.practice);
    expect(JSON.stringify(body(response))).not.toMatch(/rk_|whsec_/);
    expect((await getPractice(ID)).status).toBe(401);
    expect((await getPractice(ID, 'rk_wrong')).status).toBe(401);
  });

  it('a second PUT is an update: it needs the practice key', async () => {
    const change = { lapseDays: 45 };
    const noKey = await putPractice(ID, change);
    expect(noKey.status).toBe(401);
    expect((await putPractice(ID, change, 'rk_wrong')).status).toBe(401);
    expect((await h.deps.practices.getPractice(ID))?.value.lapseDays).toBe(30);
    const response = await putPractice(ID, change, created.apiKey);
    expect(response.status).toBe(200);
    // The default cadence follows lapseDays: 45, 45 + 30, 45 + 90.
    expect(body(response)).toMatchObject({
      lapseDays: 45,
      cadenceDays: [45, 75, 135],
      name: 'Cabinet des Lilas',
    });
    expect((await h.deps.practices.getPractice(ID))?.value).toMatchObject({
      lapseDays: 45,
      cadenceDays: [45, 75, 135],
    });
  });

  it('accepts the GET answer sent back with an edit (read-only fields ignored)', async () => {
    const current = body(await getPractice(ID, created.apiKey));
    const response = await putPractice(ID, { ...current, holdoutPercent: 10 }, created.apiKey);
    expect(response.status).toBe(200);
    expect(body(response).holdoutPercent).toBe(10);
  });

  it('creation needs a name, a sender address and a booking URL; nothing is stored without them', async () => {
    const response = await putPractice('prac_adm_incomplete', { timeZone: 'Europe/Paris' });
    expect(response.status).toBe(400);
    expect(fieldsOf(response).sort()).toEqual(['bookingUrl', 'name', 'senderAddress']);
    expect(await h.deps.practices.getPractice('prac_adm_incomplete')).toBeNull();
    expect(await h.deps.practices.getSecrets('prac_adm_incomplete')).toBeNull();
  });

  it('a practice id outside the id alphabet is a 400 naming it', async () => {
    const response = await putPractice('bad id!', essentials('X'));
    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(['practiceId']);
  });

  it('a practice row left without secrets by a creation that died half-way can be created again', async () => {
    await h.deps.practices.createPractice({
      ...created.practice,
      id: 'prac_adm_half',
      credentials: undefined,
    });
    const response = await putPractice('prac_adm_half', { name: 'Cabinet repris' });
    expect(response.status).toBe(201);
    expect(body(response).practice.name).toBe('Cabinet repris');
    expect((await getPractice('prac_adm_half', body(response).apiKey)).status).toBe(200);
  });
});

describe('every invalid setting is a 400 naming the field, and changes nothing', () => {
  const ID = 'prac_adm_valid';
  let key: string;
  beforeAll(async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    key = (await createPractice(ID)).apiKey;
  });

  const sundaysFor58Weeks = Array.from({ length: 58 }, (_, i) =>
    new Date(Date.UTC(2027, 1, 7 + 7 * i)).toISOString().slice(0, 10),
  );
  const cases: [string, Record<string, unknown>][] = [
    ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
    ['locale', { locale: 'de' }],
    ['country', { country: 'US' }],
    ['senderAddress', { senderAddress: 'not-an-email' }],
    ['senderDisplayName', { senderDisplayName: 'Cabinet\r\nBcc: someone@elsewhere.example' }],
    ['name', { name: '   ' }],
    ['bookingUrl', { bookingUrl: 'http://cabinet.example/rdv' }],
    ['bookingUrl', { bookingUrl: 'javascript:alert(1)' }],
    ['lapseDays', { lapseDays: 3 }],
    ['lapseDays', { lapseDays: 30.5 }],
    ['cooldownDays', { cooldownDays: 0 }],
    ['maxTouchesPerEpisode', { maxTouchesPerEpisode: 0 }],
    ['maxTouchesPer365Days', { maxTouchesPer365Days: 100 }],
    ['maxTouchesPer365Days', { maxTouchesPerEpisode: 5, maxTouchesPer365Days: 4 }],
    ['cadenceDays', { cadenceDays: [30, 60] }],
    ['cadenceDays', { cadenceDays: [30, 40, 120] }],
    ['cadenceDays', { cadenceDays: [20, 60, 120] }],
    ['sendWindow.days.1', { sendWindow: { days: [1, 8], start: '09:00', end: '17:00' } }],
    ['sendWindow', { sendWindow: { days: [1], start: '18:00', end: '09:00' } }],
    ['sendWindow', { sendWindow: { days: [1], start: '25:00', end: '26:00' } }],
    ['sendWindow.days', { sendWindow: { days: [1, 1], start: '09:00', end: '17:00' } }],
    ['closedDates.0', { closedDates: ['2027-02-30'] }],
    [
      'closedDates',
      { sendWindow: { days: [7], start: '10:00', end: '12:00' }, closedDates: sundaysFor58Weeks },
    ],
    [
      'seasonalWindows.0.startsOn',
      { seasonalWindows: [{ id: 'new-year', startsOn: '13-01', lengthInDays: 14, enabled: true }] },
    ],
    [
      'seasonalWindows.0.lengthInDays',
      { seasonalWindows: [{ id: 'spring', startsOn: '04-01', lengthInDays: 0, enabled: true }] },
    ],
    [
      'seasonalWindows.0.id',
      { seasonalWindows: [{ id: 'summer', startsOn: '07-01', lengthInDays: 14, enabled: true }] },
    ],
    [
      'seasonalWindows',
      {
        seasonalWindows: [
          { id: 'spring', startsOn: '04-01', lengthInDays: 14, enabled: true },
          { id: 'spring', startsOn: '05-01', lengthInDays: 14, enabled: true },
        ],
      },
    ],
    ['allowClinicalDetails', { allowClinicalDetails: 'yes' }],
    ['holdoutPercent', { holdoutPercent: 60 }],
    [
      'resources.0.url',
      { resources: [{ title: 'Respirer', url: 'javascript:alert(1)', focusArea: 'stress' }] },
    ],
    ['resources.0.focusArea', { resources: [{ title: 'Respirer', url: 'https://r.example/a' }] }],
    ['defaultTherapistId', { defaultTherapistId: 'th_nobody' }],
    ['defaultTherapistId', { defaultTherapistId: 'bad/id' }],
    ['colour', { colour: 'blue' }],
    ['id', { id: 'prac_someone_else' }],
  ];

  it.each(cases)('%s: %j', async (field, change) => {
    const before = await h.deps.practices.getPractice(ID);
    const response = await putPractice(ID, change, key);
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(fieldsOf(response)).toContain(field);
    const after = await h.deps.practices.getPractice(ID);
    expect(after?.etag).toBe(before?.etag);
  });

  it('names every bad field of one body at once', async () => {
    const response = await putPractice(
      ID,
      {
        timeZone: 'Nowhere/Town',
        country: 'US',
        holdoutPercent: -1,
        bookingUrl: 'ftp://x.example',
        extra: 1,
      },
      key,
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response).sort()).toEqual([
      'bookingUrl',
      'country',
      'extra',
      'holdoutPercent',
      'timeZone',
    ]);
  });

  it('a body that is not JSON, not an object or too large gets a clear 4xx', async () => {
    expect((await putPractice(ID, undefined, key, { raw: '{"name":' })).status).toBe(400);
    expect((await putPractice(ID, undefined, key, { raw: '{}', contentType: 'text/plain' })).status).toBe(
      415,
    );
    const array = await putPractice(ID, [1, 2], key);
    expect(array.status).toBe(400);
    expect(fieldsOf(array)).toEqual(['(body)']);
    const huge = await putPractice(ID, { name: 'x'.repeat(70_000) }, key);
    expect(huge.status).toBe(413);
  });

  it('valid edits across every field are stored as given', async () => {
    const change = {
      timeZone: 'Europe/Brussels',
      country: 'BE',
      locale: 'fr',
      senderDisplayName: 'Cabinet du Parc',
      lapseDays: 40,
      cooldownDays: 28,
      cadenceDays: [40, 70, 130],
      maxTouchesPerEpisode: 2,
      maxTouchesPer365Days: 5,
      sendWindow: { days: [2, 4], start: '10:00', end: '16:00' },
      closedDates: ['2027-08-02', '2027-08-03'],
      seasonalWindows: [{ id: 'rentree', startsOn: '09-01', lengthInDays: 10, enabled: false }],
      allowClinicalDetails: true,
      holdoutPercent: 12.5,
      resources: [{ title: 'Respirer', url: 'https://ressources.example/respirer', focusArea: 'stress' }],
    };
    const response = await putPractice(ID, change, key);
    expect(response.status).toBe(200);
    expect((await h.deps.practices.getPractice(ID))?.value).toMatchObject(change);
  });
});

describe('therapists', () => {
  const ID = 'prac_adm_th';
  let key: string;
  beforeAll(async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    key = (await createPractice(ID)).apiKey;
  });

  it('PUT creates (201), a second PUT updates only what it gives (200), GET lists them', async () => {
    const created = await putTherapist(
      ID,
      'th_2',
      { displayName: 'Bruno Adam', email: 'bruno@cabinet.example' },
      key,
    );
    expect(created.status).toBe(201);
    expect(body(created)).toEqual({
      practiceId: ID,
      id: 'th_2',
      displayName: 'Bruno Adam',
      email: 'bruno@cabinet.example',
      signature: '',
      locale: 'fr',
      active: true,
    });
    await putTherapist(ID, 'th_1', { displayName: 'Léa Martin', email: 'lea@cabinet.example' }, key);
    const updated = await putTherapist(
      ID,
      'th_2',
      { signature: 'Bruno Adam\nPsychologue', active: false },
      key,
    );
    expect(updated.status).toBe(200);
    expect(body(updated)).toMatchObject({
      email: 'bruno@cabinet.example',
      signature: 'Bruno Adam\nPsychologue',
      active: false,
    });
    const list = await listTherapists(ID, key);
    expect(list.status).toBe(200);
    expect(body(list).therapists.map((t: { id: string }) => t.id)).toEqual(['th_1', 'th_2']);
  });

  it('refuses a therapist without name or email, a bad email, a bad id', async () => {
    const missing = await putTherapist(ID, 'th_3', { displayName: 'Sans Adresse' }, key);
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing)).toEqual(['email']);
    const badEmail = await putTherapist(ID, 'th_3', { displayName: 'X', email: 'nope' }, key);
    expect(fieldsOf(badEmail)).toEqual(['email']);
    const badId = await putTherapist(ID, 'th/3', { displayName: 'X', email: 'x@cabinet.example' }, key);
    expect(badId.status).toBe(400);
    expect(fieldsOf(badId)).toEqual(['therapistId']);
    expect(await h.deps.practices.getTherapist(ID, 'th_3')).toBeNull();
  });

  it('defaultTherapistId accepts a therapist of the practice', async () => {
    const response = await putPractice(ID, { defaultTherapistId: 'th_1' }, key);
    expect(response.status).toBe(200);
    expect(body(response).defaultTherapistId).toBe('th_1');
  });
});

describe('API key rotation', () => {
  const ID = 'prac_adm_rot';
  let key1: string;
  let key2: string;
  beforeAll(async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    key1 = (await createPractice(ID)).apiKey;
  });

  it('returns a new key once; the old one keeps working for 7 days', async () => {
    expect((await rotateKey(ID)).status).toBe(401);
    const response = await rotateKey(ID, key1);
    expect(response.status).toBe(200);
    key2 = body(response).apiKey;
    expect(key2).toMatch(/^rk_/);
    expect(key2).not.toBe(key1);
    expect(body(response).previousKeysValidUntil).toBe('2027-02-08T08:00:00.000Z');
    expect(JSON.stringify(await h.deps.practices.getSecrets(ID))).not.toContain(key2);
    expect((await getPractice(ID, key1)).status).toBe(200);
    expect((await getPractice(ID, key2)).status).toBe(200);
    expect(body(await getPractice(ID, key2)).credentials.apiKeys).toEqual([
      { current: true, validUntil: null },
      { current: false, validUntil: '2027-02-08T08:00:00.000Z' },
    ]);
  });

  it('the old key still works one second before the grace period ends', async () => {
    h.clock.set('2027-02-08T07:59:59Z');
    expect((await getPractice(ID, key1)).status).toBe(200);
  });

  it('then it is refused everywhere; the new key works', async () => {
    h.clock.set('2027-02-08T08:00:00Z');
    expect((await getPractice(ID, key1)).status).toBe(401);
    expect((await putPractice(ID, { name: 'Volé' }, key1)).status).toBe(401);
    expect((await rotateKey(ID, key1)).status).toBe(401);
    expect((await getPractice(ID, key2)).status).toBe(200);
    expect(body(await getPractice(ID, key2)).credentials.apiKeys).toEqual([
      { current: true, validUntil: null },
    ]);
  });

  it('a key stored the old way (apiKeyHashes, no expiry) works, and is retired by a rotation like any other', async () => {
    h.clock.set('2027-02-10T08:00:00Z');
    const legacy = 'legacy-key-of-prac-adm-legacy-0123456789';
    const practice = (await h.deps.practices.getPractice(ID))?.value as Practice;
    await h.deps.practices.upsertPractice({ ...practice, id: 'prac_adm_legacy' });
    await h.deps.practices.upsertSecrets({
      practiceId: 'prac_adm_legacy',
      webhooks: {},
      apiKeyHashes: [sha256(legacy)],
    });
    expect((await getPractice('prac_adm_legacy', legacy)).status).toBe(200);
    const rotated = await rotateKey('prac_adm_legacy', legacy);
    expect(body(rotated).previousKeysValidUntil).toBe('2027-02-17T08:00:00.000Z');
    h.clock.set('2027-02-17T07:00:00Z');
    expect((await getPractice('prac_adm_legacy', legacy)).status).toBe(200);
    h.clock.set('2027-02-17T08:00:00Z');
    expect((await getPractice('prac_adm_legacy', legacy)).status).toBe(401);
    expect((await getPractice('prac_adm_legacy', body(rotated).apiKey)).status).toBe(200);
  });
});

describe('webhook secret rotation', () => {
  const ID = 'prac_adm_wh';
  let key: string;
  let s1: string;
  let s2: string;
  const rawEvent = (id: string, at: string) =>
    JSON.stringify({
      id,
      type: 'patient.upserted',
      occurredAt: at,
      patient: { id: 'pat_w1', email: 'w1@patients.example', emailConsent: true },
    });
  const signedWith = (secret: string, raw: string) => {
    const t = Math.floor(h.clock.now().getTime() / 1000);
    return `t=${t},v1=${signGeneric(secret, t, raw)}`;
  };

  beforeAll(async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    const created = await createPractice(ID);
    key = created.apiKey;
    s1 = created.webhookSecrets.generic;
  });

  it('returns the new secret once; the current one becomes the previous', async () => {
    const response = await rotateWebhook(ID, 'generic', key);
    expect(response.status).toBe(200);
    s2 = body(response).secret;
    expect(s2).toMatch(/^whsec_/);
    expect(body(response)).toEqual({
      source: 'generic',
      secret: s2,
      previousAcceptedUntil: '2027-02-08T08:00:00.000Z',
    });
    expect((await h.deps.practices.getSecrets(ID))?.webhooks.generic).toEqual({
      current: s2,
      previous: s1,
      rotatedAt: '2027-02-01T08:00:00.000Z',
    });
  });

  it('within the grace period the old secret is accepted (core rule, and by the live webhook)', async () => {
    h.clock.set('2027-02-08T07:59:00Z');
    const secret = (await h.deps.practices.getSecrets(ID))?.webhooks.generic;
    if (!secret) throw new Error('no generic secret');
    expect(acceptedSecrets(secret, h.clock.now())).toEqual([s2, s1]);
    const raw = rawEvent('evt_wh_1', '2027-02-08T07:58:00Z');
    expect(
      verifyGenericSignature(signedWith(s1, raw), raw, acceptedSecrets(secret, h.clock.now()), h.clock.now()),
    ).toEqual({ valid: true });
    expect((await h.postEvent(ID, raw, { secret: s1 })).status).toBe(202);
    expect((await h.postEvent(ID, rawEvent('evt_wh_2', '2027-02-08T07:58:00Z'), { secret: s2 })).status).toBe(
      202,
    );
  });

  it('after the grace period only the new secret is accepted', async () => {
    h.clock.set('2027-02-08T08:00:00Z');
    const secret = (await h.deps.practices.getSecrets(ID))?.webhooks.generic;
    if (!secret) throw new Error('no generic secret');
    const now = h.clock.now();
    expect(acceptedSecrets(secret, now)).toEqual([s2]);
    const raw = rawEvent('evt_wh_3', '2027-02-08T07:59:30Z');
    expect(verifyGenericSignature(signedWith(s1, raw), raw, acceptedSecrets(secret, now), now)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyGenericSignature(signedWith(s2, raw), raw, acceptedSecrets(secret, now), now)).toEqual({
      valid: true,
    });
  });

  it('a secret the vendor issued can be given; a source without one gets its first secret', async () => {
    const response = await rotateWebhook(ID, 'acuity', key, {
      body: { secret: 'acuity-api-key-0123456789' },
    });
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({
      source: 'acuity',
      secret: 'acuity-api-key-0123456789',
      previousAcceptedUntil: null,
    });
    const stored = await h.deps.practices.getSecrets(ID);
    expect(stored?.webhooks.acuity).toEqual({
      current: 'acuity-api-key-0123456789',
      previous: null,
      rotatedAt: '2027-02-08T08:00:00.000Z',
    });
    expect(stored?.webhooks.generic?.current).toBe(s2);
  });

  it('refuses an unknown source, a short secret, an unknown field, a missing key', async () => {
    expect((await rotateWebhook(ID, 'zoom', key)).status).toBe(404);
    const short = await rotateWebhook(ID, 'calcom', key, { body: { secret: 'short' } });
    expect(short.status).toBe(400);
    expect(fieldsOf(short)).toEqual(['secret']);
    expect(fieldsOf(await rotateWebhook(ID, 'calcom', key, { body: { secrets: 'x'.repeat(20) } }))).toEqual([
      'secrets',
    ]);
    expect((await rotateWebhook(ID, 'calcom')).status).toBe(401);
    expect((await h.deps.practices.getSecrets(ID))?.webhooks.calcom).toBeUndefined();
  });
});

describe("a practice's key never reads or changes another practice", () => {
  const A = 'prac_adm_iso_a';
  const B = 'prac_adm_iso_b';
  let keyA: string;
  let keyB: string;
  beforeAll(async () => {
    h.clock.set('2027-02-01T08:00:00Z');
    keyA = (await createPractice(A)).apiKey;
    keyB = (await createPractice(B)).apiKey;
    await putTherapist(B, 'th_1', { displayName: 'Léa Martin', email: 'lea@b.example' }, keyB);
  });

  it("every route answers 401 to A's key on B, and B is unchanged", async () => {
    const before = {
      practice: await h.deps.practices.getPractice(B),
      secrets: JSON.stringify(await h.deps.practices.getSecrets(B)),
    };
    const valid = {
      subject: 'Bonjour',
      html: '<p>{{ links.book }} {{ links.later }} {{ links.unsubscribe }}</p>',
      text: '{{ links.book }} {{ links.later }} {{ links.unsubscribe }}',
    };
    const responses = [
      await getPractice(B, keyA),
      await putPractice(B, { name: 'Pris par A' }, keyA),
      await putTherapist(B, 'th_1', { displayName: 'Pris par A' }, keyA),
      await listTherapists(B, keyA),
      await rotateKey(B, keyA),
      await rotateWebhook(B, 'generic', keyA),
      await putTemplate(B, 'check-in', 'fr', keyA, valid),
      await getTemplate(B, 'check-in', 'fr', keyA),
      await deleteTemplate(B, 'check-in', 'fr', keyA),
      await preview(B, 'check-in', 'fr', keyA),
      await upcoming(B, keyA),
    ];
    expect(responses.map((r) => r.status)).toEqual(Array(responses.length).fill(401));
    // Unknown practice, wrong key and another practice's key look the same.
    expect(body(responses[0] as HttpResponseInit)).toEqual(body(await getPractice('prac_adm_nobody', keyA)));
    expect(await h.deps.practices.getPractice(B)).toEqual(before.practice);
    expect(JSON.stringify(await h.deps.practices.getSecrets(B))).toBe(before.secrets);
    expect((await h.deps.practices.getTherapist(B, 'th_1'))?.displayName).toBe('Léa Martin');
    expect(await h.deps.practices.getTemplateOverride(B, 'check-in', 'fr')).toBeNull();
  });
});

/** A standalone override with the three required links, written as a practice manager might. */
const OVERRIDE = {
  subject: 'Override: {{ practice.name }}',
  html: [
    '<!DOCTYPE html><html lang="fr"><body>',
    '<p>Bonjour{% if patient.firstName %} {{ patient.firstName }}{% endif %}, toute l’équipe de {{ practice.name }} pense à vous.</p>',
    '<p><a href="{{ links.book }}">Prendre rendez-vous</a> · <a href="{{ links.later }}">Pas pour le moment</a></p>',
    '<p>{{ therapist.displayName }} · <a href="{{ links.unsubscribe }}">Se désinscrire</a></p>',
    '</body></html>',
  ].join('\n'),
  text: [
    'Bonjour{% if patient.firstName %} {{ patient.firstName }}{% endif %}, toute l’équipe de {{ practice.name }} pense à vous.',
    'Prendre rendez-vous : {{ links.book }}',
    'Pas pour le moment : {{ links.later }}',
    '{{ therapist.displayName }}',
    'Se désinscrire : {{ links.unsubscribe }}',
  ].join('\n'),
};

describe('template overrides', () => {
  const ID = 'prac_adm_tpl';
  let key: string;
  const patientNow = new Date('2027-05-03T12:00:00Z');

  async function seed(patient: Partial<Patient> & { id: string }) {
    const practice = (await h.deps.practices.getPractice(ID))?.value as Practice;
    await savePatient(
      h.deps,
      practice,
      aPatient({ practiceId: ID, ...patient }, patientNow),
      null,
      patientNow,
    );
  }

  beforeAll(async () => {
    h.clock.set('2027-05-03T12:00:00Z');
    key = (await createPractice(ID, { name: 'Cabinet Olivier' })).apiKey;
    await putTherapist(
      ID,
      'th_1',
      { displayName: 'Léa Martin', email: 'lea@olivier.example', signature: 'Léa' },
      key,
    );
    // Last visit 5 April: step 1 is due on Wednesday 5 May.
    await seed({
      id: 'pat_olivia',
      firstName: 'Olivia',
      email: 'olivia@patients.example',
      lastVisitAt: '2027-04-05T10:00:00+02:00',
    });
    await seed({
      id: 'pat_noe',
      firstName: 'Noé',
      email: 'noe@patients.example',
      progressNote: 'Dort mieux depuis janvier',
      lastVisitAt: '2027-04-20T10:00:00+02:00',
    });
  });

  it('GET shows the library sources while there is no override', async () => {
    const response = await getTemplate(ID, 'check-in', 'fr', key);
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({
      templateId: 'check-in',
      locale: 'fr',
      source: 'library',
      ...h.deps.renderer.getLibrarySources('check-in', 'fr'),
      updatedAt: null,
    });
  });

  it('refuses an override that leaks an unknown variable, with a clear message, and stores nothing', async () => {
    const response = await putTemplate(ID, 'check-in', 'fr', key, {
      ...OVERRIDE,
      text: `${OVERRIDE.text}\n{{ patient.lastName }}`,
    });
    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(['text']);
    expect(body(response).detail).toMatch(/^text: uses an unknown variable: "patient\.lastName"/);
    expect(await h.deps.practices.getTemplateOverride(ID, 'check-in', 'fr')).toBeNull();
  });

  it('refuses one without the unsubscribe link, or with health data in the subject', async () => {
    const noUnsubscribe = await putTemplate(ID, 'check-in', 'fr', key, {
      ...OVERRIDE,
      html: OVERRIDE.html.replace('{{ links.unsubscribe }}', 'https://cabinet.example'),
    });
    expect(noUnsubscribe.status).toBe(400);
    expect(body(noUnsubscribe).errors).toEqual([
      {
        field: 'html',
        message: expect.stringContaining('does not contain the unsubscribe link (links.unsubscribe)'),
      },
    ]);
    const healthSubject = await putTemplate(ID, 'progress', 'fr', key, {
      ...OVERRIDE,
      subject: 'Suite : {{ progressNote }}',
    });
    expect(healthSubject.status).toBe(400);
    expect(body(healthSubject).detail).toContain('health data never goes in a subject');
    const missingPart = await putTemplate(ID, 'check-in', 'fr', key, { subject: 'x', html: 'y' });
    expect(fieldsOf(missingPart)).toEqual(['text']);
    expect(await h.deps.practices.getTemplateOverride(ID, 'check-in', 'fr')).toBeNull();
    expect(await h.deps.practices.getTemplateOverride(ID, 'progress', 'fr')).toBeNull();
  });

  it('an unknown template or locale is a 404', async () => {
    expect((await getTemplate(ID, 'birthday', 'fr', key)).status).toBe(404);
    expect((await putTemplate(ID, 'check-in', 'de', key, OVERRIDE)).status).toBe(404);
  });

  it('accepts a valid override (201), GET shows it, and a real send uses it', async () => {
    const response = await putTemplate(ID, 'check-in', 'fr', key, OVERRIDE);
    expect(response.status).toBe(201);
    expect(body(response)).toEqual({
      templateId: 'check-in',
      locale: 'fr',
      source: 'override',
      updatedAt: '2027-05-03T12:00:00.000Z',
    });
    expect(body(await getTemplate(ID, 'check-in', 'fr', key))).toMatchObject({
      source: 'override',
      ...OVERRIDE,
    });

    h.clock.set('2027-05-05T05:00:00Z');
    await planLapsedOutreach(h.deps);
    await h.drain({ until: new Date('2027-05-05T18:00:00Z') });
    const sent = readOutbox(h.outboxDirectory).filter((e) =>
      e.headers.get('to')?.includes('olivia@patients.example'),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.get('subject')).toBe('Override: Cabinet Olivier');
    expect(sent[0]?.headers.get('x-reengage-template')).toBe('check-in');
  });

  it('a second PUT replaces the override (200); a refused one leaves it as it was', async () => {
    const replaced = await putTemplate(ID, 'check-in', 'fr', key, {
      ...OVERRIDE,
      subject: 'Nouvelles de {{ practice.name }}',
    });
    expect(replaced.status).toBe(200);
    const refused = await putTemplate(ID, 'check-in', 'fr', key, {
      ...OVERRIDE,
      subject: '{{ patient.firstName',
    });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused)).toEqual(['subject']);
    expect((await h.deps.practices.getTemplateOverride(ID, 'check-in', 'fr'))?.subject).toBe(
      'Nouvelles de {{ practice.name }}',
    );
  });

  it('keeps a long override intact (stored in several table properties)', async () => {
    const long = {
      ...OVERRIDE,
      html: OVERRIDE.html.replace('</body>', `<p>${'Prenez soin de vous. '.repeat(2200)}</p></body>`),
    };
    expect(long.html.length).toBeGreaterThan(45_000);
    expect((await putTemplate(ID, 'no-pressure', 'en', key, long)).status).toBe(201);
    expect(body(await getTemplate(ID, 'no-pressure', 'en', key)).html).toBe(long.html);
  });

  it('preview renders sample data with the practice name, and never a working link', async () => {
    const response = await preview(ID, 'check-in', 'fr', key);
    expect(response.status).toBe(200);
    expect(body(response)).toMatchObject({
      source: 'override',
      data: 'sample',
      subject: 'Nouvelles de Cabinet Olivier',
    });
    expect(body(response).html).toContain(
      'https://reengage.example/api/unsubscribe/sample-unsubscribe-token',
    );
  });

  it("preview with a patient id uses that patient's data; health data only when the practice allows it", async () => {
    const withName = await preview(ID, 'check-in', 'fr', key, { patientId: 'pat_olivia' });
    expect(body(withName)).toMatchObject({ data: 'patient', source: 'override' });
    expect(body(withName).html).toContain('Bonjour Olivia,');
    expect(body(withName).html).toContain('Léa Martin');
    expect(body(withName).html).not.toMatch(/\/api\/unsubscribe\/(?!sample)/);

    const generic = await preview(ID, 'progress', 'fr', key, { patientId: 'pat_noe' });
    expect(body(generic)).toMatchObject({ source: 'library', data: 'patient' });
    expect(body(generic).html).not.toContain('Dort mieux');
    expect((await putPractice(ID, { allowClinicalDetails: true }, key)).status).toBe(200);
    const clinical = await preview(ID, 'progress', 'fr', key, { patientId: 'pat_noe' });
    expect(body(clinical).html).toContain('Dort mieux depuis janvier');
    expect(body(clinical).subject).not.toContain('Dort mieux');
    await putPractice(ID, { allowClinicalDetails: false }, key);
  });

  it('preview of a draft validates it first; an unknown patient is a 404', async () => {
    const draft = await preview(ID, 'check-in', 'en', key, {
      sources: { ...OVERRIDE, subject: 'Hello {{ practice.name }}' },
    });
    expect(body(draft)).toMatchObject({ source: 'draft', subject: 'Hello Cabinet Olivier' });
    expect(await h.deps.practices.getTemplateOverride(ID, 'check-in', 'en')).toBeNull();
    const bad = await preview(ID, 'check-in', 'en', key, {
      sources: { ...OVERRIDE, html: '<p>{{ links.book }}</p>' },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['sources.html']);
    expect((await preview(ID, 'check-in', 'fr', key, { patientId: 'pat_nobody' })).status).toBe(404);
  });

  it('DELETE reverts to the library (204, also when repeated)', async () => {
    expect((await deleteTemplate(ID, 'check-in', 'fr', key)).status).toBe(204);
    expect((await deleteTemplate(ID, 'check-in', 'fr', key)).status).toBe(204);
    const response = await getTemplate(ID, 'check-in', 'fr', key);
    expect(body(response)).toMatchObject({
      source: 'library',
      subject: h.deps.renderer.getLibrarySources('check-in', 'fr').subject,
    });
    expect(body(await preview(ID, 'check-in', 'fr', key)).source).toBe('library');
  });
});

describe('upcoming sends', () => {
  const ID = 'prac_adm_up';
  const HOLDOUT = 'prac_adm_up_h';
  const SEASONAL = 'prac_adm_up_s';
  let key: string;
  let holdoutKey: string;
  let seasonalKey: string;
  const seededAt = new Date('2027-02-20T12:00:00Z');

  async function seed(practiceId: string, patient: Partial<Patient> & { id: string }) {
    const practice = (await h.deps.practices.getPractice(practiceId))?.value as Practice;
    const value = aPatient(
      { practiceId, firstName: `Prénom ${patient.id}`, email: `${patient.id}@patients.example`, ...patient },
      seededAt,
    );
    await savePatient(h.deps, practice, value, null, seededAt);
  }

  async function ledgerOf(practiceId: string): Promise<OutreachRow[]> {
    const rows: OutreachRow[] = [];
    for await (const row of h.deps.ledger.listOutreach(practiceId)) rows.push(row);
    return rows;
  }

  /** The three planners as the default schedules run them on one UTC day. */
  async function planDay(day: string) {
    h.clock.set(`${day}T05:00:00Z`);
    await planLapsedOutreach(h.deps);
    h.clock.set(`${day}T05:15:00Z`);
    await planMilestoneOutreach(h.deps);
    h.clock.set(`${day}T05:30:00Z`);
    await planSeasonalOutreach(h.deps);
  }

  const visit = (day: string) => `${day}T10:00:00+01:00`;

  beforeAll(async () => {
    h.clock.set('2027-02-20T12:00:00Z');
    key = (await createPractice(ID, { defaultTherapistId: null })).apiKey;
    holdoutKey = (await createPractice(HOLDOUT, { holdoutPercent: 50 })).apiKey;
    // Step 1 comes 30 days after the last visit. 1 March 2027 is a Monday.
    await seed(ID, { id: 'p1', lastVisitAt: visit('2027-01-30') }); // due Mon 1 Mar
    await seed(ID, { id: 'p2', lastVisitAt: visit('2027-02-02'), progressNote: 'Dort mal' }); // Thu 4 Mar
    await seed(ID, { id: 'p3', lastVisitAt: visit('2027-02-05') }); // Sun 7 Mar: sent Mon 8
    await seed(ID, {
      id: 'p4',
      lastVisitAt: visit('2027-01-31'),
      emailConsent: { granted: false, at: null, source: null },
    }); // Tue 2 Mar
    await seed(ID, { id: 'p5', lastVisitAt: visit('2027-02-20') }); // 22 Mar: beyond 7 days
    await seed(ID, {
      id: 'p6',
      lastVisitAt: visit('2027-02-15'),
      plan: { summary: 'Six séances', nextMilestoneAt: '2027-03-02T10:00:00Z' },
    }); // milestone passed: Wed 3 Mar
    await seed(ID, { id: 'p7', lastVisitAt: visit('2027-01-28') }); // Sat 27 Feb: planned for Mon 1 Mar
    await seed(ID, { id: 'p8', careStatus: 'plan_completed', lastVisitAt: visit('2026-12-02') }); // 90 days: Tue 2 Mar
    await seed(ID, { id: 'p9', careStatus: 'discharged', lastVisitAt: visit('2027-01-30') });
    await seed(ID, {
      id: 'p10',
      lastVisitAt: visit('2027-01-30'),
      nextBookingAt: '2027-03-20T10:00:00+01:00',
    });
    await seed(ID, { id: 'p11', lastVisitAt: visit('2027-02-01'), pausedUntil: '2027-03-10T00:00:00Z' }); // Wed 3 Mar
    for (const id of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8']) {
      await seed(HOLDOUT, { id, lastVisitAt: visit('2027-01-31') }); // all due Tue 2 Mar
    }
    // A seasonal window opening on Wednesday 3 March, for the patients lapsed long ago (cadence over).
    seasonalKey = (
      await createPractice(SEASONAL, {
        seasonalWindows: [{ id: 'spring', startsOn: '03-03', lengthInDays: 14, enabled: true }],
      })
    ).apiKey;
    await seed(SEASONAL, { id: 's2', lastVisitAt: visit('2026-09-01') });
    await seed(SEASONAL, {
      id: 's3',
      lastVisitAt: visit('2026-09-01'),
      emailConsent: { granted: false, at: null, source: null },
    });
    await seed(SEASONAL, { id: 's4', lastVisitAt: visit('2027-02-18') }); // not lapsed yet
    // Step 1 two days before the window opens: written to within the cooldown, so left out of it.
    await seed(SEASONAL, { id: 's5', lastVisitAt: visit('2027-01-30') });
    await planDay('2027-02-27');
    h.clock.set('2027-03-01T04:00:00Z');
  });

  let report: UpcomingReport;

  it('lists, per patient, what the next 7 days of planner runs will do and why', async () => {
    const response = await upcoming(ID, key, '?days=7');
    expect(response.status).toBe(200);
    report = body(response);
    expect(report).toMatchObject({
      practiceId: ID,
      timeZone: 'Europe/Paris',
      days: 7,
      until: '2027-03-08T04:00:00.000Z',
    });
    const summary = report.items.map((i) => [
      i.patientId,
      i.templateId,
      i.campaign,
      i.step,
      i.dueDate,
      i.decision,
    ]);
    expect(summary).toEqual([
      ['p1', 'check-in', 'lapse', 1, '2027-03-01', 'will_send'],
      ['p7', 'check-in', 'lapse', 1, null, 'planned'],
      ['p4', 'check-in', 'lapse', 1, '2027-03-02', 'skip:no_consent'],
      ['p8', 'check-in', 'lapse', 1, '2027-03-02', 'will_send'],
      ['p11', 'check-in', 'lapse', 1, '2027-03-03', 'skip:paused'],
      ['p6', 'plan-follow-up', 'milestone', 1, '2027-03-03', 'will_send'],
      ['p2', 'progress', 'lapse', 1, '2027-03-04', 'will_send'],
      ['p3', 'check-in', 'lapse', 1, '2027-03-07', 'will_send'],
    ]);
    const byPatient = new Map(report.items.map((i) => [i.patientId, i]));
    expect(byPatient.get('p1')).toMatchObject({
      firstName: 'Prénom p1',
      therapistId: 'th_1',
      plannedOn: '2027-03-01',
      predictedSendAt: '2027-03-01T09:30:00+01:00',
    });
    expect(byPatient.get('p7')).toMatchObject({ plannedOn: '2027-02-27' });
    expect(byPatient.get('p7')?.predictedSendAt).toMatch(/^2027-03-01T09:3\d:\d\d\+01:00$/);
    expect(byPatient.get('p3')).toMatchObject({
      plannedOn: '2027-03-07',
      predictedSendAt: '2027-03-08T09:30:00+01:00',
    });
    expect(report.totals).toEqual({ will_send: 5, planned: 1, 'skip:no_consent': 1, 'skip:paused': 1 });
    const text = JSON.stringify(report);
    expect(text).not.toContain('patients.example');
    expect(text).not.toContain('Dort mal');
    expect(text).not.toContain('Six séances');
  });

  it('days is a whole number from 1 to 31', async () => {
    for (const bad of ['0', '32', 'abc', '7.5', '']) {
      const response = await upcoming(ID, key, `?days=${bad}`);
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(['days']);
    }
    expect((await upcoming(ID, key)).status).toBe(200);
  });

  it('the holdout practice forecasts held-out and sent patients', async () => {
    h.clock.set('2027-03-01T04:00:00Z');
    const response = await upcoming(HOLDOUT, holdoutKey, '?days=3');
    const decisions = (body(response) as UpcomingReport).items.map((i) => i.decision);
    expect(decisions).toHaveLength(8);
    expect(decisions).toContain('held_out');
    expect(decisions).toContain('will_send');
  });

  it('foresees the seasonal window opening, and who is left out of it', async () => {
    h.clock.set('2027-03-01T04:00:00Z');
    const forecast: UpcomingReport = body(await upcoming(SEASONAL, seasonalKey, '?days=7'));
    expect(forecast.items.map((i) => [i.patientId, i.templateId, i.campaign, i.dueDate, i.decision])).toEqual(
      [
        ['s5', 'check-in', 'lapse', '2027-03-01', 'will_send'],
        // Both at the window's first opening, 09:30 on 3 March, so in patient id order.
        ['s2', 'seasonal', 'seasonal', '2027-03-03', 'will_send'],
        ['s3', 'seasonal', 'seasonal', '2027-03-03', 'skip:no_consent'],
      ],
    );
  });

  it('is exactly what the planners then do on those days', async () => {
    h.clock.set('2027-03-01T04:00:00Z');
    const holdoutReport: UpcomingReport = body(await upcoming(HOLDOUT, holdoutKey, '?days=7'));
    const seasonalReport: UpcomingReport = body(await upcoming(SEASONAL, seasonalKey, '?days=7'));
    const since = '2027-03-01T04:00:00.000Z';
    for (const day of [
      '2027-03-01',
      '2027-03-02',
      '2027-03-03',
      '2027-03-04',
      '2027-03-05',
      '2027-03-06',
      '2027-03-07',
    ]) {
      await planDay(day);
    }
    for (const [practiceId, forecast] of [
      [ID, report],
      [HOLDOUT, holdoutReport],
      [SEASONAL, seasonalReport],
    ] as const) {
      const planned = (await ledgerOf(practiceId)).filter((row) => row.plannedAt >= since);
      const actual = planned
        .map((row) => ({
          patientId: row.patientId,
          templateId: row.templateId,
          step: row.step,
          decision: row.status === 'planned' ? 'will_send' : row.status.replace('skipped:', 'skip:'),
        }))
        .sort((a, b) => a.patientId.localeCompare(b.patientId));
      const predicted = forecast.items
        .filter((i: UpcomingItem) => i.decision !== 'planned')
        .map(({ patientId, templateId, step, decision }) => ({ patientId, templateId, step, decision }))
        .sort((a, b) => a.patientId.localeCompare(b.patientId));
      expect(actual).toEqual(predicted);
      for (const row of planned) {
        const item = forecast.items.find((i: UpcomingItem) => i.patientId === row.patientId);
        const predictedAt = Date.parse(item?.predictedSendAt ?? '');
        // The quota's send slots may move the real time a little later, never earlier.
        expect(Date.parse(row.notBefore)).toBeGreaterThanOrEqual(predictedAt);
        expect(Date.parse(row.notBefore) - predictedAt).toBeLessThan(10 * 60_000);
      }
    }
  });
});
