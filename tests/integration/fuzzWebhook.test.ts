// Property-based fuzzing of bookingWebhook: no input gets a 5xx or an undocumented status, a rejected one changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/src/app/deps';
import { EVENT_TYPES } from '../../functions/src/core/bookingEvents';
import { signGeneric } from '../../functions/src/core/signature';
import { handleBookingWebhook } from '../../functions/src/functions/bookingWebhook';
import {
  anyString,
  contentTypes,
  type FuzzWorld,
  fuzzParameters,
  headerValue,
  mutated,
  PRACTICE_ID,
  request,
  seedFuzzWorld,
  TableWitness,
} from './fuzzWorld';

const DOCUMENTED = [200, 202, 400, 401, 404, 413, 415];
const LIMIT = 256 * 1024;

let world: FuzzWorld;
let witness: TableWitness;
beforeAll(async () => {
  world = await seedFuzzWorld();
  witness = new TableWitness(world.h);
}, 60_000);
afterAll(() => world.h.dispose());

const nowInSeconds = () => Math.floor(world.h.clock.now().getTime() / 1000);

// ---------------------------------------------------------------------------------------------------------
// Valid events, generated field by field from SPEC §8.

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,127}$/;
const idArb = fc.stringMatching(ID);
const patientIdArb = fc.oneof(fc.constantFrom('pat_fz_a', 'pat_fz_b', 'pat_fz_erase'), idArb);

/** ISO instants with a zone, as booking tools write them: Z or an offset, with or without milliseconds. */
const instantArb = fc
  .tuple(
    fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom(0, 60, 120, -300, 330, 345, -720, 840),
    fc.boolean(),
  )
  .map(([date, offsetMinutes, withMs]) => {
    const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, withMs ? 23 : 19);
    if (offsetMinutes === 0) return `${local}Z`;
    const abs = Math.abs(offsetMinutes);
    const zone = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return `${local}${offsetMinutes < 0 ? '-' : '+'}${zone}`;
  });

function hasControl(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Free text as the generic format allows it: no C0 controls but tabs and line breaks, within `max` once trimmed. */
const freeText = (max: number, min = 0) =>
  anyString(60).filter((s) => !hasControl(s) && s.trim().length >= min && s.trim().length <= max);

const emailArb = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9_+-]{1,12}(\.[a-z0-9_+-]{1,8})?$/),
    fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,5})?$/),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

const consentArb = fc.oneof(
  fc.boolean(),
  fc.record(
    {
      granted: fc.boolean(),
      at: fc.option(instantArb, { nil: null }),
      source: fc.option(freeText(100), { nil: null }),
    },
    { requiredKeys: ['granted'] },
  ),
);

const patientArb = fc.record(
  {
    id: patientIdArb,
    firstName: fc.option(freeText(100, 1), { nil: null }),
    email: fc.option(emailArb, { nil: null }),
    locale: fc.option(
      fc.oneof(
        fc.constantFrom('fr', 'en', 'en-GB', 'FR', 'fr-CA', 'de'),
        fc.stringMatching(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/),
      ),
      { nil: null },
    ),
    therapistId: fc.option(fc.oneof(fc.constant('th_1'), idArb), { nil: null }),
    emailConsent: consentArb,
    careStatus: fc.constantFrom('in_care', 'plan_completed', 'discharged'),
    contactPreference: fc.constantFrom('default', 'direct'),
    focusArea: fc.option(freeText(100), { nil: null }),
    progressNote: fc.option(freeText(2000), { nil: null }),
    plan: fc.option(
      fc.record(
        {
          summary: fc.option(freeText(2000), { nil: null }),
          nextMilestoneAt: fc.option(instantArb, { nil: null }),
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    ),
  },
  { requiredKeys: ['id'] },
);

const validEventArb = fc
  .record({
    id: anyString(200).filter((id) => id.length >= 1 && id.length <= 200),
    type: fc.constantFrom(...EVENT_TYPES),
    occurredAt: instantArb,
    patient: patientArb,
    appointmentId: idArb,
    startsAt: fc.option(instantArb, { nil: undefined }),
    appointmentTherapist: fc.option(fc.oneof(fc.constant('th_1'), idArb), { nil: null }),
    withAppointment: fc.boolean(),
  })
  .map(({ appointmentId, startsAt, appointmentTherapist, withAppointment, ...event }) => {
    const isAppointment = event.type.startsWith('appointment.');
    const needsStart = event.type === 'appointment.booked' || event.type === 'appointment.rescheduled';
    const start = startsAt ?? (needsStart ? event.occurredAt : undefined);
    // Patient events may carry an appointment too; appointment events must.
    if (!isAppointment && !withAppointment) return event;
    return {
      ...event,
      appointment: {
        id: appointmentId,
        ...(start === undefined ? {} : { startsAt: start }),
        ...(appointmentTherapist === null ? {} : { therapistId: appointmentTherapist }),
      },
    };
  });

// ---------------------------------------------------------------------------------------------------------
// Invalid bodies: junk, and valid events with a few things broken.

const PATHS: string[][] = [
  ['id'],
  ['type'],
  ['occurredAt'],
  ['patient'],
  ['patient', 'id'],
  ['patient', 'firstName'],
  ['patient', 'email'],
  ['patient', 'locale'],
  ['patient', 'therapistId'],
  ['patient', 'emailConsent'],
  ['patient', 'careStatus'],
  ['patient', 'plan'],
  ['patient', 'progressNote'],
  ['appointment'],
  ['appointment', 'id'],
  ['appointment', 'startsAt'],
  ['__proto__'],
  ['constructor'],
  ['patient', '__proto__'],
];

const mutatedEventArb = mutated(validEventArb, PATHS).map((event) => JSON.stringify(event));

/** Bodies right around the 256 KB limit: a valid event padded with a junk field. */
const sizedBodyArb = fc
  .tuple(validEventArb, fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }))
  .map(([event, size]) => {
    const base = JSON.stringify({ ...event, padding: '' });
    return `${base.slice(0, -2)}${'x'.repeat(Math.max(0, size - base.length))}"}`;
  });

const bodyArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: anyString(200), weight: 2 },
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
  { arbitrary: mutatedEventArb, weight: 6 },
  { arbitrary: validEventArb.map((e) => JSON.stringify(e)), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
  { arbitrary: sizedBodyArb, weight: 1 },
);

type SignatureMode =
  | { kind: 'valid' }
  | { kind: 'none' }
  | { kind: 'garbage'; value: string }
  | { kind: 'wrong_secret'; secret: string }
  | { kind: 'skewed'; seconds: number }
  | { kind: 'valid_among_junk'; junk: string };
const signatureArb: fc.Arbitrary<SignatureMode> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'valid' as const }), weight: 12 },
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('garbage' as const), value: headerValue }),
  fc.record({ kind: fc.constant('wrong_secret' as const), secret: fc.string({ maxLength: 20 }) }),
  fc.record({
    kind: fc.constant('skewed' as const),
    seconds: fc.oneof(fc.integer({ min: -10_000, max: 10_000 }), fc.constantFrom(-301, 301, -300, 300)),
  }),
  fc.record({ kind: fc.constant('valid_among_junk' as const), junk: headerValue }),
);

function signatureHeader(mode: SignatureMode, text: string): string | undefined {
  const t = nowInSeconds();
  const sign = (secret: string, at: number) => `t=${at},v1=${signGeneric(secret, at, text)}`;
  switch (mode.kind) {
    case 'valid':
      return sign(world.h.webhookSecret, t);
    case 'none':
      return undefined;
    case 'garbage':
      return mode.value;
    case 'wrong_secret':
      return sign(mode.secret, t);
    case 'skewed':
      return sign(world.h.webhookSecret, t + mode.seconds);
    case 'valid_among_junk':
      return `${mode.junk},${sign(world.h.webhookSecret, t)},v1=${'0'.repeat(64)}`;
  }
}

function post(options: {
  source: string;
  practiceId: string;
  body: string | Uint8Array;
  contentType: string | undefined;
  signature: string | undefined;
  extraHeaders?: Record<string, string>;
  deps?: Deps;
}) {
  const headers: Record<string, string> = { ...options.extraHeaders };
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.signature !== undefined) headers['reengage-signature'] = options.signature;
  return handleBookingWebhook(
    options.deps ?? world.h.deps,
    request({
      method: 'POST',
      url: 'https://reengage.example/api/webhooks/x/y',
      headers,
      params: { source: options.source, practiceId: options.practiceId },
      body: options.body,
    }),
  );
}

/** What the handler verifies the signature over: the raw bytes read as UTF-8. */
const textOf = (body: string | Uint8Array) =>
  typeof body === 'string' ? body : Buffer.from(body).toString('utf8');

// Most requests get past the envelope (source, media type, size, signature) so that the body reaches
// JSON.parse and the schema; the rest break the envelope itself.
const requestArb = fc.record({
  source: fc.oneof(
    { arbitrary: fc.constant('generic'), weight: 15 },
    { arbitrary: fc.constantFrom('calcom', 'calendly', 'acuity', 'GENERIC', ''), weight: 1 },
    { arbitrary: anyString(30), weight: 1 },
  ),
  practiceId: fc.oneof(
    { arbitrary: fc.constant(PRACTICE_ID), weight: 15 },
    { arbitrary: fc.constantFrom('prac_nope', 'PRAC_FUZZ', '', `${PRACTICE_ID} `), weight: 1 },
    { arbitrary: anyString(140), weight: 1 },
  ),
  body: bodyArb,
  contentType: fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 10 },
    { arbitrary: contentTypes('application/json'), weight: 2 },
  ),
  signature: signatureArb,
  contentLength: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 12 },
    fc.nat({ max: 2 * LIMIT }).map(String),
    headerValue,
    fc.constantFrom('262145', '262144', '-1', '1e9', 'NaN', ' 12 '),
  ),
});

describe('bookingWebhook under arbitrary requests', () => {
  it('answers a documented status below 500, and a rejected request changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        await witness.before();
        const response = await post({
          source: r.source,
          practiceId: r.practiceId,
          body: r.body,
          contentType: r.contentType,
          signature: signatureHeader(r.signature, textOf(r.body)),
          extraHeaders: r.contentLength === undefined ? {} : { 'content-length': r.contentLength },
        });
        const status = response.status ?? 200;
        expect(DOCUMENTED).toContain(status);
        expect(() => JSON.stringify(response.jsonBody)).not.toThrow();
        if (status >= 300) await witness.expectUnchanged(`a ${status} answer`);
        else witness.changed();
      }),
      fuzzParameters(150),
    );
  }, 120_000);

  it('accepts every correctly signed valid event (202), and the same event again is a duplicate (200) that changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(validEventArb, async (event) => {
        const raw = JSON.stringify(event);
        const send = () =>
          post({
            source: 'generic',
            practiceId: PRACTICE_ID,
            body: raw,
            contentType: 'application/json',
            signature: signatureHeader({ kind: 'valid' }, raw),
          });
        const first = await send();
        witness.changed();
        expect([200, 202]).toContain(first.status);
        await witness.before();
        const again = await send();
        expect(again).toMatchObject({ status: 200, jsonBody: { duplicate: true } });
        await witness.expectUnchanged('a duplicate event');
      }),
      fuzzParameters(40),
    );
  }, 120_000);
});

describe('regressions found by the fuzzer', () => {
  it('an event id with a lone surrogate (JSON "\\ud800") is accepted, then answered as a duplicate', async () => {
    // Was a URIError (500): the SDK could not put the InboundEvents row key in the request URL.
    const raw = JSON.stringify({
      id: '\ud800',
      type: 'appointment.booked',
      occurredAt: '2000-01-01T00:00:00Z',
      patient: { id: 'pat_surrogate' },
      appointment: { id: 'apt_surrogate', startsAt: '2000-01-01T00:00:00Z' },
    });
    expect(raw).toContain('"\\ud800"');
    const send = () =>
      post({
        source: 'generic',
        practiceId: PRACTICE_ID,
        body: raw,
        contentType: 'application/json',
        signature: signatureHeader({ kind: 'valid' }, raw),
      });
    expect(await send()).toMatchObject({ status: 202, jsonBody: { accepted: true, id: '\ud800' } });
    witness.changed();
    await witness.before();
    expect(await send()).toMatchObject({ status: 200, jsonBody: { duplicate: true } });
    await witness.expectUnchanged('a duplicate event');
  });
});

describe('the property can fail', () => {
  it('a plain Error thrown by a store surfaces as a rejection (the host would answer 500)', async () => {
    const broken: Deps = {
      ...world.h.deps,
      // A prototype-backed copy: the store's other methods stay its own.
      practices: Object.assign(Object.create(world.h.deps.practices), {
        getPractice: () => Promise.reject(new Error('table exploded')),
      }),
    };
    const raw = JSON.stringify({ id: 'evt_broken' });
    await expect(
      post({
        source: 'generic',
        practiceId: PRACTICE_ID,
        body: raw,
        contentType: 'application/json',
        signature: signatureHeader({ kind: 'valid' }, raw),
        deps: broken,
      }),
    ).rejects.toThrow('table exploded');
  });
});
