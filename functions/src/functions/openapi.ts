// GET /api/openapi.json: the OpenAPI 3.1 document of every HTTP route (anonymous, cacheable).
import { createHash } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { OPENAPI_DOCUMENT } from '../openapi';

// The document is fixed for a build: serialized and tagged once per process.
const BODY = JSON.stringify(OPENAPI_DOCUMENT);
const ETAG = `"${createHash('sha256').update(BODY, 'utf8').digest('base64url').slice(0, 27)}"`;

const HEADERS = {
  'Cache-Control': 'public, max-age=300',
  ETag: ETAG,
  // Public and credential-free: documentation tools on other origins may fetch it.
  'Access-Control-Allow-Origin': '*',
};

export async function handleOpenApiDocument(request: HttpRequest): Promise<HttpResponseInit> {
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === ETAG || tag.trim() === '*')) {
    return { status: 304, headers: HEADERS };
  }
  return {
    status: 200,
    headers: { ...HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
    body: BODY,
  };
}

app.http('openApiDocument', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: handleOpenApiDocument,
});
