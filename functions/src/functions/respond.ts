// GET and POST /api/r/{token}: a patient's book / not now / feedback link (SPEC §4). Anonymous: the token is the key.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { confirmAnswerLink, openAnswerLink } from '../app/answers';
import type { Deps } from '../app/deps';
import { depsFor } from '../composition';
import { answerWithPage, readForm } from '../pages/http';

export async function handleRespond(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return answerWithPage(deps, request, 'respond', ['GET', 'POST'], async () => {
    const token = request.params.token ?? '';
    // GET is what mail scanners send: it shows a page, or records a book click; only a POST acts.
    if (request.method.toUpperCase() === 'GET') return openAnswerLink(deps, token);
    const form = await readForm(request, 'respond');
    return form.ok ? confirmAnswerLink(deps, token, form.fields) : form.view;
  });
}

export async function respond(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handleRespond(await depsFor(context), request);
}

app.http('respond', {
  route: 'r/{token}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: respond,
});
