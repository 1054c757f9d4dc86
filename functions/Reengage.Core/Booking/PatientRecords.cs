using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>The decisions around saving a patient that do not need storage: fresh visits. (A new patient is <see cref="PracticeDefaults.NewPatient"/>; today's date and the touch horizon are <see cref="Outreach.Cadence.TodayFor"/> and <see cref="Outreach.Planning.PruneTouches"/>.)</summary>
public static class PatientRecords
{
    /// <summary>Whether the patient's next booking has since become a visit, so that its visits need <see cref="RefreshVisits"/>.</summary>
    public static bool NeedsVisitRefresh(Patient patient, DateTimeOffset now) => patient.NextBookingAt is { } next && next <= now;

    /// <summary>Re-derives lastVisitAt / nextBookingAt from the patient's appointments at <paramref name="now"/>.</summary>
    public static Patient RefreshVisits(Patient patient, IEnumerable<Appointment> appointments, DateTimeOffset now)
    {
        var visits = Visits.Summarize(appointments, now);
        return patient with { LastVisitAt = visits.LastVisitAt, NextBookingAt = visits.NextBookingAt };
    }
}
