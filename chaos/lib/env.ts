// One chaos run's environment: fresh tables and queues on an Azurite, the ACS stand-in behind the real
// AcsEmailSender, a simulated clock, and as many compositions ("hosts") over that storage as a run needs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueClient } from '@azure/storage-queue';
import { AcsEmailSender } from '../../functions/src/adapters/acs/AcsEmailSender';
import { prefixedStorageNames, type StorageNames } from '../../functions/src/adapters/storageClients';
import type { Deps } from '../../functions/src/app/deps';
import { type Composition, createComposition } from '../../functions/src/composition';
import { loadConfig } from '../../functions/src/config';
import { isReengageError } from '../../functions/src/core/errors';
import type { EmailSender } from '../../functions/src/core/ports';
import { ManualClock } from '../../scripts/lib/clock';
import { silentLogger } from '../../scripts/lib/harness';
import { type AcsFault, type AcsStandIn, startAcsStandIn } from '../../tests/support/acsStandIn';

/** How long the sender waits for ACS before giving up (a `delay` fault longer than this is a timeout). */
export const SEND_TIMEOUT_MS = 250;

export interface AcsChaos {
  seed: number;
  /** Share of ACS requests (sends and status reads) that meet a fault. */
  probability: number;
}

/** 429, 500, 503, a slow answer, and an answer so slow the client times out while ACS still takes the email. */
export const ACS_FAULTS: AcsFault[] = [
  { kind: 'throttle', retryAfter: 30 },
  { kind: 'error', status: 500 },
  { kind: 'error', status: 503 },
  { kind: 'delay', delayInMs: 60 },
  { kind: 'delay', delayInMs: SEND_TIMEOUT_MS + 150 },
];

export interface EnvOptions {
  connectionString: string;
  start: string;
  acsChaos?: AcsChaos | null;
  /** The sender's request timeout; scenarios that script their own delays use a roomier one. */
  sendTimeoutMs?: number;
}

/** What the transport side saw, counted by a wrapper around the real sender (never in production code). */
export interface SenderCounts {
  sendTimeouts: number;
  sendErrors: number;
  statusErrors: number;
}

export class ChaosEnv {
  readonly clock: ManualClock;
  /** When each failed outreach-send message may be tried again: one queue, whichever host picks it up. */
  readonly retryAt = new Map<string, number>();
  readonly names: StorageNames;
  readonly compositions: Composition[] = [];
  readonly senderCounts: SenderCounts = { sendTimeouts: 0, sendErrors: 0, statusErrors: 0 };
  private readonly outbox = mkdtempSync(path.join(tmpdir(), 'reengage-chaos-'));

  private constructor(
    private readonly connectionString: string,
    readonly acs: AcsStandIn,
    start: string,
    private readonly sendTimeoutMs: number,
  ) {
    this.clock = new ManualClock(start);
    this.names = prefixedStorageNames(`c${randomBytes(5).toString('hex')}`);
  }

  static async create(options: EnvOptions): Promise<ChaosEnv> {
    const acs = await startAcsStandIn(
      options.acsChaos
        ? {
            randomFaults: {
              seed: options.acsChaos.seed,
              probability: options.acsChaos.probability,
              faults: ACS_FAULTS,
              on: 'any',
            },
          }
        : {},
    );
    const env = new ChaosEnv(
      options.connectionString,
      acs,
      options.start,
      options.sendTimeoutMs ?? SEND_TIMEOUT_MS,
    );
    await env.addHost().ready();
    return env;
  }

  /** The first host's deps, never faulty: what seeding, the final drain and the checks use. */
  get deps(): Deps {
    return this.host(0).deps;
  }

  host(index: number): Composition {
    const found = this.compositions[index];
    if (!found) throw new RangeError(`no host ${index}`);
    return found;
  }

  get queue(): QueueClient {
    return this.host(0).storage.queues.outreachSend;
  }

  get poisonQueue(): QueueClient {
    return this.host(0).storage.poisonQueues.outreachSend;
  }

  /** Another Function App instance over the same storage, clock and ACS: its own SDK clients and caches. */
  addHost(): Composition {
    const config = loadConfig({
      ReengageStorage: this.connectionString,
      EMAIL_TRANSPORT: 'outbox',
      OUTBOX_DIR: this.outbox,
      PUBLIC_BASE_URL: 'https://reengage.example',
      LINK_SIGNING_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    });
    const composition = createComposition(config, {
      clock: this.clock,
      names: this.names,
      sender: this.countingSender(
        new AcsEmailSender({ connectionString: this.acs.connectionString, timeoutInMs: this.sendTimeoutMs }),
      ),
      logger: silentLogger,
      // Visibility delays are collapsed; the host emulation moves the clock to each message's time instead.
      scheduler: { maxVisibilityDelayInSeconds: 0 },
    });
    this.compositions.push(composition);
    return composition;
  }

  /** Messages the hosts of this run are handling right now (see QueueHostOptions.inFlight). */
  readonly inFlight = { handlers: 0 };

  /**
   * No request to the stand-in is still being answered. Before the simulated clock skips minutes, this is
   * what those minutes would have let happen in real time, such as ACS taking an email whose sender gave up.
   */
  acsQuiet(): boolean {
    return !this.acs.requests.some((r) => r.status === 0);
  }

  async settleAcs(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!this.acsQuiet() && Date.now() < deadline) await sleep(5);
  }

  async dispose(): Promise<void> {
    await this.host(0)
      .storage.deleteStorage()
      .catch(() => undefined);
    await this.acs.close();
    rmSync(this.outbox, { recursive: true, force: true });
  }

  private countingSender(real: EmailSender): EmailSender {
    const counts = this.senderCounts;
    return {
      async send(email, operationId) {
        try {
          return await real.send(email, operationId);
        } catch (error) {
          if (isReengageError(error) && /timed out/.test(error.message)) counts.sendTimeouts++;
          else counts.sendErrors++;
          throw error;
        }
      },
      async getStatus(operationId) {
        try {
          return await real.getStatus(operationId);
        } catch (error) {
          counts.statusErrors++;
          throw error;
        }
      },
    };
  }
}
