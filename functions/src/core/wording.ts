// Humane wording for emails: how long it has been since a patient's last visit, in the patient's language.
import { DateTime } from 'luxon';
import type { Locale } from './model';

const DAY_IN_MS = 86_400_000;

/**
 * Upper bounds (exclusive, in whole days) of each wording. Rounded the way a person would say it: 50 days
 * is "about two months", 200 days is "several months". Each phrase fits both "remonte à …" and
 * "It's been … since".
 */
const SINCE_LAST_VISIT: ReadonlyArray<{ belowDays: number; fr: string; en: string }> = [
  { belowDays: 14, fr: 'quelques jours', en: 'a few days' },
  { belowDays: 45, fr: 'quelques semaines', en: 'a few weeks' },
  { belowDays: 76, fr: 'environ deux mois', en: 'about two months' },
  { belowDays: 106, fr: 'environ trois mois', en: 'about three months' },
  { belowDays: 320, fr: 'plusieurs mois', en: 'several months' },
  { belowDays: 500, fr: 'environ un an', en: 'about a year' },
  { belowDays: Number.POSITIVE_INFINITY, fr: 'plus d’un an', en: 'more than a year' },
];

/**
 * "quelques semaines" / "about two months" for the time between `lastVisitAt` (ISO date or instant) and
 * `now`; null when the last visit is unknown, unreadable or in the future, so templates use their
 * sentence without a duration.
 */
export function describeSinceLastVisit(lastVisitAt: string | null, now: Date, locale: Locale): string | null {
  if (lastVisitAt === null) return null;
  const visit = DateTime.fromISO(lastVisitAt, { zone: 'utc' });
  if (!visit.isValid) return null;
  const elapsedInMs = now.getTime() - visit.toMillis();
  if (!Number.isFinite(elapsedInMs) || elapsedInMs < 0) return null;
  const days = Math.floor(elapsedInMs / DAY_IN_MS);
  const wording = SINCE_LAST_VISIT.find((bucket) => days < bucket.belowDays);
  return wording ? wording[locale] : null;
}
