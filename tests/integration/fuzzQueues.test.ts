// Property-based fuzzing of the queue consumers (sendOutreach, processEmailEvents): only retryable throws, junk changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/src/app/deps';
import { DELIVERY_REPORT_TYPE, ENGAGEMENT_REPORT_TYPE } from '../../functions/src/core/emailEvents';
import { isReengageError } from '../../functions/src/core/errors';
import { handleEmailEvents } from '../../functions/src/functions/processEmailEvents';
import { handleSendOutreach } from '../../functions/src/functions/sendOutreach';
import {
  anyString,
  expectRetryableOnly,
  type FuzzWorld,
  fuzzParameters,
  mutated,
  PRACTICE_ID,
  seedFuzzWorld,
  TableWitness,
} from './fuzzWorld';

let world: FuzzWorld;
let witness: TableWitness;
beforeAll(async () => {
  world = await seedFuzzWorld();
  witness = new TableWitness(world.h);
}, 60_000);
afterAll(() => world.h.dispose());

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

// ---------------------------------------------------------------------------------------------------------
// sendOutreach

/** Results after which the ledger must be exactly as it was. */
const NOTHING_DONE = ['malformed', 'not_found', 'already_done'];

function sendMessages(): fc.Arbitrary<unknown> {
  const rows = [...world.sent, world.planned];
  const real = fc
    .constantFrom(...rows)
    .map((row) => ({ v: 1, practiceId: row.practiceId, outreachId: row.id, notBefore: row.notBefore }));
  const mutatedReal = mutated(real, [
    ['v'],
    ['practiceId'],
    ['outreachId'],
    ['notBefore'],
    ['extra'],
    ['__proto__'],
  ]);
  const ids = fc.record({
    v: fc.constant(1),
    practiceId: fc.oneof(
      fc.constant(PRACTICE_ID),
      fc.constantFrom('prac_nope', ''),
      anyString(40),
      fc.integer({ min: 500, max: 700 }).map((n) => 'p'.repeat(n)),
    ),
    outreachId: fc.oneof(
      fc.constantFrom(...rows.map((row) => row.id)),
      fc.constantFrom('pat_fz_a|lapse', 'x|lapse|2026-12-01|1', ''),
      anyString(60),
      fc.integer({ min: 510, max: 700 }).map((n) => 'o'.repeat(n)),
    ),
    notBefore: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      anyString(30),
    ),
  });
  const shaped = fc.oneof(real, mutatedReal, ids);
  return fc.oneof(
    { arbitrary: shaped, weight: 6 },
    { arbitrary: shaped.map((message) => JSON.stringify(message)), weight: 3 },
    { arbitrary: shaped.map((message) => base64(JSON.stringify(message))), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: fc.json({ maxDepth: 3 }), weight: 1 },
    { arbitrary: anyString(100), weight: 1 },
    { arbitrary: fc.object({ maxDepth: 2 }), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 100 }), weight: 1 },
    { arbitrary: fc.constantFrom(null, undefined, 0, [], ''), weight: 1 },
  );
}

describe('sendOutreach under arbitrary messages', () => {
  it('throws only retryable errors, and a message that does nothing changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(sendMessages(), async (message) => {
        await witness.before();
        let result: string;
        try {
          result = await handleSendOutreach(world.h.deps, message);
        } catch (error) {
          expectRetryableOnly(error);
          witness.changed();
          return;
        }
        if (NOTHING_DONE.includes(result)) await witness.expectUnchanged(`a ${result} send`);
        else witness.changed();
      }),
      fuzzParameters(120),
    );
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------
// processEmailEvents

async function poisonCount(): Promise<number> {
  const properties = await world.h.composition.storage.poisonQueues.emailEvents.getProperties();
  return properties.approximateMessagesCount ?? 0;
}

function emailEventMessages(): fc.Arbitrary<unknown> {
  const messageId = fc.oneof(
    { arbitrary: fc.constantFrom(...world.sent.map((row) => row.operationId)), weight: 3 },
    fc.uuid(),
    anyString(40).filter((id) => id.trim().length > 0),
  );
  const instant = fc
    .date({
      min: new Date('2026-12-31T00:00:00Z'),
      max: new Date('2027-02-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .chain((date) =>
      fc.constantFrom(
        date.toISOString(),
        date.toISOString().replace('Z', '0000Z'),
        date.toISOString().replace('Z', '+00:00'),
        date.toISOString().slice(0, 19),
      ),
    );
  const status = fc
    .constantFrom('Delivered', 'Expanded', 'Failed', 'Bounced', 'Suppressed', 'Quarantined', 'FilteredSpam')
    .chain((name) => fc.constantFrom(name, name.toLowerCase(), ` ${name.toUpperCase()} `));
  const eventId = fc.oneof(
    fc.uuid(),
    anyString(30).filter((id) => id.trim().length > 0),
  );
  const recipient = fc.oneof(
    fc.constantFrom('pat_fz_a@example.org', 'PAT_FZ_B@example.org ', 'someone@example.org'),
    anyString(30).filter((r) => r.trim().length >= 3),
  );
  const delivery = fc.record(
    { messageId, status, recipient, deliveryAttemptTimeStamp: instant },
    { requiredKeys: ['messageId', 'status', 'recipient'] },
  );
  const engagement = fc.record(
    {
      messageId,
      engagementType: fc.constantFrom('view', 'click', 'View', ' CLICK '),
      userActionTimestamp: instant,
    },
    { requiredKeys: ['messageId', 'engagementType'] },
  );
  const eventGrid = (type: string, data: fc.Arbitrary<unknown>) =>
    fc.record({
      id: eventId,
      eventType: fc.constant(type),
      eventTime: instant,
      data,
      subject: anyString(20),
    });
  const cloudEvent = (type: string, data: fc.Arbitrary<unknown>) =>
    fc.record({ specversion: fc.constant('1.0'), id: eventId, type: fc.constant(type), time: instant, data });
  const valid = fc.oneof(
    eventGrid(DELIVERY_REPORT_TYPE, delivery),
    eventGrid(ENGAGEMENT_REPORT_TYPE, engagement),
    cloudEvent(DELIVERY_REPORT_TYPE, delivery),
    cloudEvent(ENGAGEMENT_REPORT_TYPE, engagement),
    // Other types are skipped, not refused.
    eventGrid('Microsoft.Storage.BlobCreated', fc.jsonValue({ maxDepth: 2 })),
  );
  const paths = [
    ['id'],
    ['eventType'],
    ['type'],
    ['eventTime'],
    ['time'],
    ['specversion'],
    ['data'],
    ['data', 'messageId'],
    ['data', 'status'],
    ['data', 'recipient'],
    ['data', 'deliveryAttemptTimeStamp'],
    ['data', 'engagementType'],
    ['data', 'userActionTimestamp'],
    ['__proto__'],
  ];
  const event = fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: mutated(valid, paths), weight: 2 });
  const shaped = fc.oneof(
    { arbitrary: event, weight: 5 },
    fc.array(event, { maxLength: 3 }),
    fc.integer({ min: 100, max: 102 }).chain((n) => fc.array(valid, { minLength: n, maxLength: n })),
  );
  return fc.oneof(
    { arbitrary: shaped, weight: 6 },
    { arbitrary: shaped.map((message) => JSON.stringify(message)), weight: 4 },
    { arbitrary: shaped.map((message) => base64(JSON.stringify(message))), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: anyString(100), weight: 1 },
    { arbitrary: anyString(100).map(base64), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 100 }), weight: 1 },
    { arbitrary: fc.constantFrom(null, undefined, '', '   ', '[]', '{}', 'e30=', '=='), weight: 1 },
  );
}

describe('processEmailEvents under arbitrary messages', () => {
  it('throws only retryable errors; a malformed message goes to email-events-poison and changes nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(emailEventMessages(), async (message) => {
        await witness.before();
        const poisonBefore = await poisonCount();
        let result: Awaited<ReturnType<typeof handleEmailEvents>>;
        try {
          result = await handleEmailEvents(world.h.deps, message);
        } catch (error) {
          expectRetryableOnly(error);
          witness.changed();
          return;
        }
        if (result.kind === 'poisoned') {
          expect(await poisonCount()).toBe(poisonBefore + 1);
          await witness.expectUnchanged('a poisoned message');
          return;
        }
        expect(await poisonCount()).toBe(poisonBefore);
        if (result.outcomes.every((outcome) => outcome !== 'applied')) {
          await witness.expectUnchanged('a report that applied nothing');
        } else witness.changed();
      }),
      fuzzParameters(150),
    );
  }, 120_000);
});

describe('regressions found by the fuzzer', () => {
  it('send requests whose ids no table key can hold complete as not found and change nothing', async () => {
    const row = world.sent[0];
    if (!row) throw new Error('no sent row');
    // Was a URIError (a lone surrogate cannot go in a URL) and a non-retryable invalid_input (key > 512).
    for (const ids of [
      { practiceId: PRACTICE_ID, outreachId: '\ud800' },
      { practiceId: 'p'.repeat(513), outreachId: row.id },
      { practiceId: PRACTICE_ID, outreachId: 'o'.repeat(513) },
    ]) {
      await witness.before();
      expect(await handleSendOutreach(world.h.deps, { v: 1, ...ids, notBefore: row.notBefore })).toBe(
        'not_found',
      );
      await witness.expectUnchanged('an unusable send request');
    }
  });

  it('a delivery report for a message id with a lone surrogate is an unknown message', async () => {
    await witness.before();
    const result = await handleEmailEvents(world.h.deps, {
      id: '00000000-0000-1000-8000-000000000000',
      eventType: DELIVERY_REPORT_TYPE,
      eventTime: '2026-12-31T00:00:00.000Z',
      data: { messageId: '\ud800', status: 'Delivered', recipient: 'pat_fz_a@example.org' },
    });
    expect(result).toEqual({ kind: 'processed', outcomes: ['unknown_message'], ignored: 0 });
    await witness.expectUnchanged('a report for an unknown message');
  });
});

describe('the properties can fail', () => {
  it('a plain Error thrown by a store escapes the consumers, and is not retryable', async () => {
    const broken: Deps = {
      ...world.h.deps,
      // Prototype-backed copies: the stores' other methods stay their own.
      ledger: Object.assign(Object.create(world.h.deps.ledger), {
        getOutreach: () => Promise.reject(new Error('table exploded')),
      }),
    };
    const row = world.sent[0];
    if (!row) throw new Error('no sent row');
    const send = handleSendOutreach(broken, {
      v: 1,
      practiceId: row.practiceId,
      outreachId: row.id,
      notBefore: row.notBefore,
    });
    await expect(send).rejects.toThrow('table exploded');
    await send.catch((error) => expect(() => expectRetryableOnly(error)).toThrow('non-retryable'));
    const report = handleEmailEvents(broken, {
      id: 'eg-broken',
      eventType: DELIVERY_REPORT_TYPE,
      eventTime: '2027-01-05T09:00:00Z',
      data: { messageId: row.operationId, status: 'Delivered', recipient: 'pat_fz_a@example.org' },
    });
    await expect(report).rejects.toThrow('table exploded');
    await report.catch((error) => expect(isReengageError(error)).toBe(false));
  });
});
