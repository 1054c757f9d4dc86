import { describe, expect, it } from 'vitest';
import { isReengageError } from '../../functions/src/core/errors';
import {
  easterSunday,
  isPublicHoliday,
  publicHolidays,
  SUPPORTED_COUNTRIES,
} from '../../functions/src/core/holidays';

const dates = (country: string, year: number) => publicHolidays(country, year).map((h) => h.date);

describe('easterSunday', () => {
  it.each([
    [1818, '1818-03-22'], // earliest possible date
    [1943, '1943-04-25'], // latest possible date
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i -> %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });

  it('refuses years outside the Gregorian calendar', () => {
    expect(() => easterSunday(1500)).toThrow(RangeError);
    expect(() => easterSunday(2026.5)).toThrow(RangeError);
  });
});

describe('France', () => {
  // Easter Monday = Easter + 1, Ascension = Easter + 39, Whit Monday = Easter + 50, counted by hand:
  // 2026: Easter 5 Apr -> 6 Apr; 5 Apr + 25 = 30 Apr, + 14 = 14 May; + 50 = 25 May.
  // 2027: Easter 28 Mar -> 29 Mar; 28 Mar + 3 = 31 Mar, + 30 = 30 Apr, + 6 = 6 May; + 50 = 17 May.
  // 2028: Easter 16 Apr -> 17 Apr; 16 Apr + 14 = 30 Apr, + 25 = 25 May; + 45 = 31 May, + 5 = 5 Jun.
  it.each([
    [
      2026,
      [
        '2026-01-01',
        '2026-04-06',
        '2026-05-01',
        '2026-05-08',
        '2026-05-14',
        '2026-05-25',
        '2026-07-14',
        '2026-08-15',
        '2026-11-01',
        '2026-11-11',
        '2026-12-25',
      ],
    ],
    [
      2027,
      [
        '2027-01-01',
        '2027-03-29',
        '2027-05-01',
        '2027-05-06',
        '2027-05-08',
        '2027-05-17',
        '2027-07-14',
        '2027-08-15',
        '2027-11-01',
        '2027-11-11',
        '2027-12-25',
      ],
    ],
    [
      2028,
      [
        '2028-01-01',
        '2028-04-17',
        '2028-05-01',
        '2028-05-08',
        '2028-05-25',
        '2028-06-05',
        '2028-07-14',
        '2028-08-15',
        '2028-11-01',
        '2028-11-11',
        '2028-12-25',
      ],
    ],
  ])('%i has the eleven national holidays, in date order', (year, expected) => {
    expect(dates('FR', year)).toEqual(expected);
  });

  it('names the movable feasts', () => {
    const byDate = new Map(publicHolidays('FR', 2027).map((h) => [h.date, h.name]));
    expect(byDate.get('2027-03-29')).toBe('Lundi de Pâques');
    expect(byDate.get('2027-05-06')).toBe('Ascension');
    expect(byDate.get('2027-05-17')).toBe('Lundi de Pentecôte');
  });

  it('answers isPublicHoliday for holidays and ordinary days', () => {
    expect(isPublicHoliday('FR', '2027-03-29')).toBe(true);
    expect(isPublicHoliday('FR', '2026-07-14')).toBe(true);
    expect(isPublicHoliday('FR', '2026-04-05')).toBe(false); // Easter Sunday itself is a Sunday, not listed
    expect(isPublicHoliday('FR', '2026-04-03')).toBe(false); // Good Friday: Alsace-Moselle only
    expect(isPublicHoliday('FR', '2026-12-26')).toBe(false);
    expect(isPublicHoliday('FR', '2026-07-15')).toBe(false);
  });

  it('does not move holidays that fall on a weekend', () => {
    // 1 Nov 2026 is a Sunday; France has no substitute day.
    expect(isPublicHoliday('FR', '2026-11-01')).toBe(true);
    expect(isPublicHoliday('FR', '2026-11-02')).toBe(false);
  });

  it('returns copies the caller may change', () => {
    const first = publicHolidays('FR', 2026);
    first[0] = { date: '2026-06-01', name: 'changed' };
    expect(publicHolidays('FR', 2026)[0]).toEqual({ date: '2026-01-01', name: "Jour de l'an" });
  });
});

describe('United Kingdom (England and Wales)', () => {
  it('2026: Boxing Day on a Saturday moves to Monday 28 December', () => {
    expect(dates('GB', 2026)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
  });

  it('2027: Christmas on a Saturday and Boxing Day on a Sunday become 27 and 28 December', () => {
    expect(dates('GB', 2027)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ]);
    expect(isPublicHoliday('GB', '2027-12-25')).toBe(false);
  });

  it('2022: New Year substitute, moved spring holiday, jubilee, state funeral, Christmas on a Sunday', () => {
    expect(dates('GB', 2022)).toEqual([
      '2022-01-03',
      '2022-04-15',
      '2022-04-18',
      '2022-05-02',
      '2022-06-02',
      '2022-06-03',
      '2022-08-29',
      '2022-09-19',
      '2022-12-26',
      '2022-12-27',
    ]);
  });

  it('2020 and 2023: the moved early May holiday and the coronation', () => {
    expect(isPublicHoliday('GB', '2020-05-08')).toBe(true);
    expect(isPublicHoliday('GB', '2020-05-04')).toBe(false);
    expect(isPublicHoliday('GB', '2023-05-08')).toBe(true);
  });
});

describe('Belgium, Luxembourg, Switzerland', () => {
  it('Belgium 2026: national day, Ascension, Whit Monday, Armistice; no 8 May, no Good Friday', () => {
    expect(dates('BE', 2026)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-14',
      '2026-05-25',
      '2026-07-21',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
    expect(isPublicHoliday('BE', '2026-05-08')).toBe(false);
    expect(isPublicHoliday('BE', '2026-04-03')).toBe(false);
  });

  it('Luxembourg: national day on 23 June, 26 December, Europe Day only since 2019', () => {
    expect(isPublicHoliday('LU', '2026-06-23')).toBe(true);
    expect(isPublicHoliday('LU', '2026-12-26')).toBe(true);
    expect(isPublicHoliday('LU', '2026-05-09')).toBe(true);
    expect(isPublicHoliday('LU', '2018-05-09')).toBe(false);
    expect(publicHolidays('LU', 2026)).toHaveLength(11);
  });

  it('Switzerland: the common set, with Good Friday and 1 August, without cantonal days', () => {
    expect(dates('CH', 2027)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-06',
      '2027-05-17',
      '2027-08-01',
      '2027-12-25',
      '2027-12-26',
    ]);
    expect(isPublicHoliday('CH', '2027-01-02')).toBe(false); // Berchtoldstag: cantonal
  });
});

describe('Ireland and Canada', () => {
  it("Ireland 2026: Saint Brigid's Day is the first Monday of February", () => {
    expect(dates('IE', 2026)).toEqual([
      '2026-01-01',
      '2026-02-02',
      '2026-03-17',
      '2026-04-06',
      '2026-05-04',
      '2026-06-01',
      '2026-08-03',
      '2026-10-26',
      '2026-12-25',
      '2026-12-28', // Saint Stephen's Day, Saturday 26, observed on Monday
    ]);
  });

  it("Ireland: Saint Brigid's Day on 1 February when that is a Friday; Saint Patrick's on a Saturday moves", () => {
    expect(isPublicHoliday('IE', '2030-02-01')).toBe(true);
    expect(isPublicHoliday('IE', '2030-02-04')).toBe(false);
    expect(isPublicHoliday('IE', '2029-03-19')).toBe(true);
  });

  it('Canada 2026: the federal general holidays', () => {
    expect(dates('CA', 2026)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-05-18',
      '2026-07-01',
      '2026-09-07',
      '2026-09-30',
      '2026-10-12',
      '2026-11-11',
      '2026-12-25',
      '2026-12-28', // Boxing Day on a Saturday
    ]);
    expect(isPublicHoliday('CA', '2026-06-24')).toBe(false); // Fête nationale du Québec: provincial
  });
});

describe('errors', () => {
  it('lists the supported countries', () => {
    expect([...SUPPORTED_COUNTRIES].sort()).toEqual(['BE', 'CA', 'CH', 'FR', 'GB', 'IE', 'LU']);
  });

  it.each(['DE', 'fr', ''])('an unsupported country (%j) is invalid input', (country) => {
    let error: unknown;
    try {
      isPublicHoliday(country, '2026-01-01');
    } catch (e) {
      error = e;
    }
    expect(isReengageError(error, 'invalid_input')).toBe(true);
    expect(() => publicHolidays(country, 2026)).toThrow(/not known/);
  });

  it.each(['2026-02-30', '2026-1-01', '01/01/2026', ''])('a malformed date (%j) is invalid input', (date) => {
    expect(() => isPublicHoliday('FR', date)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
