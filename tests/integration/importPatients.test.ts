// Patient import on Azurite: dry run, apply, re-import, all-or-nothing, 10,000 rows, the HTTP endpoint and the CLI.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prefixedStorageNames } from '../../functions/src/adapters/storageClients';
import { hashApiKey, PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import { type ImportReport, importPatients } from '../../functions/src/app/importPatients';
import { addressHashOf } from '../../functions/src/core/ids';
import type { Appointment, OutreachRow, Patient, Practice } from '../../functions/src/core/model';
import { handleImportPatients } from '../../functions/src/functions/importPatients';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { snapshotTables } from '../support/snapshot';

const root = path.resolve(import.meta.dirname, '../..');
const connectionString = inject('azuriteConnectionString');
const fixture = (name: string) => readFileSync(path.join(root, 'tests/fixtures/import', name));

async function newHarness(start: string, prefix = `imp${randomBytes(4).toString('hex')}`) {
  return new Harness({ connectionString, start, names: prefixedStorageNames(prefix) }).ready();
}

async function addPractice(h: Harness, practice: Practice, apiKey: string) {
  await h.addPractice(practice, [
    aTherapist({ practiceId: practice.id, id: 'th_1', displayName: 'Dr Léa Martin' }),
    aTherapist({ practiceId: practice.id, id: 'th_2', displayName: 'Bruno Adam', locale: 'en' }),
  ]);
  const secrets = await h.deps.practices.getSecrets(practice.id);
  if (!secrets) throw new Error('the harness wrote no secrets');
  await h.deps.practices.upsertSecrets({ ...secrets, apiKeyHashes: [hashApiKey(apiKey)] });
}

async function patientsOf(h: Harness, practiceId: string): Promise<Map<string, Patient>> {
  const found = new Map<string, Patient>();
  for await (const p of h.deps.patients.listPatients(practiceId)) found.set(p.id, p);
  return found;
}

async function appointmentsOf(h: Harness, practiceId: string, patientId: string): Promise<Appointment[]> {
  const found: Appointment[] = [];
  for await (const a of h.deps.appointments.listAppointments(practiceId, patientId)) found.push(a);
  return found.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

async function dueOn(h: Harness, day: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of h.deps.dueIndex.listDue(day)) ids.push(`${entry.practiceId}/${entry.patientId}`);
  return ids.sort();
}

const actions = (report: ImportReport) => report.lines.map((l) => [l.line, l.patientId, l.action]);

/*
 * sample.csv (semicolon, BOM, CRLF, French headers), imported on Tuesday 1 Dec 2026 (Paris, UTC+1):
 *  line 2 pat_101 Céline   th_1 "Dr Léa Martin" oui, last visit 03/11/2026 (noon Paris = 11:00Z)
 *  line 3 pat_102 Zoé      th_2 "Bruno Adam"   yes, last visit 2026-11-03, next RDV 15/12/2026 14:30
 *  line 4 pat_103 Noé      th_1                non, last visit 2026-11-03T09:30:00+01:00
 *  line 5 pat_104 Jean-Luc th_2                oui, no dates (quoted name with ";" and a line break in "Notes")
 *  (line 6 continues line 5's notes; line 7 is empty)
 *  line 8 pat_105 Ana      th_1                1, discharged, last visit 2026-10-01
 */
describe('import through the use case', () => {
  const practice = aPractice({ id: 'prac_imp' });
  let h: Harness;
  let sample: Buffer;
  beforeAll(async () => {
    h = await newHarness('2026-12-01T10:00:00Z');
    await addPractice(h, practice, 'key-imp');
    sample = fixture('sample.csv');
  });
  afterAll(() => h.dispose());

  it('dry run: reports a create per line and writes nothing', async () => {
    const before = await snapshotTables(h);
    const report = await importPatients(h.deps, practice, sample, { dryRun: true });
    expect(report).toMatchObject({
      outcome: 'dry_run',
      encoding: 'utf-8',
      separator: ';',
      ignoredColumns: ['Notes'],
      fileErrors: [],
      totals: { lines: 5, create: 5, update: 0, unchanged: 0, invalid: 0, suppressed: 0 },
    });
    expect(actions(report)).toEqual([
      [2, 'pat_101', 'create'],
      [3, 'pat_102', 'create'],
      [4, 'pat_103', 'create'],
      [5, 'pat_104', 'create'],
      [8, 'pat_105', 'create'],
    ]);
    expect(await snapshotTables(h)).toBe(before);
  });

  it('apply: patients, appointments and DueIndex rows as the webhook would have made them', async () => {
    const report = await importPatients(h.deps, practice, sample, { dryRun: false });
    expect(report.outcome).toBe('applied');
    expect(report.totals).toMatchObject({ create: 5, invalid: 0 });

    const patients = await patientsOf(h, practice.id);
    expect([...patients.keys()].sort()).toEqual(['pat_101', 'pat_102', 'pat_103', 'pat_104', 'pat_105']);
    expect(patients.get('pat_101')).toMatchObject({
      firstName: 'Céline',
      email: 'celine.durand@example.org',
      locale: 'fr',
      therapistId: 'th_1',
      emailConsent: { granted: true, at: '2026-12-01T10:00:00.000Z', source: 'import' },
      careStatus: 'in_care',
      lastVisitAt: '2026-11-03T11:00:00.000Z',
      nextBookingAt: null,
      suppressed: false,
      // Lapse day 30 after 3 Nov: 3 Dec.
      dueDay: '20261203',
    });
    expect(patients.get('pat_102')).toMatchObject({
      firstName: 'Zoé',
      locale: 'en',
      therapistId: 'th_2',
      lastVisitAt: '2026-11-03T11:00:00.000Z',
      // 15 Dec 14:30 Paris.
      nextBookingAt: '2026-12-15T13:30:00.000Z',
      // The booking will be the last visit: looked at again 30 days after it, 14 Jan.
      dueDay: '20270114',
    });
    expect(patients.get('pat_103')).toMatchObject({
      // Written decomposed (e + U+0301) in the file, stored composed.
      firstName: 'No\u00e9',
      emailConsent: { granted: false },
      lastVisitAt: '2026-11-03T08:30:00.000Z',
    });
    expect(patients.get('pat_104')).toMatchObject({
      firstName: 'Jean-Luc',
      lastVisitAt: null,
      dueDay: null,
      focusArea: 'sommeil',
    });
    expect(patients.get('pat_105')).toMatchObject({ careStatus: 'discharged', dueDay: null });

    expect(await appointmentsOf(h, practice.id, 'pat_102')).toEqual([
      expect.objectContaining({
        id: 'import-visit-20261103',
        status: 'completed',
        startsAt: '2026-11-03T11:00:00.000Z',
        therapistId: 'th_2',
      }),
      expect.objectContaining({
        id: 'import-next-20261215T133000Z',
        status: 'booked',
        startsAt: '2026-12-15T13:30:00.000Z',
      }),
    ]);
    expect(await dueOn(h, '20261203')).toEqual(['prac_imp/pat_101', 'prac_imp/pat_103']);
    expect(await dueOn(h, '20270114')).toEqual(['prac_imp/pat_102']);
  });

  it('a patient imported and one sent by webhook with the same facts end up alike', async () => {
    const response = await h.postEvent(practice.id, {
      id: 'evt_wh_1',
      type: 'appointment.completed',
      occurredAt: '2026-12-01T10:00:00Z',
      patient: {
        id: 'wh_1',
        firstName: 'Céline',
        email: 'celine.webhook@example.org',
        locale: 'fr',
        therapistId: 'th_1',
        emailConsent: true,
      },
      appointment: { id: 'apt_1', startsAt: '2026-11-03T12:00:00+01:00', therapistId: 'th_1' },
    });
    expect(response.status).toBe(202);
    const patients = await patientsOf(h, practice.id);
    const pick = (p: Patient | undefined) => ({
      locale: p?.locale,
      therapistId: p?.therapistId,
      granted: p?.emailConsent.granted,
      careStatus: p?.careStatus,
      lastVisitAt: p?.lastVisitAt,
      nextBookingAt: p?.nextBookingAt,
      episode: p?.episode,
      suppressed: p?.suppressed,
      dueDay: p?.dueDay,
    });
    expect(pick(patients.get('pat_101'))).toEqual(pick(patients.get('wh_1')));
  });

  it('the planner on 3 Dec plans the imported lapsed patient exactly as the webhook one', async () => {
    h.clock.set('2026-12-03T05:00:00Z');
    await h.plan();
    const rows: OutreachRow[] = [];
    for await (const row of h.deps.ledger.listOutreach(practice.id)) rows.push(row);
    const byPatient = Object.fromEntries(rows.map((r) => [r.patientId, [r.status, r.templateId, r.step]]));
    expect(byPatient).toEqual({
      pat_101: ['planned', 'check-in', 1],
      wh_1: ['planned', 'check-in', 1],
      // Due too, but without consent.
      pat_103: ['skipped:no_consent', 'check-in', 1],
    });
    h.clock.set('2026-12-01T10:00:00Z');
  });

  it('importing the same file again: all unchanged, nothing written', async () => {
    const before = await snapshotTables(h);
    const report = await importPatients(h.deps, practice, sample, { dryRun: false });
    expect(report.outcome).toBe('applied');
    expect(report.totals).toMatchObject({ lines: 5, create: 0, update: 0, unchanged: 5 });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('a changed file: updates name only what changed, and moves an imported booking', async () => {
    const changed = [
      'id;prénom;email;prochain rdv',
      'pat_101;Céline;celine.new@example.org;', // new address
      'pat_102;Zoé;zoe.martin@example.org;2027-01-12', // the booking moved to 12 Jan
      'pat_103;Noé;;', // nothing new (an empty cell changes nothing)
    ].join('\n');
    const report = await importPatients(h.deps, practice, changed, { dryRun: false });
    expect(report.lines.map((l) => [l.patientId, l.action, l.fields])).toEqual([
      ['pat_101', 'update', ['email']],
      ['pat_102', 'update', ['nextBookingAt']],
      ['pat_103', 'unchanged', undefined],
    ]);
    const patients = await patientsOf(h, practice.id);
    expect(patients.get('pat_101')?.email).toBe('celine.new@example.org');
    expect(patients.get('pat_102')?.nextBookingAt).toBe('2027-01-12T11:00:00.000Z');
    expect((await appointmentsOf(h, practice.id, 'pat_102')).map((a) => [a.id, a.status])).toEqual([
      ['import-visit-20261103', 'completed'],
      ['import-next-20261215T133000Z', 'cancelled'],
      ['import-next-20270112T110000Z', 'booked'],
    ]);
  });

  it('an address on the suppression list: imported, and the patient suppressed', async () => {
    await h.deps.suppressions.upsertSuppression({
      practiceId: practice.id,
      addressHash: addressHashOf(practice.id, 'gone@example.org'),
      reason: 'unsubscribed',
      at: '2026-06-01T00:00:00.000Z',
    });
    const csv = 'id,first name,email,consent\npat_200,Eva,Gone@Example.org,yes\n';
    const dry = await importPatients(h.deps, practice, csv, { dryRun: true });
    expect(dry.lines[0]).toMatchObject({ action: 'create', suppressed: true });
    expect(dry.totals.suppressed).toBe(1);
    await importPatients(h.deps, practice, csv, { dryRun: false });
    const patient = await h.deps.patients.getPatient(practice.id, 'pat_200');
    expect(patient?.value).toMatchObject({ suppressed: true, emailConsent: { granted: true } });
  });

  it('one invalid line: the report lists it and nothing at all is written', async () => {
    const before = await snapshotTables(h);
    const csv = [
      'id;prénom;email;thérapeute;dernière visite',
      'pat_300;Lou;lou@example.org;th_1;2026-10-10',
      'pat_301;Max;max@example.org;Dr Who;2026-10-10',
      'pat_302;Kim;kim@example.org;th_2;2026-10-10',
    ].join('\n');
    const report = await importPatients(h.deps, practice, csv, { dryRun: false });
    expect(report.outcome).toBe('invalid');
    expect(actions(report)).toEqual([
      [2, 'pat_300', 'create'],
      [3, 'pat_301', 'invalid'],
      [4, 'pat_302', 'create'],
    ]);
    expect(report.lines[1]?.errors).toEqual([
      {
        field: 'therapistId',
        column: 'thérapeute',
        message: '"Dr Who" is not a therapist of this practice (give an id or a name)',
      },
    ]);
    expect(await snapshotTables(h)).toBe(before);
  });
});

/** `count` patients, one line each, with every column filled and three date formats in turn. */
function generatedCsv(count: number): string {
  const lines = [
    'Identifiant;Prénom;Courriel;Langue;Thérapeute;Consentement;Statut;Dernière visite;Prochain RDV',
  ];
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    const lastVisit = [`2026-10-${day}`, `${day}/10/2026`, `2026-10-${day}T09:00:00+02:00`][i % 3];
    const next = i % 4 === 0 ? `2027-01-${day} 10:00` : '';
    lines.push(
      `p${i};Prénom ${i};p${i}@example.org;${i % 2 ? 'en' : 'fr'};th_${(i % 2) + 1};${i % 5 ? 'oui' : 'non'};en cours;${lastVisit};${next}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('a 10,000-row file', () => {
  const practice = aPractice({ id: 'prac_big' });
  let h: Harness;
  beforeAll(async () => {
    h = await newHarness('2026-12-01T10:00:00Z');
    await addPractice(h, practice, 'key-big');
    await h.deps.suppressions.upsertSuppression({
      practiceId: practice.id,
      addressHash: addressHashOf(practice.id, 'p9@example.org'),
      reason: 'bounced',
      at: '2026-06-01T00:00:00.000Z',
    });
  });
  afterAll(() => h.dispose());

  // Writing 10,000 patients to Azurite takes minutes on two cores (about 13 storage requests each), so the
  // suite checks the whole file in a dry run and writes a 1,000-line slice; `npm run bench -- --only import`
  // times the full 10,000-line write.
  it('is checked line by line in a dry run that writes nothing', async () => {
    const before = await snapshotTables(h);
    let lastProgress = { phase: '', done: 0, total: 0 };
    const report = await importPatients(h.deps, practice, generatedCsv(10_000), {
      dryRun: true,
      onProgress: (p) => {
        lastProgress = p;
      },
    });
    expect(report.outcome).toBe('dry_run');
    expect(report.totals).toEqual({
      lines: 10_000,
      create: 10_000,
      update: 0,
      unchanged: 0,
      invalid: 0,
      suppressed: 1,
    });
    expect(lastProgress).toEqual({ phase: 'checking', done: 10_000, total: 10_000 });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('writes a 1,000-line slice in one go, then finds it unchanged', { timeout: 300_000 }, async () => {
    const csv = generatedCsv(1_000);
    const report = await importPatients(h.deps, practice, csv, { dryRun: false });
    expect(report.outcome).toBe('applied');
    expect(report.totals).toEqual({
      lines: 1_000,
      create: 1_000,
      update: 0,
      unchanged: 0,
      invalid: 0,
      suppressed: 1,
    });
    const patients = await patientsOf(h, practice.id);
    expect(patients.size).toBe(1_000);
    // i % 4 === 0 has a next appointment in January: 250 of them.
    expect([...patients.values()].filter((p) => p.nextBookingAt !== null)).toHaveLength(250);
    // i % 5 !== 0 consented: 800.
    expect([...patients.values()].filter((p) => p.emailConsent.granted)).toHaveLength(800);
    expect(patients.get('p8')).toMatchObject({
      firstName: 'Prénom 8',
      locale: 'fr',
      therapistId: 'th_1',
      // i = 8: day 09, the ISO form with +02:00 -> 07:00Z; i % 4 === 0: next 9 Jan 10:00 Paris (UTC+1).
      lastVisitAt: '2026-10-09T07:00:00.000Z',
      nextBookingAt: '2027-01-09T09:00:00.000Z',
    });
    expect(patients.get('p9')?.suppressed).toBe(true);
    expect([...patients.values()].filter((p) => p.suppressed)).toHaveLength(1);

    const before = await snapshotTables(h);
    const again = await importPatients(h.deps, practice, csv, { dryRun: false });
    expect(again.totals).toMatchObject({ unchanged: 1_000, create: 0, update: 0 });
    expect(await snapshotTables(h)).toBe(before);
  });
});

const KEY = 'key-of-prac-http-0123456789';
const OTHER_KEY = 'key-of-prac-other-0123456789';

function post(
  h: Harness,
  practiceId: string,
  body: string | Buffer,
  options: { query?: string; headers?: Record<string, string> } = {},
): Promise<HttpResponseInit> {
  return handleImportPatients(
    h.deps,
    new HttpRequest({
      method: 'POST',
      url: `https://reengage.example/api/practices/${practiceId}/patients/import${options.query ?? ''}`,
      headers: { 'content-type': 'text/csv', ...options.headers },
      params: { practiceId },
      body: typeof body === 'string' ? { string: body } : { bytes: body },
    }),
  );
}

describe('POST practices/{practiceId}/patients/import', () => {
  const practice = aPractice({ id: 'prac_http' });
  let h: Harness;
  beforeAll(async () => {
    h = await newHarness('2026-12-01T10:00:00Z');
    await addPractice(h, practice, KEY);
    await addPractice(h, aPractice({ id: 'prac_other' }), OTHER_KEY);
  });
  afterAll(() => h.dispose());
  const withKey = { [PRACTICE_KEY_HEADER]: KEY };

  it.each([
    ['without a key', 'prac_http', {}],
    ['with a wrong key', 'prac_http', { [PRACTICE_KEY_HEADER]: 'nope' }],
    ["with another practice's key", 'prac_http', { [PRACTICE_KEY_HEADER]: OTHER_KEY }],
    ['for an unknown practice', 'prac_nobody', { [PRACTICE_KEY_HEADER]: KEY }],
  ])('401 %s, and nothing written', async (_name, practiceId, headers: Record<string, string>) => {
    const before = await snapshotTables(h);
    const response = await post(h, practiceId, fixture('sample.csv'), { query: '?dryRun=false', headers });
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(JSON.stringify(response.jsonBody)).not.toContain('pat_10');
    expect(await snapshotTables(h)).toBe(before);
  });

  it('dry run: 200 with the per-line report, nothing written', async () => {
    const before = await snapshotTables(h);
    const response = await post(h, practice.id, fixture('sample.csv'), {
      query: '?dryRun=true',
      headers: withKey,
    });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    const report = response.jsonBody as ImportReport;
    expect(report.outcome).toBe('dry_run');
    expect(actions(report).map(([line, , action]) => [line, action])).toEqual([
      [2, 'create'],
      [3, 'create'],
      [4, 'create'],
      [5, 'create'],
      [8, 'create'],
    ]);
    expect(await snapshotTables(h)).toBe(before);
  });

  it('422 problem+json listing the invalid lines, nothing written', async () => {
    const before = await snapshotTables(h);
    const csv = 'id;email;consentement\np1;p1@example.org;oui\np2;p2@;oui\np3;p3@example.org;peut-être\n';
    const response = await post(h, practice.id, csv, { query: '?dryRun=false', headers: withKey });
    expect(response.status).toBe(422);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    const body = response.jsonBody as ImportReport & { status: number; title: string; detail: string };
    expect(body).toMatchObject({ status: 422, title: 'Invalid import file', outcome: 'invalid' });
    expect(body.detail).toBe('2 of 3 lines are invalid; nothing was imported.');
    expect(
      body.lines.filter((l) => l.action === 'invalid').map((l) => [l.line, l.errors?.[0]?.field]),
    ).toEqual([
      [3, 'email'],
      [4, 'emailConsent'],
    ]);
    expect(await snapshotTables(h)).toBe(before);
  });

  it('applies a text/csv body, then a JSON body with a mapping and the separator', async () => {
    const applied = await post(h, practice.id, fixture('sample.csv'), {
      query: '?dryRun=false',
      headers: withKey,
    });
    expect(applied.status).toBe(200);
    expect((applied.jsonBody as ImportReport).totals).toMatchObject({ create: 5, invalid: 0 });
    expect((await patientsOf(h, practice.id)).size).toBe(5);

    const csv = 'Ref|Given\npat_101|Céline Marie\npat_900|Paul\n'.replaceAll('|', ',');
    const json = await post(
      h,
      practice.id,
      JSON.stringify({ csv, mapping: { id: 'Ref', firstName: 'Given' }, separator: ',' }),
      {
        query: '?dryRun=false',
        headers: { ...withKey, 'content-type': 'application/json' },
      },
    );
    expect(json.status).toBe(200);
    const report = json.jsonBody as ImportReport;
    expect(report.lines.map((l) => [l.patientId, l.action, l.fields])).toEqual([
      ['pat_101', 'update', ['firstName']],
      ['pat_900', 'create', undefined],
    ]);
    expect((await h.deps.patients.getPatient(practice.id, 'pat_101'))?.value.firstName).toBe('Céline Marie');
  });

  it('reads the separator from the query', async () => {
    // A comma inside the header's first name makes detection pick ",": the query says ";".
    const csv = 'id;"prénom, usuel"\npat_950;Lou\n';
    const response = await post(h, practice.id, csv, {
      query: '?dryRun=true&separator=semicolon',
      headers: withKey,
    });
    expect(response.status).toBe(200);
    expect((response.jsonBody as ImportReport).separator).toBe(';');
  });

  it.each([
    ['415 for another media type', { 'content-type': 'application/xml' }, '?dryRun=true', 'x', 415],
    ['400 for dryRun=maybe', {}, '?dryRun=maybe', 'id\np1\n', 400],
    ['400 for a mistyped dryrun=true (it must not import)', {}, '?dryrun=true', 'id\np1\n', 400],
    ['400 for a separator it does not know', {}, '?separator=tab', 'id\np1\n', 400],
    ['400 for separator=constructor', {}, '?separator=constructor', 'id\np1\n', 400],
    ['400 for JSON that does not parse', { 'content-type': 'application/json' }, '', '{"csv":', 400],
    [
      '400 for a mapping naming an unknown field',
      { 'content-type': 'application/json' },
      '',
      JSON.stringify({ csv: 'id\np1\n', mapping: { lastName: 'Nom' } }),
      400,
    ],
  ])('%s, nothing written', async (_name, headers: Record<string, string>, query, body, status) => {
    const before = await snapshotTables(h);
    const response = await post(h, practice.id, body, { query, headers: { ...withKey, ...headers } });
    expect(response.status).toBe(status);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(await snapshotTables(h)).toBe(before);
  });

  it('413 above 10 MB', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const response = await post(h, practice.id, big, { query: '?dryRun=true', headers: withKey });
    expect(response.status).toBe(413);
  });
});

/** Runs the `reengage` bin as a user would (the shebang's node is this test's node). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'cli/bin/reengage.mjs'), ...args],
      {
        cwd: root,
        env: { ...process.env, REENGAGE_PRACTICE_KEY: '', REENGAGE_FUNCTION_KEY: '' },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

/** The Functions host in miniature: checks the function key, routes the import to its real handler. */
async function startImportServer(
  h: Harness,
  functionKey: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((incoming, outgoing) => {
    (async () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const match = /^\/api\/practices\/([^/]+)\/patients\/import$/.exec(url.pathname);
      if (!match || incoming.method !== 'POST') {
        outgoing.writeHead(404).end();
        return;
      }
      if (incoming.headers['x-functions-key'] !== functionKey) {
        outgoing.writeHead(401).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers))
        if (typeof value === 'string') headers[name] = value;
      const response = new HttpResponse(
        await handleImportPatients(
          h.deps,
          new HttpRequest({
            method: 'POST',
            url: url.href,
            headers,
            params: { practiceId: decodeURIComponent(match[1] ?? '') },
            body: { bytes: Buffer.concat(chunks) },
          }),
        ),
      );
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      outgoing.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      outgoing.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('npx reengage import', () => {
  const practice = aPractice({ id: 'prac_cli' });
  const prefix = `cli${randomBytes(4).toString('hex')}`;
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await newHarness('2026-12-01T10:00:00Z', prefix);
    await addPractice(h, practice, KEY);
    dir = mkdtempSync(path.join(tmpdir(), 'reengage-import-'));
  });
  afterAll(async () => {
    await h.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const sample = path.join(root, 'tests/fixtures/import/sample.csv');
  const local = ['--local', '--connection', connectionString, '--table-prefix', prefix];

  it('--local --dry-run: a summary, exit 0, nothing written', { timeout: 120_000 }, async () => {
    const before = await snapshotTables(h);
    const run = await runCli(['import', sample, '--practice', practice.id, '--dry-run', ...local]);
    expect(run.stderr).toBe('Checking: 5/5 lines\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run of sample.csv into practice prac_cli (separator ";", utf-8)');
    expect(run.stdout).toContain('5 lines: 5 to create, 0 to update, 0 unchanged, 0 invalid');
    expect(run.stdout).toContain('Not imported: "Notes"');
    expect(await snapshotTables(h)).toBe(before);
  });

  it('--local: imports, then says unchanged', { timeout: 120_000 }, async () => {
    const run = await runCli(['import', sample, '--practice', practice.id, ...local]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('Checking: 5/5 lines\nWriting: 5/5 lines\n');
    expect(run.stdout).toContain('5 lines: 5 created, 0 updated, 0 unchanged, 0 invalid');
    expect((await patientsOf(h, practice.id)).size).toBe(5);
    const again = await runCli(['import', sample, '--practice', practice.id, ...local]);
    expect(again.stdout).toContain('5 lines: 0 created, 0 updated, 5 unchanged, 0 invalid');
  });

  it('invalid lines: exit 1, the lines listed, nothing written', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(
      file,
      'id,email,therapist\npat_500,a@example.org,th_1\npat_501,b@example,th_1\npat_502,c@example.org,Dr No\n',
    );
    const before = await snapshotTables(h);
    const run = await runCli(['import', file, '--practice', practice.id, ...local]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Nothing was written: fix the invalid lines and run again.');
    expect(run.stdout).toContain('  line 3 (pat_501): email: must be a valid email address');
    expect(run.stdout).toContain(
      '  line 4 (pat_502): therapist: "Dr No" is not a therapist of this practice',
    );
    expect(await snapshotTables(h)).toBe(before);
  });

  it.each([
    ['no practice', ['import', 'x.csv', '--local']],
    ['neither --url nor --local', ['import', 'x.csv', '--practice', 'p']],
    [
      'both --url and --local',
      ['import', 'x.csv', '--practice', 'p', '--local', '--url', 'https://a.example/api'],
    ],
    ['an unknown option', ['import', 'x.csv', '--practice', 'p', '--local', '--force']],
    [
      'plain http to a remote host',
      ['import', 'x.csv', '--practice', 'p', '--url', 'http://a.example/api', '--practice-key', 'k'],
    ],
    ['an unknown command', ['export']],
  ])('usage error (exit 2): %s', { timeout: 120_000 }, async (_name, args) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Run "reengage --help" for usage.');
    expect(run.stdout).toBe('');
  });

  it('exit 2 for a practice the storage does not have', { timeout: 120_000 }, async () => {
    const run = await runCli(['import', sample, '--practice', 'prac_nowhere', ...local]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('there is no practice "prac_nowhere" in this storage');
  });

  it('--url: through the HTTP endpoint with both keys, a mapping file, and 401 mapped to exit 2', {
    timeout: 120_000,
  }, async () => {
    const server = await startImportServer(h, 'fn-key');
    try {
      const file = path.join(dir, 'mapped.csv');
      writeFileSync(file, 'Ref;Given;Mail\npat_800;Inès;ines@example.org\n');
      const mapping = path.join(dir, 'map.json');
      writeFileSync(mapping, JSON.stringify({ id: 'Ref', firstName: 'Given', email: 'Mail' }));
      const remote = ['--url', server.url, '--function-key', 'fn-key', '--practice-key', KEY];
      const run = await runCli(['import', file, '--practice', practice.id, '--mapping', mapping, ...remote]);
      expect(run.stdout).toContain('1 line: 1 created, 0 updated, 0 unchanged, 0 invalid');
      expect(run.code).toBe(0);
      expect((await h.deps.patients.getPatient(practice.id, 'pat_800'))?.value).toMatchObject({
        firstName: 'Inès',
        email: 'ines@example.org',
      });

      const json = await runCli([
        'import',
        sample,
        '--practice',
        practice.id,
        '--dry-run',
        '--json',
        ...remote,
      ]);
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as ImportReport).totals).toMatchObject({ lines: 5, unchanged: 5 });

      const wrongPracticeKey = await runCli([
        'import',
        sample,
        '--practice',
        practice.id,
        '--url',
        server.url,
        '--function-key',
        'fn-key',
        '--practice-key',
        'nope',
      ]);
      expect(wrongPracticeKey.code).toBe(2);
      expect(wrongPracticeKey.stderr).toContain('the app refused the keys (401)');
      const noFunctionKey = await runCli([
        'import',
        sample,
        '--practice',
        practice.id,
        '--url',
        server.url,
        '--practice-key',
        KEY,
      ]);
      expect(noFunctionKey.code).toBe(2);
    } finally {
      await server.close();
    }
  });
});
