// SendSlots table: the ACS send slots reserved by every planner, one row per UTC hour.
//
// PK `${slotLength}s-${yyyyMMdd}` (UTC day), RK the hour `HH`; the row holds the bitset of taken
// positions (core/quota.ts). Rows are written with ETags, so two planners that pick the same slot
// cannot both keep it: the loser reloads the bucket and allocates again.
//
// Slot length is part of the partition key, so after a change of ACS limits the rows written under
// the old length are not consulted: sends already reserved for the next hours can then share a minute
// with new ones. A 429 in that window is handled by the sender (re-queued after Retry-After).
import type { TableClient } from '@azure/data-tables';
import { isReengageError, ReengageError } from '../../core/errors';
import type { QuotaLimits, SendSlotStore, SlotRequest } from '../../core/ports';
import {
  type AllocateOptions,
  allocate,
  bucketKey,
  bucketOf,
  decodeTaken,
  encodeTaken,
  slotIndexOf,
  slotLengthFor,
  slotsInBucket,
} from '../../core/quota';
import { EntityReader, toEntity } from './entityCodec';
import { TableOperations } from './TableOperations';

export interface TableSendSlotStoreOptions extends AllocateOptions {
  /** Rounds of load → allocate → write before giving up under contention. */
  maxAttempts?: number;
}

interface Bucket {
  /** Positions as stored (everyone's reservations, ours included). */
  stored: Set<number>;
  /** null while the row does not exist. */
  etag: string | null;
  /** Positions this call has already written into the row. */
  ours: Set<number>;
}

/** Thrown by the `taken` callback for a bucket not loaded yet; allocation is pure, so it simply reruns. */
class BucketNotLoaded extends Error {
  constructor(readonly bucket: number) {
    super(`bucket ${bucket} is not loaded`);
  }
}

export class TableSendSlotStore implements SendSlotStore {
  private readonly slots: TableOperations;
  private readonly maxAttempts: number;
  /**
   * Buckets seen full, by `slotLength:bucket`. A full bucket only ever gains a free slot when a failed
   * reservation gives its slots back, which is rare and harmless to miss (a slot left unused, never one
   * used twice), so a planner run does not re-read every full hour for each email it plans.
   */
  private readonly knownFull = new Set<string>();

  constructor(
    sendSlotsTable: TableClient,
    private readonly options: TableSendSlotStoreOptions = {},
  ) {
    this.slots = new TableOperations(sendSlotsTable);
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  async reserveSlots(requests: SlotRequest[], limits: QuotaLimits): Promise<Date[]> {
    if (requests.length === 0) return [];
    const slotLength = slotLengthFor(limits);
    const buckets = new Map<number, Bucket>();
    const load = async (bucket: number) => {
      const previous = buckets.get(bucket);
      // A bucket holding this call's own reservations is always read: they may be why it looks full.
      const loaded = await this.loadBucket(bucket, slotLength, !previous?.ours.size);
      buckets.set(bucket, { ...loaded, ours: previous?.ours ?? new Set() });
    };
    // Most requests land in the bucket of their earliest instant: fetch those together up front.
    const firstBuckets = new Set(
      requests.map((r) => bucketOf(slotIndexOf(r.earliest, slotLength), slotLength)),
    );
    await Promise.all([...firstBuckets].map(load));

    try {
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        const allocation = await this.allocateLoading(requests, slotLength, buckets, load);
        const stale = await this.write(allocation.newlyTaken, slotLength, buckets);
        if (stale.length === 0) return allocation.instants;
        await Promise.all(stale.map(load));
        // Spread the retries of planners that keep colliding on the same rows.
        await delay(Math.floor(Math.random() * 25 * attempt));
      }
    } catch (error) {
      await this.release(slotLength, buckets);
      throw error;
    }
    await this.release(slotLength, buckets);
    throw new ReengageError(
      'conflict',
      `${this.slots.table}: send slots still contended after ${this.maxAttempts} attempts`,
      true,
    );
  }

  private async allocateLoading(
    requests: SlotRequest[],
    slotLength: number,
    buckets: Map<number, Bucket>,
    load: (bucket: number) => Promise<void>,
  ) {
    while (true) {
      try {
        return allocate(
          requests,
          (bucket) => {
            const state = buckets.get(bucket);
            if (!state) throw new BucketNotLoaded(bucket);
            // What this call wrote earlier is free for it to take again.
            return difference(state.stored, state.ours);
          },
          slotLength,
          this.options,
        );
      } catch (error) {
        if (!(error instanceof BucketNotLoaded)) throw error;
        await load(error.bucket);
      }
    }
  }

  /**
   * Brings every touched row to (others' reservations ∪ this allocation). Returns the buckets whose
   * write lost a race (409 on insert, 412 on update) and must be reloaded.
   */
  private async write(
    newlyTaken: Map<number, Set<number>>,
    slotLength: number,
    buckets: Map<number, Bucket>,
  ) {
    const touched = new Set([
      ...newlyTaken.keys(),
      ...[...buckets].filter(([, b]) => b.ours.size > 0).map(([k]) => k),
    ]);
    const stale: number[] = [];
    // allSettled: every write has landed or failed before a failure is reported, so that `release`
    // works from the true state of each row.
    const results = await Promise.allSettled(
      [...touched].map(async (bucket) => {
        const state = buckets.get(bucket);
        if (!state) throw new TypeError(`bucket ${bucket} was allocated without being loaded`);
        const wanted = newlyTaken.get(bucket) ?? new Set<number>();
        const target = union(difference(state.stored, state.ours), wanted);
        if (sameSet(target, state.stored)) {
          state.ours = wanted;
          return;
        }
        try {
          state.etag = await this.writeBucket(bucket, slotLength, target, state.etag);
          state.stored = target;
          state.ours = wanted;
        } catch (error) {
          if (isReengageError(error, 'conflict') || isReengageError(error, 'precondition_failed')) {
            stale.push(bucket);
            return;
          }
          throw error;
        }
      }),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return stale;
  }

  /** Best effort: gives back what this call wrote before it gave up, so those slots are not wasted. */
  private async release(slotLength: number, buckets: Map<number, Bucket>): Promise<void> {
    await Promise.allSettled(
      [...buckets]
        .filter(([, state]) => state.ours.size > 0 && state.etag !== null)
        .map(([bucket, state]) =>
          this.writeBucket(bucket, slotLength, difference(state.stored, state.ours), state.etag),
        ),
    );
  }

  private keysOf(bucket: number, slotLength: number) {
    const key = bucketKey(bucket); // yyyyMMddHH, UTC
    return { partitionKey: `${slotLength}s-${key.slice(0, 8)}`, rowKey: key.slice(8) };
  }

  private async loadBucket(
    bucket: number,
    slotLength: number,
    useCache: boolean,
  ): Promise<Omit<Bucket, 'ours'>> {
    const size = slotsInBucket(bucket, slotLength);
    if (useCache && this.knownFull.has(`${slotLength}:${bucket}`)) {
      // Never written (nothing is free to allocate in it), so the ETag is never used.
      return { stored: new Set(Array.from({ length: size }, (_, position) => position)), etag: 'known-full' };
    }
    const loaded = await this.readBucket(bucket, slotLength);
    if (loaded.stored.size >= size) this.knownFull.add(`${slotLength}:${bucket}`);
    return loaded;
  }

  private async readBucket(bucket: number, slotLength: number): Promise<Omit<Bucket, 'ours'>> {
    const { partitionKey, rowKey } = this.keysOf(bucket, slotLength);
    const row = await this.slots.get(partitionKey, rowKey);
    if (!row) return { stored: new Set(), etag: null };
    const r = new EntityReader(row.entity, this.slots.table);
    if (r.number('slotLength') !== slotLength || r.number('bucket') !== bucket) {
      throw new TypeError(
        `${this.slots.table}: row ${partitionKey}/${rowKey} does not describe bucket ${bucket}`,
      );
    }
    return { stored: decodeTaken(r.string('taken')), etag: row.etag };
  }

  private async writeBucket(
    bucket: number,
    slotLength: number,
    taken: Set<number>,
    etag: string | null,
  ): Promise<string> {
    const { partitionKey, rowKey } = this.keysOf(bucket, slotLength);
    const entity = toEntity(this.slots.table, partitionKey, rowKey, {
      slotLength,
      bucket,
      taken: encodeTaken(taken),
    });
    return etag === null ? this.slots.create(entity) : this.slots.replace(entity, etag);
  }
}

function difference(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const result = new Set(a);
  for (const value of b) result.delete(value);
  return result;
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const result = new Set(a);
  for (const value of b) result.add(value);
  return result;
}

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  if (a.size !== b.size) return false;
  for (const value of a) if (!b.has(value)) return false;
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
