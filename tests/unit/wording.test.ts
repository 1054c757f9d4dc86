import { describe, expect, it } from 'vitest';
import { describeSinceLastVisit } from '../../functions/src/core/wording';

// Day counts below are worked out on a calendar from this instant (2027 is not a leap year).
const NOW = new Date('2027-03-01T10:00:00Z');

describe('describeSinceLastVisit', () => {
  it.each([
    // lastVisitAt, whole days before NOW, fr, en
    ['2027-03-01T09:00:00Z', 0, 'quelques jours', 'a few days'],
    ['2027-02-20', 9, 'quelques jours', 'a few days'],
    ['2027-02-15T10:00:01Z', 13, 'quelques jours', 'a few days'],
    ['2027-02-15T10:00:00Z', 14, 'quelques semaines', 'a few weeks'],
    ['2027-01-30T10:00:00Z', 30, 'quelques semaines', 'a few weeks'],
    ['2027-01-16T10:00:00Z', 44, 'quelques semaines', 'a few weeks'],
    ['2027-01-15T10:00:00Z', 45, 'environ deux mois', 'about two months'],
    ['2026-12-31', 60, 'environ deux mois', 'about two months'],
    ['2026-12-01', 90, 'environ trois mois', 'about three months'],
    ['2026-11-01', 120, 'plusieurs mois', 'several months'],
    ['2026-03-01', 365, 'environ un an', 'about a year'],
    ['2025-03-01', 730, 'plus d’un an', 'more than a year'],
  ])('%s (%i days) reads "%s" / "%s"', (lastVisitAt, _days, fr, en) => {
    expect(describeSinceLastVisit(lastVisitAt, NOW, 'fr')).toBe(fr);
    expect(describeSinceLastVisit(lastVisitAt, NOW, 'en')).toBe(en);
  });

  it('reads an instant with an offset as the same moment in UTC', () => {
    // 11:00+01:00 is 10:00Z, exactly 30 days before NOW.
    expect(describeSinceLastVisit('2027-01-30T11:00:00+01:00', NOW, 'en')).toBe('a few weeks');
  });

  it('is null when the last visit is unknown, unreadable or in the future', () => {
    expect(describeSinceLastVisit(null, NOW, 'fr')).toBeNull();
    expect(describeSinceLastVisit('', NOW, 'fr')).toBeNull();
    expect(describeSinceLastVisit('last spring', NOW, 'en')).toBeNull();
    expect(describeSinceLastVisit('2027-02-30', NOW, 'en')).toBeNull();
    expect(describeSinceLastVisit('2027-03-05', NOW, 'fr')).toBeNull();
  });
});
