// GET /api/practices/{practiceId}/report: the practice report as JSON, or CSV with `Accept: text/csv`.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizePractice } from '../app/adminAuth';
import type { Deps } from '../app/deps';
import { buildPracticeReport } from '../app/report';
import { depsFor } from '../composition';
import { localDateOf } from '../core/cadence';
import { parseReportQuery, reportToCsv } from '../core/report';
import { problem } from '../http';

export async function handlePracticeReport(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  const practiceId = request.params.practiceId ?? '';
  // Authorization first: an unknown practice answers 401 whatever the query, so nothing is enumerable.
  const auth = await authorizePractice(deps, request, practiceId);
  if (!auth.ok) return auth.response;
  const practice = auth.practice.value;
  const query = parseReportQuery(request.query, localDateOf(deps.clock.now(), practice.timeZone));
  if (!query.ok) {
    return problem(400, 'Invalid report query', 'Some query parameters are invalid.', {
      errors: query.problems,
    });
  }
  const report = await buildPracticeReport(deps, practice, query.value);
  // The report is the practice's business data: never kept by a shared cache.
  const headers = { 'Cache-Control': 'no-store', Vary: 'Accept' };
  if (wantsCsv(request.headers.get('accept'))) {
    const filename = `reengage-report-${practice.id}-${report.period.from}-${report.period.to}.csv`;
    return {
      status: 200,
      headers: {
        ...headers,
        'Content-Type': 'text/csv; charset=utf-8; header=present',
        'Content-Disposition': `attachment; filename="${filename}"`,
      },
      body: reportToCsv(report),
    };
  }
  return { status: 200, headers, jsonBody: report };
}

/** CSV when the client names text/csv and does not prefer application/json (by q-value). */
function wantsCsv(accept: string | null): boolean {
  if (!accept) return false;
  let csv = 0;
  let json = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    if (type === 'application/json') json = Math.max(json, q);
  }
  return csv > 0 && csv >= json;
}

export async function practiceReport(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handlePracticeReport(await depsFor(context), request);
}

app.http('practiceReport', {
  route: 'practices/{practiceId}/report',
  methods: ['GET'],
  authLevel: 'function',
  handler: practiceReport,
});
