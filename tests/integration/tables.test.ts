// The Table adapters against the run's Azurite: round-trips, ETag rules, key ranges and awkward ids.
import { randomBytes } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createStorageClients,
  defaultStorageNames,
  expandDevelopmentStorage,
  prefixedStorageNames,
} from '../../functions/src/adapters/storageClients';
import { TableAppointmentStore } from '../../functions/src/adapters/tables/TableAppointmentStore';
import { TableDueIndex } from '../../functions/src/adapters/tables/TableDueIndex';
import { TableInboundEventStore } from '../../functions/src/adapters/tables/TableInboundEventStore';
import { TableMessageIndex } from '../../functions/src/adapters/tables/TableMessageIndex';
import { TableOutreachLedger } from '../../functions/src/adapters/tables/TableOutreachLedger';
import { TablePatientStore } from '../../functions/src/adapters/tables/TablePatientStore';
import { TablePracticeStore } from '../../functions/src/adapters/tables/TablePracticeStore';
import { isReengageError, type ReengageError } from '../../functions/src/core/errors';
import type { OutreachRow, Patient } from '../../functions/src/core/model';
import type { InboundEventRecord } from '../../functions/src/core/ports';
import { AZURITE_KEY } from '../../scripts/lib/azurite';
import { anAppointment, aPatient, aPractice, aTherapist } from '../support/builders';

const connectionString = inject('azuriteConnectionString');
const clients = createStorageClients(
  { kind: 'connectionString', connectionString },
  prefixedStorageNames(`t${randomBytes(4).toString('hex')}`),
);

beforeAll(() => clients.ensureStorage());
afterAll(() => clients.deleteStorage());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A practice id nobody else in this file uses, so that partition listings are exact. */
function freshPracticeId(): string {
  return `prac_${randomBytes(3).toString('hex')}`;
}

describe('storage names and clients', () => {
  it('prefixes table names as one word and queue names with a hyphen, keeping the SPEC names', () => {
    const names = prefixedStorageNames('tAb12');
    expect(names.tables.patients).toBe('tAb12Patients');
    expect(names.tables.sendSlots).toBe('tAb12SendSlots');
    expect(names.queues.outreachSend).toBe('tab12-outreach-send');
    expect(names.queues.emailEvents).toBe('tab12-email-events');
    expect(defaultStorageNames().tables.inboundEvents).toBe('InboundEvents');
    expect(defaultStorageNames().queues.emailEvents).toBe('email-events');
  });

  it('refuses a prefix that would make an invalid table name', () => {
    expect(() => prefixedStorageNames('1abc')).toThrow(RangeError);
    expect(() => prefixedStorageNames('a-b')).toThrow(RangeError);
  });

  it('expands UseDevelopmentStorage=true to Azurite on its default ports with the published key', () => {
    const expanded = expandDevelopmentStorage('UseDevelopmentStorage=true');
    expect(expanded).toContain(`AccountKey=${AZURITE_KEY}`);
    const dev = createStorageClients({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    expect(dev.tables.patients.url).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(dev.tables.patients.tableName).toBe('Patients');
    expect(dev.queues.outreachSend.url).toBe('http://127.0.0.1:10001/devstoreaccount1/outreach-send');
  });

  it('builds identity-based clients on the service URIs without any secret', () => {
    const identity = createStorageClients({
      kind: 'identity',
      tableServiceUri: 'https://acct.table.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(identity.tables.outreach.url).toBe('https://acct.table.core.windows.net');
    expect(identity.tables.outreach.tableName).toBe('Outreach');
    expect(identity.queues.emailEvents.url).toBe('https://acct.queue.core.windows.net/email-events');
  });

  it('ensureStorage is idempotent, also from a second process-like client on existing tables', async () => {
    await Promise.all([clients.ensureStorage(), clients.ensureStorage()]);
    const again = createStorageClients({ kind: 'connectionString', connectionString }, clients.names);
    await expect(again.ensureStorage()).resolves.toBeUndefined();
  });

  it('reports an unreachable account as retryable storage_unavailable', async () => {
    const dead = TableClient.fromConnectionString(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
        `AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:9/devstoreaccount1`,
      'Patients',
      // No retries: the SDK's own backoff would only slow the test down.
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    const error = await errorOf(new TablePatientStore(dead).getPatient('prac_1', 'pat_1'));
    expect(isReengageError(error, 'storage_unavailable')).toBe(true);
    expect((error as ReengageError).retryable).toBe(true);
  });
});

describe('TablePracticeStore', () => {
  const store = new TablePracticeStore(clients.tables.practices, clients.tables.therapists);

  it('round-trips a practice with every nested field, and updates it only with the current ETag', async () => {
    const practice = aPractice({
      id: freshPracticeId(),
      closedDates: ['2027-08-15', '2027-12-24'],
      resources: [{ title: 'Respirer', url: 'https://tilleuls.example/respirer', focusArea: 'anxiety' }],
      sendWindow: { days: [1, 2, 4], start: '10:00', end: '16:45' },
      allowClinicalDetails: true,
      holdoutPercent: 12.5,
      defaultTherapistId: 'th_2',
      lastSeasonalWindowKey: '2027:new-year',
    });
    expect(await store.getPractice(practice.id)).toBeNull();
    await store.upsertPractice(practice);
    const read = await store.getPractice(practice.id);
    expect(read?.value).toEqual(practice);

    const renamed = { ...practice, name: 'Cabinet des Tilleuls (Lyon)' };
    const etag = await store.updatePractice(renamed, read?.etag ?? '');
    expect(etag).not.toBe(read?.etag);
    expect((await store.getPractice(practice.id))?.value.name).toBe('Cabinet des Tilleuls (Lyon)');

    const stale = await errorOf(store.updatePractice({ ...practice, name: 'Old' }, read?.etag ?? ''));
    expect(isReengageError(stale, 'precondition_failed')).toBe(true);
    expect((await store.getPractice(practice.id))?.value.name).toBe('Cabinet des Tilleuls (Lyon)');
  });

  it('keeps secrets in their own row: readable by id, absent from listPractices', async () => {
    const practiceId = freshPracticeId();
    await store.upsertPractice(aPractice({ id: practiceId }));
    const secrets = {
      practiceId,
      webhooks: {
        generic: { current: 'whsec_new', previous: 'whsec_old', rotatedAt: '2027-01-02T03:04:05.678Z' },
      },
      apiKeyHashes: ['a'.repeat(64)],
    };
    expect(await store.getSecrets(practiceId)).toBeNull();
    await store.upsertSecrets(secrets);
    expect(await store.getSecrets(practiceId)).toEqual(secrets);
    const listed = (await collect(store.listPractices())).filter((p) => p.id === practiceId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toEqual(aPractice({ id: practiceId }));
  });

  it('stores therapists per practice', async () => {
    const practiceId = freshPracticeId();
    const lea = aTherapist({ practiceId, id: 'th_1' });
    const tom = aTherapist({
      practiceId,
      id: 'th_2',
      displayName: 'Tom Durand',
      active: false,
      locale: 'en',
    });
    await store.upsertTherapist(lea);
    await store.upsertTherapist(tom);
    await store.upsertTherapist(aTherapist({ practiceId: freshPracticeId(), id: 'th_1' }));
    expect(await store.getTherapist(practiceId, 'th_2')).toEqual(tom);
    expect(await store.getTherapist(practiceId, 'th_3')).toBeNull();
    const listed = await collect(store.listTherapists(practiceId));
    expect(listed.map((t) => t.id).sort()).toEqual(['th_1', 'th_2']);
  });
});

describe('TablePatientStore', () => {
  const store = new TablePatientStore(clients.tables.patients);

  function aFullPatient(practiceId: string, id: string): Patient {
    return aPatient({
      practiceId,
      id,
      pausedUntil: '2027-03-01T00:00:00.000Z',
      focusArea: 'sleep',
      progressNote: 'Meilleur sommeil depuis novembre',
      plan: { summary: 'Six séances', nextMilestoneAt: '2027-02-01T09:00:00+01:00' },
      lastVisitAt: '2026-12-01T10:00:00+01:00',
      nextBookingAt: null,
      episode: {
        key: '2026-12-01',
        lapsedSince: '2026-12-31',
        lastStep: 1,
        templatesUsed: ['check-in'],
        milestoneHandled: null,
      },
      suppressed: false,
      touchLog: [
        { at: '2027-01-04T09:30:36.000Z', outreachId: `${id}|lapse|2026-12-01|1`, episodeKey: '2026-12-01' },
      ],
      lastBookedAt: '2026-11-20T09:00:00Z',
      lastAnsweredAt: null,
      profileEventAt: '2026-11-20T09:00:00.123Z',
      dueDay: '20270204',
    });
  }

  it('round-trips a fully populated patient exactly, instants included', async () => {
    const patient = aFullPatient(freshPracticeId(), 'pat_full');
    const etag = await store.createPatient(patient);
    const read = await store.getPatient(patient.practiceId, patient.id);
    expect(read).toEqual({ value: patient, etag });
  });

  it('omits nulls from the stored row, restores them as null, and stamps schemaVersion', async () => {
    const practiceId = freshPracticeId();
    const bare = { ...aPatient({ practiceId, id: 'pat_bare' }), firstName: null, email: null, locale: null };
    await store.createPatient(bare);
    expect((await store.getPatient(practiceId, 'pat_bare'))?.value).toEqual(bare);
    const raw = await clients.tables.patients.getEntity<Record<string, unknown>>(practiceId, 'pat_bare');
    expect(raw).not.toHaveProperty('firstName');
    expect(raw).not.toHaveProperty('plan');
    expect(raw.schemaVersion).toBe(1);
    expect(raw.createdAt).toBe('2027-01-05T05:00:00.000Z');
  });

  it('creates once: a second create is a conflict and leaves the first row as it was', async () => {
    const practiceId = freshPracticeId();
    await store.createPatient(aPatient({ practiceId, id: 'pat_1', firstName: 'Camille' }));
    const error = await errorOf(
      store.createPatient(aPatient({ practiceId, id: 'pat_1', firstName: 'Other' })),
    );
    expect(isReengageError(error, 'conflict')).toBe(true);
    expect((await store.getPatient(practiceId, 'pat_1'))?.value.firstName).toBe('Camille');
  });

  it('updates with the current ETag and refuses a stale one', async () => {
    const practiceId = freshPracticeId();
    const patient = aPatient({ practiceId, id: 'pat_1' });
    const first = await store.createPatient(patient);
    const second = await store.updatePatient({ ...patient, suppressed: true }, first);
    const error = await errorOf(store.updatePatient({ ...patient, firstName: 'Late' }, first));
    expect(isReengageError(error, 'precondition_failed')).toBe(true);
    const read = await store.getPatient(practiceId, 'pat_1');
    expect(read?.value.suppressed).toBe(true);
    expect(read?.value.firstName).toBe('Camille');
    expect(read?.etag).toBe(second);
  });

  it('deletes, and deleting again succeeds', async () => {
    const practiceId = freshPracticeId();
    await store.createPatient(aPatient({ practiceId, id: 'pat_1' }));
    await store.deletePatient(practiceId, 'pat_1');
    await expect(store.deletePatient(practiceId, 'pat_1')).resolves.toBeUndefined();
    expect(await store.getPatient(practiceId, 'pat_1')).toBeNull();
  });

  it('lists only the patients of one practice', async () => {
    const practiceId = freshPracticeId();
    await store.createPatient(aPatient({ practiceId, id: 'pat_1' }));
    await store.createPatient(aPatient({ practiceId, id: 'pat_2' }));
    await store.createPatient(aPatient({ practiceId: freshPracticeId(), id: 'pat_3' }));
    const ids = (await collect(store.listPatients(practiceId))).map((p) => p.id).sort();
    expect(ids).toEqual(['pat_1', 'pat_2']);
  });

  it('refuses, with a clear error and no write, a touch log that outgrows a table property', async () => {
    const practiceId = freshPracticeId();
    const touch = {
      at: '2027-01-04T09:30:36.000Z',
      outreachId: 'pat_1|lapse|2026-12-01|1',
      episodeKey: '2026-12-01',
    };
    const huge = aPatient({ practiceId, id: 'pat_1', touchLog: Array.from({ length: 1000 }, () => touch) });
    const error = await errorOf(store.createPatient(huge));
    expect(isReengageError(error, 'invalid_input')).toBe(true);
    expect((error as Error).message).toContain('touchLog');
    expect(await store.getPatient(practiceId, 'pat_1')).toBeNull();
  });
});

describe('TableAppointmentStore', () => {
  const store = new TableAppointmentStore(clients.tables.appointments);

  it('round-trips, refuses a second create and a stale update, and deletes idempotently', async () => {
    const practiceId = freshPracticeId();
    const appointment = anAppointment({ practiceId, therapistId: null, bookedAt: null });
    const etag = await store.createAppointment(appointment);
    expect(await store.getAppointment(practiceId, 'pat_1', 'apt_1')).toEqual({ value: appointment, etag });
    expect(isReengageError(await errorOf(store.createAppointment(appointment)), 'conflict')).toBe(true);
    await store.updateAppointment({ ...appointment, status: 'cancelled' }, etag);
    const stale = await errorOf(store.updateAppointment({ ...appointment, status: 'no_show' }, etag));
    expect(isReengageError(stale, 'precondition_failed')).toBe(true);
    expect((await store.getAppointment(practiceId, 'pat_1', 'apt_1'))?.value.status).toBe('cancelled');
    await store.deleteAppointment(practiceId, 'pat_1', 'apt_1');
    await store.deleteAppointment(practiceId, 'pat_1', 'apt_1');
    expect(await store.getAppointment(practiceId, 'pat_1', 'apt_1')).toBeNull();
  });

  it("lists one patient's appointments, not those of a patient whose id extends it (pat_1 / pat_10)", async () => {
    const practiceId = freshPracticeId();
    for (const [patientId, id] of [
      ['pat_1', 'apt_a'],
      ['pat_1', 'apt_b'],
      ['pat_10', 'apt_c'],
      ['pat_1}', 'apt_d'],
      ['pat_1~x', 'apt_e'],
      ['pat_', 'apt_f'],
    ] as const) {
      await store.createAppointment(anAppointment({ practiceId, patientId, id }));
    }
    const ids = (await collect(store.listAppointments(practiceId, 'pat_1'))).map((a) => a.id).sort();
    expect(ids).toEqual(['apt_a', 'apt_b']);
    const tens = (await collect(store.listAppointments(practiceId, 'pat_10'))).map((a) => a.id);
    expect(tens).toEqual(['apt_c']);
  });
});

describe('TableOutreachLedger', () => {
  const ledger = new TableOutreachLedger(clients.tables.outreach);

  function aRow(
    practiceId: string,
    patientId: string,
    step: number,
    overrides: Partial<OutreachRow> = {},
  ): OutreachRow {
    return {
      practiceId,
      id: `${patientId}|lapse|2026-12-01|${step}`,
      patientId,
      campaign: 'lapse',
      episodeKey: '2026-12-01',
      step,
      templateId: 'check-in',
      locale: 'fr',
      therapistId: 'th_1',
      status: 'planned',
      plannedAt: '2027-01-05T05:00:00.000Z',
      notBefore: '2027-01-05T09:30:36.000Z',
      operationId: '6f1c1f0e-3b1a-5c2d-9e8f-0a1b2c3d4e5f',
      claimedAt: null,
      sentAt: null,
      deliveryStatus: null,
      deliveryAt: null,
      response: null,
      respondedAt: null,
      rebookedAt: null,
      failureReason: null,
      attempts: 0,
      ...overrides,
    };
  }

  it('creates a row once (null the second time) and round-trips every field', async () => {
    const practiceId = freshPracticeId();
    const row = aRow(practiceId, 'pat_1', 1, {
      status: 'delivered',
      claimedAt: '2027-01-05T09:30:37.000Z',
      sentAt: '2027-01-05T09:30:38.000Z',
      deliveryStatus: 'Delivered',
      deliveryAt: '2027-01-05T09:31:00.000Z',
      response: 'later',
      respondedAt: '2027-01-06T18:00:00.000Z',
      rebookedAt: '2027-01-20T10:00:00.000Z',
      attempts: 2,
    });
    const etag = await ledger.createOutreach(row);
    expect(etag).toEqual(expect.any(String));
    expect(await ledger.createOutreach({ ...row, templateId: 'feedback' })).toBeNull();
    expect(await ledger.getOutreach(practiceId, row.id)).toEqual({ value: row, etag });
  });

  it("round-trips a seasonal row's lapse episode, and leaves it absent on rows that never had one", async () => {
    const practiceId = freshPracticeId();
    const seasonal = aRow(practiceId, 'pat_s', 1, {
      campaign: 'seasonal',
      episodeKey: '2027:new-year',
      id: 'pat_s|seasonal|2027:new-year|1',
      templateId: 'seasonal',
      lapseEpisodeKey: '2026-12-01',
    });
    const plain = aRow(practiceId, 'pat_t', 1);
    await ledger.createOutreach(seasonal);
    await ledger.createOutreach(plain);
    expect((await ledger.getOutreach(practiceId, seasonal.id))?.value.lapseEpisodeKey).toBe('2026-12-01');
    const read = (await ledger.getOutreach(practiceId, plain.id))?.value;
    expect(read).toEqual(plain);
    expect(read && 'lapseEpisodeKey' in read).toBe(false);
  });

  it('keeps a skipped:<reason> status and refuses a stale update', async () => {
    const practiceId = freshPracticeId();
    const row = aRow(practiceId, 'pat_1', 2);
    const etag = (await ledger.createOutreach(row)) ?? '';
    await ledger.updateOutreach({ ...row, status: 'skipped:booked', failureReason: 'booked' }, etag);
    const stale = await errorOf(ledger.updateOutreach({ ...row, status: 'sending' }, etag));
    expect(isReengageError(stale, 'precondition_failed')).toBe(true);
    expect((await ledger.getOutreach(practiceId, row.id))?.value.status).toBe('skipped:booked');
  });

  it("lists one patient's rows only, even next to pat_10, and the whole practice with listOutreach", async () => {
    const practiceId = freshPracticeId();
    const rows = [
      aRow(practiceId, 'pat_1', 1),
      aRow(practiceId, 'pat_1', 2),
      aRow(practiceId, 'pat_10', 1),
      aRow(practiceId, 'pat_1}', 1),
      aRow(practiceId, 'pat_', 1),
    ];
    for (const row of rows) await ledger.createOutreach(row);
    await ledger.createOutreach(aRow(freshPracticeId(), 'pat_1', 3));
    const forPat1 = (await collect(ledger.listOutreachForPatient(practiceId, 'pat_1'))).map((r) => r.id);
    expect(forPat1.sort()).toEqual(['pat_1|lapse|2026-12-01|1', 'pat_1|lapse|2026-12-01|2']);
    const forPat10 = (await collect(ledger.listOutreachForPatient(practiceId, 'pat_10'))).map((r) => r.id);
    expect(forPat10).toEqual(['pat_10|lapse|2026-12-01|1']);
    expect(await collect(ledger.listOutreachForPatient(practiceId, 'pat_2'))).toEqual([]);
    expect(await collect(ledger.listOutreach(practiceId))).toHaveLength(5);
  });
});

describe('TableDueIndex', () => {
  const due = new TableDueIndex(clients.tables.dueIndex);

  it('lists the entries of one day; upserting twice keeps one row; deleting twice succeeds', async () => {
    const practiceId = freshPracticeId();
    const a = { day: '20310106', practiceId, patientId: 'pat_1' };
    const b = { day: '20310106', practiceId: freshPracticeId(), patientId: 'pat_1' };
    const other = { day: '20310107', practiceId, patientId: 'pat_2' };
    for (const entry of [a, a, b, other]) await due.upsertDue(entry);
    const listed = await collect(due.listDue('20310106'));
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([a, b]));
    await due.deleteDue(a);
    await due.deleteDue(a);
    expect(await collect(due.listDue('20310106'))).toEqual([b]);
  });

  it('refuses a day that is not yyyyMMdd', async () => {
    await expect(collect(due.listDue('2031-01-06'))).rejects.toThrow(RangeError);
  });
});

describe('TableInboundEventStore', () => {
  const events = new TableInboundEventStore(clients.tables.inboundEvents);

  function anEvent(practiceId: string, eventId: string): InboundEventRecord {
    return {
      practiceId,
      source: 'calendly',
      eventId,
      type: 'appointment.booked',
      status: 'received',
      receivedAt: '2027-01-05T08:00:00.000Z',
      bodyHash: 'b'.repeat(64),
    };
  }

  it('stores event ids with characters a RowKey refuses, each under its own row', async () => {
    const practiceId = freshPracticeId();
    const ids = [
      'https://api.calendly.com/scheduled_events/ABC/invitees/DEF?x=1#frag',
      'a\\b',
      'tab\there',
      '100%',
      '100~25',
      "o'brien",
      'A',
      '%41',
      'x'.repeat(1000),
      `${'x'.repeat(999)}y`,
    ];
    for (const id of ids)
      expect(await events.createEvent(anEvent(practiceId, id))).toEqual(expect.any(String));
    for (const id of ids) expect((await events.getEvent(practiceId, 'calendly', id))?.value.eventId).toBe(id);
    expect(await events.getEvent(practiceId, 'generic', ids[0] ?? '')).toBeNull();
  });

  it('returns null for an event seen before, and updates its status with the ETag', async () => {
    const practiceId = freshPracticeId();
    const event = anEvent(practiceId, 'evt_01H/42');
    const etag = (await events.createEvent(event)) ?? '';
    expect(await events.createEvent(event)).toBeNull();
    await events.updateEvent({ ...event, status: 'applied' }, etag);
    const stale = await errorOf(events.updateEvent({ ...event, status: 'received' }, etag));
    expect(isReengageError(stale, 'precondition_failed')).toBe(true);
    expect((await events.getEvent(practiceId, 'calendly', 'evt_01H/42'))?.value).toEqual({
      ...event,
      status: 'applied',
    });
  });
});

describe('TableMessageIndex', () => {
  const index = new TableMessageIndex(clients.tables.messageIndex);

  it('maps a message id back to its outreach row, and misses cleanly', async () => {
    const entry = {
      messageId: '0b7c1f4e-9d7a-4f1e-8c1a-3f0e9b2d6a11',
      practiceId: 'prac_1',
      outreachId: 'pat_1|lapse|2026-12-01|1',
    };
    await index.upsertMessage(entry);
    await index.upsertMessage(entry);
    expect(await index.getMessage(entry.messageId)).toEqual(entry);
    expect(await index.getMessage('no-such-message')).toBeNull();
    const rows = clients.tables.messageIndex.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${entry.messageId}` },
    });
    expect((await collect(rows)).map((r) => r.rowKey)).toEqual(['']);
  });
});
