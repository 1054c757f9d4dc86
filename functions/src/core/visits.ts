// What a patient's appointments say: the last visit and the next booking.
import type { Appointment } from './model';

export interface VisitSummary {
  lastVisitAt: string | null;
  nextBookingAt: string | null;
}

/**
 * A completed appointment is a visit; so is a booked one whose time has passed (booking tools often
 * never send "completed"), unless it was cancelled or marked no-show.
 */
export function summarizeVisits(appointments: Iterable<Appointment>, now: Date): VisitSummary {
  let lastVisit: number | null = null;
  let nextBooking: number | null = null;
  const nowMs = now.getTime();
  for (const appointment of appointments) {
    const startsAt = Date.parse(appointment.startsAt);
    if (Number.isNaN(startsAt)) continue;
    const isVisit =
      appointment.status === 'completed' || (appointment.status === 'booked' && startsAt <= nowMs);
    if (isVisit && (lastVisit === null || startsAt > lastVisit)) lastVisit = startsAt;
    if (
      appointment.status === 'booked' &&
      startsAt > nowMs &&
      (nextBooking === null || startsAt < nextBooking)
    ) {
      nextBooking = startsAt;
    }
  }
  return {
    lastVisitAt: lastVisit === null ? null : new Date(lastVisit).toISOString(),
    nextBookingAt: nextBooking === null ? null : new Date(nextBooking).toISOString(),
  };
}
