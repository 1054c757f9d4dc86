// Seasonal windows (§5.4): when in the year a "new start" email makes sense, and which window is open today.
import { DateTime } from 'luxon';
import { ReengageError } from './errors';
import type { Locale, Practice, SeasonalWindow, SeasonalWindowId } from './model';
import type { PracticeCalendar } from './sendWindow';

export const DEFAULT_SEASONAL_LENGTH_IN_DAYS = 14;

export interface ActiveSeasonalWindow {
  id: SeasonalWindowId;
  /** `<nominal year>:<id>`, e.g. `2027:new-year`: one seasonal campaign per window and year. */
  key: string;
  /** First local date of the window: the first working day on or after its `startsOn`. */
  startsOn: string;
  /** Last local date of the window (inclusive): `startsOn` + lengthInDays - 1. */
  endsOn: string;
}

const LABELS: Record<Locale, Record<SeasonalWindowId, string>> = {
  fr: { 'new-year': 'Nouvelle année', spring: 'Printemps (après les fêtes)', rentree: 'Rentrée' },
  en: { 'new-year': 'New year', spring: 'Spring', rentree: 'Back to routine (September)' },
};

const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** The windows a new practice starts with, in calendar order; a fresh copy the caller may edit. */
export function defaultSeasonalWindows(locale: Locale): SeasonalWindow[] {
  // Both locales share the same dates today: the French school and fiscal rhythm the product was
  // designed around also fits the English-speaking practices we serve. Kept per locale so they can diverge.
  const starts: Record<Locale, [SeasonalWindowId, string][]> = {
    fr: [
      ['new-year', '01-05'],
      ['spring', '04-01'],
      ['rentree', '09-08'],
    ],
    en: [
      ['new-year', '01-05'],
      ['spring', '04-01'],
      ['rentree', '09-08'],
    ],
  };
  return starts[locale].map(([id, startsOn]) => ({
    id,
    startsOn,
    lengthInDays: DEFAULT_SEASONAL_LENGTH_IN_DAYS,
    enabled: true,
  }));
}

/** A human name for a window, for the admin API and previews. */
export function seasonalWindowLabel(id: SeasonalWindowId, locale: Locale): string {
  return LABELS[locale][id];
}

/** Throws ReengageError `invalid_configuration` when a window's dates or length make no sense. */
export function validateSeasonalWindow(window: SeasonalWindow): void {
  if (nominalStart(window.startsOn, 2024) === null) {
    throw new ReengageError(
      'invalid_configuration',
      `seasonal window ${window.id}: startsOn must be MM-dd, got ${JSON.stringify(window.startsOn)}`,
    );
  }
  if (!Number.isInteger(window.lengthInDays) || window.lengthInDays < 1 || window.lengthInDays > 366) {
    throw new ReengageError(
      'invalid_configuration',
      `seasonal window ${window.id}: lengthInDays must be an integer from 1 to 366, got ${window.lengthInDays}`,
    );
  }
}

/** The local date on which `window` opens in `year`: the first working day on or after its `startsOn`. */
export function seasonalWindowStart(
  window: SeasonalWindow,
  year: number,
  calendar: PracticeCalendar,
): string {
  validateSeasonalWindow(window);
  const nominal = nominalStart(window.startsOn, year) as string;
  return calendar.nextWorkingDay(nominal);
}

/**
 * The enabled window whose dates contain today's local date, or null. When edited windows overlap,
 * the one that opened last wins, so that each window is the active one at least on its first day.
 */
export function activeSeasonalWindow(
  practice: Pick<Practice, 'seasonalWindows'>,
  calendar: PracticeCalendar,
  now: Date,
): ActiveSeasonalWindow | null {
  const today = calendar.localDate(now);
  const year = Number(today.slice(0, 4));
  let best: ActiveSeasonalWindow | null = null;
  for (const window of practice.seasonalWindows) {
    if (!window.enabled) continue;
    // A window of last year can still be open (a late-December start, or a long window).
    for (const y of [year - 1, year]) {
      const startsOn = seasonalWindowStart(window, y, calendar);
      const endsOn = DateTime.fromISO(startsOn, { zone: 'utc' })
        .plus({ days: window.lengthInDays - 1 })
        .toISODate() as string;
      if (startsOn <= today && today <= endsOn && (best === null || startsOn > best.startsOn)) {
        best = { id: window.id, key: `${y}:${window.id}`, startsOn, endsOn };
      }
    }
  }
  return best;
}

/**
 * `startsOn` placed in `year` as `yyyy-MM-dd`, or null when it is not a day of the calendar.
 * 29 February opens on 1 March in common years: the first day on or after it.
 */
function nominalStart(startsOn: unknown, year: number): string | null {
  if (typeof startsOn !== 'string') return null;
  const match = MONTH_DAY.exec(startsOn);
  if (!match) return null;
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (!DateTime.utc(2024, month, day).isValid) return null; // 2024: a leap year accepts 02-29
  const date = DateTime.utc(year, month, day);
  return (date.isValid ? date : DateTime.utc(year, 3, 1)).toISODate() as string;
}
