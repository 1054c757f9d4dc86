import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { SendWindow, Weekday } from '../../functions/src/core/model';
import {
  type CalendarPractice,
  createPracticeCalendar,
  MAX_SEARCH_DAYS,
  validateSendWindow,
} from '../../functions/src/core/sendWindow';

const WEEKDAYS: Weekday[] = [1, 2, 3, 4, 5];
const EVERY_DAY: Weekday[] = [1, 2, 3, 4, 5, 6, 7];

function practice(overrides: Partial<CalendarPractice> = {}): CalendarPractice {
  return {
    timeZone: 'Europe/Paris',
    country: 'FR',
    sendWindow: { days: WEEKDAYS, start: '09:30', end: '17:30' },
    closedDates: [],
    ...overrides,
  };
}

const paris = createPracticeCalendar(practice());
const at = (iso: string) => new Date(iso);
const next = (calendar: ReturnType<typeof createPracticeCalendar>, iso: string) =>
  calendar.nextAllowed(at(iso)).toISOString();

describe('nextAllowed in Europe/Paris, Monday to Friday 09:30-17:30', () => {
  it('returns the instant itself inside the window, to the millisecond', () => {
    // Friday 9 January 2026, 11:00:00.123 in Paris (UTC+1).
    expect(next(paris, '2026-01-09T10:00:00.123Z')).toBe('2026-01-09T10:00:00.123Z');
    expect(paris.isAllowed(at('2026-01-09T10:00:00.123Z'))).toBe(true);
  });

  it('treats the start as inside and the end as outside', () => {
    expect(next(paris, '2026-01-09T08:30:00.000Z')).toBe('2026-01-09T08:30:00.000Z');
    expect(paris.isAllowed(at('2026-01-09T16:29:59.999Z'))).toBe(true);
    expect(paris.isAllowed(at('2026-01-09T16:30:00.000Z'))).toBe(false);
  });

  it('moves an early morning to the same day 09:30', () => {
    expect(next(paris, '2026-01-09T05:00:00Z')).toBe('2026-01-09T08:30:00.000Z');
  });

  it('skips the weekend: Friday 17:45 -> Monday 09:30', () => {
    // Friday 9 January 2026 17:45 CET = 16:45Z; Monday 12 January 09:30 CET = 08:30Z.
    expect(next(paris, '2026-01-09T16:45:00Z')).toBe('2026-01-12T08:30:00.000Z');
    expect(next(paris, '2026-01-09T16:30:00Z')).toBe('2026-01-12T08:30:00.000Z');
    expect(next(paris, '2026-01-10T12:00:00Z')).toBe('2026-01-12T08:30:00.000Z');
  });

  it('skips a public holiday: Easter Monday 2027 -> Tuesday', () => {
    // Monday 29 March 2027 is Easter Monday; Tuesday 30 March 09:30 CEST = 07:30Z.
    expect(next(paris, '2027-03-29T08:00:00Z')).toBe('2027-03-30T07:30:00.000Z');
    expect(paris.isWorkingDay('2027-03-29')).toBe(false);
    expect(paris.isWorkingDay('2027-03-30')).toBe(true);
  });

  it('skips 14 July 2026 (a Tuesday)', () => {
    expect(next(paris, '2026-07-14T08:00:00Z')).toBe('2026-07-15T07:30:00.000Z');
  });
});

describe('daylight saving time in Europe/Paris', () => {
  it('2026 spring: the weekend of 29 March moves 09:30 from 08:30Z to 07:30Z', () => {
    expect(next(paris, '2026-03-27T07:00:00Z')).toBe('2026-03-27T08:30:00.000Z'); // Friday, CET
    expect(next(paris, '2026-03-27T16:45:00Z')).toBe('2026-03-30T07:30:00.000Z'); // Monday, CEST
  });

  it('2026 autumn: the weekend of 25 October moves 09:30 from 07:30Z to 08:30Z', () => {
    expect(next(paris, '2026-10-23T06:00:00Z')).toBe('2026-10-23T07:30:00.000Z'); // Friday, CEST
    expect(next(paris, '2026-10-23T15:45:00Z')).toBe('2026-10-26T08:30:00.000Z'); // Monday, CET
    // The window's end follows too: 17:30 CEST = 15:30Z on Friday.
    expect(paris.isAllowed(at('2026-10-23T15:29:00Z'))).toBe(true);
    expect(paris.isAllowed(at('2026-10-23T15:30:00Z'))).toBe(false);
  });

  it('2027 on the change days themselves (a practice open every day)', () => {
    const daily = createPracticeCalendar(
      practice({ sendWindow: { days: EVERY_DAY, start: '09:30', end: '17:30' } }),
    );
    // Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    expect(next(daily, '2027-03-27T00:00:00Z')).toBe('2027-03-27T08:30:00.000Z');
    expect(next(daily, '2027-03-28T00:00:00Z')).toBe('2027-03-28T07:30:00.000Z');
    expect(next(daily, '2027-10-30T00:00:00Z')).toBe('2027-10-30T07:30:00.000Z');
    expect(next(daily, '2027-10-31T00:00:00Z')).toBe('2027-10-31T08:30:00.000Z');
    // Sunday 31 October 2027 is 25 hours long; the window is still 8 hours: 08:30Z-16:30Z.
    expect(daily.windowOn('2027-10-31')).toEqual({
      start: at('2027-10-31T08:30:00Z'),
      end: at('2027-10-31T16:30:00Z'),
    });
  });

  it('2027 weekends across the changes land after Easter Monday and All Saints', () => {
    // Friday 26 March 17:45 CET -> Monday 29 is Easter Monday -> Tuesday 30 March 09:30 CEST.
    expect(next(paris, '2027-03-26T16:45:00Z')).toBe('2027-03-30T07:30:00.000Z');
    // Friday 29 October 17:45 CEST -> Monday 1 November is a holiday -> Tuesday 2 November 09:30 CET.
    expect(next(paris, '2027-10-29T15:45:00Z')).toBe('2027-11-02T08:30:00.000Z');
  });

  it('a window start inside the spring-forward gap opens when the clocks jump', () => {
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z), so 02:30 never happens; the first moment
    // the clock reads 02:30 or later is 03:00 CEST = 01:00Z. The day before, 02:30 CET = 01:30Z.
    const night = createPracticeCalendar(
      practice({ sendWindow: { days: EVERY_DAY, start: '02:30', end: '05:00' } }),
    );
    expect(next(night, '2026-03-28T00:00:00Z')).toBe('2026-03-28T01:30:00.000Z');
    expect(next(night, '2026-03-28T23:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(night.windowOn('2026-03-29')).toEqual({
      start: at('2026-03-29T01:00:00Z'),
      end: at('2026-03-29T03:00:00Z'),
    });
    expect(next(night, '2026-03-29T04:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
  });

  it('a window entirely inside the gap makes that day closed, not an error or an inverted window', () => {
    const gap = createPracticeCalendar(
      practice({ sendWindow: { days: EVERY_DAY, start: '02:10', end: '02:50' } }),
    );
    expect(gap.isWorkingDay('2026-03-29')).toBe(false);
    expect(gap.windowOn('2026-03-29')).toBeNull();
    // 00:00 CET on the 29th -> Monday 30 March 02:10 CEST = 00:10Z.
    expect(next(gap, '2026-03-28T23:00:00Z')).toBe('2026-03-30T00:10:00.000Z');
  });

  it('a window start repeated by the autumn change opens at its first occurrence', () => {
    // 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
    const night = createPracticeCalendar(
      practice({ sendWindow: { days: EVERY_DAY, start: '02:30', end: '06:00' } }),
    );
    expect(next(night, '2026-10-25T00:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(night.windowOn('2026-10-25')).toEqual({
      start: at('2026-10-25T00:30:00Z'),
      end: at('2026-10-25T05:00:00Z'),
    });
  });
});

describe('closed dates', () => {
  it('skips them like holidays', () => {
    const calendar = createPracticeCalendar(practice({ closedDates: ['2026-01-12', '2026-01-13'] }));
    expect(next(calendar, '2026-01-09T16:45:00Z')).toBe('2026-01-14T08:30:00.000Z');
    expect(calendar.isWorkingDay('2026-01-12')).toBe(false);
    expect(calendar.nextWorkingDay('2026-01-10')).toBe('2026-01-14');
  });

  it('throws invalid_configuration after a bounded search when nothing is ever open', () => {
    const first = DateTime.fromISO('2026-01-01', { zone: 'utc' });
    const everything = Array.from(
      { length: MAX_SEARCH_DAYS + 2 },
      (_, i) => first.plus({ days: i }).toISODate() ?? '',
    );
    const calendar = createPracticeCalendar(practice({ closedDates: everything }));
    expect(() => calendar.nextAllowed(at('2026-01-01T10:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
    expect(() => calendar.nextWorkingDay('2026-01-01')).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
  });
});

describe('another zone: America/Montreal with Canadian federal holidays', () => {
  const montreal = createPracticeCalendar(
    practice({
      timeZone: 'America/Montreal',
      country: 'CA',
      sendWindow: { days: WEEKDAYS, start: '09:00', end: '17:00' },
    }),
  );

  it('uses local time on both sides of the March change', () => {
    // Friday 6 March 2026 17:30 EST = 22:30Z; DST starts Sunday 8 March; Monday 09:00 EDT = 13:00Z.
    expect(next(montreal, '2026-03-06T22:30:00Z')).toBe('2026-03-09T13:00:00.000Z');
    expect(next(montreal, '2026-03-06T12:00:00Z')).toBe('2026-03-06T14:00:00.000Z');
  });

  it('reads the local date, not the UTC one', () => {
    // 03:00Z on 10 March is still 23:00 on Monday 9 March in Montreal.
    expect(montreal.localDate(at('2026-03-10T03:00:00Z'))).toBe('2026-03-09');
    expect(next(montreal, '2026-03-10T03:00:00Z')).toBe('2026-03-10T13:00:00.000Z');
  });

  it('skips Canada Day (Wednesday 1 July 2026) but not French holidays', () => {
    expect(next(montreal, '2026-07-01T14:00:00Z')).toBe('2026-07-02T13:00:00.000Z');
    expect(montreal.isWorkingDay('2026-07-14')).toBe(true);
  });
});

describe('localDate and isWorkingDay', () => {
  it('gives the Paris date of an instant near midnight', () => {
    expect(paris.localDate(at('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(paris.localDate(at('2026-01-01T22:30:00Z'))).toBe('2026-01-01');
  });

  it('knows weekends, holidays and ordinary days', () => {
    expect(paris.isWorkingDay('2026-01-10')).toBe(false); // Saturday
    expect(paris.isWorkingDay('2026-05-01')).toBe(false); // Friday, Labour Day
    expect(paris.isWorkingDay('2026-05-04')).toBe(true);
  });

  it('rejects a malformed local date', () => {
    expect(() => paris.isWorkingDay('2026-13-01')).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('rejects an invalid Date', () => {
    expect(() => paris.nextAllowed(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('validation', () => {
  const invalid = (window: Partial<SendWindow>) => ({
    days: WEEKDAYS,
    start: '09:30',
    end: '17:30',
    ...window,
  });

  it.each([
    ['a start without a leading zero', invalid({ start: '9:30' })],
    ['24:00', invalid({ end: '24:00' })],
    ['minutes out of range', invalid({ start: '09:60' })],
    ['start equal to end', invalid({ start: '10:00', end: '10:00' })],
    ['start after end', invalid({ start: '18:00', end: '09:00' })],
    ['no day at all', invalid({ days: [] })],
    ['a weekday 0', invalid({ days: [0 as Weekday] })],
    ['a weekday 8', invalid({ days: [8 as Weekday] })],
  ])('refuses %s', (_, window) => {
    expect(() => validateSendWindow(window)).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
    expect(() => createPracticeCalendar(practice({ sendWindow: window }))).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
  });

  it('accepts a valid window', () => {
    expect(() => validateSendWindow({ days: [1], start: '00:00', end: '23:59' })).not.toThrow();
  });

  it.each([
    ['an unknown time zone', practice({ timeZone: 'Mars/Olympus_Mons' })],
    ['a country without holidays', practice({ country: 'DE' })],
    ['a malformed closed date', practice({ closedDates: ['2026-02-30'] })],
  ])('refuses %s', (_, bad) => {
    expect(() => createPracticeCalendar(bad)).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    );
  });
});
