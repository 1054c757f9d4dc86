// The practice report's arithmetic on hand-built ledgers, the interval against published values, the verdicts, CSV.
import { describe, expect, it } from 'vitest';
import type { OutreachRow } from '../../functions/src/core/model';
import {
  buildReportFigures,
  compareHoldout,
  csvCell,
  hasEnoughData,
  newcombeInterval,
  parseReportQuery,
  type ReportQuery,
  reportToCsv,
  wilsonInterval,
} from '../../functions/src/core/report';

const TZ = 'Europe/Paris';
const Q1: ReportQuery = { from: '2027-01-01', to: '2027-04-01', groupBy: 'template', language: 'en' };
const NOW = new Date('2027-06-01T12:00:00Z');

function row(fields: Partial<OutreachRow> & { patientId: string }): OutreachRow {
  const campaign = fields.campaign ?? 'lapse';
  const episodeKey = fields.episodeKey ?? '2026-12-01';
  const step = fields.step ?? 1;
  const plannedAt = fields.plannedAt ?? '2027-01-05T05:00:00.000Z';
  return {
    practiceId: 'prac_r',
    id: `${fields.patientId}|${campaign}|${episodeKey}|${step}`,
    campaign,
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
    attempts: 1,
    ...fields,
  };
}

const query = (params: Record<string, string>) => new URLSearchParams(params);

describe('query parameters', () => {
  it('default to the 90 days ending today, by template, in English', () => {
    // today 15 June -> to = 16 June (exclusive); 16 June - 90 days: -30 = 17 May, -60 = 17 April, -90 = 18 March.
    expect(parseReportQuery(query({}), '2027-06-15')).toEqual({
      ok: true,
      value: { from: '2027-03-18', to: '2027-06-16', groupBy: 'template', language: 'en' },
    });
  });

  it('accept an explicit period, grouping and language, and ignore the function key parameter', () => {
    const parsed = parseReportQuery(
      query({ from: '2027-01-01', to: '2027-04-01', groupBy: 'month', lang: 'fr', code: 'xyz' }),
      '2027-06-15',
    );
    expect(parsed).toEqual({
      ok: true,
      value: { from: '2027-01-01', to: '2027-04-01', groupBy: 'month', language: 'fr' },
    });
  });

  it('name every bad parameter at once', () => {
    const parsed = parseReportQuery(
      query({ from: '2027-02-30', to: '2027-04-01', groupBy: 'week', lang: 'de' }),
      '2027-06-15',
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toEqual(['from', 'groupBy', 'lang']);
  });

  it.each([['2027-1-05'], ['05/01/2027'], ['2027-01-05T00:00:00Z'], ['tomorrow']])(
    'refuse a date written as %s',
    (from) => {
      const parsed = parseReportQuery(query({ from, to: '2027-04-01' }), '2027-06-15');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problems).toEqual([{ field: 'from', message: expect.any(String) }]);
    },
  );

  it('need from before to (to is exclusive, so equal dates are an empty period)', () => {
    const parsed = parseReportQuery(query({ from: '2027-03-01', to: '2027-03-01' }), '2027-06-15');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toEqual(['to']);
  });

  it('blame from when only from is given and it is after today', () => {
    const parsed = parseReportQuery(query({ from: '2027-07-01' }), '2027-06-15');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toEqual(['from']);
  });

  it('allow exactly three years, not a day more', () => {
    expect(parseReportQuery(query({ from: '2024-01-01', to: '2027-01-01' }), '2027-06-15').ok).toBe(true);
    const parsed = parseReportQuery(query({ from: '2024-01-01', to: '2027-01-02' }), '2027-06-15');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field)).toEqual(['to']);
  });
});

describe('Wilson score interval', () => {
  // The same interval derived another way: the roots in p of (x/n - p)^2 = z^2 p (1 - p) / n, i.e. of
  // (1 + z^2/n) p^2 - (2x/n + z^2/n) p + (x/n)^2 = 0, solved with the quadratic formula.
  function wilsonByQuadratic(x: number, n: number, z = 1.959963984540054) {
    const p = x / n;
    const a = 1 + (z * z) / n;
    const b = -(2 * p + (z * z) / n);
    const c = p * p;
    const root = Math.sqrt(b * b - 4 * a * c);
    return { low: (-b - root) / (2 * a), high: (-b + root) / (2 * a) };
  }

  it('gives the published 81/263 -> (0.2553, 0.3662) (Newcombe 1998, Stat Med 17:857, example)', () => {
    const ci = wilsonInterval(81, 263);
    expect(ci.low).toBeCloseTo(0.2553, 4);
    expect(ci.high).toBeCloseTo(0.3662, 4);
  });

  it.each([
    [4, 10],
    [1, 8],
    [0, 12],
    [12, 12],
    [37, 250],
  ])('agrees with the quadratic-root derivation for %i/%i', (x, n) => {
    const ci = wilsonInterval(x, n);
    const independent = wilsonByQuadratic(x, n);
    expect(ci.low).toBeCloseTo(Math.max(0, independent.low), 12);
    expect(ci.high).toBeCloseTo(Math.min(1, independent.high), 12);
  });

  it('does not collapse at 0/n: 0/10 -> (0, 0.2775)', () => {
    // At x = 0 the centre and the half-width are both (z^2/2n) / (1 + z^2/n), so upper = (z^2/n) / (1 + z^2/n)
    // = 0.38415 / 1.38415 = 0.2775.
    const ci = wilsonInterval(0, 10);
    expect(ci.low).toBe(0);
    expect(ci.high).toBeCloseTo(0.2775, 4);
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
  });
});

describe('Newcombe hybrid score interval (method 10)', () => {
  // Newcombe, Statistics in Medicine 1998;17:873-890, Table II, method 10: 56/70 - 48/80 = 0.2000 with
  // interval 0.0524 to 0.3339; 9/10 - 3/10 = 0.6000 with 0.1705 to 0.8090. (The same figures are used as
  // regression values by the R package propint's tests.)
  it('reproduces 56/70 - 48/80 -> (0.0524, 0.3339)', () => {
    const ci = newcombeInterval(56, 70, 48, 80);
    expect(ci.low).toBeCloseTo(0.0524, 4);
    expect(ci.high).toBeCloseTo(0.3339, 4);
  });

  it('reproduces 9/10 - 3/10 -> (0.1705, 0.8090)', () => {
    const ci = newcombeInterval(9, 10, 3, 10);
    expect(ci.low).toBeCloseTo(0.1705, 4);
    expect(ci.high).toBeCloseTo(0.809, 4);
  });

  it('is the mirror image when the groups are swapped', () => {
    const ab = newcombeInterval(4, 10, 1, 8);
    const ba = newcombeInterval(1, 8, 4, 10);
    expect(ba.low).toBeCloseTo(-ab.high, 12);
    expect(ba.high).toBeCloseTo(-ab.low, 12);
  });
});

describe('verdicts', () => {
  it('emails help when the interval is above 0: 40/100 vs 10/80', () => {
    // p1 = 0.4, p0 = 0.125, d = 0.275. Wilson 40/100 = (0.3094, 0.4980), 10/80 = (0.0693, 0.2150):
    // low = 0.275 - sqrt(0.0906^2 + 0.0900^2) = 0.1473, high = 0.275 + sqrt(0.0980^2 + 0.0557^2) = 0.3877.
    const result = compareHoldout({ episodes: 100, rebooked: 40 }, { episodes: 80, rebooked: 10 }, 0, 'en');
    expect(result.emailed.rate).toBe(0.4);
    expect(result.heldOut.rate).toBe(0.125);
    expect(result.difference).toBe(0.275);
    expect(result.ci95?.low).toBeCloseTo(0.1473, 3);
    expect(result.ci95?.high).toBeCloseTo(0.3877, 3);
    expect(result.verdict).toEqual({
      code: 'helps',
      text: 'Emails seem to help: +27.5 points (95% CI +14.7 to +38.8).',
    });
  });

  it('says it in French with lang=fr', () => {
    const result = compareHoldout({ episodes: 100, rebooked: 40 }, { episodes: 80, rebooked: 10 }, 0, 'fr');
    expect(result.verdict.text).toBe(
      'Les e-mails semblent aider : +27,5 points (IC à 95 % : +14,7 à +38,8).',
    );
  });

  it('no measurable effect when the interval contains 0: 5/30 vs 5/30', () => {
    // Pooled rate 10/60 = 1/6: expected rebookings 30/6 = 5 per group, exactly the threshold (>= 5 passes).
    const result = compareHoldout({ episodes: 30, rebooked: 5 }, { episodes: 30, rebooked: 5 }, 0, 'en');
    expect(result.difference).toBe(0);
    expect(result.verdict.code).toBe('no_effect');
    expect(result.verdict.text.startsWith('No measurable effect yet: +0.0 points (95% CI -')).toBe(true);
  });

  it('the emailed group rebooks less when the interval is below 0: 5/100 vs 30/100', () => {
    const result = compareHoldout({ episodes: 100, rebooked: 5 }, { episodes: 100, rebooked: 30 }, 0, 'en');
    expect(result.difference).toBe(-0.25);
    expect(result.ci95?.high).toBeLessThan(0);
    expect(result.verdict.code).toBe('hurts');
    expect(result.verdict.text.startsWith('The emailed group rebooks less: -25.0 points (95% CI -')).toBe(
      true,
    );
  });

  it.each([
    ['29 emailed episodes', { episodes: 29, rebooked: 10 }, { episodes: 100, rebooked: 10 }],
    ['29 held-out episodes', { episodes: 100, rebooked: 40 }, { episodes: 29, rebooked: 3 }],
    // pooled 4/60: 30 x 0.0667 = 2 expected rebookings per group, below 5.
    ['too few expected rebookings', { episodes: 30, rebooked: 2 }, { episodes: 30, rebooked: 2 }],
    // pooled 55/60: 30 x 0.0833 = 2.5 expected non-rebookings per group, below 5.
    ['too few expected non-rebookings', { episodes: 30, rebooked: 28 }, { episodes: 30, rebooked: 27 }],
  ])('not enough data with %s', (_name, emailed, heldOut) => {
    expect(hasEnoughData(emailed, heldOut)).toBe(false);
    const result = compareHoldout(emailed, heldOut, 0, 'en');
    expect(result.verdict.code).toBe('insufficient_data');
    expect(result.verdict.text.startsWith('Not enough data yet:')).toBe(true);
    // The figures are still shown, so a manager can watch them grow.
    expect(result.ci95).not.toBeNull();
  });

  it('without a held-out group, says how to get one', () => {
    const result = compareHoldout({ episodes: 200, rebooked: 50 }, { episodes: 0, rebooked: 0 }, 0, 'fr');
    expect(result.heldOut.rate).toBeNull();
    expect(result.difference).toBeNull();
    expect(result.ci95).toBeNull();
    expect(result.verdict.code).toBe('insufficient_data');
    expect(result.verdict.text).toContain('holdoutPercent');
    expect(result.verdict.text.startsWith('Pas encore assez de données')).toBe(true);
  });
});

/*
 * The seeded ledger for the row figures (Europe/Paris, Q1 2027 = [1 Jan, 1 Apr) local):
 *  r1  pat_1  check-in   th_1  5 Jan   delivered, answered "book", rebooked
 *  r2  pat_2  check-in   th_1  5 Jan   bounced
 *  r3  pat_3  check-in   th_2  31 Jan 23:30 UTC = 1 Feb 00:30 Paris; sent, answered "later"
 *  r4  pat_4  progress   th_2  10 Feb  failed before sending (no sentAt)
 *  r5  pat_5  progress   th_1  10 Feb  skipped:booked
 *  r6  pat_6  check-in   th_1  11 Feb  skipped:no_consent
 *  r7  pat_7  check-in   th_1  1 Mar   skipped:booked
 *  r8  pat_8  feedback   th_2  2 Mar   delivered, answered "feedback", rating 4
 *  r9  pat_9  feedback   none  3 Mar   delivered, answered "unsubscribe", rating 2
 *  r10 pat_10 check-in   th_1  5 Mar   held_out
 *  r11 pat_11 no-pressure th_1 30 Mar  planned (not sent yet)
 *  r12 pat_12 check-in   th_2  31 Dec 23:30 UTC = 1 Jan 00:30 Paris: IN the period; delivered, rebooked
 *  r13 pat_1  no-pressure th_1 31 Mar 22:30 UTC = 1 Apr 00:30 Paris: OUT of the period; feedback rating 5
 * Feedback also holds an entry whose row does not exist (rating 1): ignored.
 */
const sent = (at: string) => ({ sentAt: at });
const ledger: OutreachRow[] = [
  row({
    patientId: 'pat_1',
    status: 'delivered',
    ...sent('2027-01-05T09:00:00Z'),
    response: 'book',
    rebookedAt: '2027-01-10T10:00:00Z',
  }),
  row({ patientId: 'pat_2', status: 'bounced', ...sent('2027-01-05T09:01:00Z') }),
  row({
    patientId: 'pat_3',
    therapistId: 'th_2',
    plannedAt: '2027-01-31T23:30:00.000Z',
    status: 'sent',
    ...sent('2027-02-01T09:00:00Z'),
    response: 'later',
  }),
  row({
    patientId: 'pat_4',
    therapistId: 'th_2',
    templateId: 'progress',
    plannedAt: '2027-02-10T05:00:00Z',
    status: 'failed',
  }),
  row({
    patientId: 'pat_5',
    templateId: 'progress',
    plannedAt: '2027-02-10T05:00:00Z',
    status: 'skipped:booked',
  }),
  row({ patientId: 'pat_6', plannedAt: '2027-02-11T05:00:00Z', status: 'skipped:no_consent' }),
  row({ patientId: 'pat_7', plannedAt: '2027-03-01T05:00:00Z', status: 'skipped:booked' }),
  row({
    patientId: 'pat_8',
    therapistId: 'th_2',
    templateId: 'feedback',
    step: 3,
    plannedAt: '2027-03-02T05:00:00Z',
    status: 'delivered',
    ...sent('2027-03-02T09:00:00Z'),
    response: 'feedback',
  }),
  row({
    patientId: 'pat_9',
    therapistId: null,
    templateId: 'feedback',
    step: 3,
    plannedAt: '2027-03-03T05:00:00Z',
    status: 'delivered',
    ...sent('2027-03-03T09:00:00Z'),
    response: 'unsubscribe',
  }),
  row({
    patientId: 'pat_10',
    plannedAt: '2027-03-05T05:00:00Z',
    notBefore: '2027-03-05T09:00:00Z',
    status: 'held_out',
  }),
  row({
    patientId: 'pat_11',
    templateId: 'no-pressure',
    step: 2,
    plannedAt: '2027-03-30T05:00:00Z',
    notBefore: '2027-07-01T09:00:00Z',
    status: 'planned',
  }),
  row({
    patientId: 'pat_12',
    therapistId: 'th_2',
    plannedAt: '2026-12-31T23:30:00.000Z',
    status: 'delivered',
    ...sent('2027-01-04T09:00:00Z'),
    rebookedAt: '2027-01-20T10:00:00Z',
  }),
  row({
    patientId: 'pat_1',
    templateId: 'no-pressure',
    step: 2,
    plannedAt: '2027-03-31T22:30:00.000Z',
    status: 'delivered',
    ...sent('2027-04-01T09:00:00Z'),
  }),
];
const feedback = [
  { outreachId: 'pat_8|lapse|2026-12-01|3', rating: 4 as const },
  { outreachId: 'pat_9|lapse|2026-12-01|3', rating: 2 as const },
  { outreachId: 'pat_1|lapse|2026-12-01|2', rating: 5 as const },
  { outreachId: 'pat_404|lapse|2026-12-01|3', rating: 1 as const },
];
const names = new Map([
  ['th_1', 'Dr Léa Martin'],
  ['th_2', 'Bruno Adam'],
]);

function figures(q: Partial<ReportQuery> = {}, rows = ledger) {
  return buildReportFigures({
    rows,
    feedback,
    timeZone: TZ,
    query: { ...Q1, ...q },
    therapistNames: names,
    now: NOW,
  });
}

describe('row figures', () => {
  it('by template: every template listed, each figure counted by hand', () => {
    const report = figures();
    expect(report.groups.map((g) => g.key)).toEqual([
      'check-in',
      'progress',
      'seasonal',
      'resource',
      'direct',
      'plan-follow-up',
      'no-pressure',
      'feedback',
    ]);
    const by = Object.fromEntries(report.groups.map((g) => [g.key, g]));
    // check-in: r1 r2 r3 r12 meant to be sent, r6 r7 skipped, r10 held out; sent r1 r2 r3 r12;
    // delivered r1 r12; rebooked r1 r12 -> 2/4.
    expect(by['check-in']).toEqual({
      key: 'check-in',
      label: 'Check-in',
      planned: 4,
      pending: 0,
      sent: 4,
      delivered: 2,
      bounced: 1,
      failed: 0,
      heldOut: 1,
      skipped: { total: 2, byReason: { booked: 1, no_consent: 1 } },
      bookClicks: 1,
      notNow: 1,
      unsubscribes: 0,
      feedback: { count: 0, meanRating: null },
      rebooked: 2,
      rebookedRate: 0.5,
    });
    // progress: r4 failed before sending (planned, not sent), r5 skipped.
    expect(by.progress).toMatchObject({
      planned: 1,
      sent: 0,
      failed: 1,
      skipped: { total: 1, byReason: { booked: 1 } },
      rebookedRate: null,
    });
    // feedback: r8 and r9, ratings 4 and 2 -> mean 3; r9 unsubscribed.
    expect(by.feedback).toMatchObject({
      planned: 2,
      sent: 2,
      delivered: 2,
      unsubscribes: 1,
      feedback: { count: 2, meanRating: 3 },
      rebooked: 0,
      rebookedRate: 0,
    });
    // no-pressure: r11 only (r13 is 1 April in Paris).
    expect(by['no-pressure']).toMatchObject({ planned: 1, pending: 1, sent: 0, delivered: 0 });
    expect(by.seasonal).toMatchObject({ planned: 0, sent: 0, heldOut: 0, rebookedRate: null });
  });

  it('in total: the sum of the groups, rebooked rate over sent rows', () => {
    // planned 4 + 1 + 2 + 1 = 8; sent 4 + 2 = 6; rebooked 2 -> 2/6 = 0.3333.
    expect(figures().total).toEqual({
      planned: 8,
      pending: 1,
      sent: 6,
      delivered: 4,
      bounced: 1,
      failed: 1,
      heldOut: 1,
      skipped: { total: 3, byReason: { booked: 2, no_consent: 1 } },
      bookClicks: 1,
      notNow: 1,
      unsubscribes: 1,
      feedback: { count: 2, meanRating: 3 },
      rebooked: 2,
      rebookedRate: 0.3333,
    });
  });

  it('by month, in the practice time zone, every month of the period listed', () => {
    const report = figures({ groupBy: 'month' });
    expect(report.groups.map((g) => [g.key, g.label])).toEqual([
      ['2027-01', 'January 2027'],
      ['2027-02', 'February 2027'],
      ['2027-03', 'March 2027'],
    ]);
    const [jan, feb, mar] = report.groups;
    // January (Paris): r1 r2 r12; r3 is 1 February in Paris though 31 January in UTC.
    expect(jan).toMatchObject({ planned: 3, sent: 3, rebooked: 2, rebookedRate: 0.6667 });
    // February: r3 (sent) and r4 (failed) planned, r5 r6 skipped.
    expect(feb).toMatchObject({ planned: 2, sent: 1, failed: 1, skipped: { total: 2 } });
    // March: r8 r9 r11 planned, r7 skipped, r10 held out.
    expect(mar).toMatchObject({ planned: 3, sent: 2, pending: 1, heldOut: 1, skipped: { total: 1 } });
  });

  it('labels months in French with lang=fr', () => {
    const report = figures({ groupBy: 'month', language: 'fr' });
    expect(report.groups.map((g) => g.label)).toEqual(['janvier 2027', 'février 2027', 'mars 2027']);
  });

  it('by therapist: named by the practice staff list, sorted by name, the unassigned row last', () => {
    const report = figures({ groupBy: 'therapist' });
    expect(report.groups.map((g) => [g.key, g.label])).toEqual([
      ['th_2', 'Bruno Adam'],
      ['th_1', 'Dr Léa Martin'],
      [null, 'No therapist'],
    ]);
    const [th2, th1, none] = report.groups;
    // th_1: r1 r2 r11 planned (r5 r6 r7 skipped, r10 held out), r1 r2 sent.
    expect(th1).toMatchObject({ planned: 3, sent: 2, heldOut: 1, skipped: { total: 3 } });
    // th_2: r3 r4 r8 r12 planned, r3 r8 r12 sent, rebooked r12.
    expect(th2).toMatchObject({ planned: 4, sent: 3, rebooked: 1, feedback: { count: 1, meanRating: 4 } });
    expect(none).toMatchObject({
      planned: 1,
      sent: 1,
      unsubscribes: 1,
      feedback: { count: 1, meanRating: 2 },
    });
  });

  it('carries no patient id anywhere', () => {
    for (const groupBy of ['template', 'therapist', 'month'] as const) {
      const report = figures({ groupBy });
      expect(JSON.stringify(report)).not.toContain('pat_');
      expect(reportToCsv(report)).not.toContain('pat_');
    }
  });
});

/*
 * The holdout ledger, counted in episodes (Q1 2027, now = 1 June 2027):
 *  emailed e0..e8: one lapse episode each (key 2026-12-01), step 1 sent in January; e0..e3 also get step 2
 *    sent in February, so rows (13) and episodes (9) differ. Rebooked: e0 (on step 1), e1 and e2 (on step 2).
 *  e5 also gets a seasonal email (window 2027:spring) that is rebooked: it joins e5's lapse episode -> e5 is
 *    rebooked, and no extra episode appears.
 *  e9 has only a seasonal email (no lapse row): an episode on its own, not rebooked.
 *  -> emailed: 10 episodes, 4 rebooked (e0 e1 e2 e5) -> 0.4.
 *  held out h0..h7: step 1 held out in January; h0..h3 also step 2 held out in February; h0 rebooked.
 *  -> held out: 8 episodes, 1 rebooked -> 0.125. Difference 0.4 - 0.125 = 0.275.
 *  Not counted: m0 (step 1 sent, step 2 held out: mixed, reported apart), k0 (only skipped rows), f0 (held out
 *  but its send time, 1 July, is still ahead), p0 (first email in December, before the period, rebooked).
 */
function holdoutLedger(): OutreachRow[] {
  const rows: OutreachRow[] = [];
  for (let i = 0; i <= 8; i++) {
    rows.push(
      row({
        patientId: `e${i}`,
        status: 'delivered',
        ...sent('2027-01-10T09:00:00Z'),
        rebookedAt: i === 0 ? '2027-01-20T10:00:00Z' : null,
      }),
    );
    if (i <= 3) {
      rows.push(
        row({
          patientId: `e${i}`,
          step: 2,
          templateId: 'no-pressure',
          plannedAt: '2027-02-09T05:00:00Z',
          status: 'delivered',
          ...sent('2027-02-10T09:00:00Z'),
          rebookedAt: i === 1 || i === 2 ? '2027-02-15T10:00:00Z' : null,
        }),
      );
    }
  }
  rows.push(
    row({
      patientId: 'e5',
      campaign: 'seasonal',
      episodeKey: '2027:spring',
      templateId: 'seasonal',
      plannedAt: '2027-03-01T06:00:00Z',
      status: 'delivered',
      ...sent('2027-03-01T09:00:00Z'),
      rebookedAt: '2027-03-05T10:00:00Z',
    }),
    row({
      patientId: 'e9',
      campaign: 'seasonal',
      episodeKey: '2027:spring',
      templateId: 'seasonal',
      plannedAt: '2027-03-01T06:00:00Z',
      status: 'delivered',
      ...sent('2027-03-01T09:00:00Z'),
    }),
  );
  for (let i = 0; i <= 7; i++) {
    rows.push(
      row({
        patientId: `h${i}`,
        status: 'held_out',
        notBefore: '2027-01-10T09:00:00Z',
        rebookedAt: i === 0 ? '2027-01-25T10:00:00Z' : null,
      }),
    );
    if (i <= 3) {
      rows.push(
        row({
          patientId: `h${i}`,
          step: 2,
          plannedAt: '2027-02-09T05:00:00Z',
          notBefore: '2027-02-10T09:00:00Z',
          status: 'held_out',
        }),
      );
    }
  }
  rows.push(
    row({ patientId: 'm0', status: 'delivered', ...sent('2027-01-10T09:00:00Z') }),
    row({ patientId: 'm0', step: 2, notBefore: '2027-02-10T09:00:00Z', status: 'held_out' }),
    row({ patientId: 'k0', status: 'skipped:cooldown' }),
    row({
      patientId: 'f0',
      plannedAt: '2027-03-30T05:00:00Z',
      notBefore: '2027-07-01T08:00:00Z',
      status: 'held_out',
    }),
    row({
      patientId: 'p0',
      episodeKey: '2026-11-01',
      plannedAt: '2026-12-14T05:00:00Z',
      status: 'delivered',
      ...sent('2026-12-15T09:00:00Z'),
    }),
    row({
      patientId: 'p0',
      episodeKey: '2026-11-01',
      step: 2,
      plannedAt: '2027-01-19T05:00:00Z',
      status: 'delivered',
      ...sent('2027-01-20T09:00:00Z'),
      rebookedAt: '2027-01-22T10:00:00Z',
    }),
  );
  return rows;
}

describe('holdout comparison over episodes', () => {
  it('counts episodes, not rows, and attaches seasonal emails to their lapse episode', () => {
    const { holdout } = figures({}, holdoutLedger());
    expect(holdout.emailed).toEqual({ episodes: 10, rebooked: 4, rate: 0.4 });
    expect(holdout.heldOut).toEqual({ episodes: 8, rebooked: 1, rate: 0.125 });
    expect(holdout.excludedMixed).toBe(1);
    expect(holdout.difference).toBe(0.275);
  });

  it("counts a seasonal email with the lapse episode it records, even when the patient's earlier episode has rows", () => {
    // s0: step 1 of the December episode sent, not rebooked; a new visit on 1 February starts another
    // episode with no lapse row yet; the spring email (drawn on that new episode) is followed by a booking.
    const rows = (lapseEpisodeKey?: string) => [
      row({ patientId: 's0', status: 'delivered', ...sent('2027-01-10T09:00:00Z') }),
      row({
        patientId: 's0',
        campaign: 'seasonal',
        episodeKey: '2027:spring',
        templateId: 'seasonal',
        plannedAt: '2027-03-01T06:00:00Z',
        status: 'delivered',
        ...sent('2027-03-01T09:00:00Z'),
        rebookedAt: '2027-03-05T10:00:00Z',
        ...(lapseEpisodeKey ? { lapseEpisodeKey } : {}),
      }),
    ];
    // Recorded: two episodes, the February one rebooked.
    expect(figures({}, rows('2027-02-01')).holdout.emailed).toEqual({ episodes: 2, rebooked: 1, rate: 0.5 });
    // A row planned before the key was recorded falls back to the latest lapse episode with rows.
    expect(figures({}, rows()).holdout.emailed).toEqual({ episodes: 1, rebooked: 1, rate: 1 });
  });

  it('gives the Newcombe interval of 4/10 vs 1/8 but no verdict under 30 episodes a group', () => {
    const { holdout } = figures({}, holdoutLedger());
    // Wilson 4/10 and 1/8 from the closed form, checked against the quadratic roots above.
    const w1 = wilsonInterval(4, 10);
    const w0 = wilsonInterval(1, 8);
    const low = 0.275 - Math.hypot(0.4 - w1.low, w0.high - 0.125);
    const high = 0.275 + Math.hypot(w1.high - 0.4, 0.125 - w0.low);
    expect(holdout.ci95?.low).toBeCloseTo(low, 4);
    expect(holdout.ci95?.high).toBeCloseTo(high, 4);
    expect(holdout.ci95?.low).toBeLessThan(0);
    expect(holdout.verdict.code).toBe('insufficient_data');
    expect(holdout.verdict.text).toBe(
      'Not enough data yet: 10 emailed and 8 held-out episodes so far. A fair comparison needs at least 30 episodes in each group and enough rebookings in each.',
    );
  });

  it('counts a held-out episode only once its would-be send time has passed, as an email counts once sent', () => {
    const pending = [row({ patientId: 'f1', notBefore: '2027-03-25T09:00:00Z', status: 'held_out' })];
    const at = (now: string) =>
      buildReportFigures({
        rows: pending,
        feedback: [],
        timeZone: TZ,
        query: Q1,
        therapistNames: names,
        now: new Date(now),
      }).holdout.heldOut.episodes;
    expect(at('2027-03-20T12:00:00Z')).toBe(0);
    expect(at('2027-03-26T12:00:00Z')).toBe(1);
  });

  it('leaves out episodes first touched outside the period', () => {
    // Only February onwards: every episode above was first touched in January (or March for e9) -> e9 alone.
    const { holdout } = figures({ from: '2027-02-01' }, holdoutLedger());
    expect(holdout.emailed).toEqual({ episodes: 1, rebooked: 0, rate: 0 });
    expect(holdout.heldOut).toEqual({ episodes: 0, rebooked: 0, rate: null });
  });
});

describe('CSV', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+33 6 12', "'+33 6 12"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTab', "'\tTab"],
    ['Dr Léa Martin', 'Dr Léa Martin'],
    ['Martin, Léa', '"Martin, Léa"'],
    ['Léa "Lou" Martin', '"Léa ""Lou"" Martin"'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=1,2', `"'=1,2"`],
  ])('escapes the text %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    [-0.05, '-0.05'],
    [0.3333, '0.3333'],
    [12, '12'],
    [-0, '0'],
    [null, ''],
  ])('writes the number %j as %j (never prefixed, dot decimals)', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('has a header, one line per group and a total line, CRLF-terminated', () => {
    const csv = reportToCsv(figures());
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.slice(0, -2).split('\r\n');
    expect(lines).toHaveLength(1 + 8 + 1);
    const header = (lines[0] ?? '').split(',');
    const cells = (line: string | undefined) => (line ?? '').split(',');
    const at = (line: string | undefined, column: string) => cells(line)[header.indexOf(column)];
    const checkIn = lines[1];
    expect(at(checkIn, 'row')).toBe('group');
    expect(at(checkIn, 'key')).toBe('check-in');
    expect(at(checkIn, 'planned')).toBe('4');
    expect(at(checkIn, 'skipped_booked')).toBe('1');
    expect(at(checkIn, 'skipped_cooldown')).toBe('0');
    expect(at(checkIn, 'rebooked_rate')).toBe('0.5');
    expect(at(checkIn, 'verdict')).toBe('');
    const total = lines[9];
    expect(at(total, 'row')).toBe('total');
    expect(at(total, 'sent')).toBe('6');
    expect(at(total, 'rebooked_rate')).toBe('0.3333');
    expect(at(total, 'feedback_mean_rating')).toBe('3');
    // The ledger has one held-out row but its episode is alone: not enough data, said on the total line.
    expect(at(total, 'held_out_episodes')).toBe('1');
    expect(csv).toContain('Not enough data yet');
  });

  it('neutralises a therapist name that looks like a formula', () => {
    const report = buildReportFigures({
      rows: ledger,
      feedback,
      timeZone: TZ,
      query: { ...Q1, groupBy: 'therapist' },
      therapistNames: new Map([['th_1', '=HYPERLINK("http://evil.example","x")']]),
      now: NOW,
    });
    expect(reportToCsv(report)).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  });
});
