// The short chaos suite (the long one is `npm run chaos`, docs/chaos.md): crashes after every call of one
// planning pass and of one send, duplicate and concurrent deliveries, two planners at once, a flaky ACS.
// Every run is checked from the tables and the ACS stand-in's record, never from the app's memory.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ChaosEnv } from '../../chaos/lib/env';
import { faultyDeps, SimulatedCrash, SimulatedProcess } from '../../chaos/lib/faults';
import { queueDepth, runPlanners, runQueueHost } from '../../chaos/lib/host';
import { checkInvariants } from '../../chaos/lib/invariants';
import { type RunResult, runScenario } from '../../chaos/lib/scenario';
import { ONE_SEND_WORLD, runPool, sweep } from '../../chaos/lib/suite';
import { buildWorld, seedWorld, type World, type WorldOptions } from '../../chaos/lib/world';
import { IN_DOUBT_SETTLE_MS } from '../../functions/src/app/sendOutreach';
import type { OutreachRow } from '../../functions/src/core/model';
import { handleSendOutreach } from '../../functions/src/functions/sendOutreach';
import { HOST_RETRY_DELAY_MS } from '../../scripts/lib/drain';

const connectionString = () => inject('azuriteConnectionString');

/** Every kind of write the planners make: a lapse row, a seasonal row and its window mark, a skipped row. */
const SMALL_WORLD: WorldOptions = { onePractice: true, kinds: ['check-in', 'seasonal', 'no-consent'] };

function expectClean(results: RunResult[]): void {
  const violations = results.flatMap((r) => r.check.violations.map((v) => `${r.label} ${r.crashes}: ${v}`));
  expect(violations).toEqual([]);
  expect(results.every((r) => r.check.duplicates === 0 && r.check.leftovers.length === 0)).toBe(true);
}

/**
 * One env with a seeded world, planned without faults; the caller disposes it. The sender's timeout is
 * roomy, so that only the delays a test scripts make it give up, however loaded the machine.
 */
async function plannedEnv(world: World, sendTimeoutMs = 2_000) {
  const env = await ChaosEnv.create({
    connectionString: connectionString(),
    start: '2026-01-01T00:00:00Z',
    sendTimeoutMs,
  });
  await seedWorld(env.deps, world);
  env.clock.set(world.planAt);
  expect(await runPlanners(env.deps)).toBeNull();
  return env;
}

async function rows(env: ChaosEnv, world: World): Promise<OutreachRow[]> {
  const found: OutreachRow[] = [];
  for (const { practice } of world.practices) {
    for await (const row of env.deps.ledger.listOutreach(practice.id)) found.push(row);
  }
  return found;
}

async function settle(env: ChaosEnv, world: World) {
  await runQueueHost({
    deps: env.deps,
    queue: env.queue,
    poison: env.poisonQueue,
    clock: env.clock,
    retryAt: env.retryAt,
  });
  return checkInvariants(env.deps, world, env.acs, {
    pending: await queueDepth(env.queue),
    poisoned: await queueDepth(env.poisonQueue),
  });
}

describe('the fault injection itself', () => {
  it('a faulty port dies at the chosen call, after the write reached storage, and stays dead', async () => {
    const world = buildWorld(11, { onePractice: true, kinds: ['check-in'] });
    const env = await ChaosEnv.create({
      connectionString: connectionString(),
      start: '2026-01-01T00:00:00Z',
    });
    try {
      await seedWorld(env.deps, world);
      const practice = world.practices[0]?.practice;
      const process = new SimulatedProcess({ kind: 'atCall', call: 2, when: 'after' });
      const deps = faultyDeps(env.deps, process);
      await deps.practices.getPractice('prac-tilleuls');
      const renamed = { ...practice!, name: 'Renamed before dying' };
      await expect(deps.practices.upsertPractice(renamed)).rejects.toBeInstanceOf(SimulatedCrash);
      // The write happened (crash after it); the dead process cannot read or write any more.
      expect((await env.deps.practices.getPractice('prac-tilleuls'))?.value.name).toBe(
        'Renamed before dying',
      );
      await expect(deps.practices.getPractice('prac-tilleuls')).rejects.toMatchObject({ point: 'dead' });
      expect(process.crash?.point).toBe('practices.upsertPractice:after');
      expect(process.trace).toEqual(['practices.getPractice', 'practices.upsertPractice']);
    } finally {
      await env.dispose();
    }
  });

  it('the chaos host waits what host.json waits before a retry, and the drain of the harness too', () => {
    const hostJson = JSON.parse(readFileSync(new URL('../../functions/host.json', import.meta.url), 'utf8'));
    expect(hostJson.extensions.queues.visibilityTimeout).toBe('00:02:00');
    expect(HOST_RETRY_DELAY_MS).toBe(120_000);
    // A redelivery after a failure therefore always comes after the in-doubt settling time.
    expect(IN_DOUBT_SETTLE_MS).toBeLessThanOrEqual(HOST_RETRY_DELAY_MS);
  });
});

describe('the checker sees what it is there to see', () => {
  it('a second email for one row, a row left planned, and a patient never planned', async () => {
    const world = buildWorld(12, { onePractice: true, kinds: ['check-in', 'progress'] });
    const env = await plannedEnv(world);
    try {
      const planned = await rows(env, world);
      expect(planned.map((r) => r.status).sort()).toEqual(['planned', 'planned']);
      const [first, second] = planned as [OutreachRow, OutreachRow];
      // A send outside the app, with the first row's operation id, after the app sent it: a duplicate.
      await settle(env, world);
      const email = env.acs.sent.find((e) => e.operationId === first.operationId);
      await env.deps.sender.send(
        {
          from: { address: email!.body.senderAddress, displayName: 'x' },
          to: { address: email!.body.recipients.to[0]!.address, displayName: null },
          replyTo: null,
          subject: email!.body.content.subject,
          html: '<p>again</p>',
          text: 'again',
          headers: email!.body.headers ?? {},
        },
        first.operationId,
      );
      // The second row put back to planned, with no message left on the queue for it: stuck for ever.
      const stored = await env.deps.ledger.getOutreach(second.practiceId, second.id);
      await env.deps.ledger.updateOutreach({ ...stored!.value, status: 'planned' }, stored!.etag);
      const check = await checkInvariants(env.deps, world, env.acs, { pending: 0, poisoned: 0 });
      expect(check.duplicates).toBe(1);
      expect(check.violations).toContain(
        `duplicate: ACS took operation ${first.operationId} 2 times (row ${first.id})`,
      );
      expect(check.leftovers).toEqual([`${second.id} (planned)`]);

      // And gone from the ledger: the patient was due that step and nothing records it.
      await env.deps.ledger.deleteOutreach(second.practiceId, second.id);
      const dropped = await checkInvariants(env.deps, world, env.acs, { pending: 0, poisoned: 0 });
      expect(dropped.violations).toContain(
        `dropped: progress patient ${second.patientId} was due ${second.id} and has no ledger row`,
      );
    } finally {
      await env.dispose();
    }
  });
});

describe('regression: a duplicate delivery while an in-doubt send may still land', () => {
  it('looks again later instead of posting the email a second time', async () => {
    const world = buildWorld(13, { onePractice: true, kinds: ['check-in'] });
    const env = await plannedEnv(world, 1_000);
    try {
      const [row] = await rows(env, world);
      const message = JSON.stringify({
        v: 1,
        practiceId: row!.practiceId,
        outreachId: row!.id,
        notBefore: row!.notBefore,
      });
      env.clock.advanceTo(row!.notBefore);
      // ACS is slow (1.5 s) on the first POST; the sender gives up after 1 s and the row is left in doubt,
      // while ACS goes on and takes the email.
      env.acs.script({ kind: 'delay', delayInMs: 1_500 });
      await expect(handleSendOutreach(env.deps, message)).rejects.toMatchObject({
        code: 'transport_unavailable',
      });
      // The same message again, at once (at-least-once delivery): ACS does not know the operation yet.
      expect(await handleSendOutreach(env.deps, message)).toBe('in_progress');
      await env.settleAcs();
      expect(env.acs.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 202', 'GET 404']);

      const check = await settle(env, world);
      expect(check.violations).toEqual([]);
      expect(env.acs.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect((await rows(env, world))[0]).toMatchObject({
        status: 'sent',
        sentAt: row!.notBefore,
        attempts: 1,
      });
    } finally {
      await env.dispose();
    }
  });

  it('counts the settling time from the end of the attempt, however long the worker took to send', async () => {
    const world = buildWorld(14, { onePractice: true, kinds: ['check-in'] });
    const env = await plannedEnv(world, 1_000);
    try {
      const [row] = await rows(env, world);
      const message = JSON.stringify({
        v: 1,
        practiceId: row!.practiceId,
        outreachId: row!.id,
        notBefore: row!.notBefore,
      });
      env.clock.advanceTo(row!.notBefore);
      const claimedAt = env.clock.now().getTime();
      // This worker claims the row, then takes three minutes (a storage call retried by its SDK) before it
      // posts; ACS is slow and the sender gives up: the row is in doubt three minutes after its claim.
      const real = env.deps.messageIndex;
      const slow = {
        ...env.deps,
        messageIndex: {
          upsertMessage: async (entry: Parameters<typeof real.upsertMessage>[0]) => {
            env.clock.advanceBy(3 * 60_000);
            await real.upsertMessage(entry);
          },
          getMessage: (messageId: string) => real.getMessage(messageId),
        },
      };
      env.acs.script({ kind: 'delay', delayInMs: 1_500 });
      await expect(handleSendOutreach(slow, message)).rejects.toMatchObject({
        code: 'transport_unavailable',
      });
      // The duplicate, at once: three minutes after the claim, but not after the attempt.
      expect(await handleSendOutreach(env.deps, message)).toBe('in_progress');
      await env.settleAcs();
      expect(env.acs.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 202', 'GET 404']);
      const endedAt = new Date(claimedAt + 3 * 60_000).toISOString();
      expect((await rows(env, world))[0]).toMatchObject({ failureReason: 'in_doubt', claimedAt: endedAt });

      const check = await settle(env, world);
      expect(check.violations).toEqual([]);
      expect((await rows(env, world))[0]).toMatchObject({ status: 'sent', sentAt: endedAt, attempts: 1 });
    } finally {
      await env.dispose();
    }
  });
});

describe('crash after every call, then restart', () => {
  it('of one planning pass: every restart ends exactly as the run without faults', async () => {
    const results = await sweep(
      connectionString(),
      { label: 'planner sweep', seed: 21, world: SMALL_WORLD },
      'planning',
      { concurrency: 3, writesOnly: true },
    );
    expectClean(results);
    const points = new Set(results.flatMap((r) => r.crashes));
    for (const point of [
      'dueIndex.listDue:before',
      'ledger.createOutreach:after',
      'scheduler.scheduleSend:after',
      'patients.updatePatient:after',
      'practices.updatePractice:after',
    ]) {
      expect(points).toContain(point);
    }
    const baseline = results[0]!;
    expect(baseline.check.emails).toBeGreaterThanOrEqual(2);
    expect(results.every((r) => r.check.emails === baseline.check.emails)).toBe(true);
  });

  it('of one send: the email goes out once, whatever call the worker died at', async () => {
    const results = await sweep(
      connectionString(),
      { label: 'send sweep', seed: 22, world: ONE_SEND_WORLD },
      'sending',
      { concurrency: 3, writesOnly: true },
    );
    expectClean(results);
    const points = new Set(results.flatMap((r) => r.crashes));
    // The claim, the message index, the transport, and the record of the outcome.
    for (const point of [
      'ledger.updateOutreach:after',
      'messageIndex.upsertMessage:after',
      'sender.send:after',
    ]) {
      expect(points).toContain(point);
    }
    expect(results.every((r) => r.check.emails === 1)).toBe(true);
  });
});

describe('duplicate and concurrent deliveries', () => {
  it('the same message three times at once sends one email', async () => {
    const world = buildWorld(31, { onePractice: true, kinds: ['check-in'] });
    const env = await plannedEnv(world);
    try {
      const [row] = await rows(env, world);
      const message = JSON.stringify({
        v: 1,
        practiceId: row!.practiceId,
        outreachId: row!.id,
        notBefore: row!.notBefore,
      });
      env.clock.advanceTo(row!.notBefore);
      env.acs.setLatency(100);
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => handleSendOutreach(env.deps, message)));
      env.acs.setLatency(0);
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent')).toHaveLength(1);
      const check = await settle(env, world);
      expect(check.violations).toEqual([]);
      expect(env.acs.sent).toHaveLength(1);
    } finally {
      await env.dispose();
    }
  });

  it('every message enqueued twice and drained by two hosts at once, workers crashing', async () => {
    const crash = () => ({ kind: 'atCall', call: 7, when: 'after' }) as const;
    const result = await runScenario(connectionString(), {
      label: 'duplicates, two hosts',
      seed: 32,
      world: { onePractice: true, kinds: ['check-in', 'progress', 'direct', 'resource-step-2', 'seasonal'] },
      duplicateMessages: true,
      sending: { hosts: 2, crash },
      maxCrashes: 2,
    });
    expectClean([result]);
    expect(result.crashes).toHaveLength(2);
    expect(result.check.emails).toBeGreaterThanOrEqual(3);
  });
});

describe('two planners at once', () => {
  it('on the same deps and on two hosts over the same storage, plan each step once', async () => {
    const world: WorldOptions = {
      kinds: ['check-in', 'milestone', 'feedback-step-3', 'seasonal', 'cooldown'],
    };
    const [alone, sameDeps, twoHosts] = await runPool(
      [
        () => runScenario(connectionString(), { label: 'one planner', seed: 41, world }),
        () =>
          runScenario(connectionString(), {
            label: 'same deps',
            seed: 41,
            world,
            planning: { concurrent: 'sameDeps' },
          }),
        () =>
          runScenario(connectionString(), {
            label: 'two hosts',
            seed: 41,
            world,
            planning: { concurrent: 'twoHosts' },
          }),
      ],
      3,
    );
    expectClean([alone!, sameDeps!, twoHosts!]);
    expect(sameDeps!.statuses).toEqual(alone!.statuses);
    expect(twoHosts!.statuses).toEqual(alone!.statuses);
    expect(alone!.check.rowsByStatus['skipped:cooldown']).toBe(2);
  });
});

describe('ACS answering 429, 500, 503, slowly and too slowly, at random', () => {
  let results: RunResult[] = [];
  beforeAll(async () => {
    results = await runPool(
      Array.from(
        { length: 20 },
        (_, i) => () =>
          runScenario(connectionString(), {
            label: `acs faults ${i}`,
            seed: 500 + i,
            world: { onePractice: true, kinds: ['check-in', 'progress', 'plan', 'seasonal'] },
            acsChaos: { seed: 500 + i, probability: 0.3 },
          }),
      ),
      4,
    );
  }, 60_000);

  it('never sends a step twice, and every row ends settled with its reason', () => {
    expectClean(results);
    const answers = results.flatMap((r) => Object.keys(r.acsAnswers));
    // The faults did happen: throttling, server errors, and sends the client gave up on.
    expect(answers).toContain('429');
    expect(answers.some((s) => s === '500' || s === '503')).toBe(true);
    expect(results.reduce((n, r) => n + r.sender.sendTimeouts, 0)).toBeGreaterThan(0);
  });
});
