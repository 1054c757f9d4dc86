// The OpenAPI document against the OpenAPI 3.1 schema, against the routes the host really registers (the app
// built and loaded as the Functions host would), and its booking event schema against the webhook's own validation.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpRequest } from '@azure/functions';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, parseBookingEvent } from '../../functions/src/core/bookingEvents';
import { handleOpenApiDocument } from '../../functions/src/functions/openapi';
import {
  type HttpMethod,
  OPENAPI_DOCUMENT,
  type Operation,
  type Parameter,
  type Reference,
  type Schema,
} from '../../functions/src/openapi';

interface Binding {
  type: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}
interface Registration {
  name: string;
  bindings: Record<string, Binding>;
}

const root = path.resolve(import.meta.dirname, '../..');
/** The document as clients receive it. */
const doc = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as typeof OPENAPI_DOCUMENT;
const METHODS: HttpMethod[] = ['get', 'put', 'post', 'delete'];

let buildDir: string;
let httpRoutes: { name: string; path: string; methods: string[]; authLevel: string }[];

beforeAll(() => {
  // A private build (not functions/dist, which other test files build at the same time).
  buildDir = mkdtempSync(path.join(tmpdir(), 'reengage-openapi-'));
  copyFileSync(path.join(root, 'functions/package.json'), path.join(buildDir, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(buildDir, 'node_modules'), 'dir');
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      'functions',
      '--outDir',
      path.join(buildDir, 'dist'),
    ],
    { cwd: root, stdio: 'pipe' },
  );
  const output = execFileSync(process.execPath, [path.join(root, 'tests/support/hostLoader.cjs'), buildDir], {
    cwd: root,
    encoding: 'utf8',
  });
  const registrations = (JSON.parse(output) as { registrations: Registration[] }).registrations;
  httpRoutes = registrations.flatMap((r) =>
    Object.values(r.bindings)
      .filter((b) => b.type === 'httpTrigger')
      .map((b) => ({
        name: r.name,
        path: `/${b.route ?? r.name}`,
        methods: (b.methods ?? []).map((m) => m.toLowerCase()),
        authLevel: b.authLevel ?? 'function',
      })),
  );
}, 120_000);

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

const operations = (): { path: string; method: HttpMethod; operation: Operation }[] =>
  Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({
      path: p,
      method,
      operation: item[method] as Operation,
    })),
  );

function resolve<T>(value: T | Reference): T {
  const ref = (value as Reference).$ref;
  if (!ref) return value as T;
  const found = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
  if (found === undefined) throw new Error(`${ref} does not resolve`);
  return found as T;
}

/** The document's schemas under `$defs`, for a JSON Schema 2020-12 validator. */
function schemaValidator() {
  // strictRequired is off: an if/then branch requires properties its parent schema defines.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const rewritten = JSON.parse(
    JSON.stringify(doc.components.schemas).replaceAll(
      '#/components/schemas/',
      'urn:reengage:openapi#/$defs/',
    ),
  ) as Record<string, Schema>;
  ajv.addSchema({ $id: 'urn:reengage:openapi', $defs: rewritten });
  return (name: string) => ajv.compile({ $ref: `urn:reengage:openapi#/$defs/${name}` });
}

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('every schema is valid JSON Schema 2020-12 (strict: no unknown keyword or format)', () => {
    const compile = schemaValidator();
    for (const name of Object.keys(doc.components.schemas)) expect(() => compile(name), name).not.toThrow();
  });

  it('every $ref resolves', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) expect(() => resolve({ $ref: ref }), ref).not.toThrow();
  });

  it('has the version of the functions package and unique operation ids', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'functions/package.json'), 'utf8'));
    expect(doc.info.version).toBe(pkg.version);
    const ids = operations().map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path template variable as a required path parameter, and no other', () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      const variables = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const method of METHODS.filter((m) => item[m])) {
        const declared = [...(item.parameters ?? []), ...((item[method] as Operation).parameters ?? [])]
          .map((x) => resolve<Parameter>(x))
          .filter((x) => x.in === 'path');
        expect(declared.map((x) => x.name).sort(), `${method} ${p}`).toEqual(variables);
        expect(declared.every((x) => x.required === true)).toBe(true);
      }
    }
  });
});

describe('the document and the registered routes', () => {
  it('loads the HTTP functions of the built app', () => {
    expect(httpRoutes.map((r) => r.name)).toEqual(
      expect.arrayContaining(['bookingWebhook', 'respond', 'putTherapistMapping', 'openApiDocument']),
    );
    expect(httpRoutes.length).toBeGreaterThanOrEqual(24);
  });

  it('documents every registered route with the same methods, and nothing that is not registered', () => {
    const registered = new Map<string, Set<string>>();
    for (const route of httpRoutes) {
      const methods = registered.get(route.path) ?? new Set<string>();
      for (const method of route.methods) methods.add(method);
      registered.set(route.path, methods);
    }
    const documented = new Map(
      Object.entries(doc.paths).map(([p, item]) => [p, new Set(METHODS.filter((m) => item[m]))]),
    );
    const sorted = (map: Map<string, Set<string>>) =>
      Object.fromEntries([...map.entries()].map(([p, methods]) => [p, [...methods].sort()]).sort());
    expect(sorted(documented)).toEqual(sorted(registered));
  });

  it("names each operation's function, and documents the function's authorization", () => {
    for (const { path: p, method, operation } of operations()) {
      const route = httpRoutes.find((r) => r.path === p && r.methods.includes(method));
      expect(operation['x-function-name'], `${method} ${p}`).toBe(route?.name);
      const security = operation.security ?? doc.security;
      if (route?.authLevel === 'anonymous') expect(security, `${method} ${p}`).toEqual([]);
      else {
        expect(route?.authLevel, `${method} ${p}`).toBe('function');
        // Every way in needs the function key, as a header or as ?code=.
        for (const requirement of security) {
          expect(Object.keys(requirement).some((k) => k === 'functionKey' || k === 'functionKeyQuery')).toBe(
            true,
          );
        }
        expect(operation.responses['401'], `${method} ${p}`).toBeDefined();
      }
    }
  });
});

describe('authentication as documented', () => {
  it('has the function key (header and ?code=) and the practice key as API key schemes', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
      functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      practiceKey: { type: 'apiKey', in: 'header', name: 'x-reengage-key' },
    });
    const admin = operations().filter(
      (o) => o.path.startsWith('/practices/') && o.operation.operationId !== 'putPractice',
    );
    expect(admin.length).toBeGreaterThan(15);
    for (const { operation } of admin) {
      expect(operation.security).toEqual([
        { functionKey: [], practiceKey: [] },
        { functionKeyQuery: [], practiceKey: [] },
      ]);
    }
  });

  it('documents the four webhook signature headers on the webhook', () => {
    const webhook = doc.paths['/webhooks/{source}/{practiceId}']?.post;
    const headers = (webhook?.parameters ?? [])
      .map((x) => resolve<Parameter>(x))
      .filter((x) => x.in === 'header');
    expect(headers.map((x) => x.name)).toEqual([
      'Reengage-Signature',
      'X-Cal-Signature-256',
      'Calendly-Webhook-Signature',
      'X-Acuity-Signature',
    ]);
    for (const header of headers) expect(header.description.length).toBeGreaterThan(40);
    expect(Object.keys(webhook?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
  });
});

describe('the generic booking event schema', () => {
  it('lists exactly the event types of SPEC §8, which are those the webhook accepts', () => {
    const documented = doc.components.schemas.BookingEvent?.properties?.type?.enum;
    const spec = [
      'appointment.booked',
      'appointment.rescheduled',
      'appointment.cancelled',
      'appointment.completed',
      'appointment.no_show',
      'patient.upserted',
      'patient.deleted',
    ];
    expect(documented).toEqual(spec);
    expect(documented).toEqual([...EVENT_TYPES]);
  });

  const specExample = {
    id: 'evt_01H',
    type: 'appointment.booked',
    occurredAt: '2026-11-20T10:00:00Z',
    patient: {
      id: 'pat_42',
      firstName: 'Camille',
      email: 'camille@example.org',
      locale: 'fr',
      therapistId: 'th_1',
      emailConsent: true,
      careStatus: 'in_care',
    },
    appointment: { id: 'apt_9', startsAt: '2026-11-27T14:00:00+01:00', therapistId: 'th_1' },
  };
  const { appointment: _dropped, ...withoutAppointment } = specExample;

  it.each(
    [
      ['the SPEC §8 example', specExample, true],
      ['a patient.upserted without appointment', { ...withoutAppointment, type: 'patient.upserted' }, true],
      [
        'a consent given as an object, nulls for unknown fields',
        {
          ...withoutAppointment,
          type: 'patient.upserted',
          patient: {
            id: 'pat_42',
            emailConsent: { granted: true, at: '2026-09-01T10:00:00Z', source: 'form' },
            email: null,
          },
        },
        true,
      ],
      [
        'an appointment.cancelled without startsAt',
        { ...specExample, type: 'appointment.cancelled', appointment: { id: 'apt_9' } },
        true,
      ],
      ['an appointment.booked without startsAt', { ...specExample, appointment: { id: 'apt_9' } }, false],
      [
        'an appointment.completed without appointment',
        { ...withoutAppointment, type: 'appointment.completed' },
        false,
      ],
      ['an unknown type', { ...specExample, type: 'appointment.moved' }, false],
      ['a time without offset', { ...specExample, occurredAt: '2026-11-20T10:00:00' }, false],
      ['a patient id with a space', { ...specExample, patient: { id: 'pat 42' } }, false],
      [
        'a care status that does not exist',
        { ...specExample, patient: { id: 'pat_42', careStatus: 'active' } },
        false,
      ],
      ['no patient', { ...withoutAppointment, type: 'patient.deleted', patient: undefined }, false],
      [
        'a first name over 100 characters',
        { ...specExample, patient: { id: 'pat_42', firstName: 'a'.repeat(101) } },
        false,
      ],
    ].map(([name, event, valid]) => [name, valid, event] as const),
  )('%s: valid=%s by the document and by the webhook', (_, valid, event) => {
    const validate = schemaValidator()('BookingEvent');
    const body = JSON.parse(JSON.stringify(event));
    expect(validate(body), JSON.stringify(validate.errors)).toBe(valid);
    expect(parseBookingEvent(body).ok).toBe(valid);
  });
});

describe('GET /api/openapi.json', () => {
  const get = (headers: Record<string, string> = {}) =>
    handleOpenApiDocument(
      new HttpRequest({ method: 'GET', url: 'https://reengage.example/api/openapi.json', headers }),
    );

  it('answers 200 with the document as JSON, cacheable for 5 minutes', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    });
    expect(JSON.parse(response.body as string)).toEqual(doc);
  });

  it('answers 304 to a client that holds the same version', async () => {
    const etag = ((await get()).headers as Record<string, string>).ETag ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await get({ 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect((await get({ 'if-none-match': '"other"' })).status).toBe(200);
  });
});
