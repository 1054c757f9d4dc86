// Group commit for send-slot reservations: concurrent planner work reserves its slots together.
import type { QuotaLimits, SendSlotStore, SlotRequest } from '../core/ports';

interface Waiting {
  requests: SlotRequest[];
  limits: QuotaLimits;
  resolve: (instants: Date[]) => void;
  reject: (error: unknown) => void;
}

/**
 * While one `reserveSlots` call is on the wire, the reservations that arrive wait and then go together in
 * the next call. Every planned email takes a slot in the same few hour rows, so with many entries in
 * flight one read and one conditional write of a row serve a whole group instead of one email each, and
 * the work of one planner run never races itself for a row. Each caller still gets its own instants, in
 * its own order. One instance per planner run.
 */
export class CoalescingSlotStore implements SendSlotStore {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly inner: SendSlotStore) {}

  reserveSlots(requests: SlotRequest[], limits: QuotaLimits): Promise<Date[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ requests, limits, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      for (let first = this.waiting[0]; first; first = this.waiting[0]) {
        // Only reservations under the same limits share a slot grid, hence a call.
        const batch = this.waiting.filter((w) => sameLimits(w.limits, first.limits));
        this.waiting = this.waiting.filter((w) => !batch.includes(w));
        const requests = batch.flatMap((w) => w.requests);
        try {
          const instants = await this.inner.reserveSlots(requests, first.limits);
          let offset = 0;
          for (const w of batch) {
            w.resolve(instants.slice(offset, offset + w.requests.length));
            offset += w.requests.length;
          }
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

function sameLimits(a: QuotaLimits, b: QuotaLimits): boolean {
  return a.perMinute === b.perMinute && a.perHour === b.perHour;
}
