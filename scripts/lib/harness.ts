// Runs the real app (handlers, use cases, adapters) against a given Azurite: for flow tests, the demo and benchmarks.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @azure/functions is a CommonJS bundle whose names ESM cannot see: take them from the default export.
import azureFunctions, { type HttpResponseInit } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';

const { HttpRequest } = azureFunctions;

import { prefixedStorageNames, type StorageNames } from '../../functions/src/adapters/storageClients';
import {
  planLapsedOutreach,
  planMilestoneOutreach,
  planSeasonalOutreach,
} from '../../functions/src/app/planOutreach';
import { type Composition, createComposition } from '../../functions/src/composition';
import { loadConfig } from '../../functions/src/config';
import type { Practice, Therapist } from '../../functions/src/core/model';
import type { EmailSender, Logger } from '../../functions/src/core/ports';
import { signGeneric } from '../../functions/src/core/signature';
import { handleBookingWebhook } from '../../functions/src/functions/bookingWebhook';
import { ManualClock } from './clock';
import { type DrainOptions, drainOutreachQueue } from './drain';

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export interface HarnessOptions {
  connectionString: string;
  start: string;
  /** Defaults to a fresh random prefix, so runs never see each other's rows. */
  names?: StorageNames;
  sender?: EmailSender;
  outboxDirectory?: string;
  logger?: Logger;
  publicBaseUrl?: string;
}

export class Harness {
  readonly clock: ManualClock;
  readonly composition: Composition;
  readonly outboxDirectory: string;
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  private readonly connectionString: string;
  private readonly ownsOutbox: boolean;

  constructor(options: HarnessOptions) {
    this.clock = new ManualClock(options.start);
    this.connectionString = options.connectionString;
    this.ownsOutbox = !options.outboxDirectory;
    this.outboxDirectory = options.outboxDirectory ?? mkdtempSync(path.join(tmpdir(), 'reengage-outbox-'));
    const config = loadConfig({
      ReengageStorage: options.connectionString,
      EMAIL_TRANSPORT: 'outbox',
      OUTBOX_DIR: this.outboxDirectory,
      PUBLIC_BASE_URL: options.publicBaseUrl ?? 'https://reengage.example',
      LINK_SIGNING_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    });
    this.composition = createComposition(config, {
      clock: this.clock,
      names: options.names ?? prefixedStorageNames(`r${randomBytes(5).toString('hex')}`),
      sender: options.sender,
      logger: options.logger ?? silentLogger,
      // Delays are collapsed so the drain can run at once; the clock jumps to each message's time instead.
      scheduler: { maxVisibilityDelayInSeconds: 0 },
    });
  }

  get deps() {
    return this.composition.deps;
  }

  async ready(): Promise<this> {
    await this.composition.ready();
    return this;
  }

  async addPractice(practice: Practice, therapists: Therapist[]): Promise<void> {
    await this.deps.practices.upsertPractice(practice);
    for (const therapist of therapists) await this.deps.practices.upsertTherapist(therapist);
    await this.deps.practices.upsertSecrets({
      practiceId: practice.id,
      webhooks: { generic: { current: this.webhookSecret, previous: null, rotatedAt: null } },
      apiKeyHashes: [],
    });
  }

  /** Signs and posts a generic booking event through the real HTTP handler, as a booking tool would. */
  postEvent(
    practiceId: string,
    event: unknown,
    options: { secret?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResponseInit> {
    const raw = typeof event === 'string' ? event : JSON.stringify(event);
    const t = Math.floor(this.clock.now().getTime() / 1000);
    const signature = `t=${t},v1=${signGeneric(options.secret ?? this.webhookSecret, t, raw)}`;
    return handleBookingWebhook(
      this.deps,
      new HttpRequest({
        method: 'POST',
        url: `https://reengage.example/api/webhooks/generic/${practiceId}`,
        headers: { 'content-type': 'application/json', 'reengage-signature': signature, ...options.headers },
        params: { source: 'generic', practiceId },
        body: { string: raw },
      }),
    );
  }

  async plan(): Promise<void> {
    await planMilestoneOutreach(this.deps);
    await planLapsedOutreach(this.deps);
    await planSeasonalOutreach(this.deps);
  }

  drain(options: DrainOptions = {}) {
    const queue = this.composition.storage.queues.outreachSend;
    const poison = QueueServiceClient.fromConnectionString(this.connectionString).getQueueClient(
      `${this.composition.storage.names.queues.outreachSend}-poison`,
    );
    return drainOutreachQueue(this.deps, queue, poison, this.clock, options);
  }

  async dispose(): Promise<void> {
    await this.composition.storage.deleteStorage();
    if (this.ownsOutbox) rmSync(this.outboxDirectory, { recursive: true, force: true });
  }
}
