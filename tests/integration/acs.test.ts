// The real @azure/communication-email client, through AcsEmailSender, against the local ACS stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcsEmailSender } from '../../functions/src/adapters/acs/AcsEmailSender';
import { ReengageError } from '../../functions/src/core/errors';
import type { OutgoingEmail } from '../../functions/src/core/ports';
import { type AcsStandIn, startAcsStandIn } from '../support/acsStandIn';

const email: OutgoingEmail = {
  from: { address: 'cabinet@mail.reengage.example', displayName: 'Cabinet Dupont' },
  to: { address: 'camille@example.org', displayName: 'Camille' },
  replyTo: { address: 'elise.martin@cabinet-dupont.example', displayName: 'Élise Martin' },
  subject: 'Comment allez-vous ?',
  html: '<p>Bonjour Camille,</p><p>Nous pensions à vous.</p>',
  text: 'Bonjour Camille,\n\nNous pensions à vous.',
  headers: {
    'List-Unsubscribe': '<https://reengage.example/api/unsubscribe/tok_abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'X-Reengage-Template': 'check-in',
    'X-Reengage-Outreach': 'out_7f3a',
  },
};

const OP_1 = '6f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a71';
const OP_2 = '6f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a72';
const UNKNOWN_OP = '00000000-0000-4000-8000-000000000000';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('AcsEmailSender against the ACS stand-in', () => {
  let acs: AcsStandIn;
  let sender: AcsEmailSender;

  beforeAll(async () => {
    acs = await startAcsStandIn();
    sender = new AcsEmailSender({ connectionString: acs.connectionString });
  });
  afterAll(async () => {
    await acs.close();
  });
  beforeEach(() => {
    acs.reset();
    acs.setLatency(0);
  });

  it('posts the message the way ACS expects it, with the operation id and signed with HMAC', async () => {
    const outcome = await sender.send(email, OP_1);

    expect(outcome).toEqual({ kind: 'accepted', messageId: OP_1 });
    expect(acs.sent).toHaveLength(1);
    const received = acs.sent[0]!;
    expect(received.headers['operation-id']).toBe(OP_1);
    expect(received.headers.authorization).toMatch(
      /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[A-Za-z0-9+/]+=*$/,
    );
    expect(received.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(received.body).toEqual({
      senderAddress: 'cabinet@mail.reengage.example',
      recipients: { to: [{ address: 'camille@example.org', displayName: 'Camille' }] },
      replyTo: [{ address: 'elise.martin@cabinet-dupont.example', displayName: 'Élise Martin' }],
      content: {
        subject: 'Comment allez-vous ?',
        html: '<p>Bonjour Camille,</p><p>Nous pensions à vous.</p>',
        plainText: 'Bonjour Camille,\n\nNous pensions à vous.',
      },
      headers: {
        'List-Unsubscribe': '<https://reengage.example/api/unsubscribe/tok_abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Reengage-Template': 'check-in',
        'X-Reengage-Outreach': 'out_7f3a',
      },
      userEngagementTrackingDisabled: false,
    });
  });

  it('does not wait for the operation: only the POST goes out', async () => {
    await sender.send(email, OP_1);

    expect(acs.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /emails:send 202']);
  });

  it('omits Reply-To when there is none and can turn engagement tracking off', async () => {
    const quiet = new AcsEmailSender({
      connectionString: acs.connectionString,
      disableUserEngagementTracking: true,
    });

    await quiet.send(
      { ...email, replyTo: null, to: { address: 'camille@example.org', displayName: null } },
      OP_1,
    );

    const body = acs.sent[0]!.body;
    expect(body.replyTo).toBeUndefined();
    expect(body.recipients.to).toEqual([{ address: 'camille@example.org' }]);
    expect(body.userEngagementTrackingDisabled).toBe(true);
  });

  it('records one email when the same operation id is sent twice, though both requests arrive', async () => {
    const first = await sender.send(email, OP_1);
    const second = await sender.send(email, OP_1);

    expect(first).toEqual({ kind: 'accepted', messageId: OP_1 });
    expect(second).toEqual({ kind: 'accepted', messageId: OP_1 });
    expect(acs.attempts).toBe(2);
    expect(acs.sent).toHaveLength(1);
  });

  it('is refused with a wrong access key: retryable unauthorized, nothing recorded', async () => {
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    const impostor = new AcsEmailSender({
      connectionString: `endpoint=${acs.endpoint}/;accesskey=${wrongKey}`,
    });

    const error = await rejection(impostor.send(email, OP_1));

    expect(error).toBeInstanceOf(ReengageError);
    expect(error).toMatchObject({ code: 'unauthorized', retryable: true });
    expect(acs.requests.map((r) => r.status)).toEqual([401]);
    expect(acs.sent).toHaveLength(0);
  });

  it('turns a 429 into throttled with Retry-After seconds, and the client does not retry', async () => {
    acs.script({ kind: 'throttle', retryAfter: 7 });

    const outcome = await sender.send(email, OP_1);

    expect(outcome).toEqual({ kind: 'throttled', retryAfterMs: 7000 });
    expect(acs.attempts).toBe(1);
    expect(acs.sent).toHaveLength(0);
  });

  it('reads Retry-After as an HTTP date against the injected clock', async () => {
    const clocked = new AcsEmailSender({
      connectionString: acs.connectionString,
      clock: { now: () => new Date('2027-01-05T05:00:00Z') },
    });
    acs.script({ kind: 'throttle', retryAfter: 'Tue, 05 Jan 2027 05:00:30 GMT' });

    expect(await clocked.send(email, OP_1)).toEqual({ kind: 'throttled', retryAfterMs: 30_000 });
  });

  it('prefers retry-after-ms and falls back to 60 s when the 429 says nothing', async () => {
    acs.script({ kind: 'throttle', retryAfter: 9, retryAfterMs: 1500 }, { kind: 'throttle' });

    expect(await sender.send(email, OP_1)).toEqual({ kind: 'throttled', retryAfterMs: 1500 });
    expect(await sender.send(email, OP_1)).toEqual({ kind: 'throttled', retryAfterMs: 60_000 });
    expect(acs.attempts).toBe(2);
  });

  it.each([500, 503])('throws a retryable transport error on %i, after a single request', async (status) => {
    acs.script({ kind: 'error', status });

    const error = await rejection(sender.send(email, OP_1));

    expect(error).toBeInstanceOf(ReengageError);
    expect(error).toMatchObject({ code: 'transport_unavailable', retryable: true });
    expect(acs.attempts).toBe(1);
    expect(acs.sent).toHaveLength(0);
  });

  it('turns a 400 into rejected with the ACS code, without the address in the message', async () => {
    acs.script({
      kind: 'error',
      status: 400,
      code: 'InvalidRecipientAddress',
      message: "The recipient 'camille@example.org' is not a valid address.",
    });

    const outcome = await sender.send(email, OP_1);

    expect(outcome).toEqual({
      kind: 'rejected',
      code: 'InvalidRecipientAddress',
      message: "The recipient '<address>' is not a valid address.",
    });
  });

  it('throws a retryable transport error when the connection drops before any answer', async () => {
    acs.script({ kind: 'drop' });

    const error = await rejection(sender.send(email, OP_1));

    expect(error).toMatchObject({ code: 'transport_unavailable', retryable: true });
    expect(acs.sent).toHaveLength(0);
  });

  it('leaves a lost answer to be resolved by the status: accepted then dropped reads as succeeded', async () => {
    acs.script({ kind: 'acceptThenDrop' });

    const error = await rejection(sender.send(email, OP_1));

    expect(error).toMatchObject({ code: 'transport_unavailable', retryable: true });
    expect(acs.sent).toHaveLength(1);
    expect(await sender.getStatus(OP_1)).toBe('succeeded');
  });

  it('gives up after its timeout, retryably, while ACS may still take the email', async () => {
    const impatient = new AcsEmailSender({ connectionString: acs.connectionString, timeoutInMs: 150 });
    acs.script({ kind: 'delay', delayInMs: 600 });

    const error = await rejection(impatient.send(email, OP_1));

    expect(error).toMatchObject({ code: 'transport_unavailable', retryable: true });
    await expect.poll(() => acs.sent.length, { timeout: 3000 }).toBe(1);
    expect(await sender.getStatus(OP_1)).toBe('succeeded');
  });

  it('still works with 50 ms of latency on every answer', async () => {
    acs.setLatency(50);

    expect(await sender.send(email, OP_1)).toEqual({ kind: 'accepted', messageId: OP_1 });
    expect(await sender.getStatus(OP_1)).toBe('succeeded');
  });

  it('reads the status of known and unknown operations', async () => {
    await sender.send(email, OP_1);
    await sender.send(email, OP_2);
    acs.failOperation(OP_2);

    expect(await sender.getStatus(OP_1)).toBe('succeeded');
    expect(await sender.getStatus(OP_2)).toBe('failed');
    expect(await sender.getStatus(UNKNOWN_OP)).toBe('unknown');
    expect(acs.requests.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([200, 200, 404]);
  });

  it('throws a retryable error when the status read fails on the server', async () => {
    await sender.send(email, OP_1);
    acs.script({ kind: 'error', status: 503, on: 'status' });

    expect(await rejection(sender.getStatus(OP_1))).toMatchObject({
      code: 'transport_unavailable',
      retryable: true,
    });
  });

  it('refuses an operation id that is not a UUID before any request', async () => {
    expect(await rejection(sender.send(email, 'outreach-42'))).toBeInstanceOf(TypeError);
    expect(await rejection(sender.getStatus('outreach-42'))).toBeInstanceOf(TypeError);
    expect(acs.requests).toHaveLength(0);
  });
});

describe('AcsEmailSender on slower or unreachable services', () => {
  it('reports running while ACS is still working, then succeeded', async () => {
    const acs = await startAcsStandIn({ runningPolls: 1 });
    try {
      const sender = new AcsEmailSender({ connectionString: acs.connectionString });
      await sender.send(email, OP_1);

      expect(await sender.getStatus(OP_1)).toBe('running');
      expect(await sender.getStatus(OP_1)).toBe('succeeded');
    } finally {
      await acs.close();
    }
  });

  it('throws a retryable transport error when nothing listens on the endpoint', async () => {
    const acs = await startAcsStandIn();
    const sender = new AcsEmailSender({ connectionString: acs.connectionString });
    await acs.close();

    expect(await rejection(sender.send(email, OP_1))).toMatchObject({
      code: 'transport_unavailable',
      retryable: true,
    });
  });

  it('replays the same random faults for the same seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const acs = await startAcsStandIn({
        randomFaults: { seed: 42, probability: 0.5, faults: [{ kind: 'error', status: 503 }] },
      });
      try {
        const sender = new AcsEmailSender({ connectionString: acs.connectionString });
        const seen: string[] = [];
        for (let i = 0; i < 12; i += 1) {
          const id = `6f1c2a9e-8b7d-4c6e-9a1b-${String(i).padStart(12, '0')}`;
          seen.push(
            await sender.send(email, id).then(
              (o) => o.kind,
              (e: ReengageError) => e.code,
            ),
          );
        }
        return seen;
      } finally {
        await acs.close();
      }
    };

    const first = await outcomes();
    const second = await outcomes();

    expect(second).toEqual(first);
    expect(first).toContain('accepted');
    expect(first).toContain('transport_unavailable');
  });
});

describe('AcsEmailSender endpoint rules', () => {
  const credential = { getToken: async () => null };

  it.each([
    ['a plain-http public endpoint', { endpoint: 'http://example.com', credential }],
    ['a plain-http connection string', { connectionString: 'endpoint=http://example.com/;accesskey=a2V5' }],
    ['plain http on localhost by name', { endpoint: 'http://localhost:8080', credential }],
  ])('refuses %s', (_, options) => {
    expect(() => new AcsEmailSender(options)).toThrow(ReengageError);
    expect(() => new AcsEmailSender(options)).toThrow(/https/);
  });

  it('accepts https and loopback http', () => {
    expect(
      () => new AcsEmailSender({ endpoint: 'https://reengage.communication.azure.com', credential }),
    ).not.toThrow();
    expect(() => new AcsEmailSender({ endpoint: 'http://127.0.0.1:10000', credential })).not.toThrow();
  });
});
