using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>What a patient's appointments say at <c>now</c>: the last visit and the next booking.</summary>
public sealed record VisitSummary(DateTimeOffset? LastVisitAt, DateTimeOffset? NextBookingAt);

public static class Visits
{
    /// <summary>
    /// A completed appointment is a visit; so is a booked one whose time has passed (booking tools often never
    /// send "completed"), unless it was cancelled or marked no-show. The next booking is the earliest booked
    /// appointment still to come.
    /// </summary>
    public static VisitSummary Summarize(IEnumerable<Appointment> appointments, DateTimeOffset now)
    {
        DateTimeOffset? lastVisit = null;
        DateTimeOffset? nextBooking = null;
        foreach (var appointment in appointments)
        {
            var startsAt = appointment.StartsAt;
            var isVisit = appointment.Status == AppointmentStatus.Completed
                || (appointment.Status == AppointmentStatus.Booked && startsAt <= now);
            if (isVisit && (lastVisit is null || startsAt > lastVisit)) lastVisit = startsAt;
            if (appointment.Status == AppointmentStatus.Booked && startsAt > now && (nextBooking is null || startsAt < nextBooking))
                nextBooking = startsAt;
        }
        return new VisitSummary(lastVisit?.ToUniversalTime(), nextBooking?.ToUniversalTime());
    }
}
