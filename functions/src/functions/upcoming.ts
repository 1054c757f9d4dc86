// GET /api/practices/{practiceId}/upcoming?days=7: what the practice will send in the next days, and why.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizePractice } from '../app/adminAuth';
import { guardAdmin, invalid, json } from '../app/adminHttp';
import type { Deps } from '../app/deps';
import { listUpcoming, MAX_UPCOMING_DAYS } from '../app/upcoming';
import { depsFor } from '../composition';

const DEFAULT_DAYS = 7;

export function handleUpcoming(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return guardAdmin(async () => {
    const practiceId = request.params.practiceId ?? '';
    const auth = await authorizePractice(deps, request, practiceId);
    if (!auth.ok) return auth.response;
    const given = request.query.get('days') ?? String(DEFAULT_DAYS);
    const days = Number(given);
    if (!/^\d{1,2}$/.test(given) || days < 1 || days > MAX_UPCOMING_DAYS) {
      return invalid('Invalid query', [
        { field: 'days', message: `must be a whole number from 1 to ${MAX_UPCOMING_DAYS}` },
      ]);
    }
    return json(200, await listUpcoming(deps, auth.practice.value, days));
  });
}

export async function upcomingHttp(request: HttpRequest, context: InvocationContext) {
  return handleUpcoming(await depsFor(context), request);
}

app.http('upcomingSends', {
  route: 'practices/{practiceId}/upcoming',
  methods: ['GET'],
  authLevel: 'function',
  handler: upcomingHttp,
});
