// Builds the adapters once per process from the settings; function files take what they need from here.
import type { InvocationContext } from '@azure/functions';
import { DefaultAzureCredential } from '@azure/identity';
import { AcsEmailSender } from './adapters/acs/AcsEmailSender';
import { LiquidTemplateRenderer } from './adapters/liquid/LiquidTemplateRenderer';
import { OutboxEmailSender } from './adapters/outbox/OutboxEmailSender';
import { QueueSendScheduler, type QueueSendSchedulerOptions } from './adapters/queues/QueueSendScheduler';
import { StorageQueuePoisonQueue } from './adapters/queues/StorageQueuePoisonQueue';
import { createStorageClients, type StorageClients, type StorageNames } from './adapters/storageClients';
import { TableAppointmentStore } from './adapters/tables/TableAppointmentStore';
import { TableDueIndex } from './adapters/tables/TableDueIndex';
import { TableFeedbackStore } from './adapters/tables/TableFeedbackStore';
import { TableInboundEventStore } from './adapters/tables/TableInboundEventStore';
import { TableMessageIndex } from './adapters/tables/TableMessageIndex';
import { TableOutreachLedger } from './adapters/tables/TableOutreachLedger';
import { TablePatientStore } from './adapters/tables/TablePatientStore';
import { TablePracticeStore } from './adapters/tables/TablePracticeStore';
import { TableSendSlotStore } from './adapters/tables/TableSendSlotStore';
import { TableSuppressionStore } from './adapters/tables/TableSuppressionStore';
import { HttpAcuityApi } from './adapters/webhooks/HttpAcuityApi';
import type { Deps } from './app/deps';
import { appConfig, type Config } from './config';
import type { Clock, EmailSender, Logger } from './core/ports';

export const systemClock: Clock = { now: () => new Date() };

/** Structured console logs (the Functions host collects them); properties are ids and hashes only. */
export const consoleLogger: Logger = {
  info: (message, properties) => console.info(JSON.stringify({ level: 'info', message, ...properties })),
  warn: (message, properties) => console.warn(JSON.stringify({ level: 'warn', message, ...properties })),
  error: (message, properties) => console.error(JSON.stringify({ level: 'error', message, ...properties })),
};

export interface Composition {
  deps: Deps;
  storage: StorageClients;
  /** Creates missing tables and queues; memoized, cheap after the first call. */
  ready(): Promise<Deps>;
}

export interface CompositionOptions {
  clock?: Clock;
  names?: StorageNames;
  sender?: EmailSender;
  logger?: Logger;
  scheduler?: QueueSendSchedulerOptions;
  templatesDirectory?: string;
}

export function createComposition(config: Config, options: CompositionOptions = {}): Composition {
  const clock = options.clock ?? systemClock;
  const storage = createStorageClients(config.storage, options.names);
  const { tables, queues } = storage;
  const deps: Deps = {
    clock,
    log: options.logger ?? consoleLogger,
    practices: new TablePracticeStore(tables.practices, tables.therapists),
    patients: new TablePatientStore(tables.patients),
    appointments: new TableAppointmentStore(tables.appointments),
    ledger: new TableOutreachLedger(tables.outreach),
    dueIndex: new TableDueIndex(tables.dueIndex),
    inboundEvents: new TableInboundEventStore(tables.inboundEvents),
    messageIndex: new TableMessageIndex(tables.messageIndex),
    feedback: new TableFeedbackStore(tables.feedback),
    suppressions: new TableSuppressionStore(tables.suppressions),
    slots: new TableSendSlotStore(tables.sendSlots),
    scheduler: new QueueSendScheduler(queues.outreachSend, clock, options.scheduler),
    sender: options.sender ?? createEmailSender(config, clock),
    renderer: new LiquidTemplateRenderer(options.templatesDirectory),
    quota: config.quota,
    links: { publicBaseUrl: config.publicBaseUrl, keys: config.linkSigningKeys },
    emailEventsPoison: new StorageQueuePoisonQueue(storage.poisonQueues.emailEvents),
    retentionDays: config.retentionDays,
    acuity: new HttpAcuityApi({ baseUrl: config.acuityApiBaseUrl }),
  };
  return { deps, storage, ready: () => storage.ensureStorage().then(() => deps) };
}

function createEmailSender(config: Config, clock: Clock): EmailSender {
  const email = config.email;
  if (email.kind === 'outbox') return new OutboxEmailSender(email.directory, clock);
  if (email.connectionString)
    return new AcsEmailSender({ endpoint: email.endpoint, connectionString: email.connectionString });
  const clientId = config.storage.kind === 'identity' ? config.storage.clientId : null;
  return new AcsEmailSender({
    endpoint: email.endpoint,
    credential: new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
  });
}

let processComposition: Composition | undefined;

/** The process-wide composition, built on first use from the app settings. */
export function composition(): Composition {
  processComposition ??= createComposition(appConfig());
  return processComposition;
}

/** Routes the use cases' structured logs through the invocation, so they correlate in Application Insights. */
export function invocationLogger(context: InvocationContext): Logger {
  return {
    info: (message, properties) => context.info(message, properties ?? {}),
    warn: (message, properties) => context.warn(message, properties ?? {}),
    error: (message, properties) => context.error(message, properties ?? {}),
  };
}

/** The deps of one invocation: the process-wide adapters with the invocation's logger. */
export async function depsFor(context: InvocationContext, base: Composition = composition()): Promise<Deps> {
  const deps = await base.ready();
  return { ...deps, log: invocationLogger(context) };
}
