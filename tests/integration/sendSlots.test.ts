// TableSendSlotStore against the run's Azurite: concurrent planners never share a send slot.
import { randomBytes } from 'node:crypto';
import { odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStorageClients, prefixedStorageNames } from '../../functions/src/adapters/storageClients';
import { TableSendSlotStore } from '../../functions/src/adapters/tables/TableSendSlotStore';
import { CoalescingSlotStore } from '../../functions/src/app/coalescingSlots';
import type { QuotaLimits, SendSlotStore, SlotRequest } from '../../functions/src/core/ports';
import { decodeTaken } from '../../functions/src/core/quota';

const clients = createStorageClients(
  { kind: 'connectionString', connectionString: inject('azuriteConnectionString') },
  prefixedStorageNames(`s${randomBytes(4).toString('hex')}`),
);

beforeAll(() => clients.ensureStorage());
afterAll(() => clients.deleteStorage());

// 30/min and 100/h: one send every max(60/30, 3600/100) = 36 s; whole hours are slot boundaries.
const limits = { perMinute: 30, perHour: 100 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A toy calendar: sends only between 09:00 and 09:30 UTC, every day. */
function nineToNineThirty(at: Date): Date {
  const dayStart = Math.floor(at.getTime() / DAY) * DAY;
  const opens = dayStart + 9 * HOUR;
  const closes = opens + HOUR / 2;
  if (at.getTime() < opens) return new Date(opens);
  if (at.getTime() < closes) return at;
  return new Date(opens + DAY);
}

function requests(count: number, earliest: Date): SlotRequest[] {
  return Array.from({ length: count }, () => ({ earliest, nextAllowed: nineToNineThirty }));
}

describe('TableSendSlotStore', () => {
  it('gives consecutive reservations consecutive 36 s slots', async () => {
    const store = new TableSendSlotStore(clients.tables.sendSlots);
    const earliest = new Date('2031-04-07T09:00:00Z');
    const [first] = await store.reserveSlots(requests(1, earliest), limits);
    const [second] = await store.reserveSlots(requests(1, earliest), limits);
    const [third] = await store.reserveSlots(requests(1, new Date('2031-04-07T09:00:01Z')), limits);
    expect(first?.toISOString()).toBe('2031-04-07T09:00:00.000Z');
    expect(second?.toISOString()).toBe('2031-04-07T09:00:36.000Z');
    expect(third?.toISOString()).toBe('2031-04-07T09:01:12.000Z');
  });

  it('moves a request that falls outside the window to the next opening', async () => {
    const store = new TableSendSlotStore(clients.tables.sendSlots);
    const [slot] = await store.reserveSlots(requests(1, new Date('2031-05-05T14:00:00Z')), limits);
    expect(slot?.toISOString()).toBe('2031-05-06T09:00:00.000Z');
  });

  it('never hands the same slot to two planners reserving at once, and keeps every slot in the window', async () => {
    // Two processes, each with its own store object, racing on the same rows.
    const a = new TableSendSlotStore(clients.tables.sendSlots);
    const b = new TableSendSlotStore(clients.tables.sendSlots);
    const earliest = new Date('2031-03-03T08:00:00Z');
    const [fromA, fromB] = await Promise.all([
      a.reserveSlots(requests(60, earliest), limits),
      b.reserveSlots(requests(60, earliest), limits),
    ]);
    const all = [...(fromA ?? []), ...(fromB ?? [])].map((d) => d.getTime());
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);

    // A 30-minute window holds 50 slots of 36 s, so 120 sends fill 3 March and 4 March and take the
    // first 20 slots of 5 March, whoever won which race.
    const expected: number[] = [];
    for (const [day, count] of [
      ['2031-03-03', 50],
      ['2031-03-04', 50],
      ['2031-03-05', 20],
    ] as const) {
      const opens = Date.parse(`${day}T09:00:00Z`);
      for (let k = 0; k < count; k++) expected.push(opens + k * 36_000);
    }
    expect([...all].sort((x, y) => x - y)).toEqual(expected);

    // Each planner's own list is in request order: earlier requests, earlier slots.
    for (const list of [fromA, fromB]) {
      const times = (list ?? []).map((d) => d.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));
    }

    // Retries left no stray reservation behind: the stored rows hold exactly the 120 slots handed out.
    let stored = 0;
    for (const partition of ['36s-20310303', '36s-20310304', '36s-20310305']) {
      const rows = clients.tables.sendSlots.listEntities<{ taken: string }>({
        queryOptions: { filter: odata`PartitionKey eq ${partition}` },
      });
      for await (const row of rows) stored += decodeTaken(row.taken).size;
    }
    expect(stored).toBe(120);
  });
});

/** The real store, with a record of the calls that reached it (what the coalescer grouped). */
class RecordingSlotStore implements SendSlotStore {
  readonly calls: { requests: number; limits: QuotaLimits }[] = [];
  failNext = false;
  constructor(private readonly inner: SendSlotStore) {}
  reserveSlots(requests: SlotRequest[], limits: QuotaLimits): Promise<Date[]> {
    this.calls.push({ requests: requests.length, limits });
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('storage unavailable'));
    }
    return this.inner.reserveSlots(requests, limits);
  }
}

describe('CoalescingSlotStore', () => {
  const iso = (d: Date | undefined) => d?.toISOString();

  it('sends the reservations that arrive while one is on the wire as one call, and gives each caller its own slots', async () => {
    const recording = new RecordingSlotStore(new TableSendSlotStore(clients.tables.sendSlots));
    const store = new CoalescingSlotStore(recording);
    const earliest = new Date('2031-06-02T09:00:00Z');
    const singles = Array.from({ length: 30 }, () => store.reserveSlots(requests(1, earliest), limits));
    const triple = store.reserveSlots(requests(3, earliest), limits);
    const got = await Promise.all(singles);
    const three = await triple;

    // The first goes alone; the other 29 single callers and the triple (32 requests) wait for it and go together.
    expect(recording.calls.map((c) => c.requests)).toEqual([1, 32]);
    expect(got.every((list) => list.length === 1)).toBe(true);
    expect(three).toHaveLength(3);
    const all = [...got.flat(), ...three].map((d) => d.getTime()).sort((x, y) => x - y);
    const opens = Date.parse('2031-06-02T09:00:00Z');
    expect(all).toEqual(Array.from({ length: 33 }, (_, k) => opens + k * 36_000));
    // A caller's own requests keep their order, and callers are served in arrival order.
    expect(three.map((d) => d.getTime())).toEqual(all.slice(30));
    expect(iso(got[0]?.[0])).toBe('2031-06-02T09:00:00.000Z');
  });

  it('never mixes reservations made under different quota limits in one call', async () => {
    const recording = new RecordingSlotStore(new TableSendSlotStore(clients.tables.sendSlots));
    const store = new CoalescingSlotStore(recording);
    const earliest = new Date('2031-06-09T09:00:00Z');
    const faster = { perMinute: 60, perHour: 3_600 };
    const pending = [
      store.reserveSlots(requests(1, earliest), limits),
      store.reserveSlots(requests(1, earliest), limits),
      store.reserveSlots(requests(1, earliest), faster),
      store.reserveSlots(requests(1, earliest), limits),
    ];
    const [a, b, c, d] = await Promise.all(pending);
    expect(recording.calls).toEqual([
      { requests: 1, limits },
      { requests: 2, limits },
      { requests: 1, limits: faster },
    ]);
    // 1 s slots live in their own rows: the faster grid starts at the opening again.
    expect([a, b, d].map((x) => iso(x?.[0]))).toEqual([
      '2031-06-09T09:00:00.000Z',
      '2031-06-09T09:00:36.000Z',
      '2031-06-09T09:01:12.000Z',
    ]);
    expect(iso(c?.[0])).toBe('2031-06-09T09:00:00.000Z');
  });

  it('fails every caller of a failed call, and serves the next ones normally', async () => {
    const recording = new RecordingSlotStore(new TableSendSlotStore(clients.tables.sendSlots));
    const store = new CoalescingSlotStore(recording);
    const earliest = new Date('2031-06-16T09:00:00Z');
    // The first goes on the wire at once; the next two wait for it and go together, and that call fails.
    const first = store.reserveSlots(requests(1, earliest), limits);
    recording.failNext = true;
    const failing = [
      store.reserveSlots(requests(1, earliest), limits),
      store.reserveSlots(requests(1, earliest), limits),
    ];
    const results = await Promise.allSettled([first, ...failing]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(recording.calls.map((c) => c.requests)).toEqual([1, 2]);
    // Nothing was reserved for the failed callers: the next reservation takes the second slot.
    const [again] = await store.reserveSlots(requests(1, earliest), limits);
    expect(recording.calls.map((c) => c.requests)).toEqual([1, 2, 1]);
    expect(iso(again)).toBe('2031-06-16T09:00:36.000Z');
  });
});
