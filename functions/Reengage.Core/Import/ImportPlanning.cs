// What a valid import line changes on the stored patient, and the booking events that make the change: imported
// patients go through the generic webhook's own path, so they follow its rules (SPEC §8).
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Core.Import;

public enum LineAction
{
    [WireName("create")] Create,
    [WireName("update")] Update,
    [WireName("unchanged")] Unchanged,
    [WireName("invalid")] Invalid,
}

/// <summary>A valid line's plan: its action, the fields an update changes, and the events to apply in order.</summary>
public sealed record LinePlan(LineAction Action, IReadOnlyList<ImportField> Fields, IReadOnlyList<GenericBookingEvent> Events, string? Email);

public static class ImportPlanning
{
    /// <summary>Appointment ids the import owns; a booking tool's webhooks never produce them.</summary>
    public const string VisitIdPrefix = "import-visit-";

    public const string NextIdPrefix = "import-next-";

    /// <summary>A date alone matches any time that day (practice time); a date-time, that instant.</summary>
    public static bool IsSameBooking(Practice practice, ImportDate next, DateTimeOffset startsAt)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(next);
        return next.HasTime ? startsAt == next.At : Cadence.LocalDateOf(startsAt, practice.TimeZone) == next.Date;
    }

    /// <summary>
    /// Profile cells that differ become the events' patient fields (only those, so an unchanged consent keeps its date
    /// and source). The last visit becomes a completed appointment unless the patient's last visit is that day or later.
    /// The next appointment becomes a booked one unless the patient's next booking is at that time (that day, for a date
    /// alone) or <paramref name="appointments"/> hold such a booking; a future booking an earlier import made that the
    /// file no longer shows is cancelled. <paramref name="stored"/> must have its visits derived (RefreshVisits);
    /// <paramref name="appointments"/> matter only when its next booking is not the file's.
    /// </summary>
    public static LinePlan Plan(Practice practice, ImportedPatient imported, Patient? stored, IReadOnlyList<Appointment> appointments, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(imported);
        ArgumentNullException.ThrowIfNull(appointments);
        var fields = new List<ImportField>();
        var profile = new BookingPatient { Id = imported.Id };
        if (imported.FirstName is { } firstName && stored?.FirstName?.Normalize() != firstName)
        {
            profile = profile with { FirstName = Optional.Of<string?>(firstName) };
            fields.Add(ImportField.FirstName);
        }
        if (imported.Email is { } email && stored?.Email != email)
        {
            profile = profile with { Email = Optional.Of<string?>(email) };
            fields.Add(ImportField.Email);
        }
        if (imported.Locale.IsPresent && (stored is null || stored.Locale != imported.Locale.Value))
        {
            profile = profile with { Locale = imported.Locale };
            fields.Add(ImportField.Locale);
        }
        if (imported.TherapistId is { } therapistId && stored?.TherapistId != therapistId)
        {
            profile = profile with { TherapistId = Optional.Of<string?>(therapistId) };
            fields.Add(ImportField.TherapistId);
        }
        if (imported.EmailConsent is { } granted && stored?.EmailConsent.Granted != granted)
        {
            profile = profile with { EmailConsent = Optional.Of(new EmailConsent(granted, null, "import")) };
            fields.Add(ImportField.EmailConsent);
        }
        if (imported.CareStatus is { } careStatus && stored?.CareStatus != careStatus)
        {
            profile = profile with { CareStatus = Optional.Of(careStatus) };
            fields.Add(ImportField.CareStatus);
        }
        if (imported.ContactPreference is { } preference && stored?.ContactPreference != preference)
        {
            profile = profile with { ContactPreference = Optional.Of(preference) };
            fields.Add(ImportField.ContactPreference);
        }
        if (imported.FocusArea is { } focusArea && stored?.FocusArea != focusArea)
        {
            profile = profile with { FocusArea = Optional.Of<string?>(focusArea) };
            fields.Add(ImportField.FocusArea);
        }

        var changes = new List<(BookingEventType Type, string Id, DateTimeOffset StartsAt)>();
        if (imported.NextBookingAt is { } next && !(stored?.NextBookingAt is { } known && IsSameBooking(practice, next, known)))
        {
            foreach (var a in appointments)
            {
                var superseded = a.Id.StartsWith(NextIdPrefix, StringComparison.Ordinal)
                    && a.Status == AppointmentStatus.Booked
                    && a.StartsAt > now
                    && !IsSameBooking(practice, next, a.StartsAt);
                if (superseded) changes.Add((BookingEventType.AppointmentCancelled, a.Id, a.StartsAt));
            }
            if (!appointments.Any(a => a.Status == AppointmentStatus.Booked && IsSameBooking(practice, next, a.StartsAt)))
            {
                changes.Add((BookingEventType.AppointmentBooked, NextIdPrefix + CompactInstant(next.At), next.At));
            }
        }
        if (imported.LastVisitAt is { } lastVisit
            && (stored?.LastVisitAt is not { } lastKnown || Cadence.LocalDateOf(lastKnown, practice.TimeZone) < lastVisit.Date))
        {
            // Before the booking, so that the patient's history reads in order.
            var day = lastVisit.Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            changes.Insert(0, (BookingEventType.AppointmentCompleted, VisitIdPrefix + day, lastVisit.At));
            fields.Add(ImportField.LastVisitAt);
        }
        if (changes.Any(c => c.Type != BookingEventType.AppointmentCompleted)) fields.Add(ImportField.NextBookingAt);

        var action = stored is null ? LineAction.Create : fields.Count > 0 ? LineAction.Update : LineAction.Unchanged;
        var profileEmail = profile.Email.IsPresent ? profile.Email.Value : null;
        if (action == LineAction.Unchanged) return new LinePlan(action, [], [], profileEmail);

        // The state the line applies to is part of the id: a later import of the same line, after the patient changed
        // meanwhile, is a new event and not a duplicate of the first.
        string EventId(string kind)
        {
            var key = string.Join('\u001f', practice.Id, Describe(imported), kind, stored?.UpdatedAt.ToString("O", CultureInfo.InvariantCulture) ?? "");
            return "import:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
        }
        var therapist = imported.TherapistId ?? stored?.TherapistId;
        var events = changes
            .Select(c => new GenericBookingEvent(
                EventId($"{Wire.Name(c.Type)}/{c.Id}"),
                c.Type,
                now,
                profile,
                new BookingAppointment(c.Id, c.StartsAt, therapist)))
            .ToList();
        if (events.Count == 0) events.Add(new GenericBookingEvent(EventId("patient.upserted"), BookingEventType.PatientUpserted, now, profile));
        return new LinePlan(action, action == LineAction.Update ? fields : [], events, profileEmail);
    }

    private static string Describe(ImportedPatient p) => string.Join(
        '\u001e',
        p.Id,
        p.FirstName,
        p.Email,
        p.Locale.IsPresent ? (p.Locale.Value is { } l ? Wire.Name(l) : "other") : "",
        p.TherapistId,
        p.EmailConsent?.ToString(),
        p.CareStatus is { } c ? Wire.Name(c) : "",
        p.ContactPreference is { } cp ? Wire.Name(cp) : "",
        p.FocusArea,
        p.LastVisitAt?.At.ToString("O", CultureInfo.InvariantCulture),
        p.NextBookingAt?.At.ToString("O", CultureInfo.InvariantCulture));

    /// <summary><c>2027-01-10T13:00:00Z</c> -> <c>20270110T130000Z</c>: a readable, id-safe instant.</summary>
    private static string CompactInstant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
