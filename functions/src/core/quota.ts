/*
 * The slot arithmetic behind SendSlotStore: how sends are spread so the ACS quota is never exceeded.
 *
 * Why slots. The ACS Email quota (30/min and 100/h by default for custom domains, 5/min and 10/h for
 * Azure-managed ones) is per subscription: every practice, every planner run and every worker share
 * it. Counting sends per practice, or sleeping in a function after a 429, would not keep all of them
 * under it together. Instead time is cut into fixed slots, aligned on the Unix epoch so every process
 * agrees on them without talking, and each slot carries at most one email. A slot is reserved when
 * the email is planned, and the queue message becomes visible at the slot's start.
 *
 * Why this slot length. With one send per slot and slots L seconds apart, a half-open span of S
 * seconds contains at most ceil(S / L) slot starts. L = max(ceil(60 / perMinute), ceil(3600 / perHour))
 * gives L >= 60 / perMinute, so ceil(60 / L) <= perMinute (perMinute is an integer), and likewise for
 * the hour: every rolling minute and every rolling hour stays within the quota, not only calendar ones.
 * At 30/min and 100/h that is a send every 36 s (exactly 100 per hour).
 *
 * Why buckets. An adapter stores the reservations of one UTC hour in one row: the bucket is the hour
 * in which a slot starts, counted from the epoch, and a slot's position is its rank inside that hour.
 * An hour holds at most ceil(3600 / L) <= perHour slots, so a row's bitset stays small (<= 450 bytes
 * even at one slot per second). The `Set<number>`s exchanged with the adapter (`taken`, `newlyTaken`,
 * the codec) always hold such positions, so a decoded row can be handed straight to `allocate`.
 *
 * If the limits change, L changes and so does the meaning of positions: an adapter must store L with
 * each row and treat a row written with another L as fully taken for the slots it overlaps (or as
 * empty once its hour has passed).
 */
import { DateTime } from 'luxon';
import { ReengageError } from './errors';
import type { QuotaLimits, SlotRequest } from './ports';

const HOUR_SECONDS = 3600;
/** How far past its earliest instant a request may be pushed before allocation gives up. */
export const DEFAULT_MAX_SEARCH_DAYS = 60;

export interface Allocation {
  /** One instant per request, in the order of the requests. */
  instants: Date[];
  /** Positions reserved by this allocation, by bucket: to be merged into the stored rows. */
  newlyTaken: Map<number, Set<number>>;
}

export interface AllocateOptions {
  maxSearchDays?: number;
}

/** Seconds between two consecutive send slots (see the file comment for why this bound holds). */
export function slotLengthFor(limits: QuotaLimits): number {
  const { perMinute, perHour } = limits;
  if (!Number.isInteger(perMinute) || perMinute < 1 || !Number.isInteger(perHour) || perHour < 1) {
    throw new RangeError(`quota limits must be positive integers, got ${perMinute}/min and ${perHour}/h`);
  }
  return Math.max(Math.ceil(60 / perMinute), Math.ceil(HOUR_SECONDS / perHour));
}

/** The first slot starting at or after `at`. */
export function slotIndexOf(at: Date, slotLength: number): number {
  checkSlotLength(slotLength);
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError('expected a valid Date');
  return Math.ceil(ms / (slotLength * 1000));
}

export function slotStart(index: number, slotLength: number): Date {
  checkSlotLength(slotLength);
  checkIndex(index, 'slot index');
  return new Date(index * slotLength * 1000);
}

/** The UTC hour (hours since the epoch) in which a slot starts. */
export function bucketOf(slotIndex: number, slotLength: number): number {
  checkSlotLength(slotLength);
  checkIndex(slotIndex, 'slot index');
  return Math.floor((slotIndex * slotLength) / HOUR_SECONDS);
}

/** The first slot starting in a bucket. */
export function firstSlotOf(bucket: number, slotLength: number): number {
  checkSlotLength(slotLength);
  checkIndex(bucket, 'bucket');
  return Math.ceil((bucket * HOUR_SECONDS) / slotLength);
}

/** How many slots start in a bucket (ceil or floor of 3600 / slotLength, depending on alignment). */
export function slotsInBucket(bucket: number, slotLength: number): number {
  return firstSlotOf(bucket + 1, slotLength) - firstSlotOf(bucket, slotLength);
}

/** A slot's rank inside its bucket: what the bitsets store. */
export function positionOf(slotIndex: number, slotLength: number): number {
  return slotIndex - firstSlotOf(bucketOf(slotIndex, slotLength), slotLength);
}

export function slotAt(bucket: number, position: number, slotLength: number): number {
  checkIndex(position, 'position');
  if (position >= slotsInBucket(bucket, slotLength)) {
    throw new RangeError(`bucket ${bucket} has no position ${position} with ${slotLength} s slots`);
  }
  return firstSlotOf(bucket, slotLength) + position;
}

export function bucketStart(bucket: number): Date {
  checkIndex(bucket, 'bucket');
  return new Date(bucket * HOUR_SECONDS * 1000);
}

/** A sortable UTC name for a bucket, `yyyyMMddHH`, usable in partition and row keys. */
export function bucketKey(bucket: number): string {
  return DateTime.fromMillis(bucketStart(bucket).getTime(), { zone: 'utc' }).toFormat('yyyyMMddHH');
}

/** Positions as a bit array (bit p of byte p >> 3, least significant first), base64. */
export function encodeTaken(positions: ReadonlySet<number>): string {
  let max = -1;
  for (const p of positions) {
    checkIndex(p, 'position');
    if (p > max) max = p;
  }
  const bytes = Buffer.alloc(max < 0 ? 0 : (max >> 3) + 1);
  for (const p of positions) bytes[p >> 3] = (bytes[p >> 3] ?? 0) | (1 << (p & 7));
  return bytes.toString('base64');
}

export function decodeTaken(encoded: string): Set<number> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new RangeError('taken slots are not base64');
  }
  const bytes = Buffer.from(encoded, 'base64');
  const positions = new Set<number>();
  bytes.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) positions.add(i * 8 + bit);
  });
  return positions;
}

/**
 * Gives each request the first slot at or after its earliest instant that is free and starts inside
 * its practice's window, never the same slot twice. Requests are served in order, so earlier ones get
 * earlier slots. `taken(bucket)` returns the positions already reserved in a bucket; it is called at
 * most once per bucket, only for buckets the search reaches. An adapter that has not loaded a bucket
 * may throw from it, load the bucket and call `allocate` again: nothing here has side effects.
 * Callers clamp `earliest` to now; a slot in the past would be handed out as readily as any other.
 * Throws ReengageError `throttled` (retryable) when a request finds no slot within `maxSearchDays`.
 */
export function allocate(
  requests: readonly SlotRequest[],
  taken: (bucket: number) => ReadonlySet<number>,
  slotLength: number,
  options: AllocateOptions = {},
): Allocation {
  checkSlotLength(slotLength);
  const maxSearchDays = options.maxSearchDays ?? DEFAULT_MAX_SEARCH_DAYS;
  if (!Number.isInteger(maxSearchDays) || maxSearchDays < 1) {
    throw new RangeError(`maxSearchDays must be a positive integer, got ${maxSearchDays}`);
  }
  const loaded = new Map<number, ReadonlySet<number>>();
  const newlyTaken = new Map<number, Set<number>>();

  const isFree = (index: number): boolean => {
    const bucket = bucketOf(index, slotLength);
    const position = positionOf(index, slotLength);
    let stored = loaded.get(bucket);
    if (stored === undefined) {
      stored = taken(bucket);
      loaded.set(bucket, stored);
    }
    return !stored.has(position) && !(newlyTaken.get(bucket)?.has(position) ?? false);
  };

  const take = (index: number): void => {
    const bucket = bucketOf(index, slotLength);
    let positions = newlyTaken.get(bucket);
    if (positions === undefined) {
      positions = new Set();
      newlyTaken.set(bucket, positions);
    }
    positions.add(positionOf(index, slotLength));
  };

  const instants = requests.map((request, n) => {
    const earliest = request.earliest.getTime();
    if (Number.isNaN(earliest)) throw new RangeError(`request ${n}: earliest is not a valid Date`);
    const lastIndex = slotIndexOf(new Date(earliest + maxSearchDays * 86_400_000), slotLength);
    let index = slotIndexOf(request.earliest, slotLength);
    // Every turn moves `index` forward by at least one slot, so the loop ends by `lastIndex`. The calendar
    // is asked first, so that nights and weekends are jumped over without loading their buckets; a run
    // of taken slots is then walked without asking it, and the free slot it ends on is asked about again.
    while (index <= lastIndex) {
      const start = slotStart(index, slotLength);
      const allowed = request.nextAllowed(start).getTime();
      if (allowed !== start.getTime()) {
        if (!(allowed > start.getTime())) {
          throw new RangeError(`request ${n}: nextAllowed went back in time from ${start.toISOString()}`);
        }
        index = slotIndexOf(new Date(allowed), slotLength);
        continue;
      }
      if (isFree(index)) {
        take(index);
        return start;
      }
      index += 1;
      while (index <= lastIndex && !isFree(index)) index += 1;
    }
    throw new ReengageError(
      'throttled',
      `no free send slot within ${maxSearchDays} days of ${request.earliest.toISOString()}`,
      true,
    );
  });

  return { instants, newlyTaken };
}

function checkSlotLength(slotLength: number): void {
  if (!Number.isInteger(slotLength) || slotLength < 1) {
    throw new RangeError(`slot length must be a positive integer number of seconds, got ${slotLength}`);
  }
}

function checkIndex(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  }
}
