// Admin GDPR endpoints on Azurite: export everything about one patient, erase it, and keep the statistics.
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey, PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import { erasedPatientIdOf } from '../../functions/src/app/erasure';
import { DELIVERY_REPORT_TYPE } from '../../functions/src/core/emailEvents';
import { addressHashOf } from '../../functions/src/core/ids';
import type { OutreachRow } from '../../functions/src/core/model';
import { handleErasePatient, handleExportPatient } from '../../functions/src/functions/patientAdmin';
import { handleEmailEvents } from '../../functions/src/functions/processEmailEvents';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { readOutbox } from '../support/outbox';

const practice = aPractice({ id: 'prac_gdpr' });
const other = aPractice({ id: 'prac_other' });
const KEY = 'key-of-prac-gdpr-0123456789';
const OTHER_KEY = 'key-of-prac-other-0123456789';
const emailOf = (patientId: string) => `${patientId}.mail@example.org`;

let h: Harness;

function request(method: 'GET' | 'DELETE', practiceId: string, patientId: string, key: string | null) {
  const path = `practices/${practiceId}/patients/${patientId}${method === 'GET' ? '/export' : ''}`;
  return new HttpRequest({
    method,
    url: `https://reengage.example/api/${path}`,
    headers: key === null ? {} : { [PRACTICE_KEY_HEADER]: key },
    params: { practiceId, patientId },
  });
}

const exportOf = (patientId: string, key: string | null = KEY, practiceId = practice.id) =>
  handleExportPatient(h.deps, request('GET', practiceId, patientId, key));
const erase = (patientId: string, key: string | null = KEY, practiceId = practice.id) =>
  handleErasePatient(h.deps, request('DELETE', practiceId, patientId, key));

function bodyOf(response: HttpResponseInit): Record<string, unknown> {
  return response.jsonBody as Record<string, unknown>;
}

async function visit(
  practiceId: string,
  patientId: string,
  day: string,
  extra: Record<string, unknown> = {},
) {
  h.clock.set(`${day}T12:00:00Z`);
  const response = await h.postEvent(practiceId, {
    id: `${patientId}-${day}`,
    type: 'appointment.completed',
    occurredAt: `${day}T12:00:00Z`,
    patient: {
      id: patientId,
      firstName: 'Camille',
      email: emailOf(patientId),
      locale: 'fr',
      therapistId: 'th_1',
      emailConsent: true,
      ...extra,
    },
    appointment: { id: `${patientId}-apt-${day}`, startsAt: `${day}T10:00:00+01:00` },
  });
  expect(response.status).toBe(202);
}

async function ledger(practiceId = practice.id): Promise<OutreachRow[]> {
  const rows: OutreachRow[] = [];
  for await (const row of h.deps.ledger.listOutreach(practiceId)) rows.push(row);
  return rows;
}

const emailsTo = (patientId: string) =>
  readOutbox(h.outboxDirectory).filter((e) => (e.headers.get('to') ?? '').includes(emailOf(patientId)))
    .length;

let sentRow: OutreachRow;
let dueDayBefore: string | null;

beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-12-01T12:00:00Z',
  }).ready();
  for (const [p, key] of [
    [practice, KEY],
    [other, OTHER_KEY],
  ] as const) {
    await h.addPractice({ ...p, defaultTherapistId: 'th_1' }, [aTherapist({ practiceId: p.id })]);
    const secrets = await h.deps.practices.getSecrets(p.id);
    if (!secrets) throw new Error('no secrets');
    await h.deps.practices.upsertSecrets({ ...secrets, apiKeyHashes: [hashApiKey(key)] });
  }
  await visit(practice.id, 'pat_1', '2026-12-01', { progressNote: 'Sommeil amélioré' });
  // pat_10 shares pat_1's prefix: a sloppy range query would mix them up.
  await visit(practice.id, 'pat_10', '2026-12-01');
  await visit(other.id, 'pat_1', '2026-12-01', { email: 'someone.else@example.org' });
  h.clock.set('2026-12-31T05:00:00Z');
  await h.plan();
  expect((await h.drain()).errors).toBe(0);
  const rows = await ledger();
  expect(rows.map((r) => `${r.patientId}:${r.status}`).sort()).toEqual(['pat_10:sent', 'pat_1:sent']);
  sentRow = rows.find((r) => r.patientId === 'pat_1') as OutreachRow;
  // A delivery report (the MessageIndex entry exists since the send) and a feedback for each patient.
  await handleEmailEvents(h.deps, {
    id: 'eg-1',
    eventType: DELIVERY_REPORT_TYPE,
    eventTime: '2026-12-31T09:00:00Z',
    data: {
      recipient: emailOf('pat_1'),
      messageId: sentRow.operationId,
      status: 'Delivered',
      deliveryAttemptTimestamp: '2026-12-31T09:00:00Z',
    },
  });
  for (const row of rows) {
    await h.deps.feedback.upsertFeedback({
      practiceId: practice.id,
      outreachId: row.id,
      patientId: row.patientId,
      rating: row.patientId === 'pat_1' ? 4 : 2,
      comment: `Commentaire de ${row.patientId}`,
      createdAt: '2027-01-02T10:00:00Z',
      updatedAt: '2027-01-02T10:00:00Z',
    });
  }
  const delivered = await h.deps.ledger.getOutreach(practice.id, sentRow.id);
  if (!delivered) throw new Error('row gone');
  await h.deps.ledger.updateOutreach(
    { ...delivered.value, response: 'feedback', respondedAt: '2027-01-02T10:00:00Z' },
    delivered.etag,
  );
  dueDayBefore = (await h.deps.patients.getPatient(practice.id, 'pat_1'))?.value.dueDay ?? null;
  h.clock.set('2027-01-10T10:00:00Z');
});
afterAll(() => h.dispose());

describe('export', () => {
  it('returns everything held about the patient, health data included, as a download', async () => {
    const response = await exportOf('pat_1');
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'Cache-Control': 'no-store',
      'Content-Disposition': 'attachment; filename="patient-pat_1.json"',
    });
    const body = bodyOf(response);
    expect(body).toMatchObject({
      format: 'reengage.patient-export.v1',
      practiceId: practice.id,
      patientId: 'pat_1',
      exportedAt: '2027-01-10T10:00:00.000Z',
      patient: {
        id: 'pat_1',
        email: emailOf('pat_1'),
        progressNote: 'Sommeil amélioré',
        firstName: 'Camille',
      },
      suppression: { listed: false, reason: null, at: null },
    });
    expect(body.appointments).toEqual([
      expect.objectContaining({ id: 'pat_1-apt-2026-12-01', status: 'completed' }),
    ]);
    expect(body.outreach).toEqual([
      expect.objectContaining({
        id: sentRow.id,
        operationId: sentRow.operationId,
        status: 'delivered',
        deliveryStatus: 'Delivered',
      }),
    ]);
    expect(body.feedback).toEqual([
      expect.objectContaining({ outreachId: sentRow.id, rating: 4, comment: 'Commentaire de pat_1' }),
    ]);
    expect((body.notes as string[]).join(' ')).toMatch(/event id.*no personal data/);
  });

  it('holds nothing about another patient, even one whose id extends this one, nor another practice', async () => {
    const text = JSON.stringify(bodyOf(await exportOf('pat_1')));
    expect(text).not.toContain('pat_10');
    expect(text).not.toContain(emailOf('pat_10'));
    expect(text).not.toContain('Commentaire de pat_10');
    expect(text).not.toContain(other.id);
  });

  it('answers 401 without the right practice key, and another practice key never reads this practice', async () => {
    expect((await exportOf('pat_1', null)).status).toBe(401);
    expect((await exportOf('pat_1', 'wrong-key')).status).toBe(401);
    expect((await exportOf('pat_1', OTHER_KEY)).status).toBe(401);
    expect((await erase('pat_1', OTHER_KEY)).status).toBe(401);
    // prac_other's key opens prac_other, whose pat_1 is another person.
    const theirs = bodyOf(await exportOf('pat_1', OTHER_KEY, other.id));
    expect(theirs.practiceId).toBe(other.id);
    expect(JSON.stringify(theirs)).not.toContain('Sommeil');
  });

  it('answers 404 for an unknown patient and 400 for an id that cannot be one', async () => {
    expect((await exportOf('pat_404')).status).toBe(404);
    expect((await exportOf('bad id/..')).status).toBe(400);
  });
});

describe('erasure', () => {
  let pat10Before: string;
  let erasedId: string;

  beforeAll(async () => {
    pat10Before = JSON.stringify({ ...bodyOf(await exportOf('pat_10')), exportedAt: null });
    erasedId = `${erasedPatientIdOf(practice.id, 'pat_1')}|${sentRow.campaign}|${sentRow.episodeKey}|${sentRow.step}`;
  });

  it('answers 204 and deletes the patient, its DueIndex row, appointments and feedback', async () => {
    expect(dueDayBefore).not.toBeNull();
    expect((await erase('pat_1')).status).toBe(204);
    expect(await h.deps.patients.getPatient(practice.id, 'pat_1')).toBeNull();
    const appointments = [];
    for await (const a of h.deps.appointments.listAppointments(practice.id, 'pat_1')) appointments.push(a);
    expect(appointments).toEqual([]);
    const feedback = [];
    for await (const f of h.deps.feedback.listFeedback(practice.id)) feedback.push(f);
    expect(feedback.map((f) => f.patientId)).toEqual(['pat_10']);
    const due = [];
    for await (const d of h.deps.dueIndex.listDue(dueDayBefore ?? '')) due.push(d);
    expect(due.filter((d) => d.practiceId === practice.id && d.patientId === 'pat_1')).toEqual([]);
  });

  it('keeps the outreach row for statistics, under a pseudonym, without personal fields', async () => {
    expect(erasedId).toMatch(/^erased-[0-9a-f]{16}\|lapse\|/);
    const rows = await ledger();
    expect(rows.some((r) => r.patientId === 'pat_1' || r.id.startsWith('pat_1|'))).toBe(false);
    const kept = rows.find((r) => r.id === erasedId);
    expect(kept).toEqual({
      ...sentRow,
      id: erasedId,
      patientId: erasedId.split('|')[0],
      therapistId: null,
      status: 'delivered',
      deliveryStatus: 'Delivered',
      deliveryAt: '2026-12-31T09:00:00.000Z',
      response: 'feedback',
      respondedAt: '2027-01-02T10:00:00Z',
      erasedAt: '2027-01-10T10:00:00.000Z',
    });
  });

  it('re-points the MessageIndex, so a late delivery report still lands on the kept row', async () => {
    expect(await h.deps.messageIndex.getMessage(sentRow.operationId)).toEqual({
      messageId: sentRow.operationId,
      practiceId: practice.id,
      outreachId: erasedId,
    });
    const result = await handleEmailEvents(h.deps, {
      id: 'eg-late',
      eventType: DELIVERY_REPORT_TYPE,
      eventTime: '2027-01-10T11:00:00Z',
      data: {
        recipient: emailOf('pat_1'),
        messageId: sentRow.operationId,
        status: 'Bounced',
        deliveryAttemptTimestamp: '2027-01-10T11:00:00Z',
      },
    });
    expect(result).toMatchObject({ outcomes: ['applied'] });
    expect((await h.deps.ledger.getOutreach(practice.id, erasedId))?.value.status).toBe('bounced');
  });

  it('keeps the address on the suppression list as a hash only', async () => {
    const entry = await h.deps.suppressions.getSuppression(
      practice.id,
      addressHashOf(practice.id, emailOf('pat_1')),
    );
    expect(entry).toEqual({
      practiceId: practice.id,
      addressHash: addressHashOf(practice.id, emailOf('pat_1')),
      reason: 'suppressed',
      at: '2027-01-10T10:00:00.000Z',
    });
  });

  it('touches no other patient and no other practice', async () => {
    expect(JSON.stringify({ ...bodyOf(await exportOf('pat_10')), exportedAt: null })).toBe(pat10Before);
    expect((await exportOf('pat_1', OTHER_KEY, other.id)).status).toBe(200);
  });

  it('answers 404 once nothing is left: export and a second DELETE', async () => {
    expect((await exportOf('pat_1')).status).toBe(404);
    expect((await erase('pat_1')).status).toBe(404);
  });

  it('a patient imported again with the same address is never written to', async () => {
    await visit(practice.id, 'pat_1', '2027-01-15');
    expect(emailsTo('pat_1')).toBe(1);
    h.clock.set('2027-02-15T05:00:00Z');
    await h.plan();
    expect((await h.drain()).errors).toBe(0);
    expect(emailsTo('pat_1')).toBe(1);
    const rows = await ledger();
    expect(rows.filter((r) => r.patientId === 'pat_1').map((r) => r.status)).toEqual(['skipped:suppressed']);
  });
});
