// bookingWebhook (generic source) through the real handler on Azurite: auth, validation, idempotency, order.
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signGeneric } from '../../functions/src/core/signature';
import { handleBookingWebhook } from '../../functions/src/functions/bookingWebhook';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { snapshotTables } from '../support/snapshot';

const practice = aPractice({ id: 'prac_wh' });
const booked = (id: string, occurredAt: string, startsAt = '2026-11-27T14:00:00+01:00') => ({
  id,
  type: 'appointment.booked',
  occurredAt,
  patient: {
    id: 'pat_42',
    firstName: 'Camille',
    email: 'camille@example.org',
    locale: 'fr',
    therapistId: 'th_1',
    emailConsent: true,
    careStatus: 'in_care',
  },
  appointment: { id: 'apt_9', startsAt, therapistId: 'th_1' },
});

let h: Harness;
beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-11-20T10:00:00Z',
  }).ready();
  await h.addPractice(practice, [aTherapist({ practiceId: practice.id })]);
});
afterAll(() => h.dispose());

function rawRequest(practiceId: string, body: string, headers: Record<string, string>, source = 'generic') {
  return handleBookingWebhook(
    h.deps,
    new HttpRequest({
      method: 'POST',
      url: `https://x.example/api/webhooks/${source}/${practiceId}`,
      headers: { 'content-type': 'application/json', ...headers },
      params: { source, practiceId },
      body: { string: body },
    }),
  );
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

describe('a valid event', () => {
  it('is accepted (202) and updates patient and appointment state', async () => {
    const response = await h.postEvent(practice.id, booked('evt_1', '2026-11-20T10:00:00Z'));
    expect(response).toMatchObject({ status: 202, jsonBody: { accepted: true, id: 'evt_1' } });
    const patient = await h.deps.patients.getPatient(practice.id, 'pat_42');
    expect(patient?.value).toMatchObject({
      firstName: 'Camille',
      nextBookingAt: '2026-11-27T13:00:00.000Z',
      lastVisitAt: null,
    });
    expect(patient?.value.emailConsent.granted).toBe(true);
    // DueIndex: the booking could lapse 30 days after it (27 Nov + 30 = 27 Dec).
    expect(patient?.value.dueDay).toBe('20261227');
    const due = [];
    for await (const entry of h.deps.dueIndex.listDue('20261227')) due.push(entry);
    expect(due).toContainEqual({ day: '20261227', practiceId: practice.id, patientId: 'pat_42' });
  });

  it('the same id again answers 200 duplicate and changes nothing', async () => {
    const response = await expectUnchanged(
      () => h.postEvent(practice.id, booked('evt_1', '2026-11-20T10:00:00Z')),
      200,
    );
    expect(response).toMatchObject({ jsonBody: { duplicate: true } });
  });
});

describe('authentication', () => {
  const body = JSON.stringify(booked('evt_auth', '2026-11-20T10:00:00Z'));
  const now = () => Math.floor(h.clock.now().getTime() / 1000);
  it('a forged signature gets 401 and writes nothing', async () => {
    await expectUnchanged(
      () =>
        rawRequest(practice.id, body, {
          'reengage-signature': `t=${now()},v1=${signGeneric('forged', now(), body)}`,
        }),
      401,
    );
  });
  it('an expired signature gets 401 even when correctly signed', async () => {
    const t = now() - 301;
    const response = await expectUnchanged(
      () =>
        rawRequest(practice.id, body, {
          'reengage-signature': `t=${t},v1=${signGeneric(h.webhookSecret, t, body)}`,
        }),
      401,
    );
    expect(JSON.stringify(response.jsonBody)).toContain('expired');
  });
  it('a missing signature gets 401', async () => {
    await expectUnchanged(() => rawRequest(practice.id, body, {}), 401);
  });
  it('an unknown practice answers exactly like a bad signature (no enumeration)', async () => {
    const signed = { 'reengage-signature': `t=${now()},v1=${signGeneric(h.webhookSecret, now(), body)}` };
    const unknown = await expectUnchanged(() => rawRequest('prac_nope', body, signed), 401);
    const forged = await rawRequest(practice.id, body, {
      'reengage-signature': `t=${now()},v1=${signGeneric('x', now(), body)}`,
    });
    expect(unknown.jsonBody).toEqual(forged.jsonBody);
  });
  it('the previous secret still works during a rotation', async () => {
    await h.deps.practices.upsertSecrets({
      practiceId: practice.id,
      webhooks: {
        generic: { current: 'whsec_new', previous: h.webhookSecret, rotatedAt: '2026-11-20T00:00:00Z' },
      },
      apiKeyHashes: [],
    });
    expect((await h.postEvent(practice.id, booked('evt_rot_old', '2026-11-20T10:00:00Z'))).status).toBe(202);
    expect(
      (await h.postEvent(practice.id, booked('evt_rot_new', '2026-11-20T10:00:00Z'), { secret: 'whsec_new' }))
        .status,
    ).toBe(202);
    await h.deps.practices.upsertSecrets({
      practiceId: practice.id,
      webhooks: { generic: { current: h.webhookSecret, previous: null, rotatedAt: null } },
      apiKeyHashes: [],
    });
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  const violations: [string, (e: ReturnType<typeof booked>) => unknown, string][] = [
    ['missing id', ({ id: _id, ...rest }) => rest, 'id'],
    ['unknown type', (e) => ({ ...e, type: 'appointment.exploded' }), 'type'],
    ['occurredAt without zone', (e) => ({ ...e, occurredAt: '2026-11-20 10:00' }), 'occurredAt'],
    ['patient missing', ({ patient: _p, ...rest }) => rest, 'patient'],
    ['patient id with a slash', (e) => ({ ...e, patient: { ...e.patient, id: 'a/b' } }), 'patient.id'],
    ['bad email', (e) => ({ ...e, patient: { ...e.patient, email: 'not-an-email' } }), 'patient.email'],
    ['bad locale', (e) => ({ ...e, patient: { ...e.patient, locale: 'fr_FR!' } }), 'patient.locale'],
    [
      'bad careStatus',
      (e) => ({ ...e, patient: { ...e.patient, careStatus: 'gone' } }),
      'patient.careStatus',
    ],
    [
      'consent as a string',
      (e) => ({ ...e, patient: { ...e.patient, emailConsent: 'yes' } }),
      'patient.emailConsent',
    ],
    ['booking without startsAt', (e) => ({ ...e, appointment: { id: 'apt_9' } }), 'appointment.startsAt'],
    ['booking without appointment', ({ appointment: _a, ...rest }) => rest, 'appointment'],
    [
      'first name too long',
      (e) => ({ ...e, patient: { ...e.patient, firstName: 'x'.repeat(101) } }),
      'patient.firstName',
    ],
  ];
  for (const [name, mutate, field] of violations) {
    it(`${name} → 400 naming ${field}`, async () => {
      const response = await expectUnchanged(
        () => h.postEvent(practice.id, mutate(booked(`evt_bad_${field}`, '2026-11-20T10:00:00Z'))),
        400,
      );
      expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
      const errors = (response.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field);
      expect(errors).toContain(field);
    });
  }
  it('invalid JSON → 400', async () => {
    await expectUnchanged(() => h.postEvent(practice.id, '{"id": '), 400);
  });
  it('more than 256 KB → 413', async () => {
    const big = JSON.stringify({
      ...booked('evt_big', '2026-11-20T10:00:00Z'),
      padding: 'x'.repeat(256 * 1024),
    });
    await expectUnchanged(() => h.postEvent(practice.id, big), 413);
  });
  it('not JSON → 415', async () => {
    await expectUnchanged(
      () =>
        h.postEvent(practice.id, booked('evt_415', '2026-11-20T10:00:00Z'), {
          headers: { 'content-type': 'text/plain' },
        }),
      415,
    );
  });
  it('an unknown source → 404', async () => {
    await expectUnchanged(() => rawRequest(practice.id, '{}', {}, 'nosuchtool'), 404);
  });
});

describe('events out of order and more than once', () => {
  const patient = { id: 'pat_ooo', firstName: 'Noé', email: 'noe@example.org', emailConsent: true };
  const ev = (id: string, type: string, occurredAt: string, startsAt?: string) => ({
    id,
    type,
    occurredAt,
    patient,
    appointment: { id: 'apt_ooo', ...(startsAt ? { startsAt } : {}) },
  });
  it('a cancellation that arrives before its booking wins: the later state stays cancelled', async () => {
    await h.postEvent(
      practice.id,
      ev('ooo_2', 'appointment.cancelled', '2026-11-20T09:00:00Z', '2026-12-02T10:00:00+01:00'),
    );
    await h.postEvent(
      practice.id,
      ev('ooo_1', 'appointment.booked', '2026-11-19T09:00:00Z', '2026-12-02T10:00:00+01:00'),
    );
    const appointment = await h.deps.appointments.getAppointment(practice.id, 'pat_ooo', 'apt_ooo');
    expect(appointment?.value.status).toBe('cancelled');
    expect((await h.deps.patients.getPatient(practice.id, 'pat_ooo'))?.value.nextBookingAt).toBeNull();
  });
  it('a stale reschedule does not move a newer one back', async () => {
    await h.postEvent(
      practice.id,
      ev('ooo_3', 'appointment.booked', '2026-11-20T09:30:00Z', '2026-12-03T10:00:00+01:00'),
    );
    await h.postEvent(
      practice.id,
      ev('ooo_5', 'appointment.rescheduled', '2026-11-20T09:50:00Z', '2026-12-05T10:00:00+01:00'),
    );
    await h.postEvent(
      practice.id,
      ev('ooo_4', 'appointment.rescheduled', '2026-11-20T09:40:00Z', '2026-12-04T10:00:00+01:00'),
    );
    const patientRow = await h.deps.patients.getPatient(practice.id, 'pat_ooo');
    expect(patientRow?.value.nextBookingAt).toBe('2026-12-05T09:00:00.000Z');
  });
  it('a booked appointment whose time has passed counts as a visit; a no-show does not', async () => {
    h.clock.set('2026-12-06T10:00:00Z');
    await h.postEvent(practice.id, {
      id: 'ooo_6',
      type: 'patient.upserted',
      occurredAt: '2026-12-06T10:00:00Z',
      patient,
    });
    expect((await h.deps.patients.getPatient(practice.id, 'pat_ooo'))?.value).toMatchObject({
      lastVisitAt: '2026-12-05T09:00:00.000Z',
      nextBookingAt: null,
    });
    await h.postEvent(practice.id, ev('ooo_7', 'appointment.no_show', '2026-12-06T10:01:00Z'));
    expect((await h.deps.patients.getPatient(practice.id, 'pat_ooo'))?.value.lastVisitAt).toBeNull();
  });
  it('an older profile update does not overwrite a newer one', async () => {
    await h.postEvent(practice.id, {
      id: 'p_new',
      type: 'patient.upserted',
      occurredAt: '2026-12-06T10:05:00Z',
      patient: { ...patient, firstName: 'Noémie' },
    });
    await h.postEvent(practice.id, {
      id: 'p_old',
      type: 'patient.upserted',
      occurredAt: '2026-12-06T10:02:00Z',
      patient: { ...patient, firstName: 'Noé' },
    });
    expect((await h.deps.patients.getPatient(practice.id, 'pat_ooo'))?.value.firstName).toBe('Noémie');
  });
});

describe('a profile upsert that arrives after a later appointment event', () => {
  it('is still applied: an event naming only the patient id does not move the profile watermark', async () => {
    const booking = {
      id: 'late_profile_b',
      type: 'appointment.booked',
      occurredAt: '2026-12-06T11:00:00Z',
      patient: { id: 'pat_late' },
      appointment: { id: 'apt_late', startsAt: '2026-12-20T10:00:00+01:00' },
    };
    const profile = {
      id: 'late_profile_p',
      type: 'patient.upserted',
      occurredAt: '2026-12-06T10:00:00Z',
      patient: { id: 'pat_late', firstName: 'Maëlle', email: 'maelle@example.org', emailConsent: true },
    };
    expect((await h.postEvent(practice.id, booking)).status).toBe(202);
    expect((await h.postEvent(practice.id, profile)).status).toBe(202);
    const patient = (await h.deps.patients.getPatient(practice.id, 'pat_late'))?.value;
    expect(patient).toMatchObject({
      firstName: 'Maëlle',
      email: 'maelle@example.org',
      nextBookingAt: '2026-12-20T09:00:00.000Z',
    });
    expect(patient?.emailConsent.granted).toBe(true);
  });
});
