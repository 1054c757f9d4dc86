// The weekly retention sweep on Azurite, and the store methods it uses (list by age, delete).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStorageClients, prefixedStorageNames } from '../../functions/src/adapters/storageClients';
import { TableInboundEventStore } from '../../functions/src/adapters/tables/TableInboundEventStore';
import { TableOutreachLedger } from '../../functions/src/adapters/tables/TableOutreachLedger';
import { erasedPatientIdOf } from '../../functions/src/app/erasure';
import { sweepRetention } from '../../functions/src/app/retention';
import { operationIdOf, outreachIdOf } from '../../functions/src/core/ids';
import type { OutreachRow } from '../../functions/src/core/model';
import type { InboundEventRecord } from '../../functions/src/core/ports';
import { Harness } from '../../scripts/lib/harness';
import { aPatient, aPractice, aTherapist } from '../support/builders';
import { snapshotTables } from '../support/snapshot';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function aRow(practiceId: string, patientId: string, episodeKey: string, extra: Partial<OutreachRow> = {}) {
  const id = outreachIdOf({ patientId, campaign: 'lapse', episodeKey, step: 1 });
  const row: OutreachRow = {
    practiceId,
    id,
    patientId,
    campaign: 'lapse',
    episodeKey,
    step: 1,
    templateId: 'check-in',
    locale: 'fr',
    therapistId: 'th_1',
    status: 'delivered',
    plannedAt: `${episodeKey}T05:00:00.000Z`,
    notBefore: `${episodeKey}T09:30:00.000Z`,
    operationId: operationIdOf(practiceId, id),
    claimedAt: null,
    sentAt: `${episodeKey}T09:30:02.000Z`,
    deliveryStatus: 'Delivered',
    deliveryAt: `${episodeKey}T09:31:00.000Z`,
    response: null,
    respondedAt: null,
    rebookedAt: null,
    failureReason: null,
    attempts: 1,
    ...extra,
  };
  return row;
}

function anEvent(practiceId: string, eventId: string, receivedAt: string): InboundEventRecord {
  return {
    practiceId,
    source: 'generic',
    eventId,
    type: 'appointment.booked',
    status: 'applied',
    receivedAt,
    bodyHash: 'a'.repeat(64),
  };
}

describe('store methods used by retention', () => {
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString: inject('azuriteConnectionString') },
    prefixedStorageNames(`ret${randomBytes(4).toString('hex')}`),
  );
  const ledger = new TableOutreachLedger(clients.tables.outreach);
  const events = new TableInboundEventStore(clients.tables.inboundEvents);
  beforeAll(() => clients.ensureStorage());
  afterAll(() => clients.deleteStorage());

  it('lists outreach planned strictly before an instant, in one practice only', async () => {
    await ledger.createOutreach(aRow('prac_a', 'pat_1', '2027-01-01'));
    await ledger.createOutreach(aRow('prac_a', 'pat_2', '2027-01-02'));
    await ledger.createOutreach(aRow('prac_a', 'pat_3', '2027-01-03'));
    await ledger.createOutreach(aRow('prac_b', 'pat_1', '2027-01-01'));
    const before = await collect(ledger.listOutreachPlannedBefore('prac_a', '2027-01-02T05:00:00.000Z'));
    expect(before.map((r) => r.id)).toEqual(['pat_1|lapse|2027-01-01|1']);
    const later = await collect(ledger.listOutreachPlannedBefore('prac_a', '2027-01-03T05:00:00.001Z'));
    expect(later.map((r) => r.patientId)).toEqual(['pat_1', 'pat_2', 'pat_3']);
  });

  it('round-trips viewedAt, clickedAt and erasedAt, and leaves them absent when unset', async () => {
    const plain = aRow('prac_c', 'pat_1', '2027-01-01');
    const tracked = aRow('prac_c', 'pat_2', '2027-01-01', {
      viewedAt: '2027-01-02T08:00:00.000Z',
      clickedAt: '2027-01-02T08:01:00.000Z',
      erasedAt: '2029-01-01T03:00:00.000Z',
    });
    await ledger.createOutreach(plain);
    await ledger.createOutreach(tracked);
    const readPlain = (await ledger.getOutreach('prac_c', plain.id))?.value;
    expect(readPlain).toEqual(plain);
    expect(readPlain && 'viewedAt' in readPlain).toBe(false);
    expect((await ledger.getOutreach('prac_c', tracked.id))?.value).toEqual(tracked);
  });

  it('deletes an outreach row, and deleting it again succeeds', async () => {
    const row = aRow('prac_d', 'pat_1', '2027-01-01');
    await ledger.createOutreach(row);
    await ledger.deleteOutreach('prac_d', row.id);
    expect(await ledger.getOutreach('prac_d', row.id)).toBeNull();
    await expect(ledger.deleteOutreach('prac_d', row.id)).resolves.toBeUndefined();
  });

  it('lists inbound events received strictly before an instant and deletes them, awkward ids included', async () => {
    const awkward = 'evt/with#odd?chars';
    const long = `evt_${'x'.repeat(300)}`;
    await events.createEvent(anEvent('prac_e', awkward, '2027-01-01T00:00:00.000Z'));
    await events.createEvent(anEvent('prac_e', long, '2027-01-02T00:00:00.000Z'));
    await events.createEvent(anEvent('prac_e', 'evt_new', '2027-01-03T00:00:00.000Z'));
    await events.createEvent(anEvent('prac_f', 'evt_other', '2027-01-01T00:00:00.000Z'));
    const old = await collect(events.listEventsReceivedBefore('prac_e', '2027-01-03T00:00:00.000Z'));
    expect(old.map((e) => e.eventId).sort()).toEqual([awkward, long].sort());
    for (const e of old) await events.deleteEvent(e.practiceId, e.source, e.eventId);
    expect(await events.getEvent('prac_e', 'generic', awkward)).toBeNull();
    expect(await events.getEvent('prac_e', 'generic', long)).toBeNull();
    expect(await events.getEvent('prac_e', 'generic', 'evt_new')).not.toBeNull();
    expect(await events.getEvent('prac_f', 'generic', 'evt_other')).not.toBeNull();
    await expect(events.deleteEvent('prac_e', 'generic', awkward)).resolves.toBeUndefined();
  });
});

describe('sweepRetention', () => {
  const practice = aPractice({ id: 'prac_ret' });
  let h: Harness;
  // RETENTION_DAYS is 730 (the default): on 2029-01-07, rows planned before 2027-01-08 lose their content.
  const now = '2029-01-07T03:00:00.000Z';
  const old = aRow(practice.id, 'pat_1', '2027-01-05');
  const oldPlanned = aRow(practice.id, 'pat_1', '2027-01-06', {
    status: 'planned',
    sentAt: null,
    deliveryStatus: null,
    deliveryAt: null,
  });
  const recent = aRow(practice.id, 'pat_1', '2027-01-09', { viewedAt: '2027-01-09T12:00:00.000Z' });
  const answered = aRow(practice.id, 'pat_2', '2026-06-01', {
    response: 'feedback',
    respondedAt: '2026-06-02T10:00:00.000Z',
    rebookedAt: '2026-06-10T10:00:00.000Z',
  });

  beforeAll(async () => {
    h = await new Harness({ connectionString: inject('azuriteConnectionString'), start: now }).ready();
    await h.addPractice(practice, [aTherapist({ practiceId: practice.id })]);
    await h.addPractice(aPractice({ id: 'prac_empty' }), []);
    await h.deps.patients.createPatient(aPatient({ practiceId: practice.id, id: 'pat_1' }));
    for (const row of [old, oldPlanned, recent, answered]) await h.deps.ledger.createOutreach(row);
    await h.deps.messageIndex.upsertMessage({
      messageId: answered.operationId,
      practiceId: practice.id,
      outreachId: answered.id,
    });
    await h.deps.feedback.upsertFeedback({
      practiceId: practice.id,
      outreachId: answered.id,
      patientId: 'pat_2',
      rating: 5,
      comment: 'Merci pour tout',
      createdAt: '2026-06-02T10:00:00.000Z',
      updatedAt: '2026-06-02T10:00:00.000Z',
    });
    // 30 days before `now` is 2028-12-08T03:00Z: strictly older records go.
    await h.deps.inboundEvents.createEvent(anEvent(practice.id, 'evt_old', '2028-12-08T02:59:59.999Z'));
    await h.deps.inboundEvents.createEvent(anEvent(practice.id, 'evt_edge', '2028-12-08T03:00:00.000Z'));
    await h.deps.inboundEvents.createEvent(anEvent(practice.id, 'evt_new', '2029-01-01T00:00:00.000Z'));
  });
  afterAll(() => h.dispose());

  it('deletes inbound events older than 30 days and erases the content of outreach past retention', async () => {
    expect(await sweepRetention(h.deps)).toEqual({
      practices: 2,
      inboundEventsDeleted: 1,
      outreachErased: 2,
      failedPractices: 0,
    });
    expect(await h.deps.inboundEvents.getEvent(practice.id, 'generic', 'evt_old')).toBeNull();
    expect(await h.deps.inboundEvents.getEvent(practice.id, 'generic', 'evt_edge')).not.toBeNull();
    expect(await h.deps.inboundEvents.getEvent(practice.id, 'generic', 'evt_new')).not.toBeNull();
  });

  it('keeps the aggregate fields of an erased row under a pseudonym', async () => {
    const pseudonym = erasedPatientIdOf(practice.id, 'pat_2');
    const id = `${pseudonym}|lapse|2026-06-01|1`;
    expect(await h.deps.ledger.getOutreach(practice.id, answered.id)).toBeNull();
    expect((await h.deps.ledger.getOutreach(practice.id, id))?.value).toEqual({
      ...answered,
      id,
      patientId: pseudonym,
      therapistId: null,
      erasedAt: now,
    });
    expect(await h.deps.messageIndex.getMessage(answered.operationId)).toMatchObject({ outreachId: id });
  });

  it("keeps a feedback's rating for the report, without its comment or the patient id", async () => {
    const pseudonym = erasedPatientIdOf(practice.id, 'pat_2');
    expect(await collect(h.deps.feedback.listFeedback(practice.id))).toEqual([
      {
        practiceId: practice.id,
        outreachId: `${pseudonym}|lapse|2026-06-01|1`,
        patientId: pseudonym,
        rating: 5,
        comment: null,
        createdAt: '2026-06-02T10:00:00.000Z',
        updatedAt: '2026-06-02T10:00:00.000Z',
      },
    ]);
  });

  it('leaves recent rows, rows still waiting to be sent, and the patient row alone', async () => {
    const rows = await collect(h.deps.ledger.listOutreachForPatient(practice.id, 'pat_1'));
    expect(rows.map((r) => r.id).sort()).toEqual([oldPlanned.id, recent.id]);
    expect(rows.find((r) => r.id === recent.id)).toEqual(recent);
    expect(await h.deps.patients.getPatient(practice.id, 'pat_1')).not.toBeNull();
    const erasedOld = await h.deps.ledger.getOutreach(
      practice.id,
      `${erasedPatientIdOf(practice.id, 'pat_1')}|lapse|2027-01-05|1`,
    );
    expect(erasedOld?.value).toMatchObject({
      status: 'delivered',
      templateId: 'check-in',
      therapistId: null,
    });
  });

  it('a second sweep changes nothing', async () => {
    const before = await snapshotTables(h);
    expect(await sweepRetention(h.deps)).toEqual({
      practices: 2,
      inboundEventsDeleted: 0,
      outreachErased: 0,
      failedPractices: 0,
    });
    expect(await snapshotTables(h)).toBe(before);
  });
});
