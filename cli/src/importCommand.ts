// `reengage import`: sends a CSV to a deployed app's import endpoint, or runs the same use case in-process.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prefixedStorageNames } from '../../functions/src/adapters/storageClients';
import { PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import { type ImportReport, importPatients } from '../../functions/src/app/importPatients';
import { createComposition } from '../../functions/src/composition';
import { loadConfig } from '../../functions/src/config';
import {
  type ColumnMapping,
  type CsvSeparator,
  decodeCsv,
  IMPORT_FIELDS,
} from '../../functions/src/core/csvImport';
import { isValidId } from '../../functions/src/core/ids';
import type { Logger } from '../../functions/src/core/ports';
import { EXIT, formatSummary, ProgressReporter, UsageError } from './output';

interface ImportArguments {
  file: string;
  practiceId: string;
  dryRun: boolean;
  separator: CsvSeparator | undefined;
  mapping: ColumnMapping | undefined;
  json: boolean;
  target:
    | { kind: 'remote'; url: URL; functionKey: string | null; practiceKey: string }
    | { kind: 'local'; connection: string; tablePrefix: string | null };
}

export async function runImport(argv: string[]): Promise<number> {
  const args = parseImportArguments(argv);
  let bytes: Buffer;
  try {
    bytes = readFileSync(args.file);
  } catch (error) {
    throw new UsageError(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const progress = new ProgressReporter(process.stderr);
  const report =
    args.target.kind === 'local'
      ? await importLocally(args, args.target, bytes, progress)
      : await importRemotely(args, args.target, bytes, progress);
  progress.end();
  process.stdout.write(
    args.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report, path.basename(args.file)),
  );
  return report.outcome === 'invalid' ? EXIT.invalid : EXIT.ok;
}

function parseImportArguments(argv: string[]): ImportArguments {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('name exactly one CSV file to import');
  const file = positionals[0] as string;
  const practiceId = values.practice;
  if (!practiceId) throw new UsageError('--practice <id> is required');
  if (!isValidId(practiceId)) throw new UsageError(`"${practiceId}" is not a practice id`);

  let separator: CsvSeparator | undefined;
  if (values.separator !== undefined) {
    const named: Record<string, CsvSeparator> = { ',': ',', ';': ';', comma: ',', semicolon: ';' };
    separator = Object.hasOwn(named, values.separator) ? named[values.separator] : undefined;
    if (!separator) throw new UsageError('--separator must be "," or ";"');
  }
  const mapping = values.mapping === undefined ? undefined : readMapping(values.mapping);

  if (Boolean(values.local) === Boolean(values.url))
    throw new UsageError('give either --url <api base> or --local');
  let target: ImportArguments['target'];
  if (values.local) {
    if (values['function-key'] || values['practice-key'])
      throw new UsageError('--function-key and --practice-key go with --url, not --local');
    const prefix = values['table-prefix'] ?? null;
    if (prefix !== null && !/^[A-Za-z][A-Za-z0-9]{0,30}$/.test(prefix))
      throw new UsageError('--table-prefix must be a letter followed by at most 30 letters or digits');
    target = {
      kind: 'local',
      connection: values.connection ?? 'UseDevelopmentStorage=true',
      tablePrefix: prefix,
    };
  } else {
    if (values.connection || values['table-prefix'])
      throw new UsageError('--connection and --table-prefix go with --local, not --url');
    let url: URL;
    try {
      url = new URL(values.url ?? '');
    } catch {
      throw new UsageError(`--url "${values.url}" is not a URL`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
      throw new UsageError('--url must be https (plain http only for localhost): the keys travel with it');
    // Keys from the environment keep them out of shell history and process lists.
    const practiceKey = values['practice-key'] ?? process.env.REENGAGE_PRACTICE_KEY;
    if (!practiceKey)
      throw new UsageError('--practice-key (or REENGAGE_PRACTICE_KEY) is required with --url');
    const functionKey = values['function-key'] ?? process.env.REENGAGE_FUNCTION_KEY ?? null;
    target = { kind: 'remote', url, functionKey, practiceKey };
  }
  return {
    file,
    practiceId,
    dryRun: values['dry-run'] ?? false,
    separator,
    mapping,
    json: values.json ?? false,
    target,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      practice: { type: 'string' },
      'dry-run': { type: 'boolean' },
      separator: { type: 'string' },
      mapping: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      'function-key': { type: 'string' },
      'practice-key': { type: 'string' },
      local: { type: 'boolean' },
      connection: { type: 'string' },
      'table-prefix': { type: 'string' },
    },
  });
}

function readMapping(file: string): ColumnMapping {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--mapping ${file} is not readable JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError('--mapping must hold a JSON object such as {"firstName": "Given name"}');
  const mapping: ColumnMapping = {};
  for (const [field, header] of Object.entries(json)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(field))
      throw new UsageError(`--mapping: unknown field "${field}" (fields: ${IMPORT_FIELDS.join(', ')})`);
    if (typeof header !== 'string' || header.trim() === '')
      throw new UsageError(`--mapping: the column for ${field} must be a header name`);
    mapping[field as keyof ColumnMapping] = header;
  }
  return mapping;
}

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function importLocally(
  args: ImportArguments,
  target: Extract<ImportArguments['target'], { kind: 'local' }>,
  bytes: Buffer,
  progress: ProgressReporter,
): Promise<ImportReport> {
  const config = loadConfig({
    ReengageStorage: target.connection,
    // Required by the app's settings, never used by an import: no link is signed, no email sent.
    PUBLIC_BASE_URL: 'http://localhost/api',
    LINK_SIGNING_KEYS: `cli:${randomBytes(32).toString('base64')}`,
  });
  const composition = createComposition(config, {
    names: target.tablePrefix ? prefixedStorageNames(target.tablePrefix) : undefined,
    logger: silentLogger,
  });
  const deps = await composition.ready();
  const practice = await deps.practices.getPractice(args.practiceId);
  if (!practice) throw new UsageError(`there is no practice "${args.practiceId}" in this storage`);
  return importPatients(deps, practice.value, bytes, {
    dryRun: args.dryRun,
    separator: args.separator,
    mapping: args.mapping,
    onProgress: progress.update,
  });
}

async function importRemotely(
  args: ImportArguments,
  target: Extract<ImportArguments['target'], { kind: 'remote' }>,
  bytes: Buffer,
  progress: ProgressReporter,
): Promise<ImportReport> {
  const base = target.url.href.replace(/\/+$/, '');
  const endpoint = new URL(`${base}/practices/${encodeURIComponent(args.practiceId)}/patients/import`);
  endpoint.searchParams.set('dryRun', String(args.dryRun));
  const headers: Record<string, string> = { [PRACTICE_KEY_HEADER]: target.practiceKey };
  if (target.functionKey) headers['x-functions-key'] = target.functionKey;
  let body: string | Buffer;
  if (args.mapping) {
    // A mapping travels in a JSON body, with the file as text: decoded here as the server would.
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ csv: decodeCsv(bytes).text, mapping: args.mapping, separator: args.separator });
  } else {
    headers['content-type'] = 'text/csv; charset=utf-8';
    if (args.separator)
      endpoint.searchParams.set('separator', args.separator === ';' ? 'semicolon' : 'comma');
    body = bytes;
  }

  const started = performance.now();
  const ticker = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    progress.status(`Importing on ${target.url.host}... ${seconds} s`);
  }, 1000);
  let response: Response;
  try {
    response = await fetch(endpoint, { method: 'POST', headers, body });
  } catch (error) {
    throw new Error(`cannot reach ${target.url.host}: ${(error as Error).cause ?? (error as Error).message}`);
  } finally {
    clearInterval(ticker);
    progress.end();
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: described below by status.
  }
  if ((response.status === 200 || response.status === 422) && isReport(json)) return json;
  const detail = (json as { detail?: unknown } | null)?.detail;
  const why = typeof detail === 'string' ? detail : text.slice(0, 200) || response.statusText;
  if (response.status === 401 || response.status === 403)
    throw new UsageError(
      `the app refused the keys (${response.status}): check --function-key and --practice-key`,
    );
  if (response.status === 404)
    throw new UsageError(`no import endpoint at ${endpoint.origin}${endpoint.pathname} (404)`);
  if (response.status >= 400 && response.status < 500)
    throw new UsageError(`the app refused the request (${response.status}): ${why}`);
  throw new Error(`the app failed (${response.status}): ${why}`);
}

function isReport(value: unknown): value is ImportReport {
  return (
    typeof value === 'object' && value !== null && 'outcome' in value && 'totals' in value && 'lines' in value
  );
}
