// Starts a private Azurite (from npm) on free loopback ports and stops it; used by tests, the demo and benchmarks.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteInstance {
  connectionString: string;
  tableUrl: string;
  queueUrl: string;
  blobUrl: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for disk persistence; in memory when omitted. */
  location?: string;
  /** Reuse fixed ports (a restart on the same data); free ports when omitted. */
  ports?: { blob: number; queue: number; table: number };
  /** V8 heap limit of the Azurite process; Node's default (~4 GiB) when omitted. Large benchmarks need more. */
  heapMiB?: number;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const require = createRequire(import.meta.url);
  const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const ports = options.ports ?? { blob: 0, queue: 0, table: 0 };
  const args = [
    ...(options.heapMiB ? [`--max-old-space-size=${options.heapMiB}`] : []),
    entry,
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const urls = await waitForListening(child);
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${urls.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=${urls.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=${urls.table}/${AZURITE_ACCOUNT}`,
  ].join(';');
  return {
    connectionString,
    tableUrl: `${urls.table}/${AZURITE_ACCOUNT}`,
    queueUrl: `${urls.queue}/${AZURITE_ACCOUNT}`,
    blobUrl: `${urls.blob}/${AZURITE_ACCOUNT}`,
    stop: () => stopChild(child),
  };
}

function waitForListening(child: ChildProcess): Promise<{ blob: string; queue: string; table: string }> {
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {};
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at (\S+)/g,
      )) {
        found[(match[1] ?? '').toLowerCase()] = (match[2] ?? '').replace(/\/$/, '');
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => fail(new Error(`Azurite exited with code ${code}:\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
