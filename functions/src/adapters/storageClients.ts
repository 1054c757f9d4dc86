// Builds the Table and Queue SDK clients for the `ReengageStorage` connection, and creates the tables and queues.
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { StorageConnection } from '../config';
import { isRestError } from './tables/storageErrors';

export type TableRole =
  | 'practices'
  | 'therapists'
  | 'patients'
  | 'appointments'
  | 'outreach'
  | 'suppressions'
  | 'feedback'
  | 'inboundEvents'
  | 'dueIndex'
  | 'messageIndex'
  | 'sendSlots';

export type QueueRole = 'outreachSend' | 'emailEvents';

export interface StorageNames {
  tables: Record<TableRole, string>;
  queues: Record<QueueRole, string>;
}

export interface StorageClients {
  names: StorageNames;
  tables: Record<TableRole, TableClient>;
  queues: Record<QueueRole, QueueClient>;
  /**
   * Each queue's `<name>-poison` twin, where the host moves a message after maxDequeueCount and where
   * processEmailEvents puts malformed reports itself.
   */
  poisonQueues: Record<QueueRole, QueueClient>;
  /** Creates every table and queue that is missing. Idempotent; runs once per clients object unless it fails. */
  ensureStorage(): Promise<void>;
  /** Deletes every table and queue (tests and throwaway environments only). */
  deleteStorage(): Promise<void>;
}

/** The names fixed by the SPEC (§3, §4). The queue trigger bindings use the same queue names. */
export function defaultStorageNames(): StorageNames {
  return {
    tables: {
      practices: 'Practices',
      therapists: 'Therapists',
      patients: 'Patients',
      appointments: 'Appointments',
      outreach: 'Outreach',
      suppressions: 'Suppressions',
      feedback: 'Feedback',
      inboundEvents: 'InboundEvents',
      dueIndex: 'DueIndex',
      messageIndex: 'MessageIndex',
      sendSlots: 'SendSlots',
    },
    queues: { outreachSend: 'outreach-send', emailEvents: 'email-events' },
  };
}

/**
 * Isolated names for one test file or environment. Table names must be alphanumeric (3-63, starting
 * with a letter) and queue names lowercase letters, digits and single hyphens (3-63).
 */
export function prefixedStorageNames(prefix: string): StorageNames {
  if (!/^[A-Za-z][A-Za-z0-9]{0,30}$/.test(prefix)) {
    throw new RangeError('the storage name prefix must be a letter followed by at most 30 letters or digits');
  }
  const base = defaultStorageNames();
  const mapValues = <K extends string>(record: Record<K, string>, rename: (name: string) => string) =>
    Object.fromEntries(Object.entries<string>(record).map(([role, name]) => [role, rename(name)])) as Record<
      K,
      string
    >;
  return {
    tables: mapValues(base.tables, (name) => `${prefix}${name}`),
    queues: mapValues(base.queues, (name) => `${prefix.toLowerCase()}-${name}`),
  };
}

// The emulator's published account and key (the same for every Azurite install).
const DEVELOPMENT_ACCOUNT = 'devstoreaccount1';
const DEVELOPMENT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * `UseDevelopmentStorage=true` names Azurite on its default ports; the SDKs disagree on how far they
 * expand it (the Tables SDK knows only the table endpoint), so both get the explicit form.
 */
export function expandDevelopmentStorage(connectionString: string): string {
  if (!/^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connectionString)) return connectionString;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEVELOPMENT_ACCOUNT}`,
    `AccountKey=${DEVELOPMENT_KEY}`,
    `BlobEndpoint=http://127.0.0.1:10000/${DEVELOPMENT_ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:10001/${DEVELOPMENT_ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:10002/${DEVELOPMENT_ACCOUNT}`,
  ].join(';');
}

export function createStorageClients(
  connection: StorageConnection,
  names: StorageNames = defaultStorageNames(),
): StorageClients {
  const tables = {} as Record<TableRole, TableClient>;
  const queues = {} as Record<QueueRole, QueueClient>;
  const poisonQueues = {} as Record<QueueRole, QueueClient>;

  if (connection.kind === 'connectionString') {
    const connectionString = expandDevelopmentStorage(connection.connectionString);
    const tableOptions = { allowInsecureConnection: usesPlainHttp(connectionString, 'TableEndpoint') };
    for (const [role, name] of entries(names.tables)) {
      tables[role] = TableClient.fromConnectionString(connectionString, name, tableOptions);
    }
    const queueService = QueueServiceClient.fromConnectionString(connectionString);
    for (const [role, name] of entries(names.queues)) {
      queues[role] = queueService.getQueueClient(name);
      poisonQueues[role] = queueService.getQueueClient(`${name}-poison`);
    }
  } else {
    const credential = new DefaultAzureCredential(
      connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
    );
    const tableOptions = { allowInsecureConnection: connection.tableServiceUri.startsWith('http:') };
    for (const [role, name] of entries(names.tables)) {
      tables[role] = new TableClient(connection.tableServiceUri, name, credential, tableOptions);
    }
    const queueService = new QueueServiceClient(connection.queueServiceUri, credential);
    for (const [role, name] of entries(names.queues)) {
      queues[role] = queueService.getQueueClient(name);
      poisonQueues[role] = queueService.getQueueClient(`${name}-poison`);
    }
  }

  const allQueues = [...Object.values<QueueClient>(queues), ...Object.values<QueueClient>(poisonQueues)];
  let ensured: Promise<void> | null = null;
  return {
    names,
    tables,
    queues,
    poisonQueues,
    ensureStorage() {
      ensured ??= createAll(tables, allQueues).catch((error: unknown) => {
        // A transient failure must not be remembered: the next caller tries again.
        ensured = null;
        throw error;
      });
      return ensured;
    },
    async deleteStorage() {
      ensured = null;
      await Promise.all([
        ...Object.values<TableClient>(tables).map((client) => client.deleteTable()),
        ...allQueues.map((client) => ignoreNotFound(client.delete())),
      ]);
    },
  };
}

async function createAll(tables: Record<TableRole, TableClient>, queues: QueueClient[]) {
  // createTable already swallows 409 TableAlreadyExists; createIfNotExists does the same for queues.
  await Promise.all([
    ...Object.values<TableClient>(tables).map((client) => client.createTable()),
    ...queues.map((client) => client.createIfNotExists()),
  ]);
}

async function ignoreNotFound(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (!(isRestError(error) && error.statusCode === 404)) throw error;
  }
}

function usesPlainHttp(connectionString: string, endpointKey: string): boolean {
  const endpoint = new RegExp(`(?:^|;)\\s*${endpointKey}\\s*=\\s*([^;]+)`, 'i').exec(connectionString)?.[1];
  if (endpoint) return endpoint.trim().toLowerCase().startsWith('http:');
  return /(?:^|;)\s*DefaultEndpointsProtocol\s*=\s*http\s*(?:;|$)/i.test(connectionString);
}

function entries<K extends string>(record: Record<K, string>): [K, string][] {
  return Object.entries(record) as [K, string][];
}
