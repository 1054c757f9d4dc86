import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Weekday } from '../../functions/src/core/model';
import type { QuotaLimits, SlotRequest } from '../../functions/src/core/ports';
import {
  allocate,
  bucketKey,
  bucketOf,
  bucketStart,
  decodeTaken,
  encodeTaken,
  firstSlotOf,
  positionOf,
  slotAt,
  slotIndexOf,
  slotLengthFor,
  slotStart,
  slotsInBucket,
} from '../../functions/src/core/quota';
import { createPracticeCalendar, type PracticeCalendar } from '../../functions/src/core/sendWindow';

const WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5];
const at = (iso: string) => new Date(iso);

const paris = createPracticeCalendar({
  timeZone: 'Europe/Paris',
  country: 'FR',
  sendWindow: { days: WEEKDAYS, start: '09:30', end: '17:30' },
  closedDates: [],
});
const montreal = createPracticeCalendar({
  timeZone: 'America/Montreal',
  country: 'CA',
  sendWindow: { days: WEEKDAYS, start: '09:00', end: '17:00' },
  closedDates: [],
});

const nothingTaken = () => new Set<number>();
const requests = (count: number, earliest: string, calendar: PracticeCalendar): SlotRequest[] =>
  Array.from({ length: count }, () => ({ earliest: at(earliest), nextAllowed: calendar.nextAllowed }));

/** The largest number of instants (whole seconds) in any half-open span of `spanSeconds`, tried at every second. */
function busiestSpan(instantsInSeconds: number[], from: number, to: number, spanSeconds: number): number {
  const length = to - from + spanSeconds;
  const prefix = new Int32Array(length + 1);
  const marks = new Int32Array(length);
  for (const s of instantsInSeconds)
    if (s >= from && s < from + length) marks[s - from] = (marks[s - from] ?? 0) + 1;
  for (let i = 0; i < length; i++) prefix[i + 1] = (prefix[i] ?? 0) + (marks[i] ?? 0);
  let busiest = 0;
  for (let t = 0; t < to - from; t++) {
    busiest = Math.max(busiest, (prefix[t + spanSeconds] ?? 0) - (prefix[t] ?? 0));
  }
  return busiest;
}

const seconds = (dates: Date[]) => dates.map((d) => d.getTime() / 1000);

describe('slotLengthFor', () => {
  it.each([
    [{ perMinute: 30, perHour: 100 }, 36], // max(ceil(60/30)=2, ceil(3600/100)=36)
    [{ perMinute: 5, perHour: 10 }, 360], // max(12, 360)
    [{ perMinute: 60, perHour: 3600 }, 1],
    [{ perMinute: 1, perHour: 1000 }, 60], // max(60, ceil(3.6)=4)
    [{ perMinute: 7, perHour: 100 }, 36], // max(ceil(8.57)=9, 36)
    [{ perMinute: 13, perHour: 1000 }, 5], // max(ceil(4.62)=5, 4)
    [{ perMinute: 2, perHour: 7 }, 515], // max(30, ceil(514.3)=515)
  ])('%j -> %i s', (limits, expected) => {
    expect(slotLengthFor(limits)).toBe(expected);
  });

  it.each([
    { perMinute: 0, perHour: 100 },
    { perMinute: 30, perHour: -1 },
    { perMinute: 1.5, perHour: 100 },
  ])('refuses %j', (limits) => {
    expect(() => slotLengthFor(limits)).toThrow(RangeError);
  });
});

describe('the quota bound, by brute force over a day with every slot used', () => {
  const cases: QuotaLimits[] = [
    { perMinute: 30, perHour: 100 },
    { perMinute: 5, perHour: 10 },
    { perMinute: 60, perHour: 3600 },
    { perMinute: 7, perHour: 100 },
    { perMinute: 13, perHour: 1000 },
    { perMinute: 2, perHour: 7 },
    { perMinute: 45, perHour: 500 },
  ];
  // An arbitrary start, not on any slot boundary, on a DST change day (UTC slots do not care).
  const from = Date.UTC(2026, 2, 29, 0, 0, 17) / 1000;
  const to = from + 86_400;

  const everySlot = (slotLength: number): number[] => {
    const starts: number[] = [];
    for (let i = slotIndexOf(new Date(from * 1000), slotLength); ; i++) {
      const s = slotStart(i, slotLength).getTime() / 1000;
      if (s >= to + 3600) return starts;
      starts.push(s);
    }
  };

  it.each(cases)('%j: no rolling minute above perMinute, no rolling hour above perHour', (limits) => {
    const starts = everySlot(slotLengthFor(limits));
    expect(busiestSpan(starts, from, to, 60)).toBeLessThanOrEqual(limits.perMinute);
    expect(busiestSpan(starts, from, to, 3600)).toBeLessThanOrEqual(limits.perHour);
  });

  it.each(cases.filter((l) => slotLengthFor(l) > 1))(
    '%j: one second shorter would break a limit',
    (limits) => {
      const shorter = slotLengthFor(limits) - 1;
      const starts: number[] = [];
      for (let i = Math.ceil(from / shorter); i * shorter < to + 3600; i++) starts.push(i * shorter);
      const minute = busiestSpan(starts, from, to, 60);
      const hour = busiestSpan(starts, from, to, 3600);
      expect(minute > limits.perMinute || hour > limits.perHour).toBe(true);
    },
  );

  it('30/min and 100/h: exactly 100 slots in every UTC hour', () => {
    const starts = everySlot(36);
    expect(busiestSpan(starts, from, to, 3600)).toBe(100);
  });
});

describe('slots and buckets', () => {
  // 2026-01-05T08:30:00Z is 1 767 601 800 s after the epoch = 49 100 050 x 36 = 491 000.5 hours.
  it('slotIndexOf rounds up to the next slot boundary', () => {
    expect(slotIndexOf(at('2026-01-05T08:30:00.000Z'), 36)).toBe(49_100_050);
    expect(slotIndexOf(at('2026-01-05T08:30:00.001Z'), 36)).toBe(49_100_051);
    expect(slotIndexOf(at('2026-01-05T08:29:24.000Z'), 36)).toBe(49_100_049);
  });

  it('slotStart is the inverse on boundaries', () => {
    expect(slotStart(49_100_051, 36).toISOString()).toBe('2026-01-05T08:30:36.000Z');
    expect(slotStart(0, 36).toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });

  it('a bucket is the UTC hour a slot starts in, and a position its rank in that hour', () => {
    expect(bucketOf(49_100_050, 36)).toBe(491_000);
    expect(bucketStart(491_000).toISOString()).toBe('2026-01-05T08:00:00.000Z');
    expect(bucketKey(491_000)).toBe('2026010508');
    expect(firstSlotOf(491_000, 36)).toBe(49_100_000);
    expect(positionOf(49_100_050, 36)).toBe(50); // 30 minutes / 36 s
    expect(slotsInBucket(491_000, 36)).toBe(100);
    expect(slotAt(491_000, 50, 36)).toBe(49_100_050);
    expect(() => slotAt(491_000, 100, 36)).toThrow(RangeError);
  });

  it('with a slot length that does not divide the hour, buckets hold 6 or 7 slots and positions round-trip', () => {
    // 515 s: slots 0..6 start in hour 0 (6 x 515 = 3090 < 3600 <= 7 x 515 = 3605).
    expect(slotsInBucket(0, 515)).toBe(7);
    expect(bucketOf(7, 515)).toBe(1);
    expect(positionOf(7, 515)).toBe(0);
    const first = slotIndexOf(at('2026-01-01T00:00:00Z'), 515);
    for (let i = first; i < first + 5000; i++) {
      const bucket = bucketOf(i, 515);
      expect(slotAt(bucket, positionOf(i, 515), 515)).toBe(i);
      expect([6, 7]).toContain(slotsInBucket(bucket, 515));
      const start = slotStart(i, 515).getTime();
      expect(start).toBeGreaterThanOrEqual(bucketStart(bucket).getTime());
      expect(start).toBeLessThan(bucketStart(bucket + 1).getTime());
    }
  });
});

describe('bitset codec', () => {
  it('packs position p into bit p % 8 of byte p / 8, base64', () => {
    // Bytes 0b00000011, 0b00000010 = 0x03 0x02 -> "AwI=".
    expect(encodeTaken(new Set([0, 1, 9]))).toBe('AwI=');
    expect(decodeTaken('AwI=')).toEqual(new Set([0, 1, 9]));
  });

  it('round-trips an empty set and a full hour of one-second slots', () => {
    expect(encodeTaken(new Set())).toBe('');
    expect(decodeTaken('')).toEqual(new Set());
    const all = new Set(Array.from({ length: 3600 }, (_, i) => i));
    const encoded = encodeTaken(all);
    expect(Buffer.from(encoded, 'base64')).toHaveLength(450);
    expect(decodeTaken(encoded)).toEqual(all);
  });

  it('round-trips a sparse set', () => {
    const sparse = new Set([3, 50, 99, 17, 64, 65]);
    expect(decodeTaken(encodeTaken(sparse))).toEqual(sparse);
  });

  it('refuses negative positions and text that is not base64', () => {
    expect(() => encodeTaken(new Set([-1]))).toThrow(RangeError);
    expect(() => decodeTaken('not base64!')).toThrow(RangeError);
  });
});

describe('allocate', () => {
  it('gives requests with the same earliest instant consecutive slots', () => {
    const result = allocate(requests(3, '2026-01-05T08:30:00Z', paris), nothingTaken, 36);
    expect(result.instants.map((d) => d.toISOString())).toEqual([
      '2026-01-05T08:30:00.000Z',
      '2026-01-05T08:30:36.000Z',
      '2026-01-05T08:31:12.000Z',
    ]);
    expect(result.newlyTaken).toEqual(new Map([[491_000, new Set([50, 51, 52])]]));
  });

  it('honours slots already taken by other planners and practices', () => {
    const taken = (bucket: number) => (bucket === 491_000 ? new Set([50, 51, 53]) : new Set<number>());
    const result = allocate(requests(2, '2026-01-05T08:30:00Z', paris), taken, 36);
    expect(result.instants.map((d) => d.toISOString())).toEqual([
      '2026-01-05T08:31:12.000Z', // position 52
      '2026-01-05T08:32:24.000Z', // position 54
    ]);
    expect(result.newlyTaken.get(491_000)).toEqual(new Set([52, 54]));
  });

  it("only hands out slots that start inside the practice's window", () => {
    // Saturday 10 January 2026 -> Monday 12 January 09:30 CET = 08:30Z, a slot boundary.
    const [weekend] = allocate(requests(1, '2026-01-10T10:00:00Z', paris), nothingTaken, 36).instants;
    expect(weekend?.toISOString()).toBe('2026-01-12T08:30:00.000Z');
    // A window opening at 09:31 (08:31Z) between two boundaries gets the next one, 08:31:12Z.
    const late = createPracticeCalendar({
      timeZone: 'Europe/Paris',
      country: 'FR',
      sendWindow: { days: WEEKDAYS, start: '09:31', end: '17:30' },
      closedDates: [],
    });
    const [offGrid] = allocate(requests(1, '2026-01-12T06:00:00Z', late), nothingTaken, 36).instants;
    expect(offGrid?.toISOString()).toBe('2026-01-12T08:31:12.000Z');
    // The last slot of a window starts before its end: Friday 17:29:24 CET, then Monday.
    const [, lastFriday, monday] = allocate(
      requests(3, '2026-01-09T16:28:48Z', paris),
      nothingTaken,
      36,
    ).instants;
    expect(lastFriday?.toISOString()).toBe('2026-01-09T16:29:24.000Z');
    expect(monday?.toISOString()).toBe('2026-01-12T08:30:00.000Z');
  });

  it('does not ask for the buckets of the nights and weekends it jumps over', () => {
    const asked: number[] = [];
    const recording = (bucket: number) => {
      asked.push(bucket);
      return new Set<number>();
    };
    // Saturday 10 January 2026 -> Monday 12 January 08:30Z, in the bucket of 08:00Z: 491 000 + 7 x 24.
    allocate(requests(1, '2026-01-10T10:00:00Z', paris), recording, 36);
    expect(asked).toEqual([491_168]);
  });

  it('spreads 300 requests at 5/min 10/h over four working days', () => {
    // 360 s slots: 10 per hour, 80 in an 08:30Z-16:30Z window. Earliest: Monday 11 January 2027 00:00 in Paris.
    const { instants } = allocate(
      requests(300, '2027-01-10T23:00:00Z', paris),
      nothingTaken,
      slotLengthFor({ perMinute: 5, perHour: 10 }),
    );
    const perDay = new Map<string, number>();
    for (const instant of instants) {
      const day = paris.localDate(instant);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(Object.fromEntries(perDay)).toEqual({
      '2027-01-11': 80,
      '2027-01-12': 80,
      '2027-01-13': 80,
      '2027-01-14': 60,
    });
    expect(instants[0]?.toISOString()).toBe('2027-01-11T08:30:00.000Z');
    expect(instants[79]?.toISOString()).toBe('2027-01-11T16:24:00.000Z');
    expect(instants[80]?.toISOString()).toBe('2027-01-12T08:30:00.000Z');
    expect(instants[299]?.toISOString()).toBe('2027-01-14T14:24:00.000Z'); // 08:30 + 59 x 6 min
    expect(new Set(instants.map((d) => d.getTime())).size).toBe(300);
    expect(instants.every((d) => paris.isAllowed(d))).toBe(true);
  });

  it('spreads 300 requests at 30/min 100/h from a Friday afternoon over the weekend', () => {
    // Friday 8 January 2027 17:00 CET (16:00Z): 50 slots of 36 s before 17:30, then 250 from Monday 08:30Z.
    const { instants } = allocate(requests(300, '2027-01-08T16:00:00Z', paris), nothingTaken, 36);
    expect(instants[49]?.toISOString()).toBe('2027-01-08T16:29:24.000Z');
    expect(instants[50]?.toISOString()).toBe('2027-01-11T08:30:00.000Z');
    expect(instants[299]?.toISOString()).toBe('2027-01-11T10:59:24.000Z'); // 08:30 + 249 x 36 s
  });

  it('never double-books across practices and calls, and keeps every rolling minute and hour under quota', () => {
    const limits = { perMinute: 30, perHour: 100 };
    const slotLength = slotLengthFor(limits);
    // Paris (08:30Z-16:30Z in winter) and Montreal (14:00Z-22:00Z) share one subscription's quota.
    const mixed: SlotRequest[] = Array.from({ length: 200 }, (_, i) => ({
      earliest: at(i % 3 === 0 ? '2027-01-11T06:00:00Z' : '2027-01-11T14:00:00Z'),
      nextAllowed: (i % 2 === 0 ? paris : montreal).nextAllowed,
    }));
    const first = allocate(mixed.slice(0, 120), nothingTaken, slotLength);
    // A second planner run sees what the first one stored.
    const stored = (bucket: number) =>
      new Set(decodeTaken(encodeTaken(first.newlyTaken.get(bucket) ?? new Set())));
    const second = allocate(mixed.slice(120), stored, slotLength);
    const instants = [...first.instants, ...second.instants];

    expect(new Set(instants.map((d) => d.getTime())).size).toBe(200);
    instants.forEach((instant, i) => {
      expect((i % 2 === 0 ? paris : montreal).isAllowed(instant)).toBe(true);
    });
    for (const [bucket, positions] of second.newlyTaken) {
      for (const p of positions) expect(first.newlyTaken.get(bucket)?.has(p) ?? false).toBe(false);
    }
    const s = seconds(instants);
    const from = Math.min(...s) - 3600;
    const to = Math.max(...s) + 1;
    expect(busiestSpan(s, from, to, 60)).toBeLessThanOrEqual(limits.perMinute);
    expect(busiestSpan(s, from, to, 3600)).toBeLessThanOrEqual(limits.perHour);
  });

  it('asks for each bucket once, and lets an adapter load buckets lazily and retry', () => {
    class NotLoaded extends Error {
      constructor(readonly bucket: number) {
        super(`bucket ${bucket} not loaded`);
      }
    }
    // What storage holds: the first 90 slots of 08:00Z and all of 09:00Z on Monday 5 January 2026.
    const storage = new Map<number, Set<number>>([
      [491_000, new Set(Array.from({ length: 90 }, (_, i) => i))],
      [491_001, new Set(Array.from({ length: 100 }, (_, i) => i))],
    ]);
    const loaded = new Map<number, Set<number>>();
    const calls: number[] = [];
    const lazily = (bucket: number) => {
      calls.push(bucket);
      const positions = loaded.get(bucket);
      if (positions === undefined) throw new NotLoaded(bucket);
      return positions;
    };
    const batch = requests(15, '2026-01-05T08:00:00Z', paris);
    let result: ReturnType<typeof allocate> | null = null;
    for (let attempt = 0; result === null; attempt++) {
      expect(attempt).toBeLessThan(5);
      calls.length = 0;
      try {
        result = allocate(batch, lazily, 36);
      } catch (error) {
        if (!(error instanceof NotLoaded)) throw error;
        loaded.set(error.bucket, storage.get(error.bucket) ?? new Set());
      }
    }
    // 08:30Z-08:54Z holds positions 50-89, all taken; 90-99 (08:54:00-08:59:24Z) are free, 09:00Z is full,
    // so the last five go to 10:00Z (bucket 491 002).
    expect(result.instants[0]?.toISOString()).toBe('2026-01-05T08:54:00.000Z');
    expect(result.instants[9]?.toISOString()).toBe('2026-01-05T08:59:24.000Z');
    expect(result.instants[10]?.toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(result.instants[14]?.toISOString()).toBe('2026-01-05T10:02:24.000Z');
    const direct = allocate(batch, (bucket) => storage.get(bucket) ?? new Set(), 36);
    expect(result.instants).toEqual(direct.instants);
    // The final, successful call asked for each of the three buckets exactly once.
    expect(calls).toEqual([491_000, 491_001, 491_002]);
  });

  it('gives up with a retryable throttled error when no slot is free within the search horizon', () => {
    const full = (bucket: number) => new Set(Array.from({ length: slotsInBucket(bucket, 36) }, (_, i) => i));
    expect(() =>
      allocate(requests(1, '2026-01-05T08:30:00Z', paris), full, 36, { maxSearchDays: 3 }),
    ).toThrow(expect.objectContaining({ code: 'throttled', retryable: true }));
  });

  it('passes on the error of a calendar that has no open day', () => {
    const first = DateTime.fromISO('2026-01-01', { zone: 'utc' });
    const closed = createPracticeCalendar({
      timeZone: 'Europe/Paris',
      country: 'FR',
      sendWindow: { days: WEEKDAYS, start: '09:30', end: '17:30' },
      closedDates: Array.from({ length: 500 }, (_, i) => first.plus({ days: i }).toISODate() ?? ''),
    });
    expect(() => allocate(requests(1, '2026-01-05T08:30:00Z', closed), nothingTaken, 36)).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
  });

  it('refuses a nextAllowed that goes back in time rather than looping', () => {
    const backwards: SlotRequest = {
      earliest: at('2026-01-05T08:30:00Z'),
      nextAllowed: () => at('2026-01-01T00:00:00Z'),
    };
    expect(() => allocate([backwards], nothingTaken, 36)).toThrow(RangeError);
  });

  it('returns nothing for no requests and asks for no bucket', () => {
    const result = allocate(
      [],
      () => {
        throw new Error('should not be asked');
      },
      36,
    );
    expect(result.instants).toEqual([]);
    expect(result.newlyTaken.size).toBe(0);
  });
});
