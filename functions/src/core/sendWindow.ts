// A practice's sending calendar: which local days are open and when, in the practice's own time zone.
import { DateTime, IANAZone } from 'luxon';
import { ReengageError } from './errors';
import { isPublicHoliday, isSupportedCountry } from './holidays';
import type { Practice, SendWindow } from './model';

/** How far ahead an open day is looked for before the practice is declared to have none. */
export const MAX_SEARCH_DAYS = 400;

export type CalendarPractice = Pick<Practice, 'timeZone' | 'sendWindow' | 'closedDates' | 'country'>;

export interface OpenWindow {
  /** First instant of the window (inclusive). */
  start: Date;
  /** First instant after the window (exclusive). */
  end: Date;
}

export interface PracticeCalendar {
  readonly timeZone: string;
  /** `at` itself when it lies inside an open window, else the start of the next open window. */
  nextAllowed(at: Date): Date;
  isAllowed(at: Date): boolean;
  /** Open for sending: a window day, not closed, not a public holiday, and its window is not empty. */
  isWorkingDay(localDate: string): boolean;
  /** The first working day on or after `localDate`. */
  nextWorkingDay(localDate: string): string;
  /** The practice-local date (`yyyy-MM-dd`) of an instant. */
  localDate(at: Date): string;
  /** The send window of a local date, or null when the day is not open. */
  windowOn(localDate: string): OpenWindow | null;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
// No zone has two transitions within this span, so a binary search inside it meets exactly one.
const TRANSITION_SEARCH_MS = 6 * 3_600_000;

/** Throws ReengageError `invalid_configuration` naming what is wrong with a send window. */
export function validateSendWindow(window: SendWindow): void {
  const problems: string[] = [];
  if (!Array.isArray(window.days) || window.days.length === 0) {
    problems.push('days must list at least one ISO weekday (1 = Monday ... 7 = Sunday)');
  } else if (!window.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    problems.push(`days must be ISO weekdays 1-7, got ${JSON.stringify(window.days)}`);
  }
  const start = parseLocalTime(window.start);
  const end = parseLocalTime(window.end);
  if (start === null) problems.push(`start must be HH:mm, got ${JSON.stringify(window.start)}`);
  if (end === null) problems.push(`end must be HH:mm, got ${JSON.stringify(window.end)}`);
  if (start !== null && end !== null && start.minutes >= end.minutes) {
    problems.push(`start (${window.start}) must be before end (${window.end})`);
  }
  if (problems.length > 0) {
    throw new ReengageError('invalid_configuration', `invalid send window: ${problems.join('; ')}`);
  }
}

export function createPracticeCalendar(practice: CalendarPractice): PracticeCalendar {
  const zone = practice.timeZone;
  if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
    throw new ReengageError('invalid_configuration', `unknown time zone ${JSON.stringify(zone)}`);
  }
  if (!isSupportedCountry(practice.country)) {
    throw new ReengageError(
      'invalid_configuration',
      `public holidays are not known for country ${JSON.stringify(practice.country)}`,
    );
  }
  validateSendWindow(practice.sendWindow);
  const badDate = practice.closedDates.find((d) => parseLocalDate(d) === null);
  if (badDate !== undefined) {
    throw new ReengageError(
      'invalid_configuration',
      `closed date ${JSON.stringify(badDate)} is not yyyy-MM-dd`,
    );
  }

  const country = practice.country;
  const days = new Set<number>(practice.sendWindow.days);
  const closed = new Set(practice.closedDates);
  const start = parseLocalTime(practice.sendWindow.start) as LocalTime;
  const end = parseLocalTime(practice.sendWindow.end) as LocalTime;
  // The allocator asks for the same few days thousands of times; a window never changes once computed.
  const windows = new Map<string, OpenWindow | null>();

  function windowOfDay(day: DateTime): OpenWindow | null {
    const key = day.toISODate() as string;
    const cached = windows.get(key);
    if (cached !== undefined) return cached;
    let window: OpenWindow | null = null;
    if (days.has(day.weekday) && !closed.has(key) && !isPublicHoliday(country, key)) {
      const from = firstInstantAtOrAfter(day, start);
      const to = firstInstantAtOrAfter(day, end);
      // A window squeezed to nothing by a clock change (both ends in the same gap) is no window.
      if (from < to) window = { start: new Date(from), end: new Date(to) };
    }
    windows.set(key, window);
    return window;
  }

  function dayOf(localDate: string): DateTime {
    const day = parseLocalDate(localDate, zone);
    if (day === null)
      throw new ReengageError('invalid_input', `"${localDate}" is not a local date (yyyy-MM-dd)`);
    return day;
  }

  function instant(at: Date): DateTime {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError('expected a valid Date');
    return DateTime.fromJSDate(at, { zone });
  }

  function noOpenDay(from: DateTime): ReengageError {
    return new ReengageError(
      'invalid_configuration',
      `no open sending day within ${MAX_SEARCH_DAYS} days of ${from.toISODate()} ` +
        '(check the send window days, closed dates and country)',
    );
  }

  return {
    timeZone: zone,

    nextAllowed(at) {
      const local = instant(at);
      const ms = at.getTime();
      const first = local.startOf('day');
      for (let i = 0; i <= MAX_SEARCH_DAYS; i++) {
        const window = windowOfDay(first.plus({ days: i }));
        if (window === null || ms >= window.end.getTime()) continue;
        return new Date(Math.max(ms, window.start.getTime()));
      }
      throw noOpenDay(first);
    },

    isAllowed(at) {
      const window = windowOfDay(instant(at).startOf('day'));
      return window !== null && at >= window.start && at < window.end;
    },

    isWorkingDay(localDate) {
      return windowOfDay(dayOf(localDate)) !== null;
    },

    nextWorkingDay(localDate) {
      const first = dayOf(localDate);
      for (let i = 0; i <= MAX_SEARCH_DAYS; i++) {
        const day = first.plus({ days: i });
        if (windowOfDay(day) !== null) return day.toISODate() as string;
      }
      throw noOpenDay(first);
    },

    localDate(at) {
      return instant(at).toISODate() as string;
    },

    windowOn(localDate) {
      const window = windowOfDay(dayOf(localDate));
      return window === null ? null : { start: new Date(window.start), end: new Date(window.end) };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

interface LocalTime {
  hour: number;
  minute: number;
  minutes: number;
}

function parseLocalTime(value: unknown): LocalTime | null {
  if (typeof value !== 'string') return null;
  const match = HH_MM.exec(value);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return { hour, minute, minutes: hour * 60 + minute };
}

/** Start of a local date in `zone` (or UTC), or null when the text is not a real `yyyy-MM-dd` date. */
function parseLocalDate(value: unknown, zone = 'utc'): DateTime | null {
  if (typeof value !== 'string' || !LOCAL_DATE.test(value)) return null;
  const day = DateTime.fromISO(value, { zone }).startOf('day');
  return day.isValid && day.toISODate() === value ? day : null;
}

/**
 * The first instant (epoch ms) at which the wall clock of `day`'s zone reads `time` or later on that day.
 * When the time is repeated (clocks go back) that is its first occurrence; when it does not exist
 * (clocks go forward over it) it is the instant the clocks jump, the first moment it is "at least"
 * that late. Luxon alone would shift a missing time forward by the size of the jump instead.
 */
function firstInstantAtOrAfter(day: DateTime, time: LocalTime): number {
  const wall = day.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 });
  if (wall.hour === time.hour && wall.minute === time.minute && wall.hasSame(day, 'day')) {
    return Math.min(...wall.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  }
  // In a gap: luxon landed after the jump, with the new offset; find where that offset begins.
  const after = wall.offset;
  let lo = wall.toMillis() - TRANSITION_SEARCH_MS; // still on the old offset
  let hi = wall.toMillis(); // already on the new one
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (DateTime.fromMillis(mid, { zone: day.zone }).offset === after) hi = mid;
    else lo = mid;
  }
  return hi;
}
