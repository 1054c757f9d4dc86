// Property-based fuzzing of the answer links (respond, feedback, unsubscribe): never a 5xx, a refusal changes nothing.
import { createHmac } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/src/app/deps';
import type { LinkAction } from '../../functions/src/core/tokens';
import { handleFeedback } from '../../functions/src/functions/feedback';
import { handleRespond } from '../../functions/src/functions/respond';
import { handleUnsubscribe } from '../../functions/src/functions/unsubscribe';
import {
  anyString,
  contentTypes,
  type FuzzWorld,
  fuzzParameters,
  headerValue,
  httpMethod,
  LINK_KEY,
  mutatedToken,
  PRACTICE_ID,
  request,
  seedFuzzWorld,
  TableWitness,
} from './fuzzWorld';

/** Every status an answer page or redirect may have (pages/http.ts, app/answers.ts). */
const PAGE_STATUSES = [200, 302, 303, 400, 404, 405, 410, 413, 415];
const HANDLERS = { r: handleRespond, feedback: handleFeedback, unsubscribe: handleUnsubscribe } as const;
type Route = keyof typeof HANDLERS;

let world: FuzzWorld;
let witness: TableWitness;
beforeAll(async () => {
  world = await seedFuzzWorld();
  witness = new TableWitness(world.h);
}, 60_000);
afterAll(() => world.h.dispose());

/** A token signed with the link key the app uses, over any payload at all: what a leaked key could forge. */
function signedToken(payload: unknown): string {
  const encoded = Buffer.from(JSON.stringify(payload) ?? 'null', 'utf8').toString('base64url');
  return `${encoded}.${createHmac('sha256', LINK_KEY.secret).update(encoded, 'ascii').digest('base64url')}`;
}

const ROUTE_ACTIONS: Record<Route, LinkAction[]> = {
  r: ['book', 'later', 'feedback'],
  feedback: ['feedback'],
  unsubscribe: ['unsubscribe'],
};

const expiryArb = fc.oneof(
  fc.integer({ min: 1_800_000_000, max: 2_000_000_000 }),
  fc.integer({ min: 0, max: 1_700_000_000 }),
  fc.constantFrom(1.5, -1, Number.MAX_SAFE_INTEGER, 1e300, '1900000000', null),
);

/** Tokens for one route: mostly real ones of the route's own actions, then worse and worse. */
function tokensFor(route: Route): fc.Arbitrary<string> {
  const own = fc.constantFrom(...ROUTE_ACTIONS[route].flatMap((action) => world.tokens[action]));
  const anyReal = fc.constantFrom(...Object.values(world.tokens).flat());
  const payload = fc.record(
    {
      k: fc.oneof({ arbitrary: fc.constant('k1'), weight: 5 }, fc.jsonValue({ maxDepth: 1 })),
      p: fc.oneof(
        { arbitrary: fc.constant(PRACTICE_ID), weight: 5 },
        fc.constantFrom('prac_nope', ''),
        anyString(30),
      ),
      o: fc.oneof(fc.constantFrom(...world.sent.map((row) => row.operationId)), fc.uuid(), anyString(40)),
      a: fc.oneof(
        { arbitrary: fc.constantFrom(...ROUTE_ACTIONS[route]), weight: 5 },
        fc.constantFrom('book', 'later', 'feedback', 'unsubscribe'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      e: expiryArb,
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { arbitrary: own, weight: 4 },
    { arbitrary: anyReal, weight: 1 },
    { arbitrary: anyReal.chain(mutatedToken), weight: 3 },
    { arbitrary: anyString(80), weight: 1 },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,120}\.[A-Za-z0-9_-]{1,60}$/), weight: 1 },
    // A real signature under a payload of our own: forged.
    {
      arbitrary: fc
        .tuple(fc.oneof(payload, fc.jsonValue({ maxDepth: 2 })), anyReal)
        .map(([forged, real]) => `${signedToken(forged).split('.')[0]}.${real.split('.')[1]}`),
      weight: 2,
    },
    // Correctly signed junk: gets past the signature into the lookups.
    { arbitrary: fc.oneof(payload, fc.jsonValue({ maxDepth: 2 })).map(signedToken), weight: 2 },
    { arbitrary: fc.constantFrom(...world.expiredTokens), weight: 1 },
    { arbitrary: own.map((real) => real + 'A'.repeat(1100)), weight: 1 },
  );
}

const commentArb = fc.oneof(
  { arbitrary: anyString(100), weight: 4 },
  fc.integer({ min: 1990, max: 2010 }).map((n) => 'é'.repeat(n)),
  fc.integer({ min: 1990, max: 2010 }).map((n) => '\r\n'.repeat(n)),
  fc.integer({ min: 30_000, max: 34_000 }).map((n) => 'x'.repeat(n)),
);
const fieldsArb = fc.record(
  {
    rating: fc.oneof(fc.constantFrom('1', '2', '3', '4', '5', '0', '6', ' 3 ', '3.0', '', '٣'), anyString(5)),
    comment: commentArb,
    'List-Unsubscribe': fc.constantFrom('One-Click', ''),
    junk: anyString(20),
  },
  { requiredKeys: [] },
);

interface FormBody {
  body: string | Uint8Array | undefined;
  /** The content type that goes with the body, when it has one of its own (multipart's boundary). */
  contentType?: string;
}

function multipart(fields: Record<string, string>, boundary: string): string {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return `${parts.join('')}--${boundary}--\r\n`;
}

const formBodyArb: fc.Arbitrary<FormBody> = fc.oneof(
  fc.constant({ body: undefined }),
  { arbitrary: fieldsArb.map((fields) => ({ body: new URLSearchParams(fields).toString() })), weight: 4 },
  {
    arbitrary: fc
      .tuple(fieldsArb, fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/), fc.boolean())
      .map(([fields, boundary, truncated]) => {
        const text = multipart(fields, boundary);
        return {
          body: truncated ? text.slice(0, Math.floor(text.length / 2)) : text,
          contentType: `multipart/form-data; boundary=${boundary}`,
        };
      }),
    weight: 2,
  },
  anyString(200).map((body) => ({ body })),
  fc.uint8Array({ maxLength: 200 }).map((body) => ({ body })),
);

/** Built once the world exists: the tokens are the world's. */
function answerRequests() {
  const routes: Route[] = ['r', 'feedback', 'unsubscribe'];
  return fc.oneof(
    ...routes.map((route) =>
      fc.record({
        route: fc.constant(route),
        token: tokensFor(route),
        method: fc.oneof(
          { arbitrary: fc.constant(route === 'feedback' ? 'POST' : 'GET'), weight: 3 },
          { arbitrary: fc.constant('POST'), weight: 3 },
          httpMethod,
        ),
        form: formBodyArb,
        contentType: fc.oneof(
          { arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 6 },
          { arbitrary: fc.constant(null), weight: 2 },
          contentTypes('application/x-www-form-urlencoded', 'multipart/form-data'),
        ),
        contentLength: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 10 },
          fc.nat({ max: 70_000 }).map(String),
          headerValue,
        ),
      }),
    ),
  );
}

function answer(
  r: {
    route: Route;
    token: string;
    method: string;
    form: FormBody;
    contentType: string | null | undefined;
    contentLength?: string;
  },
  deps: Deps = world.h.deps,
): Promise<HttpResponseInit> {
  const headers: Record<string, string> = {};
  // null: the content type of the body itself (multipart's boundary), or none for a plain body.
  const contentType = r.contentType === null ? r.form.contentType : r.contentType;
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (r.contentLength !== undefined) headers['content-length'] = r.contentLength;
  const req: HttpRequest = request({
    method: r.method,
    url: `https://reengage.example/api/${r.route}/x`,
    headers,
    params: { token: r.token },
    body: r.form.body,
  });
  return HANDLERS[r.route](deps, req);
}

describe('answer links under arbitrary requests', () => {
  it('never answer 5xx, only a page status, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(answerRequests(), async (r) => {
        await witness.before();
        const response = await answer(r);
        const status = response.status ?? 200;
        expect(PAGE_STATUSES).toContain(status);
        if (status >= 400) await witness.expectUnchanged(`a ${status} answer`);
        else witness.changed();
      }),
      fuzzParameters(250),
    );
  }, 120_000);
});

describe('the property can fail', () => {
  it('a plain Error thrown by a store comes out as a 503 page, which the property refuses', async () => {
    const broken: Deps = {
      ...world.h.deps,
      // A prototype-backed copy: the index's other methods stay its own.
      messageIndex: Object.assign(Object.create(world.h.deps.messageIndex), {
        getMessage: () => Promise.reject(new Error('table exploded')),
      }),
    };
    const response = await answer(
      {
        route: 'r',
        token: world.tokens.later[0] as string,
        method: 'GET',
        form: { body: undefined },
        contentType: undefined,
      },
      broken,
    );
    expect(response.status).toBe(503);
    expect(PAGE_STATUSES).not.toContain(response.status);
  });
});
