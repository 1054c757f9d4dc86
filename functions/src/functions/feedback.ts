// POST /api/feedback/{token}: a patient's rating (1-5) and optional comment, one per email (SPEC §4).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { submitFeedback } from '../app/answers';
import type { Deps } from '../app/deps';
import { depsFor } from '../composition';
import { answerWithPage, readForm } from '../pages/http';

export async function handleFeedback(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return answerWithPage(deps, request, 'feedback', ['POST'], async () => {
    const form = await readForm(request, 'feedback');
    return form.ok ? submitFeedback(deps, request.params.token ?? '', form.fields) : form.view;
  });
}

export async function feedback(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handleFeedback(await depsFor(context), request);
}

app.http('feedback', {
  route: 'feedback/{token}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: feedback,
});
