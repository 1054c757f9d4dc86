// forEachConcurrently: bounded, lazy over paged sources, and the first failure wins.
import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../functions/src/app/concurrency';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('forEachConcurrently', () => {
  it('works every item of an array once, never more than the limit at a time', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently(
      Array.from({ length: 50 }, (_, k) => k),
      4,
      async (k) => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        seen.push(k);
        running--;
      },
    );
    expect(peak).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, k) => k));
  });

  it('pulls from an async source only as fast as work completes', async () => {
    let pulled = 0;
    let finished = 0;
    let aheadAtMost = 0;
    async function* pages() {
      for (let k = 0; k < 30; k++) {
        pulled++;
        aheadAtMost = Math.max(aheadAtMost, pulled - finished);
        yield k;
      }
    }
    await forEachConcurrently(pages(), 3, async () => {
      await tick();
      finished++;
    });
    expect(finished).toBe(30);
    expect(aheadAtMost).toBeLessThanOrEqual(3);
  });

  it('rethrows the first failure after the work in flight ends, starts nothing new, and closes the source', async () => {
    let closed = false;
    let started = 0;
    let settled = 0;
    async function* source() {
      try {
        for (let k = 0; k < 100; k++) yield k;
      } finally {
        closed = true;
      }
    }
    const run = forEachConcurrently(source(), 5, async (k) => {
      started++;
      await tick();
      settled++;
      if (k === 7) throw new Error('entry 7 failed');
      if (k === 8) throw new Error('entry 8 failed');
    });
    await expect(run).rejects.toThrow('entry 7 failed');
    expect(settled).toBe(started);
    expect(started).toBeLessThan(20);
    expect(closed).toBe(true);
  });

  it('rethrows a failure of the source itself', async () => {
    async function* broken() {
      yield 1;
      throw new Error('page 2 unavailable');
    }
    const worked: number[] = [];
    await expect(
      forEachConcurrently(broken(), 2, async (k) => {
        worked.push(k);
      }),
    ).rejects.toThrow('page 2 unavailable');
    expect(worked).toEqual([1]);
  });

  it('handles an empty source', async () => {
    let calls = 0;
    await forEachConcurrently([], 8, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
