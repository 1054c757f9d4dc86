// Property-based fuzzing of the admin API (report, patient export, erasure): never a 5xx, a refusal changes nothing.
import type { HttpResponseInit } from '@azure/functions';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import { erasedPatientIdOf } from '../../functions/src/app/erasure';
import { handleErasePatient, handleExportPatient } from '../../functions/src/functions/patientAdmin';
import { handlePracticeReport } from '../../functions/src/functions/report';
import {
  API_KEY,
  anyString,
  type FuzzWorld,
  fuzzParameters,
  headerValue,
  PRACTICE_ID,
  request,
  seedFuzzWorld,
  TableWitness,
} from './fuzzWorld';

let world: FuzzWorld;
let witness: TableWitness;
beforeAll(async () => {
  world = await seedFuzzWorld();
  witness = new TableWitness(world.h);
}, 60_000);
afterAll(() => world.h.dispose());

const practiceIdArb = fc.oneof(
  { arbitrary: fc.constant(PRACTICE_ID), weight: 8 },
  { arbitrary: fc.constantFrom('prac_nope', 'PRAC_FUZZ', '', `${PRACTICE_ID}/x`), weight: 1 },
  { arbitrary: anyString(140), weight: 1 },
);

const keyArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant(API_KEY), weight: 8 },
  fc.constant(undefined),
  fc.constantFrom('', API_KEY.toUpperCase(), `${API_KEY}x`, API_KEY.slice(1), 'k'.repeat(513)),
  headerValue,
);

const dayArb = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const queryValueArb = fc.oneof(
  { arbitrary: dayArb, weight: 4 },
  fc.constantFrom(
    '2027-02-30',
    '0000-01-01',
    '9999-12-31',
    '2027-1-5',
    '20270105',
    '',
    ' ',
    'template',
    'therapist',
    'en',
    'fr',
  ),
  anyString(30),
);
const queryArb = fc.dictionary(
  fc.oneof({ arbitrary: fc.constantFrom('from', 'to', 'groupBy', 'lang'), weight: 5 }, anyString(10)),
  queryValueArb,
  { maxKeys: 5 },
);
const acceptArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'text/csv',
    'application/json',
    'text/csv;q=abc, application/json;q=0.5',
    'text/csv;q=',
    '*/*',
    ',',
  ),
  headerValue,
);

function adminHeaders(key: string | undefined, accept?: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers[PRACTICE_KEY_HEADER] = key;
  if (accept !== undefined) headers.accept = accept;
  return headers;
}

/** The host serializes jsonBody itself: a body it cannot serialize would be its 500. */
function expectSerializable(response: HttpResponseInit): void {
  expect(() => JSON.stringify(response.jsonBody)).not.toThrow();
}

describe('the report under arbitrary queries and keys', () => {
  it('answers 200, 400 or 401 and never writes anything', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ practiceId: practiceIdArb, key: keyArb, query: queryArb, accept: acceptArb }),
        async (r) => {
          await witness.before();
          const response = await handlePracticeReport(
            world.h.deps,
            request({
              method: 'GET',
              url: 'https://reengage.example/api/practices/x/report',
              headers: adminHeaders(r.key, r.accept),
              params: { practiceId: r.practiceId },
              query: r.query,
            }),
          );
          expect([200, 400, 401]).toContain(response.status);
          expectSerializable(response);
          // A report is a read: whatever it answers, nothing changed.
          await witness.expectUnchanged(`a ${response.status} report`);
        },
      ),
      fuzzParameters(80),
    );
  }, 120_000);
});

describe('patient export and erasure under arbitrary ids and keys', () => {
  const patientIdArb = () =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...world.patientIds), weight: 4 },
      fc.constantFrom('pat_nope', erasedPatientIdOf(PRACTICE_ID, 'pat_fz_a'), 'pat_fz', 'pat_fz_a|lapse', ''),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,127}$/),
      anyString(140),
    );
  const requestArb = () => fc.record({ practiceId: practiceIdArb, patientId: patientIdArb(), key: keyArb });
  const init = (method: string, r: { practiceId: string; patientId: string; key: string | undefined }) =>
    request({
      method,
      url: 'https://reengage.example/api/practices/x/patients/y',
      headers: adminHeaders(r.key),
      params: { practiceId: r.practiceId, patientId: r.patientId },
    });

  it('an export answers 200, 400, 401 or 404 and never writes anything', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        await witness.before();
        const response = await handleExportPatient(world.h.deps, init('GET', r));
        expect([200, 400, 401, 404]).toContain(response.status);
        expectSerializable(response);
        await witness.expectUnchanged(`a ${response.status} export`);
      }),
      fuzzParameters(80),
    );
  }, 120_000);

  it('an erasure answers 204, 400, 401 or 404, and anything but 204 changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        await witness.before();
        const response = await handleErasePatient(world.h.deps, init('DELETE', r));
        expect([204, 400, 401, 404]).toContain(response.status);
        expectSerializable(response);
        if (response.status === 204) witness.changed();
        else await witness.expectUnchanged(`a ${response.status} erasure`);
      }),
      fuzzParameters(80),
    );
  }, 120_000);
});
