using NodaTime;
using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>The decisions around saving a patient that do not need storage: a new row, today's date, pruned touches, fresh visits.</summary>
public static class PatientRecords
{
    /// <summary>The budget never looks further back than a year (and a day, for leap years).</summary>
    public static readonly TimeSpan TouchHorizon = TimeSpan.FromDays(366);

    /// <summary>A patient first named by an event: nothing known yet, no consent, in care.</summary>
    public static Patient NewPatient(string practiceId, string patientId, DateTimeOffset now) => new()
    {
        PracticeId = practiceId,
        Id = patientId,
        CreatedAt = now.ToUniversalTime(),
        UpdatedAt = now.ToUniversalTime(),
    };

    /// <summary>
    /// The planners' notion of today for a practice: its local date, or the UTC date when that is later, so that a
    /// practice west of UTC is not planned a day late by a timer that fires at 05:00 UTC.
    /// Throws <see cref="NodaTime.TimeZones.DateTimeZoneNotFoundException"/> for a zone the practice settings should have refused.
    /// </summary>
    public static DateOnly TodayFor(Practice practice, DateTimeOffset now)
    {
        var zone = DateTimeZoneProviders.Tzdb[practice.TimeZone];
        var local = Instant.FromDateTimeOffset(now).InZone(zone).Date.ToDateOnly();
        var utc = DateOnly.FromDateTime(now.UtcDateTime);
        return local > utc ? local : utc;
    }

    /// <summary>Drops touches older than <see cref="TouchHorizon"/>: the per-patient budget never looks further back.</summary>
    public static Patient PruneTouches(Patient patient, DateTimeOffset now)
    {
        var horizon = now - TouchHorizon;
        return patient.TouchLog.All(t => t.At > horizon) ? patient : patient with { TouchLog = [.. patient.TouchLog.Where(t => t.At > horizon)] };
    }

    /// <summary>Whether the patient's next booking has since become a visit, so that its visits need <see cref="RefreshVisits"/>.</summary>
    public static bool NeedsVisitRefresh(Patient patient, DateTimeOffset now) => patient.NextBookingAt is { } next && next <= now;

    /// <summary>Re-derives lastVisitAt / nextBookingAt from the patient's appointments at <paramref name="now"/>.</summary>
    public static Patient RefreshVisits(Patient patient, IEnumerable<Appointment> appointments, DateTimeOffset now)
    {
        var visits = Visits.Summarize(appointments, now);
        return patient with { LastVisitAt = visits.LastVisitAt, NextBookingAt = visits.NextBookingAt };
    }
}
