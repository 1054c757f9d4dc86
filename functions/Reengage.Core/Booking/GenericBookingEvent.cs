using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>The canonical booking event types (SPEC §8). Vendor sources map their payloads onto these.</summary>
public enum BookingEventType
{
    [WireName("appointment.booked")] AppointmentBooked,
    [WireName("appointment.rescheduled")] AppointmentRescheduled,
    [WireName("appointment.cancelled")] AppointmentCancelled,
    [WireName("appointment.completed")] AppointmentCompleted,
    [WireName("appointment.no_show")] AppointmentNoShow,
    [WireName("patient.upserted")] PatientUpserted,
    [WireName("patient.deleted")] PatientDeleted,
}

/// <summary>
/// A field an event may leave out. Absent leaves the stored value alone; present (even with a null value)
/// replaces it: the generic format distinguishes <c>"email": null</c> (forget the address) from no <c>email</c>.
/// </summary>
public readonly record struct Optional<T>
{
    private Optional(T value)
    {
        IsPresent = true;
        Value = value;
    }

    public bool IsPresent { get; }
    /// <summary>The value when <see cref="IsPresent"/>; <c>default</c> otherwise.</summary>
    public T Value { get; }

    public static Optional<T> Absent => default;
    public static Optional<T> Of(T value) => new(value);

    public override string ToString() => IsPresent ? $"Of({Value})" : "Absent";
}

public static class Optional
{
    public static Optional<T> Of<T>(T value) => Optional<T>.Of(value);
}

/// <summary>
/// What an event says about its patient. Only <see cref="Id"/> is required; every other field is a partial
/// profile update. <see cref="Locale"/> present with a null value means a language without templates (the
/// practice's locale applies). <see cref="EmailConsent"/> keeps the event's own <c>at</c>/<c>source</c>, null
/// when the event gave none (the merge fills them in).
/// </summary>
public sealed record BookingPatient
{
    public required string Id { get; init; }
    public Optional<string?> FirstName { get; init; }
    public Optional<string?> Email { get; init; }
    public Optional<Locale?> Locale { get; init; }
    public Optional<string?> TherapistId { get; init; }
    public Optional<EmailConsent> EmailConsent { get; init; }
    public Optional<CareStatus> CareStatus { get; init; }
    public Optional<ContactPreference> ContactPreference { get; init; }
    public Optional<string?> FocusArea { get; init; }
    /// <summary>Health data.</summary>
    public Optional<string?> ProgressNote { get; init; }
    /// <summary>Health data (the summary).</summary>
    public Optional<TreatmentPlan?> Plan { get; init; }

    /// <summary>Whether the event carries any profile field, beyond naming the patient.</summary>
    public bool CarriesProfile =>
        FirstName.IsPresent || Email.IsPresent || Locale.IsPresent || TherapistId.IsPresent || EmailConsent.IsPresent
        || CareStatus.IsPresent || ContactPreference.IsPresent || FocusArea.IsPresent || ProgressNote.IsPresent || Plan.IsPresent;
}

/// <summary>What an event says about its appointment. A null <see cref="TherapistId"/> says nothing (as an absent one).</summary>
public sealed record BookingAppointment(string Id, DateTimeOffset? StartsAt = null, string? TherapistId = null);

/// <summary>
/// One validated booking event. Instants are UTC, to the millisecond (as the TypeScript implementation compared
/// them). <see cref="Appointment"/> is never null for appointment events; patient events may carry one, which
/// is ignored.
/// </summary>
public sealed record GenericBookingEvent(
    string Id,
    BookingEventType Type,
    DateTimeOffset OccurredAt,
    BookingPatient Patient,
    BookingAppointment? Appointment = null)
{
    public const int MaxBytes = 256 * 1024;

    public bool IsAppointmentEvent => Type is not (BookingEventType.PatientUpserted or BookingEventType.PatientDeleted);

    /// <summary>A new or moved booking: what <c>bookedAt</c> and <c>lastBookedAt</c> record.</summary>
    public bool IsBooking => Type is BookingEventType.AppointmentBooked or BookingEventType.AppointmentRescheduled;
}

