// GET and POST /api/unsubscribe/{token}: GET a confirmation page; POST (RFC 8058 one-click, or the page's button) unsubscribes.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { showUnsubscribe, unsubscribeByLink } from '../app/answers';
import type { Deps } from '../app/deps';
import { depsFor } from '../composition';
import { answerWithPage, readForm } from '../pages/http';

export async function handleUnsubscribe(deps: Deps, request: HttpRequest): Promise<HttpResponseInit> {
  return answerWithPage(deps, request, 'unsubscribe', ['GET', 'POST'], async () => {
    const token = request.params.token ?? '';
    // A GET (a scanner, a mail client prefetching the List-Unsubscribe address) never unsubscribes.
    if (request.method.toUpperCase() === 'GET') return showUnsubscribe(deps, token);
    // Any form body will do: a one-click client sends `List-Unsubscribe=One-Click`, our page sends the same.
    const form = await readForm(request, 'unsubscribe');
    return form.ok ? unsubscribeByLink(deps, token) : form.view;
  });
}

export async function unsubscribe(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return handleUnsubscribe(await depsFor(context), request);
}

app.http('unsubscribe', {
  route: 'unsubscribe/{token}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: unsubscribe,
});
