using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>Which email a booking is credited to: the report's rebooking rate, and its control group's.</summary>
public static class Rebooking
{
    public static readonly TimeSpan AttributionWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// The latest of the patient's ledger rows sent (or held out, for the control group, at its notBefore) within
    /// <see cref="AttributionWindow"/> before <paramref name="bookedAt"/>; null when none.
    /// </summary>
    public static OutreachRow? ChooseRow(IEnumerable<OutreachRow> patientRows, DateTimeOffset bookedAt)
    {
        OutreachRow? latest = null;
        DateTimeOffset latestAt = default;
        foreach (var row in patientRows)
        {
            var touchedAt = row.SentAt ?? (row.Status == OutreachStatus.HeldOut ? row.NotBefore : null);
            if (touchedAt is not { } at || at > bookedAt || bookedAt - at > AttributionWindow) continue;
            if (latest is null || at > latestAt) (latest, latestAt) = (row, at);
        }
        return latest;
    }

    /// <summary>The row credited with the booking, or null when it already was (the first booking stays).</summary>
    public static OutreachRow? Attribute(OutreachRow row, DateTimeOffset bookedAt) =>
        row.RebookedAt is null ? row with { RebookedAt = bookedAt } : null;
}

/// <summary>What <c>patient.deleted</c> does to the patient's ledger.</summary>
public static class PatientDeletion
{
    public const string SkipReason = "patient_deleted";

    /// <summary>A planned email of a deleted patient, skipped; null for any other row (sent, skipped, held out stay as they are).</summary>
    public static OutreachRow? Skip(OutreachRow row) =>
        row.Status == OutreachStatus.Planned ? row with { Status = OutreachStatus.Skipped(SkipReason) } : null;
}
