// Crash injection at the ports: a proxy around each port object of Deps makes one chosen call end the
// simulated process, before the call reaches storage or after it did, with no branch in production code.
import type { Deps } from '../../functions/src/app/deps';

/** What a dying process leaves behind: thrown by the faulty ports, never caught as a business error. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor(
    /** `port.method:before|after`, or `dead` for calls a process made after it had already died. */
    readonly point: string,
  ) {
    super(`simulated crash at ${point}`);
  }
}

export function isSimulatedCrash(error: unknown): error is SimulatedCrash {
  return error instanceof SimulatedCrash;
}

export type CrashWhen = 'before' | 'after';

/** Decides, for the nth call a process makes (1-based), whether it dies there. */
export type CrashPlan =
  | { kind: 'none' }
  /** Dies at the nth call (1-based): before it reaches the port, or once it has completed. */
  | { kind: 'atCall'; call: number; when: CrashWhen }
  /** Seeded: each call dies with `probability`, before or after it with equal odds. */
  | { kind: 'random'; probability: number; random: () => number };

/** The ports a crash can hit: every object of Deps that talks to storage, the queue, ACS or templates. */
export const PORTS = [
  'practices',
  'patients',
  'appointments',
  'ledger',
  'dueIndex',
  'inboundEvents',
  'messageIndex',
  'feedback',
  'suppressions',
  'slots',
  'scheduler',
  'sender',
  'renderer',
  'emailEventsPoison',
] as const satisfies readonly (keyof Deps)[];

/**
 * One simulated worker process. Its calls are counted; once it has died every further call throws too
 * (a dead process writes nothing more), and calls already in flight finish as real requests would.
 */
export class SimulatedProcess {
  calls = 0;
  crash: SimulatedCrash | null = null;
  /** `port.method` of every call, in order: what a systematic sweep enumerates. */
  readonly trace: string[] = [];

  constructor(private readonly plan: CrashPlan = { kind: 'none' }) {}

  /** Whether its plan may kill it at all. */
  get mayCrash(): boolean {
    return this.plan.kind !== 'none';
  }

  get dead(): boolean {
    return this.crash !== null;
  }

  /** Called before a port call; returns whether to die once the call has completed. */
  enter(point: string): boolean {
    if (this.crash) throw new SimulatedCrash('dead');
    this.calls++;
    this.trace.push(point);
    const when = this.decide();
    if (when === 'before') this.die(`${point}:before`);
    return when === 'after';
  }

  die(point: string): never {
    this.crash ??= new SimulatedCrash(point);
    throw this.crash;
  }

  private decide(): CrashWhen | null {
    switch (this.plan.kind) {
      case 'none':
        return null;
      case 'atCall':
        return this.calls === this.plan.call ? this.plan.when : null;
      case 'random':
        if (this.plan.random() >= this.plan.probability) return null;
        return this.plan.random() < 0.5 ? 'before' : 'after';
    }
  }
}

/** The same deps, every port wrapped so that `process` may die at any of its calls. */
export function faultyDeps(deps: Deps, process: SimulatedProcess): Deps {
  const wrapped: Deps = { ...deps };
  for (const name of PORTS) {
    (wrapped as unknown as Record<string, unknown>)[name] = wrapPort(name, deps[name], process);
  }
  return wrapped;
}

function wrapPort<T extends object>(name: string, port: T, process: SimulatedProcess): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const point = `${name}.${property}`;
      return (...args: unknown[]) => {
        let dieAfter: boolean;
        try {
          dieAfter = process.enter(point);
        } catch (crash) {
          // Failing the way the port fails: a rejected promise, or a listing whose first page fails.
          return isAsyncGeneratorFunction(value) ? failingIterable(crash) : Promise.reject(crash);
        }
        const result: unknown = value.apply(target, args);
        if (isPromiseLike(result)) {
          return result.then(
            (resolved) => {
              if (dieAfter) process.die(`${point}:after`);
              return resolved;
            },
            (error: unknown) => {
              if (dieAfter) process.die(`${point}:after`);
              throw error;
            },
          );
        }
        if (isAsyncIterable(result)) return crashingIterable(result, point, dieAfter, process);
        if (dieAfter) process.die(`${point}:after`);
        return result;
      };
    },
  });
}

/**
 * A listing counts as one call, made when its first page is fetched; the process can also die between
 * two items (it then never asks for the next page).
 */
async function* crashingIterable<T>(
  source: AsyncIterable<T>,
  point: string,
  dieAfterFirstPage: boolean,
  process: SimulatedProcess,
): AsyncIterable<T> {
  let first = true;
  for await (const item of source) {
    if (first && dieAfterFirstPage) process.die(`${point}:after`);
    first = false;
    if (process.dead) throw new SimulatedCrash('dead');
    yield item;
  }
  if (first && dieAfterFirstPage) process.die(`${point}:after`);
}

// biome-ignore lint/correctness/useYield: a listing that fails before its first item
async function* failingIterable(error: unknown): AsyncIterable<never> {
  throw error;
}

function isAsyncGeneratorFunction(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object AsyncGeneratorFunction]';
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}
