import { describe, expect, it } from 'vitest';
import type { SeasonalWindow, Weekday } from '../../functions/src/core/model';
import {
  activeSeasonalWindow,
  defaultSeasonalWindows,
  seasonalWindowLabel,
  seasonalWindowStart,
  validateSeasonalWindow,
} from '../../functions/src/core/seasonal';
import { type CalendarPractice, createPracticeCalendar } from '../../functions/src/core/sendWindow';

const WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5];

function calendar(overrides: Partial<CalendarPractice> = {}) {
  return createPracticeCalendar({
    timeZone: 'Europe/Paris',
    country: 'FR',
    sendWindow: { days: WEEKDAYS, start: '09:30', end: '17:30' },
    closedDates: [],
    ...overrides,
  });
}

const paris = calendar();
const windows = defaultSeasonalWindows('fr');
const byId = (id: SeasonalWindow['id']) => {
  const window = windows.find((w) => w.id === id);
  if (!window) throw new Error(`no default window ${id}`);
  return window;
};

describe('defaultSeasonalWindows', () => {
  it('opens new year on 5 January, spring on 1 April and the rentrée on 8 September, for 14 days', () => {
    expect(defaultSeasonalWindows('fr')).toEqual([
      { id: 'new-year', startsOn: '01-05', lengthInDays: 14, enabled: true },
      { id: 'spring', startsOn: '04-01', lengthInDays: 14, enabled: true },
      { id: 'rentree', startsOn: '09-08', lengthInDays: 14, enabled: true },
    ]);
    expect(defaultSeasonalWindows('en').map((w) => [w.id, w.startsOn])).toEqual([
      ['new-year', '01-05'],
      ['spring', '04-01'],
      ['rentree', '09-08'],
    ]);
  });

  it('returns a fresh copy each time', () => {
    const first = defaultSeasonalWindows('fr');
    const window = first[0];
    if (window) window.enabled = false;
    expect(defaultSeasonalWindows('fr')[0]?.enabled).toBe(true);
  });

  it('names the windows in each locale', () => {
    expect(seasonalWindowLabel('new-year', 'fr')).toBe('Nouvelle année');
    expect(seasonalWindowLabel('rentree', 'fr')).toBe('Rentrée');
    expect(seasonalWindowLabel('new-year', 'en')).toBe('New year');
  });
});

describe('seasonalWindowStart', () => {
  it('new year: 5 January 2027 is a Tuesday, 5 January 2026 a Monday', () => {
    expect(seasonalWindowStart(byId('new-year'), 2027, paris)).toBe('2027-01-05');
    expect(seasonalWindowStart(byId('new-year'), 2026, paris)).toBe('2026-01-05');
  });

  it('new year 2030: 5 January is a Saturday -> Monday 7 January', () => {
    expect(seasonalWindowStart(byId('new-year'), 2030, paris)).toBe('2030-01-07');
  });

  it('rentrée: 8 September 2026 is a Tuesday; 8 September 2029 a Saturday -> Monday 10', () => {
    expect(seasonalWindowStart(byId('rentree'), 2026, paris)).toBe('2026-09-08');
    expect(seasonalWindowStart(byId('rentree'), 2029, paris)).toBe('2029-09-10');
  });

  it('a public holiday on the start date pushes it: 1 April 2024 was Easter Monday', () => {
    expect(seasonalWindowStart(byId('spring'), 2024, paris)).toBe('2024-04-02');
  });

  it('a weekend then a holiday: 1 April 2029 is Easter Sunday, 2 April Easter Monday -> Tuesday 3', () => {
    expect(seasonalWindowStart(byId('spring'), 2029, paris)).toBe('2029-04-03');
  });

  it("the practice's closed dates push it too", () => {
    const closed = calendar({ closedDates: ['2027-01-05', '2027-01-06'] });
    expect(seasonalWindowStart(byId('new-year'), 2027, closed)).toBe('2027-01-07');
  });

  it("uses the practice's country: Easter Monday is off in Switzerland, not a federal holiday in Canada", () => {
    const ch = calendar({ country: 'CH', timeZone: 'Europe/Zurich' });
    expect(seasonalWindowStart(byId('spring'), 2024, ch)).toBe('2024-04-02');
    const ca = calendar({ country: 'CA', timeZone: 'America/Montreal' });
    expect(seasonalWindowStart(byId('spring'), 2024, ca)).toBe('2024-04-01'); // not a federal holiday
  });

  it('29 February opens on 1 March in a common year', () => {
    const leap: SeasonalWindow = { id: 'spring', startsOn: '02-29', lengthInDays: 7, enabled: true };
    expect(seasonalWindowStart(leap, 2028, paris)).toBe('2028-02-29'); // a Tuesday
    expect(seasonalWindowStart(leap, 2027, paris)).toBe('2027-03-01'); // a Monday
  });
});

describe('activeSeasonalWindow', () => {
  const defaults = { seasonalWindows: defaultSeasonalWindows('fr') };

  it('is the new-year window from its first to its fourteenth day, in local time', () => {
    const expected = { id: 'new-year', key: '2027:new-year', startsOn: '2027-01-05', endsOn: '2027-01-18' };
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-01-05T05:00:00Z'))).toEqual(expected);
    // 23:30Z on 4 January is already 00:30 on 5 January in Paris.
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-01-04T23:30:00Z'))).toEqual(expected);
    // 22:59Z on 18 January is 23:59 in Paris: the last minute of the window.
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-01-18T22:59:00Z'))).toEqual(expected);
  });

  it('is null before and after the window', () => {
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-01-04T22:59:00Z'))).toBeNull();
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-01-18T23:00:00Z'))).toBeNull();
    expect(activeSeasonalWindow(defaults, paris, new Date('2027-06-15T10:00:00Z'))).toBeNull();
  });

  it('follows a start pushed by holidays: spring 2029 opens on Tuesday 3 April', () => {
    expect(activeSeasonalWindow(defaults, paris, new Date('2029-04-02T10:00:00Z'))).toBeNull();
    expect(activeSeasonalWindow(defaults, paris, new Date('2029-04-03T10:00:00Z'))).toEqual({
      id: 'spring',
      key: '2029:spring',
      startsOn: '2029-04-03',
      endsOn: '2029-04-16',
    });
  });

  it('ignores disabled windows', () => {
    const disabled = {
      seasonalWindows: defaultSeasonalWindows('fr').map((w) => ({ ...w, enabled: w.id !== 'new-year' })),
    };
    expect(activeSeasonalWindow(disabled, paris, new Date('2027-01-05T10:00:00Z'))).toBeNull();
  });

  it("keeps last year's key for a window that runs into January", () => {
    // Monday 28 December 2026 + 13 days = Sunday 10 January 2027.
    const late = {
      seasonalWindows: [{ id: 'new-year' as const, startsOn: '12-28', lengthInDays: 14, enabled: true }],
    };
    expect(activeSeasonalWindow(late, paris, new Date('2027-01-04T10:00:00Z'))).toEqual({
      id: 'new-year',
      key: '2026:new-year',
      startsOn: '2026-12-28',
      endsOn: '2027-01-10',
    });
  });

  it('picks the window that opened last when edited windows overlap', () => {
    const overlapping = {
      seasonalWindows: [
        { id: 'new-year' as const, startsOn: '01-05', lengthInDays: 14, enabled: true },
        // 10 January 2027 is a Sunday: opens Monday 11 January.
        { id: 'spring' as const, startsOn: '01-10', lengthInDays: 3, enabled: true },
      ],
    };
    expect(activeSeasonalWindow(overlapping, paris, new Date('2027-01-08T10:00:00Z'))?.id).toBe('new-year');
    expect(activeSeasonalWindow(overlapping, paris, new Date('2027-01-11T10:00:00Z'))?.key).toBe(
      '2027:spring',
    );
    expect(activeSeasonalWindow(overlapping, paris, new Date('2027-01-14T10:00:00Z'))?.id).toBe('new-year');
  });
});

describe('validateSeasonalWindow', () => {
  it.each([
    ['a month 13', { startsOn: '13-01' }],
    ['30 February', { startsOn: '02-30' }],
    ['a full date', { startsOn: '2027-01-05' }],
    ['a zero length', { lengthInDays: 0 }],
    ['a fractional length', { lengthInDays: 2.5 }],
  ])('refuses %s', (_, change) => {
    const window: SeasonalWindow = {
      id: 'new-year',
      startsOn: '01-05',
      lengthInDays: 14,
      enabled: true,
      ...change,
    };
    expect(() => validateSeasonalWindow(window)).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
    expect(() => seasonalWindowStart(window, 2027, paris)).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
  });
});
