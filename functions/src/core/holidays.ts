// Public holidays by country, computed for any year, so that nothing is sent on a day the patient is off.
import { DateTime } from 'luxon';
import { ReengageError } from './errors';

export const SUPPORTED_COUNTRIES = ['FR', 'BE', 'LU', 'CH', 'GB', 'IE', 'CA'] as const;
export type SupportedCountry = (typeof SUPPORTED_COUNTRIES)[number];

export interface PublicHoliday {
  /** Local date `yyyy-MM-dd` on which the holiday is observed (the substitute day when it moved). */
  date: string;
  name: string;
}

// The Gregorian calendar (and so this computus) starts in 1583; 9999 keeps dates four digits long.
const MIN_YEAR = 1583;
const MAX_YEAR = 9999;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isSupportedCountry(country: string): country is SupportedCountry {
  return (SUPPORTED_COUNTRIES as readonly string[]).includes(country);
}

/**
 * Easter Sunday by the Anonymous Gregorian computus (Meeus/Jones/Butcher), as `yyyy-MM-dd`.
 * Integer arithmetic only, valid for every Gregorian year.
 */
export function easterSunday(year: number): string {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return date(year, month, day).toISODate() as string;
}

/** The holidays observed in `country` during `year`, sorted by date. */
export function publicHolidays(country: string, year: number): PublicHoliday[] {
  const code = supported(country);
  checkYear(year);
  const key = `${code}:${year}`;
  let holidays = cache.get(key);
  if (holidays === undefined) {
    holidays = RULES[code](year)
      .map((h) => ({ date: h.date.toISODate() as string, name: h.name }))
      .sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
    cache.set(key, holidays);
  }
  return holidays.map((h) => ({ ...h }));
}

export function isPublicHoliday(country: string, localDate: string): boolean {
  const code = supported(country);
  const match = LOCAL_DATE.exec(localDate);
  const parsed = match ? date(Number(match[1]), Number(match[2]), Number(match[3])) : null;
  if (parsed === null || !parsed.isValid) {
    throw new ReengageError('invalid_input', `"${localDate}" is not a local date (yyyy-MM-dd)`);
  }
  return holidayDates(code, parsed.year).has(localDate);
}

// ---------------------------------------------------------------------------------------------------------

interface Rule {
  date: DateTime;
  name: string;
}

const cache = new Map<string, PublicHoliday[]>();
const dateSets = new Map<string, Set<string>>();

function holidayDates(code: SupportedCountry, year: number): Set<string> {
  const key = `${code}:${year}`;
  let set = dateSets.get(key);
  if (set === undefined) {
    set = new Set(publicHolidays(code, year).map((h) => h.date));
    dateSets.set(key, set);
  }
  return set;
}

function supported(country: string): SupportedCountry {
  if (!isSupportedCountry(country)) {
    throw new ReengageError(
      'invalid_input',
      `public holidays are not known for country "${country}" (supported: ${SUPPORTED_COUNTRIES.join(', ')})`,
    );
  }
  return country;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year must be an integer between ${MIN_YEAR} and ${MAX_YEAR}, got ${year}`);
  }
}

// Calendar dates carry no zone; UTC is only a neutral frame for luxon's day arithmetic.
function date(year: number, month: number, day: number): DateTime {
  return DateTime.utc(year, month, day);
}

function easter(year: number): DateTime {
  return DateTime.fromISO(easterSunday(year), { zone: 'utc' });
}

/** The n-th (1-based) ISO weekday of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): DateTime {
  const first = date(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + 7 * (n - 1) });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = date(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

function isWeekend(day: DateTime): boolean {
  return day.weekday >= 6;
}

/**
 * Where a holiday that falls on a weekend is observed on the next weekday instead (GB, IE, CA), the
 * substitute is the first weekday not already a holiday: that is how 25 and 26 December on a
 * Saturday and Sunday become Monday 27 and Tuesday 28.
 */
function withSubstitutes(holidays: Rule[], movable: ReadonlySet<string>): Rule[] {
  const taken = new Set(holidays.filter((h) => !isWeekend(h.date)).map((h) => h.date.toISODate()));
  const result: Rule[] = [];
  for (const h of [...holidays].sort((x, y) => x.date.toMillis() - y.date.toMillis())) {
    if (!isWeekend(h.date) || !movable.has(h.name)) {
      result.push(h);
      continue;
    }
    let day = h.date;
    while (isWeekend(day) || taken.has(day.toISODate())) day = day.plus({ days: 1 });
    taken.add(day.toISODate());
    result.push({ date: day, name: `${h.name} (substitute day)` });
  }
  return result;
}

// France: the eleven national holidays of the Code du travail (art. L3133-1). Alsace-Moselle's Good
// Friday and 26 December are regional and not included.
function france(year: number): Rule[] {
  const e = easter(year);
  return [
    { date: date(year, 1, 1), name: "Jour de l'an" },
    { date: e.plus({ days: 1 }), name: 'Lundi de Pâques' },
    { date: date(year, 5, 1), name: 'Fête du Travail' },
    { date: date(year, 5, 8), name: 'Victoire 1945' },
    { date: e.plus({ days: 39 }), name: 'Ascension' },
    { date: e.plus({ days: 50 }), name: 'Lundi de Pentecôte' },
    { date: date(year, 7, 14), name: 'Fête nationale' },
    { date: date(year, 8, 15), name: 'Assomption' },
    { date: date(year, 11, 1), name: 'Toussaint' },
    { date: date(year, 11, 11), name: 'Armistice 1918' },
    { date: date(year, 12, 25), name: 'Noël' },
  ];
}

// Belgium: the ten legal holidays. A holiday on a Sunday gives each employee a replacement day chosen
// at company level, not a public one, so there are no substitutes here. Community holidays are not included.
function belgium(year: number): Rule[] {
  const e = easter(year);
  return [
    { date: date(year, 1, 1), name: 'Nouvel An' },
    { date: e.plus({ days: 1 }), name: 'Lundi de Pâques' },
    { date: date(year, 5, 1), name: 'Fête du Travail' },
    { date: e.plus({ days: 39 }), name: 'Ascension' },
    { date: e.plus({ days: 50 }), name: 'Lundi de Pentecôte' },
    { date: date(year, 7, 21), name: 'Fête nationale' },
    { date: date(year, 8, 15), name: 'Assomption' },
    { date: date(year, 11, 1), name: 'Toussaint' },
    { date: date(year, 11, 11), name: 'Armistice' },
    { date: date(year, 12, 25), name: 'Noël' },
  ];
}

// Luxembourg: the legal holidays; Europe Day (9 May) since 2019. Compensatory days for holidays on a
// Sunday are taken individually, so there are no public substitutes.
function luxembourg(year: number): Rule[] {
  const e = easter(year);
  const rules: Rule[] = [
    { date: date(year, 1, 1), name: 'Nouvel An' },
    { date: e.plus({ days: 1 }), name: 'Lundi de Pâques' },
    { date: date(year, 5, 1), name: 'Fête du Travail' },
    { date: e.plus({ days: 39 }), name: 'Ascension' },
    { date: e.plus({ days: 50 }), name: 'Lundi de Pentecôte' },
    { date: date(year, 6, 23), name: 'Fête nationale' },
    { date: date(year, 8, 15), name: 'Assomption' },
    { date: date(year, 11, 1), name: 'Toussaint' },
    { date: date(year, 12, 25), name: 'Noël' },
    { date: date(year, 12, 26), name: 'Saint-Étienne' },
  ];
  if (year >= 2019) rules.push({ date: date(year, 5, 9), name: "Journée de l'Europe" });
  return rules;
}

// Switzerland: only 1 August is federal law; public holidays are set by each canton. This is the set
// common to nearly all cantons. Cantonal days (2 January, Labour Day, Corpus Christi, the Jeûne
// genevois/fédéral, Saint Joseph, ...) are NOT included; Good Friday is, though Ticino and Valais do
// not observe it: a day without a send there costs less than a send on a holiday elsewhere.
function switzerland(year: number): Rule[] {
  const e = easter(year);
  return [
    { date: date(year, 1, 1), name: 'Nouvel An' },
    { date: e.minus({ days: 2 }), name: 'Vendredi saint' },
    { date: e.plus({ days: 1 }), name: 'Lundi de Pâques' },
    { date: e.plus({ days: 39 }), name: 'Ascension' },
    { date: e.plus({ days: 50 }), name: 'Lundi de Pentecôte' },
    { date: date(year, 8, 1), name: 'Fête nationale' },
    { date: date(year, 12, 25), name: 'Noël' },
    { date: date(year, 12, 26), name: 'Saint-Étienne' },
  ];
}

// Bank holidays moved or added by royal proclamation; future ones need an entry here.
const GB_MOVED: Record<string, string> = {
  '1995-05-01': '1995-05-08',
  '2002-05-27': '2002-06-04',
  '2012-05-28': '2012-06-04',
  '2020-05-04': '2020-05-08',
  '2022-05-30': '2022-06-02',
};
const GB_EXTRA: Rule[] = [
  { date: date(1999, 12, 31), name: 'Millennium Celebrations' },
  { date: date(2002, 6, 3), name: 'Golden Jubilee' },
  { date: date(2011, 4, 29), name: 'Royal Wedding' },
  { date: date(2012, 6, 5), name: 'Diamond Jubilee' },
  { date: date(2022, 6, 3), name: 'Platinum Jubilee' },
  { date: date(2022, 9, 19), name: 'State Funeral of Queen Elizabeth II' },
  { date: date(2023, 5, 8), name: 'Coronation of King Charles III' },
];

// United Kingdom: England and Wales bank holidays (Scotland and Northern Ireland differ and are not
// included), with substitute days for New Year, Christmas and Boxing Day.
function greatBritain(year: number): Rule[] {
  const e = easter(year);
  const moved = (d: DateTime): DateTime => {
    const to = GB_MOVED[d.toISODate() as string];
    return to === undefined ? d : DateTime.fromISO(to, { zone: 'utc' });
  };
  const rules: Rule[] = [
    { date: date(year, 1, 1), name: "New Year's Day" },
    { date: e.minus({ days: 2 }), name: 'Good Friday' },
    { date: e.plus({ days: 1 }), name: 'Easter Monday' },
    { date: moved(nthWeekday(year, 5, 1, 1)), name: 'Early May bank holiday' },
    { date: moved(lastWeekday(year, 5, 1)), name: 'Spring bank holiday' },
    { date: lastWeekday(year, 8, 1), name: 'Summer bank holiday' },
    { date: date(year, 12, 25), name: 'Christmas Day' },
    { date: date(year, 12, 26), name: 'Boxing Day' },
    ...GB_EXTRA.filter((h) => h.date.year === year),
  ];
  return withSubstitutes(rules, new Set(["New Year's Day", 'Christmas Day', 'Boxing Day']));
}

// Ireland: the public holidays of the Organisation of Working Time Act. The law gives no Monday off when
// one falls on a weekend, but banks, schools and most employers observe the next weekday, so do we.
function ireland(year: number): Rule[] {
  const e = easter(year);
  const rules: Rule[] = [
    { date: date(year, 1, 1), name: "New Year's Day" },
    { date: date(year, 3, 17), name: "Saint Patrick's Day" },
    { date: e.plus({ days: 1 }), name: 'Easter Monday' },
    { date: nthWeekday(year, 5, 1, 1), name: 'May bank holiday' },
    { date: nthWeekday(year, 6, 1, 1), name: 'June bank holiday' },
    { date: nthWeekday(year, 8, 1, 1), name: 'August bank holiday' },
    { date: lastWeekday(year, 10, 1), name: 'October bank holiday' },
    { date: date(year, 12, 25), name: 'Christmas Day' },
    { date: date(year, 12, 26), name: "Saint Stephen's Day" },
  ];
  if (year >= 2023) {
    // The first Monday of February, or 1 February itself when that is a Friday.
    const first = date(year, 2, 1);
    rules.push({ date: first.weekday === 5 ? first : nthWeekday(year, 2, 1, 1), name: "Saint Brigid's Day" });
  }
  if (year === 2022) rules.push({ date: date(2022, 3, 18), name: 'Day of Remembrance and Recognition' });
  return withSubstitutes(
    rules,
    new Set(["New Year's Day", "Saint Patrick's Day", 'Christmas Day', "Saint Stephen's Day"]),
  );
}

// Canada: the federal general holidays of the Canada Labour Code (s. 166). Provincial holidays (Fête
// nationale du Québec, Family Day, Civic Holiday, ...) are NOT included.
function canada(year: number): Rule[] {
  const e = easter(year);
  const may24 = date(year, 5, 24);
  const rules: Rule[] = [
    { date: date(year, 1, 1), name: "New Year's Day" },
    { date: e.minus({ days: 2 }), name: 'Good Friday' },
    // The Monday before 25 May.
    { date: may24.minus({ days: (may24.weekday - 1 + 7) % 7 }), name: 'Victoria Day' },
    { date: date(year, 7, 1), name: 'Canada Day' },
    { date: nthWeekday(year, 9, 1, 1), name: 'Labour Day' },
    { date: nthWeekday(year, 10, 1, 2), name: 'Thanksgiving' },
    { date: date(year, 11, 11), name: 'Remembrance Day' },
    { date: date(year, 12, 25), name: 'Christmas Day' },
    { date: date(year, 12, 26), name: 'Boxing Day' },
  ];
  if (year >= 2021)
    rules.push({ date: date(year, 9, 30), name: 'National Day for Truth and Reconciliation' });
  return withSubstitutes(
    rules,
    new Set([
      "New Year's Day",
      'Canada Day',
      'National Day for Truth and Reconciliation',
      'Remembrance Day',
      'Christmas Day',
      'Boxing Day',
    ]),
  );
}

const RULES: Record<SupportedCountry, (year: number) => Rule[]> = {
  FR: france,
  BE: belgium,
  LU: luxembourg,
  CH: switzerland,
  GB: greatBritain,
  IE: ireland,
  CA: canada,
};
