// bookingWebhook for Cal.com, Calendly and Acuity through the real handler on Azurite: recorded payloads
// signed with each vendor's documented scheme (computed here with node:crypto, not with the app's signers),
// Acuity's API played by a local stand-in.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpAcuityApi } from '../../functions/src/adapters/webhooks/HttpAcuityApi';
import type { Deps } from '../../functions/src/app/deps';
import type { Appointment } from '../../functions/src/core/model';
import type { PracticeSecrets, TherapistMapping } from '../../functions/src/core/ports';
import { handleBookingWebhook } from '../../functions/src/functions/bookingWebhook';
import { Harness } from '../../scripts/lib/harness';
import { type AcuityStandIn, startAcuityStandIn } from '../support/acuityStandIn';
import { aPatient, aPractice, aTherapist } from '../support/builders';
import { snapshotTables } from '../support/snapshot';

const P = 'prac_vendors';
/** A second practice with the same set-up, for the same payloads in another order. */
const P2 = 'prac_vendors_b';
/** Acuity set up with a user id Acuity refuses. */
const P_BAD_ACUITY = 'prac_vendors_c';

const CAL_SECRET = 'calcom-whsec-7f1d0c9a4b2e';
const CALENDLY_KEY = 'calendly-signing-key-3b8e61f0d2a4';
const ACUITY = { userId: '11145481', apiKey: 'acuity-api-key-9c2f4e6a8b0d1f3e' };
const TOM_URI = 'https://api.calendly.com/users/3c1f9b2e-7d4a-4e6b-9a51-0f2d8c6e4b10';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures', name));
const json = (name: string) => JSON.parse(fixture(name).toString('utf8'));
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

// The vendors' schemes, as their documentation states them.
const hmac = (secret: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac;
};
const calSignature = (raw: Buffer, secret = CAL_SECRET) => hmac(secret, raw).digest('hex');
const calendlySignature = (raw: Buffer, t: number, key = CALENDLY_KEY) =>
  `t=${t},v1=${hmac(key, `${t}.`, raw).digest('hex')}`;
const acuitySignature = (raw: Buffer, key = ACUITY.apiKey) => hmac(key, raw).digest('base64');

let h: Harness;
let standIn: AcuityStandIn;
let deps: Deps;
const nowInSeconds = () => Math.floor(h.clock.now().getTime() / 1000);

function post(
  source: string,
  practiceId: string,
  body: Buffer,
  headers: Record<string, string>,
  contentType: string,
): Promise<HttpResponseInit> {
  return handleBookingWebhook(
    deps,
    new HttpRequest({
      method: 'POST',
      url: `https://reengage.example/api/webhooks/${source}/${practiceId}`,
      headers: { 'content-type': contentType, ...headers },
      params: { source, practiceId },
      body: { bytes: body },
    }),
  );
}

const calcom = (practiceId: string, raw: Buffer, secret = CAL_SECRET) =>
  post('calcom', practiceId, raw, { 'X-Cal-Signature-256': calSignature(raw, secret) }, 'application/json');
const calendly = (practiceId: string, raw: Buffer, t = nowInSeconds(), key = CALENDLY_KEY) =>
  post(
    'calendly',
    practiceId,
    raw,
    { 'Calendly-Webhook-Signature': calendlySignature(raw, t, key) },
    'application/json',
  );
const acuity = (practiceId: string, raw: Buffer, key = ACUITY.apiKey) =>
  post(
    'acuity',
    practiceId,
    raw,
    { 'X-Acuity-Signature': acuitySignature(raw, key) },
    'application/x-www-form-urlencoded',
  );

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

async function patientByEmail(practiceId: string, email: string) {
  const id = await h.deps.patients.findPatientIdByEmail(practiceId, email);
  if (!id) throw new Error(`no patient with ${email}`);
  const row = await h.deps.patients.getPatient(practiceId, id);
  if (!row) throw new Error(`patient ${id} is indexed but missing`);
  return row.value;
}

async function appointmentsOf(practiceId: string, patientId: string): Promise<Appointment[]> {
  const all: Appointment[] = [];
  for await (const appointment of h.deps.appointments.listAppointments(practiceId, patientId)) {
    all.push(appointment);
  }
  return all.sort((a, b) => a.id.localeCompare(b.id));
}

const futureBookings = (appointments: Appointment[]) =>
  appointments.filter((a) => a.status === 'booked' && Date.parse(a.startsAt) > h.clock.now().getTime());

const MAPPING_ENTRIES = [
  { key: 'calcom:organizer:lea.martin@tilleuls.example', therapistId: 'th_lea' },
  { key: `calendly:user:${TOM_URI}`, therapistId: 'th_tom' },
  { key: 'acuity:calendar:27238', therapistId: 'th_lea' },
  { key: 'acuity:calendar:27239', therapistId: 'th_tom' },
];

async function setUpPractice(id: string, acuityCredentials = ACUITY): Promise<void> {
  await h.addPractice(aPractice({ id, defaultTherapistId: 'th_default' }), [
    aTherapist({ practiceId: id, id: 'th_lea' }),
    aTherapist({ practiceId: id, id: 'th_tom', displayName: 'Tom Bernard' }),
    aTherapist({ practiceId: id, id: 'th_default', displayName: 'Accueil' }),
  ]);
  const secrets: PracticeSecrets = {
    practiceId: id,
    webhooks: {
      generic: { current: h.webhookSecret, previous: null, rotatedAt: null },
      calcom: { current: CAL_SECRET, previous: null, rotatedAt: null },
      calendly: { current: CALENDLY_KEY, previous: null, rotatedAt: null },
    },
    apiKeyHashes: [],
    acuity: acuityCredentials,
  };
  await h.deps.practices.upsertSecrets(secrets);
  const mapping: TherapistMapping = { practiceId: id, entries: MAPPING_ENTRIES, unmapped: [] };
  await h.deps.practices.createTherapistMapping(mapping);
}

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
  await setUpPractice(P);
  await setUpPractice(P2);
  await setUpPractice(P_BAD_ACUITY, { userId: '99999999', apiKey: ACUITY.apiKey });
});
afterAll(async () => {
  await standIn?.close();
  await h?.dispose();
});

describe('Cal.com', () => {
  it('BOOKING_CREATED makes a new patient without email consent and books with the mapped organizer', async () => {
    const response = await calcom(P, fixture('calcom/booking-created.json'));
    expect(response).toMatchObject({
      status: 202,
      jsonBody: {
        accepted: true,
        id: 'calcom:BOOKING_CREATED:bFJeNb2uX8ANpT3JL5EfXw:2026-11-20T09:58:12.345Z',
      },
    });
    const patient = await patientByEmail(P, 'camille.durand@example.org');
    expect(patient.id).toMatch(/^em-[0-9a-f]{24}$/);
    expect(patient).toMatchObject({
      // The attendee's firstName is empty: the first word of the name stands in.
      firstName: 'Camille',
      email: 'camille.durand@example.org',
      locale: 'fr',
      therapistId: 'th_lea',
      nextBookingAt: '2026-12-03T09:00:00.000Z',
      lastBookedAt: '2026-11-20T09:58:12.345Z',
    });
    expect(patient.emailConsent.granted).toBe(false);
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({
        id: 'calcom:bFJeNb2uX8ANpT3JL5EfXw',
        status: 'booked',
        startsAt: '2026-12-03T09:00:00.000Z',
        therapistId: 'th_lea',
      }),
    ]);
  });

  it('the same delivery again answers 200 duplicate and changes nothing', async () => {
    const response = await expectUnchanged(() => calcom(P, fixture('calcom/booking-created.json')), 200);
    expect(response.jsonBody).toMatchObject({ duplicate: true });
  });

  it('BOOKING_RESCHEDULED cancels the old booking and books the new one: one future booking', async () => {
    expect((await calcom(P, fixture('calcom/booking-rescheduled.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'camille.durand@example.org');
    const appointments = await appointmentsOf(P, patient.id);
    expect(appointments.map((a) => [a.id, a.status, a.startsAt])).toEqual([
      ['calcom:bFJeNb2uX8ANpT3JL5EfXw', 'cancelled', '2026-12-03T09:00:00.000Z'],
      ['calcom:n7Qw2kZpT9vR3xYcL1mHsA', 'booked', '2026-12-10T14:00:00.000Z'],
    ]);
    expect(futureBookings(appointments)).toHaveLength(1);
    expect(patient.nextBookingAt).toBe('2026-12-10T14:00:00.000Z');
  });

  it('a reschedule that arrives before the booking it replaces still ends with the new booking only', async () => {
    expect((await calcom(P2, fixture('calcom/booking-rescheduled.json'))).status).toBe(202);
    expect((await calcom(P2, fixture('calcom/booking-created.json'))).status).toBe(202);
    const patient = await patientByEmail(P2, 'camille.durand@example.org');
    const appointments = await appointmentsOf(P2, patient.id);
    expect(appointments.map((a) => [a.id, a.status])).toEqual([
      ['calcom:bFJeNb2uX8ANpT3JL5EfXw', 'cancelled'],
      ['calcom:n7Qw2kZpT9vR3xYcL1mHsA', 'booked'],
    ]);
    expect(patient.nextBookingAt).toBe('2026-12-10T14:00:00.000Z');
  });

  it('BOOKING_CANCELLED cancels; an unmapped organizer falls back to the default therapist and is reported', async () => {
    expect((await calcom(P, fixture('calcom/booking-cancelled.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'noe.petit@example.net');
    expect(patient).toMatchObject({ firstName: 'Noé', therapistId: 'th_default', nextBookingAt: null });
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({
        id: 'calcom:kX4s9PbQ2wE7rT1yU3iOaS',
        status: 'cancelled',
        startsAt: '2026-12-01T16:00:00.000Z',
        therapistId: 'th_default',
      }),
    ]);
    const mapping = await h.deps.practices.getTherapistMapping(P);
    expect(mapping?.value.unmapped).toEqual(
      expect.arrayContaining([
        { key: 'calcom:organizer:tom.bernard@tilleuls.example', firstSeenAt: '2026-11-20T10:00:00.000Z' },
        { key: 'calcom:eventType:812399', firstSeenAt: '2026-11-20T10:00:00.000Z' },
      ]),
    );
  });

  it('MEETING_ENDED (a flat payload) completes the appointment: it is a visit', async () => {
    expect((await calcom(P, fixture('calcom/meeting-ended.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'ines.garnier@example.com');
    expect(patient.lastVisitAt).toBe('2026-11-18T09:00:00.000Z');
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({ id: 'calcom:pL8mN3bV6cX1zA5sD9fGhJ', status: 'completed' }),
    ]);
  });

  it('BOOKING_NO_SHOW_UPDATED marks the known attendee no-show and makes no patient of an unknown guest', async () => {
    expect((await calcom(P, fixture('calcom/booking-no-show-updated.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'ines.garnier@example.com');
    expect(patient.lastVisitAt).toBeNull();
    expect((await appointmentsOf(P, patient.id)).map((a) => a.status)).toEqual(['no_show']);
    expect(await h.deps.patients.findPatientIdByEmail(P, 'accompagnant@example.com')).toBeNull();
  });

  it('PING answers 200 {ok: true} and changes nothing', async () => {
    const response = await expectUnchanged(() => calcom(P, fixture('calcom/ping.json')), 200);
    expect(response.jsonBody).toEqual({ ok: true });
  });

  it('a trigger Reengage does not use is acknowledged (202) and changes nothing', async () => {
    for (const triggerEvent of ['MEETING_STARTED', 'BOOKING_REQUESTED', 'constructor', '__proto__']) {
      const other = { ...json('calcom/booking-created.json'), triggerEvent };
      const response = await expectUnchanged(() => calcom(P, bytes(other)), 202);
      expect(response.jsonBody).toMatchObject({
        accepted: true,
        ignored: expect.stringContaining(triggerEvent),
      });
    }
  });

  it('a payload that fails validation gets 400 naming each field, and changes nothing', async () => {
    const body = json('calcom/booking-created.json');
    body.payload.attendees[0].email = 'not-an-address';
    delete body.payload.startTime;
    body.payload.uid = 'a/b';
    const response = await expectUnchanged(() => calcom(P, bytes(body)), 400);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    const fields = (response.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['payload.attendees.0.email', 'payload.startTime', 'payload.uid']),
    );
  });

  it('a body sent as something other than JSON gets 415', async () => {
    const raw = fixture('calcom/booking-created.json');
    await expectUnchanged(
      () => post('calcom', P, raw, { 'X-Cal-Signature-256': calSignature(raw) }, 'text/plain'),
      415,
    );
  });
});

describe('Calendly', () => {
  it('invitee.created with a host nobody mapped books with the default therapist and reports its keys', async () => {
    const response = await calendly(P, fixture('calendly/invitee-created.json'));
    expect(response).toMatchObject({ status: 202, jsonBody: { accepted: true } });
    const patient = await patientByEmail(P, 'jade.moreau@example.fr');
    expect(patient).toMatchObject({
      firstName: 'Jade',
      therapistId: 'th_default',
      nextBookingAt: '2026-12-04T10:00:00.000Z',
    });
    expect(patient.emailConsent.granted).toBe(false);
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({
        id: 'calendly:0c2e4a6b-8d1f-4b3c-9e5a-7f9b1d3e5a70',
        status: 'booked',
        therapistId: 'th_default',
      }),
    ]);
    const unmapped = (await h.deps.practices.getTherapistMapping(P))?.value.unmapped.map((u) => u.key);
    expect(unmapped).toEqual(
      expect.arrayContaining([
        'calendly:user:https://api.calendly.com/users/a8e2d4c6-1b3f-4a5d-8e7c-9f0a1b2c3d4e',
        'calendly:organizer:remplacante@tilleuls.example',
        'calendly:eventType:https://api.calendly.com/event_types/e1a7c3d9-5b2f-4c8e-a6d0-7f9b1e3c5a2d',
      ]),
    );
  });

  it('the same delivery again answers 200 duplicate and changes nothing', async () => {
    await expectUnchanged(() => calendly(P, fixture('calendly/invitee-created.json')), 200);
  });

  it('invitee.canceled (not a reschedule) cancels: no future booking', async () => {
    expect((await calendly(P, fixture('calendly/invitee-canceled.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'jade.moreau@example.fr');
    expect(patient.nextBookingAt).toBeNull();
    expect((await appointmentsOf(P, patient.id)).map((a) => a.status)).toEqual(['cancelled']);
  });

  it('invitee_no_show.created marks the past session no-show', async () => {
    expect((await calendly(P, fixture('calendly/invitee-no-show-created.json'))).status).toBe(202);
    const patient = await patientByEmail(P, 'hugo.lambert@example.com');
    expect(patient.lastVisitAt).toBeNull();
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({
        id: 'calendly:8b9a0f1e-2d3c-4b5a-9f8e-7d6c5b4a3f2e',
        status: 'no_show',
        startsAt: '2026-11-19T08:00:00.000Z',
      }),
    ]);
  });

  const OLD = 'calendly:6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c';
  const NEW = 'calendly:7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b';

  async function expectRescheduled(practiceId: string) {
    const patient = await patientByEmail(practiceId, 'louis.fontaine@example.org');
    const appointments = await appointmentsOf(practiceId, patient.id);
    expect(appointments.map((a) => [a.id, a.status, a.startsAt, a.therapistId])).toEqual([
      [OLD, 'cancelled', '2026-12-02T08:00:00.000Z', 'th_tom'],
      [NEW, 'booked', '2026-12-09T15:00:00.000Z', 'th_tom'],
    ]);
    expect(futureBookings(appointments)).toHaveLength(1);
    // Not a lost patient: still a future booking, and a booking received at the reschedule.
    expect(patient).toMatchObject({
      nextBookingAt: '2026-12-09T15:00:00.000Z',
      lastBookedAt: '2026-11-20T09:30:00.398Z',
      therapistId: 'th_tom',
    });
  }

  it('a reschedule sent as canceled then created leaves one future booking and no lost patient', async () => {
    expect((await calendly(P, fixture('calendly/invitee-created-louis.json'))).status).toBe(202);
    expect((await calendly(P, fixture('calendly/invitee-canceled-rescheduled.json'))).status).toBe(202);
    expect((await calendly(P, fixture('calendly/invitee-created-rescheduled.json'))).status).toBe(202);
    await expectRescheduled(P);
  });

  it('the same reschedule the other way round (created, then canceled) ends the same', async () => {
    expect((await calendly(P2, fixture('calendly/invitee-created-louis.json'))).status).toBe(202);
    expect((await calendly(P2, fixture('calendly/invitee-created-rescheduled.json'))).status).toBe(202);
    expect((await calendly(P2, fixture('calendly/invitee-canceled-rescheduled.json'))).status).toBe(202);
    await expectRescheduled(P2);
  });

  it('a stale or future timestamp is refused (401) even when correctly signed, and changes nothing', async () => {
    const raw = fixture('calendly/invitee-no-show-created.json');
    for (const t of [nowInSeconds() - 301, nowInSeconds() + 301]) {
      const response = await expectUnchanged(() => calendly(P2, raw, t), 401);
      expect(JSON.stringify(response.jsonBody)).toContain('expired');
    }
    // Inside the window the same bytes go through: the refusal above was the timestamp's.
    expect((await calendly(P2, raw, nowInSeconds() - 299)).status).toBe(202);
  });

  it('an event Reengage does not use is acknowledged (202) and changes nothing', async () => {
    for (const event of ['routing_form_submission.created', 'invitee.created.x', 'toString']) {
      const other = { ...json('calendly/invitee-created.json'), event };
      await expectUnchanged(() => calendly(P, bytes(other)), 202);
    }
  });

  it('a payload that fails validation gets 400 naming each field, and changes nothing', async () => {
    const body = json('calendly/invitee-created.json');
    delete body.payload.scheduled_event.start_time;
    body.payload.email = 'jade at example';
    const response = await expectUnchanged(() => calendly(P, bytes(body)), 400);
    const fields = (response.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['payload.scheduled_event.start_time', 'payload.email']));
  });
});

describe('Acuity', () => {
  const ANA = '1180245001';
  beforeAll(async () => {
    // Imported earlier with the practice's own id and a differently cased address.
    const imported = await h.postEvent(P, {
      id: 'import-ana',
      type: 'patient.upserted',
      occurredAt: '2026-11-01T08:00:00Z',
      patient: { id: 'pat_ana', firstName: 'Ana', email: 'Ana.Leroy@Example.org', emailConsent: true },
    });
    expect(imported.status).toBe(202);
  });

  it('scheduled: fetches the appointment and books it for the patient imported with that address', async () => {
    standIn.setAppointment(ANA, json('acuity/appointment-1180245001.json'));
    const seen = standIn.requests.length;
    expect((await acuity(P, fixture('acuity/scheduled.form'))).status).toBe(202);
    expect(standIn.requests.slice(seen)).toEqual([
      { path: '/api/v1/appointments/1180245001', authorized: true },
    ]);
    expect(await h.deps.patients.findPatientIdByEmail(P, 'ana.leroy@example.org')).toBe('pat_ana');
    const patient = (await h.deps.patients.getPatient(P, 'pat_ana'))?.value;
    // The practice's profile stays; the booking is added to it.
    expect(patient).toMatchObject({
      email: 'Ana.Leroy@Example.org',
      nextBookingAt: '2026-12-07T08:30:00.000Z',
    });
    expect(patient?.emailConsent.granted).toBe(true);
    expect(await appointmentsOf(P, 'pat_ana')).toEqual([
      expect.objectContaining({
        id: 'acuity:1180245001',
        status: 'booked',
        startsAt: '2026-12-07T08:30:00.000Z',
        therapistId: 'th_lea',
      }),
    ]);
  });

  it('the same notification again brings a state already held: 200 duplicate, nothing written', async () => {
    // Later, as a redelivery would be: Acuity sends no id or time that could tell it apart.
    h.clock.advanceBy(30_000);
    const response = await expectUnchanged(() => acuity(P, fixture('acuity/scheduled.form')), 200);
    expect(response.jsonBody).toMatchObject({ duplicate: true });
  });

  it('appointment.rescheduled (a dynamic webhook) moves the appointment to the time Acuity now has', async () => {
    h.clock.advanceBy(60_000);
    standIn.setAppointment(ANA, json('acuity/appointment-1180245001-rescheduled.json'));
    expect((await acuity(P, fixture('acuity/dynamic-rescheduled.form'))).status).toBe(202);
    expect(await appointmentsOf(P, 'pat_ana')).toEqual([
      expect.objectContaining({
        id: 'acuity:1180245001',
        status: 'booked',
        startsAt: '2026-12-14T10:00:00.000Z',
      }),
    ]);
  });

  it('canceled cancels it', async () => {
    h.clock.advanceBy(60_000);
    standIn.setAppointment(ANA, json('acuity/appointment-1180245001-canceled.json'));
    expect((await acuity(P, fixture('acuity/canceled.form'))).status).toBe(202);
    expect((await appointmentsOf(P, 'pat_ana')).map((a) => a.status)).toEqual(['cancelled']);
    expect((await h.deps.patients.getPatient(P, 'pat_ana'))?.value.nextBookingAt).toBeNull();
  });

  it('changed on a no-show records the no-show, with the therapist of its calendar', async () => {
    standIn.setAppointment('1180245002', json('acuity/appointment-1180245002-no-show.json'));
    expect((await acuity(P, fixture('acuity/changed.form'))).status).toBe(202);
    const patient = await patientByEmail(P, 'paul.girard@example.net');
    expect(patient).toMatchObject({ firstName: 'Paul', therapistId: 'th_tom', lastVisitAt: null });
    expect(await appointmentsOf(P, patient.id)).toEqual([
      expect.objectContaining({
        id: 'acuity:1180245002',
        status: 'no_show',
        startsAt: '2026-11-16T13:00:00.000Z',
        therapistId: 'th_tom',
      }),
    ]);
  });

  const lina = () => ({
    ...json('acuity/appointment-1180245001.json'),
    id: 1180245003,
    firstName: 'Lina',
    email: 'lina.roux@example.org',
  });
  const linaForm = Buffer.from('action=scheduled&id=1180245003&calendarID=27238&appointmentTypeID=5530001');
  const requestsFor = (id: string) => standIn.requests.filter((r) => r.path.endsWith(`/${id}`)).length;

  it('gives up after three attempts that time out: 503 with Retry-After, nothing written', async () => {
    standIn.setAppointment('1180245003', lina());
    standIn.script('1180245003', 'hang', 'hang', 'hang');
    const response = await expectUnchanged(() => acuity(P, linaForm), 503);
    expect(response.headers).toMatchObject({ 'Retry-After': '60' });
    expect(requestsFor('1180245003')).toBe(3);
  });

  it('retries a 503 and a 500, then applies what the third attempt returns', async () => {
    standIn.script('1180245003', 503, 500);
    const before = requestsFor('1180245003');
    expect((await acuity(P, linaForm)).status).toBe(202);
    expect(requestsFor('1180245003') - before).toBe(3);
    const patient = await patientByEmail(P, 'lina.roux@example.org');
    expect((await appointmentsOf(P, patient.id)).map((a) => a.status)).toEqual(['booked']);
  });

  it('an appointment Acuity no longer has is acknowledged (202) and changes nothing', async () => {
    const gone = Buffer.from('action=canceled&id=1180245099&calendarID=27238&appointmentTypeID=5530001');
    const response = await expectUnchanged(() => acuity(P, gone), 202);
    expect(response.jsonBody).toMatchObject({
      accepted: true,
      ignored: expect.stringContaining('no longer'),
    });
  });

  it('credentials Acuity refuses get 502 and nothing written', async () => {
    await expectUnchanged(() => acuity(P_BAD_ACUITY, fixture('acuity/scheduled.form')), 502);
  });

  it('an action that is not about an appointment is acknowledged (202) and changes nothing', async () => {
    await expectUnchanged(() => acuity(P, fixture('acuity/order-completed.form')), 202);
  });

  it('a notification without an id gets 400 naming it, and nothing is fetched or written', async () => {
    const seen = standIn.requests.length;
    const response = await expectUnchanged(
      () => acuity(P, Buffer.from('action=scheduled&calendarID=27238')),
      400,
    );
    expect((response.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['id']);
    expect(standIn.requests.length).toBe(seen);
  });

  it('JSON is refused with 415: Acuity posts forms', async () => {
    const raw = fixture('acuity/scheduled.form');
    await expectUnchanged(
      () => post('acuity', P, raw, { 'X-Acuity-Signature': acuitySignature(raw) }, 'application/json'),
      415,
    );
  });
});

describe('signatures over the raw bytes', () => {
  const SIG_PRACTICE = 'prac_vendors_sig';
  beforeAll(async () => {
    await setUpPractice(SIG_PRACTICE);
    standIn.setAppointment('1180245001', json('acuity/appointment-1180245001.json'));
  });

  const cases = [
    {
      name: 'Cal.com',
      raw: () => fixture('calcom/booking-created.json'),
      send: (practiceId: string, raw: Buffer, signedRaw = raw, secret = CAL_SECRET) =>
        post(
          'calcom',
          practiceId,
          raw,
          { 'X-Cal-Signature-256': calSignature(signedRaw, secret) },
          'application/json',
        ),
      unsigned: (raw: Buffer) => post('calcom', SIG_PRACTICE, raw, {}, 'application/json'),
    },
    {
      name: 'Calendly',
      raw: () => fixture('calendly/invitee-created.json'),
      send: (practiceId: string, raw: Buffer, signedRaw = raw, secret = CALENDLY_KEY) =>
        post(
          'calendly',
          practiceId,
          raw,
          { 'Calendly-Webhook-Signature': calendlySignature(signedRaw, nowInSeconds(), secret) },
          'application/json',
        ),
      unsigned: (raw: Buffer) => post('calendly', SIG_PRACTICE, raw, {}, 'application/json'),
    },
    {
      name: 'Acuity',
      raw: () => fixture('acuity/scheduled.form'),
      send: (practiceId: string, raw: Buffer, signedRaw = raw, secret = ACUITY.apiKey) =>
        post(
          'acuity',
          practiceId,
          raw,
          { 'X-Acuity-Signature': acuitySignature(signedRaw, secret) },
          'application/x-www-form-urlencoded',
        ),
      unsigned: (raw: Buffer) => post('acuity', SIG_PRACTICE, raw, {}, 'application/x-www-form-urlencoded'),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: one byte changed at any of 20 positions is refused with 401, and nothing is written`, async () => {
      const raw = c.raw();
      const before = await snapshotTables(h);
      for (let i = 0; i < 20; i++) {
        const position = Math.floor((i * (raw.length - 1)) / 19);
        const tampered = Buffer.from(raw);
        tampered[position] = (tampered[position] ?? 0) ^ 0x01;
        const response = await c.send(SIG_PRACTICE, tampered, raw);
        expect({ position, status: response.status }).toEqual({ position, status: 401 });
      }
      expect(await snapshotTables(h)).toBe(before);
    });

    it(`${c.name}: a wrong secret or no signature is refused, and an unknown practice answers alike`, async () => {
      const raw = c.raw();
      const wrong = await expectUnchanged(() => c.send(SIG_PRACTICE, raw, raw, 'not-the-secret'), 401);
      await expectUnchanged(() => c.unsigned(raw), 401);
      const unknown = await expectUnchanged(() => c.send('prac_nobody', raw), 401);
      expect(unknown.jsonBody).toEqual(wrong.jsonBody);
    });

    it(`${c.name}: the untouched bytes, correctly signed, are accepted (the refusals above were the signature's)`, async () => {
      expect((await c.send(SIG_PRACTICE, c.raw())).status).toBe(202);
    });
  }

  it('after a rotation the previous secret works for the grace period, then no more', async () => {
    const rotated = (rotatedAt: string): PracticeSecrets => ({
      practiceId: SIG_PRACTICE,
      webhooks: { calcom: { current: 'calcom-whsec-new-0a9b8c7d6e5f', previous: CAL_SECRET, rotatedAt } },
      apiKeyHashes: [],
    });
    const ping = fixture('calcom/ping.json');
    await h.deps.practices.upsertSecrets(rotated('2026-11-19T10:00:00.000Z'));
    expect((await calcom(SIG_PRACTICE, ping)).status).toBe(200);
    expect((await calcom(SIG_PRACTICE, ping, 'calcom-whsec-new-0a9b8c7d6e5f')).status).toBe(200);
    // Seven days of grace (core/secrets.ts): rotated eight days ago, the old secret is refused.
    await h.deps.practices.upsertSecrets(rotated('2026-11-12T10:00:00.000Z'));
    expect((await calcom(SIG_PRACTICE, ping)).status).toBe(401);
    expect((await calcom(SIG_PRACTICE, ping, 'calcom-whsec-new-0a9b8c7d6e5f')).status).toBe(200);
  });

  it('a practice that never set a source up refuses it like a wrong signature', async () => {
    await h.deps.practices.upsertSecrets({
      practiceId: SIG_PRACTICE,
      webhooks: { generic: { current: h.webhookSecret, previous: null, rotatedAt: null } },
      apiKeyHashes: [],
    });
    const raw = fixture('calcom/ping.json');
    await expectUnchanged(() => calcom(SIG_PRACTICE, raw), 401);
  });
});

describe('the patient address index', () => {
  const INDEX_PRACTICE = 'prac_vendors_index';
  async function rowKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const row of h.composition.storage.tables.patients.listEntities({
      queryOptions: { filter: `PartitionKey eq '${INDEX_PRACTICE}'` },
    })) {
      keys.push(row.rowKey ?? '');
    }
    return keys.sort();
  }

  it('finds a patient by address whatever the case, forgets an old address and a deleted patient', async () => {
    const store = h.deps.patients;
    const etag = await store.createPatient({
      ...aPatient({ practiceId: INDEX_PRACTICE, id: 'pat_x' }),
      email: 'Zoe.Martin@Example.org',
    });
    expect(await store.findPatientIdByEmail(INDEX_PRACTICE, ' zoe.martin@example.ORG ')).toBe('pat_x');
    const current = (await store.getPatient(INDEX_PRACTICE, 'pat_x'))?.value;
    if (!current) throw new Error('pat_x missing');
    await store.updatePatient({ ...current, email: 'zoe@example.net' }, etag);
    expect(await store.findPatientIdByEmail(INDEX_PRACTICE, 'zoe.martin@example.org')).toBeNull();
    expect(await store.findPatientIdByEmail(INDEX_PRACTICE, 'zoe@example.net')).toBe('pat_x');
    // One pointer per address the patient had, in the patients' partition, never listed as a patient.
    const keys = await rowKeys();
    expect(keys).toHaveLength(3);
    expect(keys.filter((k) => /^~email\|[0-9a-f]{64}\|pat_x$/.test(k))).toHaveLength(2);
    const listed = [];
    for await (const p of store.listPatients(INDEX_PRACTICE)) listed.push(p.id);
    expect(listed).toEqual(['pat_x']);
    await store.deletePatient(INDEX_PRACTICE, 'pat_x');
    expect(await store.findPatientIdByEmail(INDEX_PRACTICE, 'zoe@example.net')).toBeNull();
    // Both pointers went with the patient: nothing ties an address to the id any more.
    expect(await rowKeys()).toEqual([]);
  });

  it('picks the patient created first when two share an address', async () => {
    const store = h.deps.patients;
    await store.createPatient({
      ...aPatient({ practiceId: INDEX_PRACTICE, id: 'pat_late' }, new Date('2026-10-02T00:00:00Z')),
      email: 'famille.roy@example.org',
    });
    await store.createPatient({
      ...aPatient({ practiceId: INDEX_PRACTICE, id: 'pat_early' }, new Date('2026-10-01T00:00:00Z')),
      email: 'Famille.Roy@example.org',
    });
    expect(await store.findPatientIdByEmail(INDEX_PRACTICE, 'famille.roy@example.org')).toBe('pat_early');
  });
});
