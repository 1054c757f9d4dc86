using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reengage.Core.Booking;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Booking;

/// <summary>
/// The merge's promise (SPEC §8): one patient's events, delivered in any order and any number of times, end in
/// exactly the state of their in-order replay.
/// </summary>
public sealed class BookingMergePropertyTests
{
    private const string PracticeId = "prac_1";
    private const string PatientId = "pat_1";
    private static readonly DateTimeOffset T0 = At("2026-11-20T09:00:00Z");
    // Some starts are past (visits), some still to come (next booking).
    private static readonly DateTimeOffset Now = At("2026-11-25T12:00:00Z");

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    // Six event times for up to 25 events: many events share a time, which is where tie rules matter.
    private static readonly Gen<DateTimeOffset> EventTime = Gen.Choose(0, 5).Select(k => T0.AddMinutes(k));
    private static readonly Gen<DateTimeOffset> Start = Gen.Elements(
        At("2026-11-22T10:00:00Z"), At("2026-11-24T10:00:00Z"), At("2026-11-27T10:00:00Z"), At("2026-12-01T10:00:00Z"));

    private static Gen<Optional<T>> Maybe<T>(Gen<T> value) =>
        Gen.Frequency((2, Gen.Constant(Optional<T>.Absent)), (1, value.Select(Optional.Of)));

    private static readonly Gen<BookingPatient> Profile =
        from firstName in Maybe(Gen.Elements<string?>("Camille", "Noé", null))
        from email in Maybe(Gen.Elements<string?>("camille@example.org", "noe@example.org", null))
        from locale in Maybe(Gen.Elements<Locale?>(Locale.Fr, Locale.En, null))
        from therapist in Maybe(Gen.Elements<string?>("th_1", "th_2", null))
        from consent in Maybe(Gen.Elements(
            new EmailConsent(true, null, null), new EmailConsent(false, null, null), new EmailConsent(true, At("2026-11-01T00:00:00Z"), "form")))
        from care in Maybe(Gen.Elements(CareStatus.InCare, CareStatus.PlanCompleted, CareStatus.Discharged))
        from contact in Maybe(Gen.Elements(ContactPreference.Default, ContactPreference.Direct))
        from focus in Maybe(Gen.Elements<string?>("sleep", "back", null))
        from note in Maybe(Gen.Elements<string?>("note a", "note b", null))
        from plan in Maybe(Gen.Elements<TreatmentPlan?>(null, new TreatmentPlan("6 sessions", At("2026-12-10T00:00:00Z")), new TreatmentPlan(null, null)))
        select new BookingPatient
        {
            Id = PatientId,
            FirstName = firstName,
            Email = email,
            Locale = locale,
            TherapistId = therapist,
            EmailConsent = consent,
            CareStatus = care,
            ContactPreference = contact,
            FocusArea = focus,
            ProgressNote = note,
            Plan = plan,
        };

    private static readonly Gen<BookingPatient> AnyPatient =
        Gen.Frequency((1, Gen.Constant(new BookingPatient { Id = PatientId })), (1, Profile));

    private static readonly BookingEventType[] Types =
    [
        BookingEventType.AppointmentBooked, BookingEventType.AppointmentRescheduled, BookingEventType.AppointmentCancelled,
        BookingEventType.AppointmentCompleted, BookingEventType.AppointmentNoShow, BookingEventType.PatientUpserted,
    ];

    private static readonly Gen<GenericBookingEvent> Event =
        from index in Gen.Choose(0, 1_000_000)
        from type in Gen.Elements(Types)
        from at in EventTime
        from patient in type == BookingEventType.PatientUpserted ? Profile : AnyPatient
        from appointmentId in Gen.Elements("apt_1", "apt_2", "apt_3")
        from start in Start
        from hasStart in Gen.Elements(true, false)
        from therapist in Gen.Elements<string?>(null, "th_1", "th_2")
        let needsStart = type is BookingEventType.AppointmentBooked or BookingEventType.AppointmentRescheduled
        select new GenericBookingEvent(
            $"evt_{index}",
            type,
            at,
            patient,
            type == BookingEventType.PatientUpserted ? null : new BookingAppointment(appointmentId, needsStart || hasStart ? start : null, therapist));

    /// <summary>A history, and a delivery of it: shuffled, with some events delivered twice or three times.</summary>
    private static readonly Gen<(GenericBookingEvent[] History, GenericBookingEvent[] Delivery)> Deliveries =
        from history in Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(Event, n))
        from once in Gen.SubListOf(history)
        from twice in Gen.SubListOf(history)
        from delivery in Gen.Shuffle(history.Concat(once).Concat(twice).Concat(twice))
        select (history, delivery);

    private static (Patient Patient, IReadOnlyList<Appointment> Appointments) Replay(IEnumerable<GenericBookingEvent> events)
    {
        Patient? patient = null;
        var appointments = new Dictionary<string, Appointment>();
        foreach (var e in events)
        {
            var applied = Assert.IsType<BookingOutcome.Applied>(BookingMerge.Apply(PracticeId, patient, [.. appointments.Values], e, Now));
            patient = applied.Patient;
            if (applied.Appointment is { } a) appointments[a.Id] = a;
        }
        return (patient!, [.. appointments.Values.OrderBy(a => a.Id, StringComparer.Ordinal)]);
    }

    /// <summary>Records compare lists by reference: the touch log is compared by content, the rest by value.</summary>
    private static bool SameState((Patient Patient, IReadOnlyList<Appointment> Appointments) a, (Patient Patient, IReadOnlyList<Appointment> Appointments) b) =>
        a.Patient.TouchLog.SequenceEqual(b.Patient.TouchLog)
        && a.Patient with { TouchLog = b.Patient.TouchLog } == b.Patient
        && a.Appointments.SequenceEqual(b.Appointments);

    [Property(MaxTest = 500)]
    public Property Any_order_and_any_repetition_end_in_the_state_of_the_in_order_replay() =>
        Prop.ForAll(Deliveries.ToArbitrary(), d =>
        {
            // In order: by event time; events of the same time in the order they were generated.
            var inOrder = Replay(d.History.OrderBy(e => e.OccurredAt));
            return SameState(inOrder, Replay(d.Delivery));
        });

    [Property(MaxTest = 200)]
    public Property Delivering_everything_again_changes_nothing() =>
        Prop.ForAll(Deliveries.ToArbitrary(), d =>
        {
            var once = Replay(d.Delivery);
            return SameState(once, Replay(d.Delivery.Concat(d.Delivery)));
        });

    [Fact]
    public void The_property_can_fail_a_last_delivered_wins_rule_would_break_it()
    {
        // The same two events in both orders: if arrival order decided, one of these would differ.
        var booked = new GenericBookingEvent("b", BookingEventType.AppointmentBooked, T0, new BookingPatient { Id = PatientId },
            new BookingAppointment("apt_1", At("2026-11-27T10:00:00Z")));
        var cancelled = new GenericBookingEvent("c", BookingEventType.AppointmentCancelled, T0.AddMinutes(1), new BookingPatient { Id = PatientId },
            new BookingAppointment("apt_1"));
        var a = Replay([booked, cancelled]);
        var b = Replay([cancelled, booked]);
        Assert.True(SameState(a, b));
        Assert.Equal(AppointmentStatus.Cancelled, Assert.Single(b.Appointments).Status);
        Assert.False(SameState(a, Replay([booked])));
    }
}
