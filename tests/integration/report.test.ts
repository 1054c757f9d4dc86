// practiceReport through the real handler on Azurite: figures from stored rows, CSV, the API key, bad queries.
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey, PRACTICE_KEY_HEADER } from '../../functions/src/app/adminAuth';
import type { OutreachRow } from '../../functions/src/core/model';
import type { PracticeReportFigures } from '../../functions/src/core/report';
import { handlePracticeReport } from '../../functions/src/functions/report';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';

const A = 'prac_rep_a';
const B = 'prac_rep_b';

function row(practiceId: string, fields: Partial<OutreachRow> & { patientId: string }): OutreachRow {
  const episodeKey = fields.episodeKey ?? '2026-12-01';
  const step = fields.step ?? 1;
  const plannedAt = fields.plannedAt ?? '2027-01-05T05:00:00.000Z';
  return {
    practiceId,
    id: `${fields.patientId}|lapse|${episodeKey}|${step}`,
    campaign: 'lapse',
    episodeKey,
    step,
    templateId: 'check-in',
    locale: 'fr',
    therapistId: 'th_1',
    status: 'planned',
    plannedAt,
    notBefore: plannedAt,
    operationId: '00000000-0000-5000-8000-000000000000',
    claimedAt: null,
    sentAt: null,
    deliveryStatus: null,
    deliveryAt: null,
    response: null,
    respondedAt: null,
    rebookedAt: null,
    failureReason: null,
    attempts: 0,
    ...fields,
  };
}

/*
 * Practice A (Europe/Paris), Q1 2027:
 *  pat_a1 check-in  th_1  delivered, answered "book", rebooked
 *  pat_a2 check-in  th_1  skipped:cooldown
 *  pat_a3 progress  th_2  held_out (would-be send 10 Jan), rebooked
 *  pat_a4 feedback  th_2  delivered, answered "feedback", rating 5 with a comment
 *  pat_a5 check-in  th_1  planned 31 Mar 22:30 UTC = 1 Apr Paris: outside Q1, inside the default 90 days
 * Practice B: one sent row, which A's report must never show.
 */
const rowsOfA: OutreachRow[] = [
  row(A, {
    patientId: 'pat_a1',
    status: 'delivered',
    sentAt: '2027-01-05T09:00:00.000Z',
    response: 'book',
    respondedAt: '2027-01-06T10:00:00.000Z',
    rebookedAt: '2027-01-12T10:00:00.000Z',
  }),
  row(A, {
    patientId: 'pat_a2',
    plannedAt: '2027-01-06T05:00:00.000Z',
    status: 'skipped:cooldown',
    failureReason: 'cooldown',
  }),
  row(A, {
    patientId: 'pat_a3',
    templateId: 'progress',
    therapistId: 'th_2',
    plannedAt: '2027-01-06T05:00:00.000Z',
    notBefore: '2027-01-10T09:00:00.000Z',
    status: 'held_out',
    rebookedAt: '2027-01-30T10:00:00.000Z',
  }),
  row(A, {
    patientId: 'pat_a4',
    templateId: 'feedback',
    therapistId: 'th_2',
    step: 3,
    plannedAt: '2027-02-15T05:00:00.000Z',
    status: 'delivered',
    sentAt: '2027-02-15T09:00:00.000Z',
    response: 'feedback',
    respondedAt: '2027-02-16T10:00:00.000Z',
  }),
  row(A, { patientId: 'pat_a5', plannedAt: '2027-03-31T22:30:00.000Z' }),
];

let h: Harness;
beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2027-06-01T12:00:00Z',
  }).ready();
  for (const [id, key] of [
    [A, 'key-a'],
    [B, 'key-b'],
  ] as const) {
    await h.addPractice(aPractice({ id }), [
      aTherapist({ practiceId: id, id: 'th_1', displayName: 'Dr Léa Martin' }),
      aTherapist({ practiceId: id, id: 'th_2', displayName: 'Bruno Adam' }),
    ]);
    const secrets = await h.deps.practices.getSecrets(id);
    await h.deps.practices.upsertSecrets({
      practiceId: id,
      webhooks: secrets?.webhooks ?? {},
      apiKeyHashes: [hashApiKey(key)],
    });
  }
  for (const r of rowsOfA) expect(await h.deps.ledger.createOutreach(r)).not.toBeNull();
  await h.deps.ledger.createOutreach(
    row(B, { patientId: 'pat_b1', status: 'delivered', sentAt: '2027-01-05T09:00:00.000Z' }),
  );
  await h.deps.feedback.upsertFeedback({
    practiceId: A,
    outreachId: 'pat_a4|lapse|2026-12-01|3',
    patientId: 'pat_a4',
    rating: 5,
    comment: 'Merci, très utile',
    createdAt: '2027-02-16T10:00:00.000Z',
    updatedAt: '2027-02-16T10:00:00.000Z',
  });
});
afterAll(() => h.dispose());

function get(practiceId: string, search: string, headers: Record<string, string> = {}) {
  return handlePracticeReport(
    h.deps,
    new HttpRequest({
      method: 'GET',
      url: `https://reengage.example/api/practices/${practiceId}/report${search}`,
      headers,
      params: { practiceId },
    }),
  );
}

const Q1 = '?from=2027-01-01&to=2027-04-01';

describe('the JSON report', () => {
  it('adds up the stored rows of the practice, by template', async () => {
    const response = await get(A, `${Q1}&groupBy=template`, { [PRACTICE_KEY_HEADER]: 'key-a' });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    const report = response.jsonBody as PracticeReportFigures & { practiceId: string; generatedAt: string };
    expect(report).toMatchObject({
      practiceId: A,
      generatedAt: '2027-06-01T12:00:00.000Z',
      period: { from: '2027-01-01', to: '2027-04-01', timeZone: 'Europe/Paris' },
      groupBy: 'template',
      language: 'en',
    });
    // Meant to be sent: a1, a4 (a2 skipped, a3 held out, a5 in April); both sent; a1 rebooked -> 1/2.
    expect(report.total).toEqual({
      planned: 2,
      pending: 0,
      sent: 2,
      delivered: 2,
      bounced: 0,
      failed: 0,
      heldOut: 1,
      skipped: { total: 1, byReason: { cooldown: 1 } },
      bookClicks: 1,
      notNow: 0,
      unsubscribes: 0,
      feedback: { count: 1, meanRating: 5 },
      rebooked: 1,
      rebookedRate: 0.5,
    });
    const checkIn = report.groups.find((g) => g.key === 'check-in');
    expect(checkIn).toMatchObject({ planned: 1, sent: 1, skipped: { total: 1 }, bookClicks: 1 });
    // Episodes: a1 and a4 emailed (a1 rebooked), a3 held out and rebooked.
    expect(report.holdout).toMatchObject({
      emailed: { episodes: 2, rebooked: 1, rate: 0.5 },
      heldOut: { episodes: 1, rebooked: 1, rate: 1 },
      difference: -0.5,
      verdict: { code: 'insufficient_data' },
    });
  });

  it('shows no patient ids, no comment, nothing of practice B', async () => {
    for (const groupBy of ['template', 'therapist', 'month']) {
      const response = await get(A, `${Q1}&groupBy=${groupBy}`, { [PRACTICE_KEY_HEADER]: 'key-a' });
      const text = JSON.stringify(response.jsonBody);
      expect(text).not.toContain('pat_');
      expect(text).not.toContain('Merci');
      expect(text).not.toContain(B);
    }
  });

  it('groups by therapist with the staff names, and by month in French', async () => {
    const byTherapist = await get(A, `${Q1}&groupBy=therapist`, { [PRACTICE_KEY_HEADER]: 'key-a' });
    const therapists = (byTherapist.jsonBody as PracticeReportFigures).groups;
    expect(therapists.map((g) => [g.key, g.label, g.planned, g.heldOut])).toEqual([
      ['th_2', 'Bruno Adam', 1, 1],
      ['th_1', 'Dr Léa Martin', 1, 0],
    ]);
    const byMonth = await get(A, `${Q1}&groupBy=month&lang=fr`, { [PRACTICE_KEY_HEADER]: 'key-a' });
    const report = byMonth.jsonBody as PracticeReportFigures;
    expect(report.groups.map((g) => [g.label, g.planned])).toEqual([
      ['janvier 2027', 1],
      ['février 2027', 1],
      ['mars 2027', 0],
    ]);
    expect(report.holdout.verdict.text.startsWith('Pas encore assez de données')).toBe(true);
  });

  it('defaults to the 90 days ending today in the practice time zone', async () => {
    // Today 1 June 2027 -> to 2 June; 2 June - 90 days: -30 = 3 May, -60 = 3 April, -90 = 4 March.
    const response = await get(A, '', { [PRACTICE_KEY_HEADER]: 'key-a' });
    const report = response.jsonBody as PracticeReportFigures;
    expect(report.period).toEqual({ from: '2027-03-04', to: '2027-06-02', timeZone: 'Europe/Paris' });
    // Only a5 (1 April in Paris) falls in it, still waiting to be sent.
    expect(report.total).toMatchObject({ planned: 1, pending: 1, sent: 0 });
  });
});

describe('the CSV report', () => {
  it('answers Accept: text/csv with a header, a line per group and a total line', async () => {
    const response = await get(A, `${Q1}&groupBy=therapist`, {
      [PRACTICE_KEY_HEADER]: 'key-a',
      accept: 'text/csv',
    });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': `attachment; filename="reengage-report-${A}-2027-01-01-2027-04-01.csv"`,
    });
    const body = String(response.body);
    expect(body).not.toContain('pat_');
    const lines = body.slice(0, -2).split('\r\n');
    expect(lines).toHaveLength(1 + 2 + 1);
    const header = (lines[0] ?? '').split(',');
    const cell = (line: string | undefined, column: string) =>
      (line ?? '').split(',')[header.indexOf(column)];
    expect(cell(lines[1], 'label')).toBe('Bruno Adam');
    expect(cell(lines[2], 'label')).toBe('Dr Léa Martin');
    expect(cell(lines[3], 'row')).toBe('total');
    expect(cell(lines[3], 'planned')).toBe('2');
    expect(cell(lines[3], 'skipped_cooldown')).toBe('1');
    expect(cell(lines[3], 'difference')).toBe('-0.5');
  });

  it('stays JSON when the client prefers JSON', async () => {
    const response = await get(A, Q1, {
      [PRACTICE_KEY_HEADER]: 'key-a',
      accept: 'text/csv;q=0.5, application/json',
    });
    expect(response.jsonBody).toBeDefined();
    expect(response.body).toBeUndefined();
  });
});

describe('access', () => {
  it.each([
    ['without a key', A, {}],
    ['with a wrong key', A, { [PRACTICE_KEY_HEADER]: 'key-x' }],
    ["with practice B's key on practice A", A, { [PRACTICE_KEY_HEADER]: 'key-b' }],
    ['for an unknown practice', 'prac_nobody', { [PRACTICE_KEY_HEADER]: 'key-a' }],
  ])('401 %s', async (_name, practiceId, headers: Record<string, string>) => {
    const response = await get(practiceId, Q1, headers);
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    expect(JSON.stringify(response.jsonBody)).not.toContain('planned');
  });

  it("practice B's key opens practice B's report, which has only B's row", async () => {
    const response = await get(B, Q1, { [PRACTICE_KEY_HEADER]: 'key-b' });
    expect(response.status).toBe(200);
    expect((response.jsonBody as PracticeReportFigures).total).toMatchObject({ planned: 1, sent: 1 });
  });

  it('401 comes before 400: a bad query without a key does not reveal what is wrong with it', async () => {
    const response = await get(A, '?groupBy=year', {});
    expect(response.status).toBe(401);
  });
});

describe('bad queries', () => {
  it('400 problem+json naming each bad parameter', async () => {
    const response = await get(A, '?from=2027-13-01&to=2027-04-01&groupBy=year&lang=de', {
      [PRACTICE_KEY_HEADER]: 'key-a',
    });
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json' });
    const body = response.jsonBody as { status: number; errors: { field: string }[] };
    expect(body.status).toBe(400);
    expect(body.errors.map((e) => e.field)).toEqual(['from', 'groupBy', 'lang']);
  });

  it.each([
    ['from after to', '?from=2027-04-01&to=2027-01-01', 'to'],
    ['more than three years', '?from=2020-01-01&to=2027-01-01', 'to'],
    ['a date with a time', '?from=2027-01-01T00:00:00Z', 'from'],
  ])('400 for %s', async (_name, search, field) => {
    const response = await get(A, search, { [PRACTICE_KEY_HEADER]: 'key-a' });
    expect(response.status).toBe(400);
    expect((response.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      field,
    ]);
  });
});
