// Webhook history -> planners -> queue -> sendOutreach -> the real AcsEmailSender -> the ACS stand-in, on Azurite:
// the wire format, 429, 5xx to poison and re-drive, an answer lost after ACS took the email, 400, duplicates.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AcsEmailSender } from '../../functions/src/adapters/acs/AcsEmailSender';
import type { OutreachRow } from '../../functions/src/core/model';
import { handleSendOutreach } from '../../functions/src/functions/sendOutreach';
import { MAX_DEQUEUE_COUNT } from '../../scripts/lib/drain';
import { Harness } from '../../scripts/lib/harness';
import { type AcsStandIn, type RequestRecord, startAcsStandIn } from '../support/acsStandIn';
import { aPractice, aTherapist } from '../support/builders';
import { bookingEvent, completedVisit, listLedger, VISIT_AT } from '../support/flowFixtures';

const practice = aPractice({ id: 'prac_acs', defaultTherapistId: 'th_1' });
const therapist = aTherapist({ practiceId: 'prac_acs' });
const THERAPIST_REPLY_TO = [{ address: 'lea.martin@tilleuls.example', displayName: 'Dr Léa Martin' }];
// Everyone visits on 1 Dec 2026; with lapseDays 30 the planner run of 31 Dec at 05:00 UTC finds them lapsed.
const PLAN_AT = '2026-12-31T05:00:00Z';
// 31 Dec 2026 is a Thursday: the Paris window 09:30-17:30 is 08:30-16:30 UTC.
const WINDOW_OPENS = '2026-12-31T08:30:00.000Z';
const WINDOW_CLOSES = '2026-12-31T16:30:00.000Z';

let acs: AcsStandIn;
const connectionString = () => inject('azuriteConnectionString');

beforeAll(async () => {
  acs = await startAcsStandIn();
});
afterAll(async () => {
  await acs.close();
});

const event = bookingEvent;

/** A Harness of its own (fresh table and queue prefix) that sends through ACS. */
async function harness(): Promise<Harness> {
  const h = await new Harness({
    connectionString: connectionString(),
    start: VISIT_AT,
    sender: new AcsEmailSender({ connectionString: acs.connectionString }),
  }).ready();
  await h.addPractice(practice, [therapist]);
  return h;
}

async function dispose(h: Harness): Promise<void> {
  await poisonQueue(h).deleteIfExists();
  await h.dispose();
}

const visit = (h: Harness, patientId: string, extra?: Record<string, unknown>) =>
  completedVisit(h, practice.id, patientId, extra);

/** One lapsed patient, planned on day 30: its check-in is the only message on the queue. */
async function onePlannedCheckIn(h: Harness, patientId: string): Promise<OutreachRow> {
  await visit(h, patientId);
  h.clock.set(PLAN_AT);
  await h.plan();
  const rows = await ledger(h);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ patientId, status: 'planned', templateId: 'check-in', attempts: 0 });
  return rows[0] as OutreachRow;
}

const ledger = (h: Harness) => listLedger(h, practice.id);

async function rowOf(h: Harness, patientId: string): Promise<OutreachRow | undefined> {
  return (await ledger(h)).find((r) => r.patientId === patientId);
}

function sendQueue(h: Harness): QueueClient {
  return h.composition.storage.queues.outreachSend;
}

function poisonQueue(h: Harness): QueueClient {
  return QueueServiceClient.fromConnectionString(connectionString()).getQueueClient(
    `${h.composition.storage.names.queues.outreachSend}-poison`,
  );
}

async function peekBodies(queue: QueueClient): Promise<unknown[]> {
  if (!(await queue.exists())) return [];
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => JSON.parse(m.messageText));
}

const posts = (): RequestRecord[] =>
  acs.requests.filter((r) => r.method === 'POST' && r.path === '/emails:send');
const statusReads = (): RequestRecord[] => acs.requests.filter((r) => r.method === 'GET');

describe('happy path through ACS', () => {
  let h: Harness;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    await visit(h, 'pat_a');
    await visit(h, 'pat_b');
    await visit(h, 'pat_c', { emailConsent: false });
    await visit(h, 'pat_d', { progressNote: 'Gère mieux les crises de panique' });
    await visit(h, 'pat_e');
    await visit(h, 'pat_f', { contactPreference: 'direct' });
    await visit(h, 'pat_g', { plan: { summary: 'Exposition graduée aux transports' } });
    // pat_b books again before lapsing: never planned.
    h.clock.set('2026-12-20T09:00:00Z');
    await h.postEvent(
      practice.id,
      event(
        'pat_b-b',
        'appointment.booked',
        '2026-12-20T09:00:00Z',
        { id: 'pat_b' },
        { id: 'pat_b-apt2', startsAt: '2027-01-20T10:00:00+01:00' },
      ),
    );
    h.clock.set(PLAN_AT);
    await h.plan();
    // pat_e books after planning, before the send: re-checked at send time and skipped.
    h.clock.set('2026-12-31T07:00:00Z');
    await h.postEvent(
      practice.id,
      event(
        'pat_e-b',
        'appointment.booked',
        '2026-12-31T07:00:00Z',
        { id: 'pat_e' },
        { id: 'pat_e-apt2', startsAt: '2027-01-08T10:00:00+01:00' },
      ),
    );
  });
  afterAll(() => dispose(h));

  it('sends exactly the expected templates to exactly the expected patients, one POST each', async () => {
    const report = await h.drain();
    expect(report).toMatchObject({ errors: 0, poisoned: 0 });
    expect(report.results).toEqual({ sent: 4, skipped: 1 });

    const received = Object.fromEntries(
      acs.sent.map((e) => [e.body.recipients.to[0]?.address, e.body.headers?.['X-Reengage-Template']]),
    );
    expect(received).toEqual({
      'pat_a@example.org': 'check-in',
      'pat_d@example.org': 'progress',
      'pat_f@example.org': 'direct',
      'pat_g@example.org': 'plan-follow-up',
    });
    expect(acs.sent).toHaveLength(4);
    expect(acs.attempts).toBe(4);
    // Nothing was in doubt, so ACS was never asked for an operation's status.
    expect(statusReads()).toHaveLength(0);

    const statuses = Object.fromEntries((await ledger(h)).map((r) => [r.patientId, r.status]));
    expect(statuses).toEqual({
      pat_a: 'sent',
      pat_c: 'skipped:no_consent',
      pat_d: 'sent',
      pat_e: 'skipped:booked',
      pat_f: 'sent',
      pat_g: 'sent',
    });
  });

  it("each email carries its row's operation id, the unsubscribe headers and the therapist as Reply-To", async () => {
    const rows = await ledger(h);
    expect(acs.sent).toHaveLength(4);
    for (const email of acs.sent) {
      const address = email.body.recipients.to[0]?.address ?? '';
      const patientId = address.split('@')[0];
      const row = rows.find((r) => r.patientId === patientId);
      expect(row?.status).toBe('sent');
      expect(row?.claimedAt).toBeNull();
      expect(row?.sentAt).toBeTruthy();
      expect(row?.operationId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(email.headers['operation-id']).toBe(row?.operationId);
      expect(email.operationId).toBe(row?.operationId);
      expect(email.body.recipients.to).toEqual([{ address, displayName: `Prénom ${patientId}` }]);
      expect(email.body.senderAddress).toBe('bonjour@tilleuls.example');
      expect(email.body.replyTo).toEqual(THERAPIST_REPLY_TO);
      const headers = email.body.headers ?? {};
      expect(headers['List-Unsubscribe']).toMatch(
        /^<https:\/\/reengage\.example\/api\/unsubscribe\/[\w-]+\.[\w-]+>$/,
      );
      expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      expect(headers['X-Reengage-Outreach']).toBe(row?.operationId);
      expect(headers['X-Reengage-Template']).toBe(row?.templateId);
      // Sent inside the send window of that Thursday.
      expect(row?.sentAt && row.sentAt >= WINDOW_OPENS && row.sentAt < WINDOW_CLOSES).toBe(true);
    }
  });

  it('health data reaches ACS nowhere (allowClinicalDetails is off)', () => {
    const wire = JSON.stringify(acs.sent.map((e) => e.body));
    expect(wire).not.toMatch(/panique/i);
    expect(wire).not.toMatch(/Exposition/i);
  });
});

describe('a 429 with Retry-After: 120 on the first send', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_t');
    acs.script({ kind: 'throttle', retryAfter: 120 });
  });
  afterAll(() => dispose(h));

  it('puts the row back to planned and re-queues the message for 120 s later', async () => {
    const slot = Date.parse(planned.notBefore);
    expect(planned.notBefore >= WINDOW_OPENS && planned.notBefore < WINDOW_CLOSES).toBe(true);
    // The day stops before the retry is due, so the re-queued message can be looked at.
    const report = await h.drain({ until: new Date(slot + 60_000) });
    expect(report).toMatchObject({ errors: 0, poisoned: 0, results: { throttled: 1 } });

    expect(await rowOf(h, 'pat_t')).toMatchObject({ status: 'planned', claimedAt: null, sentAt: null });
    expect(await peekBodies(sendQueue(h))).toEqual([
      {
        v: 1,
        practiceId: practice.id,
        outreachId: planned.id,
        notBefore: new Date(slot + 120_000).toISOString(),
      },
    ]);
    expect(acs.sent).toHaveLength(0);
    expect(posts().map((r) => r.status)).toEqual([429]);
  });

  it('sends exactly once when the retry comes due, 120 s after the first try', async () => {
    const slot = Date.parse(planned.notBefore);
    const report = await h.drain();
    expect(report).toMatchObject({ errors: 0, poisoned: 0, results: { sent: 1 } });
    expect(h.clock.now().toISOString()).toBe(new Date(slot + 120_000).toISOString());

    expect(await rowOf(h, 'pat_t')).toMatchObject({
      status: 'sent',
      sentAt: new Date(slot + 120_000).toISOString(),
      claimedAt: null,
    });
    expect(acs.sent).toHaveLength(1);
    expect(acs.sent[0]?.headers['operation-id']).toBe(planned.operationId);
    // The stand-in does not name the operation of a faulted request; this scenario has only one.
    expect(posts().map((r) => r.status)).toEqual([429, 202]);
    expect(acs.attempts).toBe(2);
    expect(await peekBodies(sendQueue(h))).toEqual([]);
  });
});

describe('ACS answering 500 to every send, then recovering', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_p');
    // Exactly as many 500s as the host tries: a sixth POST within the same drain would be accepted and show.
    acs.script(...Array.from({ length: 5 }, () => ({ kind: 'error' as const, status: 500 })));
  });
  afterAll(() => dispose(h));

  it('the drain emulates the maxDequeueCount that host.json gives the Functions host', () => {
    const hostJson = JSON.parse(readFileSync(new URL('../../functions/host.json', import.meta.url), 'utf8'));
    expect(hostJson.extensions.queues.maxDequeueCount).toBe(5);
    expect(MAX_DEQUEUE_COUNT).toBe(5);
  });

  it('tries five times, asking ACS before each retry, then poisons the message', async () => {
    const report = await h.drain();
    expect(report).toEqual({ handled: 5, results: {}, poisoned: 1, errors: 5 });

    expect(acs.sent).toHaveLength(0);
    expect(posts().map((r) => r.status)).toEqual([500, 500, 500, 500, 500]);
    // Every redelivery first read the operation's status (unknown to ACS) instead of posting blindly.
    expect(statusReads().map((r) => [r.operationId, r.status])).toEqual(
      Array.from({ length: 4 }, () => [planned.operationId, 404]),
    );
    // Left for operators to see: in doubt (the last attempt's time kept), five tries.
    expect(await rowOf(h, 'pat_p')).toMatchObject({
      status: 'sending',
      failureReason: 'in_doubt',
      sentAt: null,
      attempts: 5,
    });
    expect(await peekBodies(sendQueue(h))).toEqual([]);
    expect(await peekBodies(poisonQueue(h))).toEqual([
      { v: 1, practiceId: practice.id, outreachId: planned.id, notBefore: planned.notBefore },
    ]);
  });

  it('re-driven from the poison queue (docs/operations.md), sends exactly one email', async () => {
    // What the runbook's loop does: get from the poison queue, put the same content back, delete.
    const poison = poisonQueue(h);
    const taken = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 120 });
    expect(taken.receivedMessageItems).toHaveLength(1);
    for (const item of taken.receivedMessageItems) {
      await sendQueue(h).sendMessage(item.messageText);
      await poison.deleteMessage(item.messageId, item.popReceipt);
    }

    const report = await h.drain();
    expect(report).toMatchObject({ errors: 0, poisoned: 0, results: { sent: 1 } });
    expect(acs.sent).toHaveLength(1);
    expect(acs.sent[0]?.headers['operation-id']).toBe(planned.operationId);
    expect(acs.attempts).toBe(6);
    expect(await rowOf(h, 'pat_p')).toMatchObject({ status: 'sent', claimedAt: null, attempts: 6 });
    expect(await peekBodies(poison)).toEqual([]);
    expect(await peekBodies(sendQueue(h))).toEqual([]);
  });
});

describe('a message left for later by earlier drains, then meeting 500s', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_w');
  });
  afterAll(() => dispose(h));

  it('still gets five tries: the host never dequeues a message before it is due', async () => {
    // Six simulated days that end before the slot: the host would not even see the message then.
    for (let i = 0; i < 6; i++) {
      const report = await h.drain({ until: new Date(Date.parse(planned.notBefore) - 60_000) });
      expect(report.handled).toBe(0);
    }
    acs.script(...Array.from({ length: 5 }, () => ({ kind: 'error' as const, status: 500 })));
    const report = await h.drain();
    expect(report).toEqual({ handled: 5, results: {}, poisoned: 1, errors: 5 });
    expect(acs.attempts).toBe(5);
    expect(acs.sent).toHaveLength(0);
  });
});

describe('ACS takes the email but the answer is lost', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_l');
    acs.script({ kind: 'acceptThenDrop' });
  });
  afterAll(() => dispose(h));

  it('the first delivery fails retryably and leaves the row in doubt, with the attempt time kept', async () => {
    const [body] = await peekBodies(sendQueue(h));
    h.clock.advanceTo(planned.notBefore);
    await expect(handleSendOutreach(h.deps, JSON.stringify(body))).rejects.toMatchObject({
      code: 'transport_unavailable',
      retryable: true,
    });
    expect(await rowOf(h, 'pat_l')).toMatchObject({
      status: 'sending',
      claimedAt: new Date(planned.notBefore).toISOString(),
      failureReason: 'in_doubt',
      attempts: 1,
    });
    // ACS has it: this is exactly the email that must not be sent a second time.
    expect(acs.sent.map((e) => e.operationId)).toEqual([planned.operationId]);
    expect(posts().map((r) => r.status)).toEqual(['dropped']);
  });

  it('the redelivery asks ACS, which succeeded, and records sent without a second POST', async () => {
    // The message is still on the queue (the host only deletes it after a success): this is the redelivery.
    const report = await h.drain();
    expect(report).toMatchObject({ errors: 0, poisoned: 0, results: { sent: 1 } });
    expect(acs.attempts).toBe(1);
    expect(acs.sent).toHaveLength(1);
    expect(acs.requests.map((r) => [r.method, r.operationId, r.status])).toEqual([
      ['POST', planned.operationId, 'dropped'],
      ['GET', planned.operationId, 200],
    ]);
    // sentAt is when ACS took it (the attempt), not when the redelivery found out.
    expect(await rowOf(h, 'pat_l')).toMatchObject({
      status: 'sent',
      sentAt: new Date(planned.notBefore).toISOString(),
      claimedAt: null,
      failureReason: null,
      attempts: 1,
    });
    expect(await peekBodies(sendQueue(h))).toEqual([]);
  });
});

describe('ACS rejecting the email with a 400', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_r');
    acs.script({
      kind: 'error',
      status: 400,
      code: 'InvalidRecipientAddress',
      message: 'The recipient pat_r@example.org is not valid.',
    });
  });
  afterAll(() => dispose(h));

  it('records the failure with the ACS code, completes the message and never retries', async () => {
    const report = await h.drain();
    expect(report).toEqual({ handled: 1, results: { failed: 1 }, poisoned: 0, errors: 0 });
    expect(await rowOf(h, 'pat_r')).toMatchObject({
      id: planned.id,
      status: 'failed',
      failureReason: 'rejected:InvalidRecipientAddress',
      claimedAt: null,
      sentAt: null,
    });
    expect(await peekBodies(sendQueue(h))).toEqual([]);
    expect(await peekBodies(poisonQueue(h))).toEqual([]);

    const again = await h.drain();
    expect(again.handled).toBe(0);
    expect(acs.attempts).toBe(1);
    expect(acs.sent).toHaveLength(0);
  });
});

describe('the same message handled twice at the same time', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_k');
  });
  afterAll(async () => {
    acs.setLatency(0);
    await dispose(h);
  });

  it('sends one email: the ETag claim lets only one of the two through', async () => {
    const [body] = await peekBodies(sendQueue(h));
    const text = JSON.stringify(body);
    h.clock.advanceTo(planned.notBefore);
    // The winner's POST stays in flight long enough for the other to act meanwhile.
    acs.setLatency(200);
    const settled = await Promise.allSettled([
      handleSendOutreach(h.deps, text),
      handleSendOutreach(h.deps, text),
    ]);
    acs.setLatency(0);
    const outcomes = settled.map((s) =>
      s.status === 'fulfilled' ? s.value : `threw:${(s.reason as { code?: string }).code}`,
    );
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    // The loser either lost the claim race (the host redelivers) or saw the live claim and looks again later.
    expect(['threw:precondition_failed', 'in_progress']).toContain(outcomes.find((o) => o !== 'sent'));

    // The queued original (and a look-again message, if any) are redeliveries: all find the row done.
    const report = await h.drain();
    expect(report.errors).toBe(0);
    expect(Object.keys(report.results)).toEqual(['already_done']);

    expect(acs.sent).toHaveLength(1);
    expect(acs.attempts).toBe(1);
    expect(await rowOf(h, 'pat_k')).toMatchObject({ status: 'sent', claimedAt: null, attempts: 1 });
  });
});

describe('a duplicate delivered while the first is still sending', () => {
  let h: Harness;
  let planned: OutreachRow;
  beforeAll(async () => {
    acs.reset();
    h = await harness();
    planned = await onePlannedCheckIn(h, 'pat_m');
  });
  afterAll(async () => {
    acs.setLatency(0);
    await dispose(h);
  });

  it('sees the live claim, sends nothing and looks again once the claim would have expired', async () => {
    const [body] = await peekBodies(sendQueue(h));
    const text = JSON.stringify(body);
    h.clock.advanceTo(planned.notBefore);
    acs.setLatency(300);
    const first = handleSendOutreach(h.deps, text);
    // The first has claimed the row once its POST reaches ACS.
    for (let i = 0; i < 200 && posts().length === 0; i++) await sleep(5);
    expect(posts()).toHaveLength(1);
    const second = await handleSendOutreach(h.deps, text);
    expect(second).toBe('in_progress');
    expect(await first).toBe('sent');
    acs.setLatency(0);

    // Claimed at the slot; the look-again comes 10 min (the claim timeout) and 1 s later.
    const lookAgain = new Date(Date.parse(planned.notBefore) + 601_000).toISOString();
    const queued = (await peekBodies(sendQueue(h))) as { notBefore: string }[];
    expect(queued.map((m) => m.notBefore).sort()).toEqual([planned.notBefore, lookAgain]);
    const report = await h.drain();
    expect(report).toMatchObject({ errors: 0, results: { already_done: 2 } });
    expect(acs.sent).toHaveLength(1);
    expect(acs.attempts).toBe(1);
    expect(await rowOf(h, 'pat_m')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
