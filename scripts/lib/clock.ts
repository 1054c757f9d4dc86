// A clock the demo, tests and benchmarks set by hand ("on 2027-01-05 at 05:00 UTC").
import type { Clock } from '../../functions/src/core/ports';

export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  /** Moves forward only: a clock that goes back would make "since planned" checks lie. */
  advanceTo(at: Date | string): void {
    this.current = Math.max(this.current, new Date(at).getTime());
  }

  advanceBy(ms: number): void {
    this.current += ms;
  }
}
