// QueueSendScheduler and QueueMessages against the run's Azurite: delayed visibility, plain JSON bodies, decoding.
import { randomBytes } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { decodeQueueMessage, parseSendRequest } from '../../functions/src/adapters/queues/QueueMessages';
import { QueueSendScheduler } from '../../functions/src/adapters/queues/QueueSendScheduler';
import { createStorageClients, prefixedStorageNames } from '../../functions/src/adapters/storageClients';
import { isReengageError, type ReengageError } from '../../functions/src/core/errors';
import type { Clock, SendRequest } from '../../functions/src/core/ports';
import { AZURITE_KEY } from '../../scripts/lib/azurite';

const clients = createStorageClients(
  { kind: 'connectionString', connectionString: inject('azuriteConnectionString') },
  prefixedStorageNames(`q${randomBytes(4).toString('hex')}`),
);
const queue = clients.queues.outreachSend;
const systemClock: Clock = { now: () => new Date() };

beforeAll(() => clients.ensureStorage());
afterAll(() => clients.deleteStorage());
beforeEach(() => queue.clearMessages());

const request: SendRequest = {
  v: 1,
  practiceId: 'prac_1',
  outreachId: 'pat_1|lapse|2026-12-01|1',
  notBefore: '2027-01-05T09:30:36.000Z',
};

async function receiveOne(client: QueueClient) {
  const { receivedMessageItems } = await client.receiveMessages({
    numberOfMessages: 32,
    visibilityTimeout: 30,
  });
  return receivedMessageItems;
}

async function waitForMessage(client: QueueClient, withinMs: number) {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const items = await receiveOne(client);
    if (items.length > 0) return items;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return [];
}

describe('QueueSendScheduler', () => {
  it('keeps a message invisible until its instant, then delivers it once, as plain JSON', async () => {
    const scheduler = new QueueSendScheduler(queue, systemClock);
    const sentAt = Date.now();
    await scheduler.scheduleSend(request, new Date(sentAt + 2_000));
    expect(await receiveOne(queue)).toEqual([]);

    const items = await waitForMessage(queue, 8_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_900);
    expect(items).toHaveLength(1);
    const text = items[0]?.messageText ?? '';
    expect(text.startsWith('{')).toBe(true);
    expect(JSON.parse(text)).toEqual(request);
    // Never expires: Azure Storage reports "never" as the end of year 9999.
    expect(items[0]?.expiresOn.getUTCFullYear()).toBe(9999);
  });

  it('sends at once when the instant has passed', async () => {
    const scheduler = new QueueSendScheduler(queue, systemClock);
    await scheduler.scheduleSend(request, new Date(Date.now() - 60_000));
    expect(await receiveOne(queue)).toHaveLength(1);
  });

  it('caps a delay beyond the 7-day queue maximum instead of failing, and the message stays hidden', async () => {
    const scheduler = new QueueSendScheduler(queue, systemClock);
    await scheduler.scheduleSend(request, new Date(Date.now() + 30 * 24 * 3_600_000));
    expect(await receiveOne(queue)).toEqual([]);
    const { approximateMessagesCount } = await queue.getProperties();
    expect(approximateMessagesCount).toBe(1);
  });

  it('uses the configured cap: 1 s at most, even for a send a month away', async () => {
    const scheduler = new QueueSendScheduler(queue, systemClock, { maxVisibilityDelayInSeconds: 1 });
    await scheduler.scheduleSend(request, new Date(Date.now() + 30 * 24 * 3_600_000));
    expect(await receiveOne(queue)).toEqual([]);
    const items = await waitForMessage(queue, 6_000);
    expect(items).toHaveLength(1);
    // The consumer sees the real notBefore and re-schedules the remainder.
    expect(parseSendRequest(items[0]?.messageText)).toEqual({ ok: true, request });
  });

  it('refuses a cap above what Azure Storage accepts', () => {
    expect(
      () => new QueueSendScheduler(queue, systemClock, { maxVisibilityDelayInSeconds: 8 * 86_400 }),
    ).toThrow(RangeError);
  });

  it('reports a missing queue host as retryable storage_unavailable', async () => {
    const dead = new QueueClient(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
        `AccountKey=${AZURITE_KEY};QueueEndpoint=http://127.0.0.1:9/devstoreaccount1`,
      'outreach-send',
      // One try: the SDK's own backoff would only slow the test down.
      { retryOptions: { maxTries: 1 } },
    );
    const scheduler = new QueueSendScheduler(dead, systemClock);
    const error = await scheduler.scheduleSend(request, new Date()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isReengageError(error, 'storage_unavailable')).toBe(true);
    expect((error as ReengageError).retryable).toBe(true);
  });
});

describe('QueueMessages', () => {
  const json = JSON.stringify(request);

  it('decodes raw JSON, base64 JSON (Event Grid), bytes and an object the host already parsed', () => {
    expect(decodeQueueMessage(json)).toEqual({ ok: true, value: request });
    expect(decodeQueueMessage(Buffer.from(json, 'utf8').toString('base64'))).toEqual({
      ok: true,
      value: request,
    });
    expect(decodeQueueMessage(new TextEncoder().encode(json))).toEqual({ ok: true, value: request });
    expect(decodeQueueMessage(request)).toEqual({ ok: true, value: request });
  });

  it('reports empty and non-JSON bodies instead of throwing', () => {
    expect(decodeQueueMessage('')).toEqual({ ok: false, error: 'empty' });
    expect(decodeQueueMessage(undefined)).toEqual({ ok: false, error: 'empty' });
    expect(decodeQueueMessage('hello world')).toEqual({ ok: false, error: 'not_json' });
    // Valid base64 whose bytes are not JSON.
    expect(decodeQueueMessage(Buffer.from('not json').toString('base64'))).toEqual({
      ok: false,
      error: 'not_json',
    });
  });

  it('decodes a base64 message written by a producer that encodes, read back from the real queue', async () => {
    const eventGridLike = [
      { id: 'e1', eventType: 'Microsoft.Communication.EmailDeliveryReportReceived', data: {} },
    ];
    await clients.queues.emailEvents.sendMessage(
      Buffer.from(JSON.stringify(eventGridLike)).toString('base64'),
    );
    const [item] = await receiveOne(clients.queues.emailEvents);
    expect(decodeQueueMessage(item?.messageText)).toEqual({ ok: true, value: eventGridLike });
  });

  it('validates send requests: right version, ids present, ISO notBefore', () => {
    expect(parseSendRequest(json)).toEqual({ ok: true, request });
    expect(parseSendRequest({ ...request, v: 2 }).ok).toBe(false);
    expect(parseSendRequest({ ...request, outreachId: '' }).ok).toBe(false);
    expect(parseSendRequest({ ...request, notBefore: 'tomorrow' }).ok).toBe(false);
    const missing = parseSendRequest({ v: 1, practiceId: 'prac_1', notBefore: request.notBefore });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toContain('outreachId');
  });
});
