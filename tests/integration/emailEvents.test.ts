// processEmailEvents on Azurite: emails planned and sent through the outbox, then ACS reports for their operation ids.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DELIVERY_REPORT_TYPE, ENGAGEMENT_REPORT_TYPE } from '../../functions/src/core/emailEvents';
import { addressHashOf } from '../../functions/src/core/ids';
import type { OutreachRow } from '../../functions/src/core/model';
import type { Logger } from '../../functions/src/core/ports';
import { handleEmailEvents } from '../../functions/src/functions/processEmailEvents';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { readOutbox } from '../support/outbox';
import { snapshotTables } from '../support/snapshot';

const practice = aPractice({ id: 'prac_events' });
const logs: string[] = [];
const capturing: Logger = {
  info: (message, properties) => logs.push(JSON.stringify({ message, ...properties })),
  warn: (message, properties) => logs.push(JSON.stringify({ message, ...properties })),
  error: (message, properties) => logs.push(JSON.stringify({ message, ...properties })),
};

const emailOf = (patientId: string) => `${patientId}.contact@example.org`;

function deliveryReport(operationId: string, status: string, at: string, recipient: string, id = `eg-${at}`) {
  return {
    id,
    topic: '/subscriptions/x/resourceGroups/rg/providers/microsoft.communication/communicationservices/acs',
    subject: `sender/bonjour@tilleuls.example/message/${operationId}`,
    eventType: DELIVERY_REPORT_TYPE,
    eventTime: at,
    dataVersion: '1.0',
    metadataVersion: '1',
    data: {
      sender: 'bonjour@tilleuls.example',
      recipient,
      messageId: operationId,
      status,
      deliveryStatusDetails: { statusMessage: `550 5.1.1 <${recipient}>: mailbox unavailable` },
      deliveryAttemptTimeStamp: at,
    },
  };
}

function engagementReport(operationId: string, engagementType: 'view' | 'click', at: string) {
  return {
    specversion: '1.0',
    id: `ce-${engagementType}-${at}`,
    source: '/subscriptions/x/resourceGroups/rg/providers/microsoft.communication/communicationservices/acs',
    type: ENGAGEMENT_REPORT_TYPE,
    time: at,
    data: {
      sender: 'bonjour@tilleuls.example',
      messageId: operationId,
      userActionTimestamp: at,
      engagementContext: 'https://tilleuls.example/rdv',
      userAgent: 'Mozilla/5.0',
      engagementType,
    },
  };
}

let h: Harness;
const rows: Record<string, OutreachRow> = {};

async function rowOf(patientId: string): Promise<OutreachRow> {
  const id = rows[patientId]?.id ?? '';
  const found = await h.deps.ledger.getOutreach(practice.id, id);
  if (!found) throw new Error(`no ledger row ${id}`);
  return found.value;
}

async function emailsTo(patientId: string): Promise<number> {
  return readOutbox(h.outboxDirectory).filter((e) => (e.headers.get('to') ?? '').includes(emailOf(patientId)))
    .length;
}

beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-12-01T12:00:00Z',
    logger: capturing,
  }).ready();
  await h.addPractice({ ...practice, defaultTherapistId: 'th_1' }, [aTherapist({ practiceId: practice.id })]);
  for (const patientId of ['pat_a', 'pat_b', 'pat_c', 'pat_d']) {
    const response = await h.postEvent(practice.id, {
      id: `${patientId}-visit`,
      type: 'appointment.completed',
      occurredAt: '2026-12-01T12:00:00Z',
      patient: {
        id: patientId,
        firstName: 'Camille',
        email: emailOf(patientId),
        locale: 'fr',
        therapistId: 'th_1',
        emailConsent: true,
      },
      appointment: { id: `${patientId}-apt`, startsAt: '2026-12-01T10:00:00+01:00' },
    });
    expect(response.status).toBe(202);
  }
  h.clock.set('2026-12-31T05:00:00Z');
  await h.plan();
  const report = await h.drain();
  expect(report.errors).toBe(0);
  for await (const row of h.deps.ledger.listOutreach(practice.id)) rows[row.patientId] = row;
  expect(Object.values(rows).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
});
afterAll(() => h.dispose());

describe('delivery reports', () => {
  it('Delivered marks the row delivered, with the ACS status and attempt time', async () => {
    const operationId = rows.pat_a?.operationId ?? '';
    const result = await handleEmailEvents(
      h.deps,
      JSON.stringify([deliveryReport(operationId, 'Delivered', '2026-12-31T09:00:05Z', emailOf('pat_a'))]),
    );
    expect(result).toEqual({ kind: 'processed', outcomes: ['applied'], ignored: 0 });
    expect(await rowOf('pat_a')).toMatchObject({
      status: 'delivered',
      deliveryStatus: 'Delivered',
      deliveryAt: '2026-12-31T09:00:05.000Z',
      sentAt: rows.pat_a?.sentAt,
    });
  });

  it('the same report again changes nothing at all', async () => {
    const message = JSON.stringify(
      deliveryReport(rows.pat_a?.operationId ?? '', 'Delivered', '2026-12-31T09:00:05Z', emailOf('pat_a')),
    );
    const before = await snapshotTables(h);
    expect(await handleEmailEvents(h.deps, message)).toEqual({
      kind: 'processed',
      outcomes: ['unchanged'],
      ignored: 0,
    });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('an older report arriving late does not move the row back', async () => {
    const before = await snapshotTables(h);
    const late = deliveryReport(
      rows.pat_a?.operationId ?? '',
      'Failed',
      '2026-12-31T09:00:01Z',
      emailOf('pat_a'),
    );
    expect(await handleEmailEvents(h.deps, late)).toMatchObject({ outcomes: ['unchanged'] });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('FilteredSpam (lower case, as a CloudEvent in base64, through the real queue) marks the row failed', async () => {
    const event = {
      specversion: '1.0',
      id: 'ce-spam',
      source: 'acs',
      type: DELIVERY_REPORT_TYPE,
      time: '2026-12-31T09:10:00Z',
      data: {
        sender: 'bonjour@tilleuls.example',
        recipient: emailOf('pat_c'),
        messageId: rows.pat_c?.operationId,
        status: 'filteredspam',
        deliveryAttemptTimestamp: '2026-12-31T09:09:59Z',
      },
    };
    const queue = h.composition.storage.queues.emailEvents;
    await queue.sendMessage(Buffer.from(JSON.stringify(event)).toString('base64'));
    const received = await queue.receiveMessages({ numberOfMessages: 1 });
    const item = received.receivedMessageItems[0];
    expect(item).toBeDefined();
    expect(await handleEmailEvents(h.deps, item?.messageText)).toMatchObject({ outcomes: ['applied'] });
    expect(await rowOf('pat_c')).toMatchObject({
      status: 'failed',
      deliveryStatus: 'FilteredSpam',
      deliveryAt: '2026-12-31T09:09:59.000Z',
    });
    // The patient is not suppressed for a spam verdict: that is about the email, not the address.
    expect((await h.deps.patients.getPatient(practice.id, 'pat_c'))?.value.suppressed).toBe(false);
  });
});

describe('a bounce', () => {
  const bounce = () =>
    JSON.stringify(
      deliveryReport(rows.pat_b?.operationId ?? '', 'Bounced', '2026-12-31T09:02:00Z', emailOf('pat_b')),
    );

  it('marks the row bounced, suppresses the address by hash and flags the patient', async () => {
    expect(await handleEmailEvents(h.deps, bounce())).toMatchObject({ outcomes: ['applied'] });
    expect(await rowOf('pat_b')).toMatchObject({ status: 'bounced', deliveryStatus: 'Bounced' });
    expect(
      await h.deps.suppressions.getSuppression(practice.id, addressHashOf(practice.id, emailOf('pat_b'))),
    ).toEqual({
      practiceId: practice.id,
      addressHash: addressHashOf(practice.id, emailOf('pat_b')),
      reason: 'bounced',
      at: '2026-12-31T09:02:00.000Z',
    });
    expect((await h.deps.patients.getPatient(practice.id, 'pat_b'))?.value.suppressed).toBe(true);
  });

  it('applied twice changes nothing the second time', async () => {
    const before = await snapshotTables(h);
    expect(await handleEmailEvents(h.deps, bounce())).toMatchObject({ outcomes: ['unchanged'] });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('Suppressed from ACS does the same, with its own reason', async () => {
    const message = deliveryReport(
      rows.pat_d?.operationId ?? '',
      'Suppressed',
      '2026-12-31T09:03:00Z',
      emailOf('pat_d'),
    );
    expect(await handleEmailEvents(h.deps, message)).toMatchObject({ outcomes: ['applied'] });
    expect(await rowOf('pat_d')).toMatchObject({ status: 'bounced', deliveryStatus: 'Suppressed' });
    const entry = await h.deps.suppressions.getSuppression(
      practice.id,
      addressHashOf(practice.id, emailOf('pat_d')),
    );
    expect(entry?.reason).toBe('suppressed');
    expect((await h.deps.patients.getPatient(practice.id, 'pat_d'))?.value.suppressed).toBe(true);
  });

  it('keeps the patient out of later planner runs: no second email', async () => {
    expect(await emailsTo('pat_b')).toBe(1);
    expect(await emailsTo('pat_a')).toBe(1);
    // Step 2 of the cadence is due 60 days after the visit of 1 December.
    h.clock.set('2027-01-30T05:00:00Z');
    await h.plan();
    const report = await h.drain();
    expect(report.errors).toBe(0);
    const planned: OutreachRow[] = [];
    for await (const row of h.deps.ledger.listOutreachForPatient(practice.id, 'pat_b')) planned.push(row);
    expect(planned.filter((r) => r.status !== 'bounced' && !r.status.startsWith('skipped:'))).toEqual([]);
    expect(await emailsTo('pat_b')).toBe(1);
    expect(await emailsTo('pat_d')).toBe(1);
    // The control: a delivered patient does hear from the practice again.
    expect(await emailsTo('pat_a')).toBe(2);
  });
});

describe('engagement reports', () => {
  it('record the first open and the first click on the row; repeats change nothing', async () => {
    const operationId = rows.pat_a?.operationId ?? '';
    await handleEmailEvents(h.deps, engagementReport(operationId, 'view', '2027-01-02T08:00:00Z'));
    await handleEmailEvents(h.deps, engagementReport(operationId, 'click', '2027-01-02T08:01:00Z'));
    // An earlier open reported late wins; a later one is ignored.
    await handleEmailEvents(h.deps, engagementReport(operationId, 'view', '2027-01-01T20:00:00Z'));
    const before = await snapshotTables(h);
    const again = await handleEmailEvents(h.deps, [
      engagementReport(operationId, 'view', '2027-01-03T08:00:00Z'),
      engagementReport(operationId, 'click', '2027-01-02T08:01:00Z'),
    ]);
    expect(again).toMatchObject({ outcomes: ['unchanged', 'unchanged'] });
    expect(await snapshotTables(h)).toBe(before);
    expect(await rowOf('pat_a')).toMatchObject({
      status: 'delivered',
      viewedAt: '2027-01-01T20:00:00.000Z',
      clickedAt: '2027-01-02T08:01:00.000Z',
    });
  });
});

describe('messages that cannot be applied', () => {
  it('an unknown message id is completed without any change', async () => {
    const before = await snapshotTables(h);
    const result = await handleEmailEvents(
      h.deps,
      deliveryReport(
        '00000000-0000-0000-0000-000000000000',
        'Bounced',
        '2027-01-02T08:00:00Z',
        'x@example.org',
      ),
    );
    expect(result).toEqual({ kind: 'processed', outcomes: ['unknown_message'], ignored: 0 });
    expect(await snapshotTables(h)).toBe(before);
  });

  it.each([
    ['not JSON', 'this is not json {'],
    ['JSON, not an event', '{"hello":"world"}'],
    [
      'an unknown status',
      JSON.stringify(deliveryReport('m-1', 'Opened', '2027-01-02T08:00:00Z', 'z@example.org')),
    ],
  ])('%s goes to email-events-poison at once, unchanged, and changes nothing else', async (_name, text) => {
    const poison = h.composition.storage.poisonQueues.emailEvents;
    const before = await snapshotTables(h);
    const result = await handleEmailEvents(h.deps, text);
    expect(result.kind).toBe('poisoned');
    expect(await snapshotTables(h)).toBe(before);
    const received = await poison.receiveMessages({ numberOfMessages: 32 });
    expect(received.receivedMessageItems.map((m) => m.messageText)).toEqual([text]);
    for (const m of received.receivedMessageItems) await poison.deleteMessage(m.messageId, m.popReceipt);
  });

  it('never logged a recipient address', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toMatch(/@example\.org/);
  });
});
