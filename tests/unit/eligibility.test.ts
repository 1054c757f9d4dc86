import { describe, expect, it } from 'vitest';
import { whyIneligible } from '../../functions/src/core/eligibility';
import type { Patient } from '../../functions/src/core/model';
import { aPatient, aPractice } from '../support/builders';

const at = new Date('2027-01-05T09:30:00Z');
const practice = aPractice();

function reasonFor(
  patient: Patient,
  extra: { plannedAt?: string; outreachId?: string; episodeKey?: string | null } = {},
) {
  return whyIneligible({ practice, patient, at, episodeKey: extra.episodeKey ?? '2026-12-01', ...extra });
}

describe('eligibility, each reason alone', () => {
  it('an ordinary consenting patient may be written to', () => {
    expect(reasonFor(aPatient())).toBeNull();
  });
  it('no email', () => expect(reasonFor(aPatient({ email: null }))).toBe('no_email'));
  it('no consent', () =>
    expect(reasonFor(aPatient({ emailConsent: { granted: false, at: null, source: null } }))).toBe(
      'no_consent',
    ));
  it('suppressed', () => expect(reasonFor(aPatient({ suppressed: true }))).toBe('suppressed'));
  it('discharged', () => expect(reasonFor(aPatient({ careStatus: 'discharged' }))).toBe('discharged'));
  it('paused until later', () =>
    expect(reasonFor(aPatient({ pausedUntil: '2027-02-01T00:00:00Z' }))).toBe('paused'));
  it('a pause that ended is no obstacle', () =>
    expect(reasonFor(aPatient({ pausedUntil: '2027-01-01T00:00:00Z' }))).toBeNull());
  it('future booking', () =>
    expect(reasonFor(aPatient({ nextBookingAt: '2027-01-10T09:00:00Z' }))).toBe('booked'));
  it('booked since the email was planned', () =>
    expect(
      reasonFor(aPatient({ lastBookedAt: '2027-01-04T12:00:00Z' }), { plannedAt: '2027-01-04T05:00:00Z' }),
    ).toBe('booked'));
  it('a booking before planning does not stop it', () =>
    expect(
      reasonFor(aPatient({ lastBookedAt: '2027-01-03T12:00:00Z' }), { plannedAt: '2027-01-04T05:00:00Z' }),
    ).toBeNull());
  it('answered since the email was planned', () =>
    expect(
      reasonFor(aPatient({ lastAnsweredAt: '2027-01-04T18:00:00Z' }), { plannedAt: '2027-01-04T05:00:00Z' }),
    ).toBe('answered'));
  it('episode budget spent (3 touches in the episode)', () => {
    const touchLog = ['2026-10-01', '2026-11-01', '2026-12-01'].map((d, i) => ({
      at: `${d}T09:30:00Z`,
      outreachId: `o${i}`,
      episodeKey: '2026-09-01',
    }));
    expect(reasonFor(aPatient({ touchLog }), { episodeKey: '2026-09-01' })).toBe('episode_budget');
  });
  it('yearly budget spent (6 touches in 365 days, across episodes)', () => {
    const touchLog = [0, 1, 2, 3, 4, 5].map((i) => ({
      at: new Date(Date.UTC(2026, 1 + i, 1, 9, 30)).toISOString(),
      outreachId: `o${i}`,
      episodeKey: `ep${i}`,
    }));
    expect(reasonFor(aPatient({ touchLog }))).toBe('yearly_budget');
  });
  it('cooldown: an email 20 days ago (cooldown 21)', () => {
    const touchLog = [{ at: '2026-12-16T09:30:00Z', outreachId: 'o1', episodeKey: 'other' }];
    expect(reasonFor(aPatient({ touchLog }))).toBe('cooldown');
  });
  it('cooldown over: an email 22 days ago', () => {
    const touchLog = [{ at: '2026-12-14T09:30:00Z', outreachId: 'o1', episodeKey: 'other' }];
    expect(reasonFor(aPatient({ touchLog }))).toBeNull();
  });
  it('cooldown also looks ahead at an email already planned', () => {
    const touchLog = [{ at: '2027-01-15T09:30:00Z', outreachId: 'o1', episodeKey: 'other' }];
    expect(reasonFor(aPatient({ touchLog }))).toBe('cooldown');
  });
  it("at send time, the row's own touch does not count against it", () => {
    const touchLog = [{ at: '2027-01-05T09:30:00Z', outreachId: 'self', episodeKey: '2026-12-01' }];
    expect(reasonFor(aPatient({ touchLog }), { outreachId: 'self' })).toBeNull();
    expect(reasonFor(aPatient({ touchLog }), { outreachId: 'another' })).toBe('cooldown');
  });
});
