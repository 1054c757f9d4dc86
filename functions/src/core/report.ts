// The practice report: what the emails did (per template, therapist or month) and whether they help (holdout).
import { DateTime } from 'luxon';
import type { FieldProblem, ParseResult } from './bookingEvents';
import { SKIP_REASONS } from './eligibility';
import type { Locale, OutreachRow, TemplateId } from './model';
import { TEMPLATE_IDS } from './model';
import type { FeedbackEntry } from './ports';

export type ReportGroupBy = 'template' | 'therapist' | 'month';
export const REPORT_GROUP_BYS: readonly ReportGroupBy[] = ['template', 'therapist', 'month'];

export const DEFAULT_REPORT_DAYS = 90;
export const MAX_REPORT_SPAN_YEARS = 3;

/** Below this many episodes in either group, the comparison is not attempted. */
export const MIN_EPISODES_PER_GROUP = 30;
/**
 * Below this many expected rebookings (or expected non-rebookings) in either group under the pooled rate,
 * a difference of a few episodes swings the result: the classical rule of thumb for comparing two proportions.
 */
export const MIN_EXPECTED_PER_CELL = 5;

/** z for a two-sided 95% interval (the 0.975 quantile of the standard normal). */
const Z_95 = 1.959963984540054;

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export interface ReportQuery {
  /** Practice-local date `yyyy-MM-dd`, inclusive. */
  from: string;
  /** Practice-local date `yyyy-MM-dd`, exclusive: `to=2027-04-01` covers up to the end of 31 March. */
  to: string;
  groupBy: ReportGroupBy;
  language: Locale;
}

/**
 * Reads `from`, `to`, `groupBy` and `lang`, naming every bad parameter. Defaults: the 90 days ending with
 * `today` (the practice's local date), grouped by template, in English.
 */
export function parseReportQuery(
  query: { get(name: string): string | null },
  today: string,
): ParseResult<ReportQuery> {
  const problems: FieldProblem[] = [];
  const date = (name: 'from' | 'to'): DateTime | null | undefined => {
    const raw = query.get(name);
    if (raw === null || raw === '') return undefined;
    const parsed = DateTime.fromFormat(raw, 'yyyy-MM-dd', { zone: 'UTC' });
    if (!DAY_PATTERN.test(raw) || !parsed.isValid) {
      problems.push({ field: name, message: 'must be a date yyyy-MM-dd (practice-local)' });
      return null;
    }
    return parsed;
  };
  const fromGiven = date('from');
  const toGiven = date('to');

  const groupByRaw = query.get('groupBy') ?? '';
  const groupBy = groupByRaw === '' ? 'template' : groupByRaw;
  if (!REPORT_GROUP_BYS.includes(groupBy as ReportGroupBy)) {
    problems.push({ field: 'groupBy', message: `must be one of: ${REPORT_GROUP_BYS.join(', ')}` });
  }
  const langRaw = query.get('lang') ?? '';
  const language = langRaw === '' ? 'en' : langRaw;
  if (language !== 'en' && language !== 'fr') {
    problems.push({ field: 'lang', message: 'must be one of: en, fr' });
  }

  if (fromGiven !== null && toGiven !== null) {
    const tomorrow = DateTime.fromISO(today, { zone: 'UTC' }).plus({ days: 1 });
    const to = toGiven ?? tomorrow;
    const from = fromGiven ?? to.minus({ days: DEFAULT_REPORT_DAYS });
    // The order and span problems belong to whichever bound the caller actually gave.
    const blamed = toGiven ? 'to' : 'from';
    if (from >= to) {
      problems.push({ field: blamed, message: '`from` must be before `to` (`to` is exclusive)' });
    } else if (to > from.plus({ years: MAX_REPORT_SPAN_YEARS })) {
      problems.push({ field: blamed, message: `the period may span at most ${MAX_REPORT_SPAN_YEARS} years` });
    }
    if (problems.length === 0) {
      return {
        ok: true,
        value: {
          from: from.toISODate() ?? '',
          to: to.toISODate() ?? '',
          groupBy: groupBy as ReportGroupBy,
          language: language as Locale,
        },
      };
    }
  }
  return { ok: false, problems };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a binomial proportion x/n, without continuity correction (E. B. Wilson, 1927;
 * method 3 of Newcombe, Statistics in Medicine 1998;17:857-872). Unlike the Wald interval it stays inside
 * [0, 1] and does not collapse to a point at 0/n or n/n.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials <= 0) {
    throw new RangeError('wilsonInterval needs whole counts and at least one trial');
  }
  if (successes < 0 || successes > trials) throw new RangeError('successes must be between 0 and trials');
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}

/**
 * 95% interval for p1 - p0 of two independent proportions by Newcombe's hybrid score method ("method 10"
 * in R. G. Newcombe, Interval estimation for the difference between independent proportions: comparison of
 * eleven methods, Statistics in Medicine 1998;17:873-890). Each proportion gets its Wilson interval
 * (l, u); the distances from each estimate to its limits are combined in quadrature:
 *   low  = d - sqrt((p1 - l1)^2 + (u0 - p0)^2)
 *   high = d + sqrt((u1 - p1)^2 + (p0 - l0)^2)
 * Chosen because its coverage stays close to 95% with the small, lopsided groups a practice has, where the
 * textbook Wald interval is far too narrow.
 */
export function newcombeInterval(x1: number, n1: number, x0: number, n0: number, z = Z_95): Interval {
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const w1 = wilsonInterval(x1, n1, z);
  const w0 = wilsonInterval(x0, n0, z);
  const d = p1 - p0;
  return {
    low: Math.max(-1, d - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2)),
    high: Math.min(1, d + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2)),
  };
}

export type VerdictCode = 'insufficient_data' | 'helps' | 'no_effect' | 'hurts';

export interface GroupOutcome {
  episodes: number;
  rebooked: number;
}

export interface HoldoutComparison {
  emailed: GroupOutcome & { rate: number | null };
  heldOut: GroupOutcome & { rate: number | null };
  /** Episodes with both sent and held-out rows (the holdout share changed mid-episode): left out. */
  excludedMixed: number;
  /** p1 - p0, null until both groups have an episode. */
  difference: number | null;
  ci95: Interval | null;
  method: string;
  verdict: { code: VerdictCode; text: string };
}

/**
 * Whether the comparison has enough data to say anything: at least 30 episodes in each group, and under the
 * pooled rebooking rate p = (x1 + x0) / (n1 + n0), at least 5 expected rebookings AND 5 expected
 * non-rebookings in each group (n * p >= 5 and n * (1 - p) >= 5).
 */
export function hasEnoughData(emailed: GroupOutcome, heldOut: GroupOutcome): boolean {
  const n1 = emailed.episodes;
  const n0 = heldOut.episodes;
  if (n1 < MIN_EPISODES_PER_GROUP || n0 < MIN_EPISODES_PER_GROUP) return false;
  const pooled = (emailed.rebooked + heldOut.rebooked) / (n1 + n0);
  const smallestExpected = Math.min(n1 * pooled, n0 * pooled, n1 * (1 - pooled), n0 * (1 - pooled));
  return smallestExpected >= MIN_EXPECTED_PER_CELL;
}

export function compareHoldout(
  emailed: GroupOutcome,
  heldOut: GroupOutcome,
  excludedMixed: number,
  language: Locale,
): HoldoutComparison {
  const rate = (g: GroupOutcome) => (g.episodes > 0 ? g.rebooked / g.episodes : null);
  const p1 = rate(emailed);
  const p0 = rate(heldOut);
  const comparable = p1 !== null && p0 !== null;
  const ci = comparable
    ? newcombeInterval(emailed.rebooked, emailed.episodes, heldOut.rebooked, heldOut.episodes)
    : null;
  const difference = comparable ? p1 - p0 : null;
  let code: VerdictCode = 'insufficient_data';
  if (ci && difference !== null && hasEnoughData(emailed, heldOut)) {
    code = ci.low > 0 ? 'helps' : ci.high < 0 ? 'hurts' : 'no_effect';
  }
  return {
    emailed: { ...emailed, rate: round(p1, 4) },
    heldOut: { ...heldOut, rate: round(p0, 4) },
    excludedMixed,
    difference: round(difference, 4),
    ci95: ci && { low: round(ci.low, 4) ?? 0, high: round(ci.high, 4) ?? 0 },
    method: 'Newcombe hybrid score interval (method 10), 95%',
    verdict: { code, text: verdictText(code, language, emailed, heldOut, difference, ci) },
  };
}

function verdictText(
  code: VerdictCode,
  language: Locale,
  emailed: GroupOutcome,
  heldOut: GroupOutcome,
  difference: number | null,
  ci: Interval | null,
): string {
  const fr = language === 'fr';
  if (code === 'insufficient_data') {
    if (heldOut.episodes === 0) {
      return fr
        ? 'Pas encore assez de données : aucun épisode témoin (sans e-mail) pour l’instant. Réglez un pourcentage témoin (holdoutPercent) pour mesurer l’effet des e-mails.'
        : 'Not enough data yet: there are no held-out episodes so far. Set a holdout percentage (holdoutPercent) to measure what the emails do.';
    }
    return fr
      ? `Pas encore assez de données : ${emailed.episodes} épisodes avec e-mail et ${heldOut.episodes} épisodes témoins pour l’instant. Une comparaison fiable demande au moins ${MIN_EPISODES_PER_GROUP} épisodes par groupe et assez de reprises de rendez-vous dans chacun.`
      : `Not enough data yet: ${emailed.episodes} emailed and ${heldOut.episodes} held-out episodes so far. A fair comparison needs at least ${MIN_EPISODES_PER_GROUP} episodes in each group and enough rebookings in each.`;
  }
  const figures = (separator: string, ciWord: string, toWord: string) =>
    `${points(difference ?? 0, separator)} points (${ciWord} ${points(ci?.low ?? 0, separator)} ${toWord} ${points(ci?.high ?? 0, separator)})`;
  const en = figures('.', '95% CI', 'to');
  const frFigures = figures(',', 'IC à 95 % :', 'à');
  switch (code) {
    case 'helps':
      return fr ? `Les e-mails semblent aider : ${frFigures}.` : `Emails seem to help: ${en}.`;
    case 'hurts':
      return fr
        ? `Le groupe qui reçoit les e-mails reprend moins rendez-vous : ${frFigures}.`
        : `The emailed group rebooks less: ${en}.`;
    case 'no_effect':
      return fr ? `Pas d’effet mesurable pour l’instant : ${frFigures}.` : `No measurable effect yet: ${en}.`;
  }
}

/** A proportion difference as signed percentage points with one decimal: 0.275 -> "+27.5". */
function points(value: number, decimalSeparator: string): string {
  const rounded = Math.round(value * 1000) / 10;
  const text = Math.abs(rounded).toFixed(1).replace('.', decimalSeparator);
  return `${rounded < 0 ? '-' : '+'}${text}`;
}

function round(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const factor = 10 ** decimals;
  // + 0 turns -0 into 0, which would otherwise print as "-0" in some consumers.
  return Math.round(value * factor) / factor + 0;
}

// ---------------------------------------------------------------------------------------------------------
// Figures per row group

export interface Figures {
  /** Rows planned in the period and meant to be sent: every status except `skipped:*` and `held_out`. */
  planned: number;
  /** Not sent yet (`planned` or `sending`). */
  pending: number;
  /** Rows with a send time: everything ACS (or the outbox) accepted. */
  sent: number;
  delivered: number;
  bounced: number;
  /** Rejected by the transport, failed to render, or reported failed by the delivery report. */
  failed: number;
  /** The control group's rows: recorded, never sent. */
  heldOut: number;
  skipped: { total: number; byReason: Record<string, number> };
  bookClicks: number;
  notNow: number;
  unsubscribes: number;
  feedback: { count: number; meanRating: number | null };
  /** Sent rows to which a booking was attributed (SPEC §8: within 30 days after the email). */
  rebooked: number;
  /** rebooked / sent, null when nothing was sent. */
  rebookedRate: number | null;
}

export interface ReportGroup extends Figures {
  /** Template id, therapist id (null: no therapist), or `yyyy-MM`. */
  key: string | null;
  label: string;
}

export interface ReportInput {
  rows: readonly OutreachRow[];
  feedback: readonly Pick<FeedbackEntry, 'outreachId' | 'rating'>[];
  timeZone: string;
  query: ReportQuery;
  /** Display names of therapists by id (the practice's staff; never patients). */
  therapistNames: ReadonlyMap<string, string>;
  /** Held-out rows whose would-be send time is still ahead are not in the comparison yet. */
  now: Date;
}

export interface PracticeReportFigures {
  period: { from: string; to: string; timeZone: string };
  groupBy: ReportGroupBy;
  language: Locale;
  groups: ReportGroup[];
  total: Figures;
  holdout: HoldoutComparison;
}

const TEMPLATE_LABELS: Record<TemplateId, Record<Locale, string>> = {
  'check-in': { en: 'Check-in', fr: 'Comment allez-vous ?' },
  progress: { en: 'Progress reminder', fr: 'Rappel des progrès' },
  seasonal: { en: 'New start (seasonal)', fr: 'Nouveau départ (saisonnier)' },
  resource: { en: 'Resource share', fr: 'Partage de ressource' },
  direct: { en: 'Direct invitation', fr: 'Invitation directe' },
  'plan-follow-up': { en: 'Plan follow-up', fr: 'Suivi du plan' },
  'no-pressure': { en: 'No pressure', fr: 'Sans pression' },
  feedback: { en: 'Feedback request', fr: 'Demande d’avis' },
};

const NO_THERAPIST: Record<Locale, string> = { en: 'No therapist', fr: 'Sans thérapeute' };

interface Tally {
  figures: Figures;
  ratingSum: number;
}

function emptyTally(): Tally {
  return {
    ratingSum: 0,
    figures: {
      planned: 0,
      pending: 0,
      sent: 0,
      delivered: 0,
      bounced: 0,
      failed: 0,
      heldOut: 0,
      skipped: { total: 0, byReason: {} },
      bookClicks: 0,
      notNow: 0,
      unsubscribes: 0,
      feedback: { count: 0, meanRating: null },
      rebooked: 0,
      rebookedRate: null,
    },
  };
}

function addRow(tally: Tally, row: OutreachRow, ratings: readonly number[]): void {
  const f = tally.figures;
  if (row.status.startsWith('skipped:')) {
    const reason = row.status.slice('skipped:'.length) || 'unknown';
    f.skipped.total++;
    f.skipped.byReason[reason] = (f.skipped.byReason[reason] ?? 0) + 1;
  } else if (row.status === 'held_out') {
    f.heldOut++;
  } else {
    f.planned++;
    if (row.status === 'planned' || row.status === 'sending') f.pending++;
    if (row.status === 'delivered') f.delivered++;
    if (row.status === 'bounced') f.bounced++;
    if (row.status === 'failed') f.failed++;
  }
  if (row.sentAt) {
    f.sent++;
    if (row.rebookedAt) f.rebooked++;
  }
  if (row.response === 'book') f.bookClicks++;
  if (row.response === 'later') f.notNow++;
  if (row.response === 'unsubscribe') f.unsubscribes++;
  for (const rating of ratings) {
    f.feedback.count++;
    tally.ratingSum += rating;
  }
}

function finish(tally: Tally): Figures {
  const f = tally.figures;
  return {
    ...f,
    skipped: { total: f.skipped.total, byReason: sortedRecord(f.skipped.byReason) },
    feedback: {
      count: f.feedback.count,
      meanRating: f.feedback.count > 0 ? round(tally.ratingSum / f.feedback.count, 2) : null,
    },
    rebookedRate: f.sent > 0 ? round(f.rebooked / f.sent, 4) : null,
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function startOfLocalDay(date: string, timeZone: string): number {
  return DateTime.fromISO(date, { zone: timeZone }).startOf('day').toMillis();
}

/**
 * Everything about a row (its send, delivery, answer, feedback and rebooking) is counted with the row, in
 * the period and group where the row was planned: the rates then compare like with like.
 */
export function buildReportFigures(input: ReportInput): PracticeReportFigures {
  const { query, timeZone } = input;
  const fromMs = startOfLocalDay(query.from, timeZone);
  const toMs = startOfLocalDay(query.to, timeZone);
  const inPeriod = (instant: string | null): boolean => {
    if (!instant) return false;
    const ms = Date.parse(instant);
    return ms >= fromMs && ms < toMs;
  };

  const ratingsByRow = new Map<string, number[]>();
  for (const entry of input.feedback) {
    const list = ratingsByRow.get(entry.outreachId) ?? [];
    list.push(entry.rating);
    ratingsByRow.set(entry.outreachId, list);
  }

  const groups = new Map<string | null, Tally>();
  for (const key of initialKeys(query, timeZone)) groups.set(key, emptyTally());
  const total = emptyTally();
  for (const row of input.rows) {
    if (!inPeriod(row.plannedAt)) continue;
    const key = groupKeyOf(row, query.groupBy, timeZone);
    let tally = groups.get(key);
    if (!tally) {
      tally = emptyTally();
      groups.set(key, tally);
    }
    const ratings = ratingsByRow.get(row.id) ?? [];
    addRow(tally, row, ratings);
    addRow(total, row, ratings);
  }

  const labelled: ReportGroup[] = [...groups.entries()].map(([key, tally]) => ({
    key,
    label: labelOf(key, query, input.therapistNames),
    ...finish(tally),
  }));
  if (query.groupBy === 'therapist') {
    // By name, the row without a therapist last: the order a manager scans a staff list in.
    labelled.sort((a, b) =>
      a.key === null ? 1 : b.key === null ? -1 : a.label.localeCompare(b.label, query.language),
    );
  }

  const episodes = episodeOutcomes(input.rows, timeZone, input.now, inPeriod);
  return {
    period: { from: query.from, to: query.to, timeZone },
    groupBy: query.groupBy,
    language: query.language,
    groups: labelled,
    total: finish(total),
    holdout: compareHoldout(episodes.emailed, episodes.heldOut, episodes.mixed, query.language),
  };
}

/** Every template and every month of the period appear even when empty, so gaps are visible. */
function initialKeys(query: ReportQuery, timeZone: string): string[] {
  if (query.groupBy === 'template') return [...TEMPLATE_IDS];
  if (query.groupBy === 'therapist') return [];
  const months: string[] = [];
  const last = DateTime.fromISO(query.to, { zone: timeZone }).minus({ days: 1 });
  for (
    let month = DateTime.fromISO(query.from, { zone: timeZone }).startOf('month');
    month <= last;
    month = month.plus({ months: 1 })
  ) {
    months.push(month.toFormat('yyyy-MM'));
  }
  return months;
}

function groupKeyOf(row: OutreachRow, groupBy: ReportGroupBy, timeZone: string): string | null {
  switch (groupBy) {
    case 'template':
      return row.templateId;
    case 'therapist':
      return row.therapistId;
    case 'month':
      return DateTime.fromISO(row.plannedAt, { zone: timeZone }).toFormat('yyyy-MM');
  }
}

function labelOf(
  key: string | null,
  query: ReportQuery,
  therapistNames: ReadonlyMap<string, string>,
): string {
  const language = query.language;
  switch (query.groupBy) {
    case 'template':
      return TEMPLATE_LABELS[key as TemplateId]?.[language] ?? String(key);
    case 'therapist':
      return key === null ? NO_THERAPIST[language] : (therapistNames.get(key) ?? key);
    case 'month':
      return (
        DateTime.fromFormat(String(key), 'yyyy-MM', { zone: 'UTC', locale: language }).toFormat(
          'LLLL yyyy',
        ) || String(key)
      );
  }
}

interface EpisodeTally {
  firstTouchMs: number;
  sent: boolean;
  heldOut: boolean;
  rebooked: boolean;
}

/**
 * The holdout draws lapse episodes (patient + episode key), not rows, so the comparison counts episodes:
 * emailed if at least one row was sent, held out if its rows were held out (and their would-be send time
 * has come), rebooked if any of its rows has a rebooking. An episode counts in the period in which it was
 * first touched (first email sent, or first held-out step due).
 *
 * Lapse and milestone rows carry the lapse episode key. A seasonal row carries its window key instead, but
 * its holdout draw used the patient's lapse episode (the last visit's date), which the row records in
 * `lapseEpisodeKey`. Seasonal rows planned before that was recorded are attached to the patient's latest
 * lapse episode that began on or before the day they were planned, or stand alone when there is none.
 */
function episodeOutcomes(
  rows: readonly OutreachRow[],
  timeZone: string,
  now: Date,
  inPeriod: (instant: string | null) => boolean,
): { emailed: GroupOutcome; heldOut: GroupOutcome; mixed: number } {
  const lapseKeys = new Map<string, string[]>();
  for (const row of rows) {
    if (row.campaign === 'seasonal') continue;
    const keys = lapseKeys.get(row.patientId) ?? [];
    if (!keys.includes(row.episodeKey)) keys.push(row.episodeKey);
    lapseKeys.set(row.patientId, keys);
  }
  const episodeOf = (row: OutreachRow): string => {
    if (row.campaign !== 'seasonal') return `${row.patientId}|${row.episodeKey}`;
    if (row.lapseEpisodeKey) return `${row.patientId}|${row.lapseEpisodeKey}`;
    const plannedDay = DateTime.fromISO(row.plannedAt, { zone: timeZone }).toISODate() ?? '';
    const candidates = (lapseKeys.get(row.patientId) ?? []).filter((key) => key <= plannedDay).sort();
    const attached = candidates[candidates.length - 1];
    return attached ? `${row.patientId}|${attached}` : `${row.patientId}|seasonal:${row.episodeKey}`;
  };

  const episodes = new Map<string, EpisodeTally>();
  const nowMs = now.getTime();
  for (const row of rows) {
    const id = episodeOf(row);
    const episode = episodes.get(id) ?? {
      firstTouchMs: Number.POSITIVE_INFINITY,
      sent: false,
      heldOut: false,
      rebooked: false,
    };
    episodes.set(id, episode);
    let touchedMs: number | null = null;
    if (row.sentAt) {
      episode.sent = true;
      touchedMs = Date.parse(row.sentAt);
    } else if (row.status === 'held_out' && Date.parse(row.notBefore) <= nowMs) {
      episode.heldOut = true;
      touchedMs = Date.parse(row.notBefore);
    }
    if (touchedMs !== null && touchedMs < episode.firstTouchMs) episode.firstTouchMs = touchedMs;
    if (row.rebookedAt) episode.rebooked = true;
  }

  const emailed: GroupOutcome = { episodes: 0, rebooked: 0 };
  const heldOut: GroupOutcome = { episodes: 0, rebooked: 0 };
  let mixed = 0;
  for (const episode of episodes.values()) {
    if (!Number.isFinite(episode.firstTouchMs)) continue;
    if (!inPeriod(new Date(episode.firstTouchMs).toISOString())) continue;
    if (episode.sent && episode.heldOut) {
      mixed++;
      continue;
    }
    const group = episode.sent ? emailed : heldOut;
    group.episodes++;
    if (episode.rebooked) group.rebooked++;
  }
  return { emailed, heldOut, mixed };
}

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/** Reasons with a column of their own; any other reason found in the data gets one too. */
const KNOWN_SKIP_REASONS: readonly string[] = [...SKIP_REASONS, 'patient_deleted', 'patient_erased'];

type Cell = string | number | null;

/**
 * One field: text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
 * is prefixed with a quote (OWASP "CSV injection"); then RFC 4180 quoting. Numbers are written by us, with
 * '.' decimals, and are never prefixed (a negative difference stays a number).
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value + 0) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportToCsv(report: PracticeReportFigures): string {
  const reasons = new Set(KNOWN_SKIP_REASONS);
  for (const figures of [report.total, ...report.groups]) {
    for (const reason of Object.keys(figures.skipped.byReason)) reasons.add(reason);
  }
  const reasonColumns = [...reasons];
  const header = [
    'row',
    'key',
    'label',
    'planned',
    'pending',
    'sent',
    'delivered',
    'bounced',
    'failed',
    'held_out',
    'skipped',
    ...reasonColumns.map((reason) => `skipped_${reason}`),
    'book_clicks',
    'not_now',
    'unsubscribes',
    'feedback_count',
    'feedback_mean_rating',
    'rebooked',
    'rebooked_rate',
    'emailed_episodes',
    'emailed_rebooked',
    'emailed_rate',
    'held_out_episodes',
    'held_out_rebooked',
    'held_out_rate',
    'difference',
    'ci95_low',
    'ci95_high',
    'verdict',
  ];
  const figuresCells = (f: Figures): Cell[] => [
    f.planned,
    f.pending,
    f.sent,
    f.delivered,
    f.bounced,
    f.failed,
    f.heldOut,
    f.skipped.total,
    ...reasonColumns.map((reason) => f.skipped.byReason[reason] ?? 0),
    f.bookClicks,
    f.notNow,
    f.unsubscribes,
    f.feedback.count,
    f.feedback.meanRating,
    f.rebooked,
    f.rebookedRate,
  ];
  const h = report.holdout;
  const lines: Cell[][] = [
    header,
    ...report.groups.map((g): Cell[] => [
      'group',
      g.key,
      g.label,
      ...figuresCells(g),
      ...new Array<Cell>(10).fill(null),
    ]),
    [
      'total',
      null,
      'Total',
      ...figuresCells(report.total),
      h.emailed.episodes,
      h.emailed.rebooked,
      h.emailed.rate,
      h.heldOut.episodes,
      h.heldOut.rebooked,
      h.heldOut.rate,
      h.difference,
      h.ci95?.low ?? null,
      h.ci95?.high ?? null,
      h.verdict.text,
    ],
  ];
  return lines.map((line) => `${line.map(csvCell).join(',')}\r\n`).join('');
}
