// POST /api/practices/{practiceId}/patients/import?dryRun=true|false: a CSV of patients, checked and then imported.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { authorizePractice } from '../app/adminAuth';
import type { Deps } from '../app/deps';
import { importPatients } from '../app/importPatients';
import { depsFor } from '../composition';
import { fieldProblems } from '../core/bookingEvents';
import { type ColumnMapping, type CsvSeparator, IMPORT_FIELDS } from '../core/csvImport';
import { isJsonContentType, problem, readBodyBytes } from '../http';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

/** `code` carries the function key when it is not sent as a header. */
const QUERY_PARAMETERS = ['dryRun', 'separator', 'code'];

const SEPARATORS: Readonly<Record<string, CsvSeparator>> = {
  ',': ',',
  ';': ';',
  comma: ',',
  semicolon: ';',
};

const jsonBody = z
  .object({
    csv: z.string().min(1, 'must not be empty'),
    mapping: z
      .object(Object.fromEntries(IMPORT_FIELDS.map((f) => [f, z.string().trim().min(1).max(200).optional()])))
      .strict()
      .optional(),
    separator: z.enum([',', ';']).optional(),
  })
  .strict();

export async function handleImportPatients(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const auth = await authorizePractice(deps, request, request.params.practiceId ?? '');
  if (!auth.ok) return auth.response;
  const practice = auth.practice.value;

  const dryRunParam = request.query.get('dryRun') ?? 'false';
  const separatorParam = request.query.get('separator');
  const queryErrors = [];
  // A mistyped `dryrun=true` must not turn a dry run into an import: unknown parameters are refused.
  for (const name of new Set(request.query.keys())) {
    if (!QUERY_PARAMETERS.includes(name))
      queryErrors.push({
        field: name,
        message: `is not a parameter here (use ${QUERY_PARAMETERS.slice(0, 2).join(', ')})`,
      });
  }
  if (dryRunParam !== 'true' && dryRunParam !== 'false')
    queryErrors.push({ field: 'dryRun', message: 'must be true or false' });
  if (separatorParam !== null && !Object.hasOwn(SEPARATORS, separatorParam))
    queryErrors.push({ field: 'separator', message: 'must be "," (comma) or ";" (semicolon)' });
  if (queryErrors.length > 0)
    return problem(400, 'Invalid query', 'Some query parameters are invalid.', { errors: queryErrors });

  const contentType = request.headers.get('content-type');
  const json = isJsonContentType(contentType);
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!json && !CSV_TYPES.includes(mediaType)) {
    return problem(
      415,
      'Unsupported media type',
      'Send the file as text/csv, or as application/json {"csv": "...", "mapping": {...}}.',
    );
  }
  const body = await readBodyBytes(request, MAX_IMPORT_BYTES);
  if (!body) return problem(413, 'Payload too large', `The file must be at most ${MAX_IMPORT_BYTES} bytes.`);

  let file: string | Uint8Array = body;
  let mapping: ColumnMapping | undefined;
  let separator = separatorParam === null ? undefined : SEPARATORS[separatorParam];
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return problem(400, 'Invalid JSON', 'The body is not valid JSON.');
    }
    const result = jsonBody.safeParse(parsed);
    if (!result.success) {
      return problem(400, 'Invalid import request', 'Some fields are missing or invalid.', {
        errors: fieldProblems(result.error),
      });
    }
    file = result.data.csv;
    mapping = result.data.mapping as ColumnMapping | undefined;
    separator = result.data.separator ?? separator;
  }

  const report = await importPatients(deps, practice, file, {
    dryRun: dryRunParam === 'true',
    mapping,
    separator,
  });
  const headers = { 'Cache-Control': 'no-store' };
  if (report.outcome !== 'invalid') return { status: 200, headers, jsonBody: report };
  const detail =
    report.fileErrors.length > 0
      ? 'The file cannot be read as a patient list; nothing was imported.'
      : `${report.totals.invalid} of ${report.totals.lines} lines are invalid; nothing was imported.`;
  return {
    status: 422,
    headers: { ...headers, 'Content-Type': 'application/problem+json' },
    jsonBody: { type: 'about:blank', title: 'Invalid import file', status: 422, detail, ...report },
  };
}

export async function importPatientsHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handleImportPatients(await depsFor(context), request);
}

app.http('importPatients', {
  route: 'practices/{practiceId}/patients/import',
  methods: ['POST'],
  authLevel: 'function',
  handler: importPatientsHttp,
});
