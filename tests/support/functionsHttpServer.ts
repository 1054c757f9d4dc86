// Serves the patients' answer functions over real HTTP on 127.0.0.1, as the Functions host would, for a browser.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { Deps } from '../../functions/src/app/deps';
import { handleFeedback } from '../../functions/src/functions/feedback';
import { handleRespond } from '../../functions/src/functions/respond';
import { handleUnsubscribe } from '../../functions/src/functions/unsubscribe';

type Handler = (deps: Deps, request: HttpRequest) => Promise<HttpResponseInit>;

// The routes of SPEC §4, under the host's default `api` prefix; each takes one `{token}` segment.
const ROUTES: Readonly<Record<string, Handler>> = {
  r: handleRespond,
  feedback: handleFeedback,
  unsubscribe: handleUnsubscribe,
};

export interface FunctionsHttpServer {
  /** `http://127.0.0.1:<port>`: give it to the Harness as `publicBaseUrl` so the emails' links land here. */
  origin: string;
  close(): Promise<void>;
}

/**
 * `deps` is read on every request, so the server can start before the Harness that needs its origin.
 * Every method reaches the function, which answers 405 itself to those it does not take.
 */
export async function startFunctionsHttpServer(deps: () => Deps): Promise<FunctionsHttpServer> {
  const server = createServer((incoming, outgoing) => {
    serve(deps, incoming, outgoing).catch((error: unknown) => {
      // A handler must never throw (SPEC §9): a bare 500 here makes a test that hits it fail visibly.
      outgoing.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      outgoing.end(`functionsHttpServer: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function serve(deps: () => Deps, incoming: IncomingMessage, outgoing: ServerResponse) {
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`);
  const match = /^\/api\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  const handler = match ? ROUTES[match[1] ?? ''] : undefined;
  let token: string | undefined;
  try {
    token = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
  } catch {
    token = undefined;
  }
  if (!handler || token === undefined) {
    outgoing.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    outgoing.end('Not Found');
    return;
  }

  const method = (incoming.method ?? 'GET').toUpperCase();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request = new HttpRequest({
    method,
    url: url.href,
    headers,
    params: { token },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: { bytes: Buffer.concat(chunks) } }),
  });

  // HttpResponse is the library's own reading of a HttpResponseInit (body or jsonBody, header forms).
  const response = new HttpResponse(await handler(deps(), request));
  const body = Buffer.from(await response.arrayBuffer());
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  outgoing.writeHead(response.status, outHeaders);
  outgoing.end(method === 'HEAD' ? undefined : body);
}
