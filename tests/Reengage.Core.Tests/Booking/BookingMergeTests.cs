using System.Globalization;
using System.Text;
using Reengage.Core.Booking;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Booking;

public sealed class BookingMergeTests
{
    private const string PracticeId = "prac_wh";
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static readonly DateTimeOffset Now = At("2026-11-20T10:00:00Z");

    private static GenericBookingEvent Event(string json) =>
        Assert.IsType<BookingEventParse.Valid>(GenericBookingEventParser.Parse(Encoding.UTF8.GetBytes(json))).Event;

    private const string Camille = """{ "id": "pat_42", "firstName": "Camille", "email": "camille@example.org", "locale": "fr", "therapistId": "th_1", "emailConsent": true, "careStatus": "in_care" }""";
    private const string Noe = """{ "id": "pat_ooo", "firstName": "Noé", "email": "noe@example.org", "emailConsent": true }""";

    private static GenericBookingEvent Appointment(string id, string type, string occurredAt, string? startsAt = null, string patient = Noe, string appointmentId = "apt_ooo", string? therapist = null) =>
        Event($$"""
            { "id": "{{id}}", "type": "{{type}}", "occurredAt": "{{occurredAt}}", "patient": {{patient}},
              "appointment": { "id": "{{appointmentId}}" {{(startsAt is null ? "" : $", \"startsAt\": \"{startsAt}\"")}} {{(therapist is null ? "" : $", \"therapistId\": \"{therapist}\"")}} } }
            """);

    private static GenericBookingEvent Upsert(string id, string occurredAt, string patient) =>
        Event($$"""{ "id": "{{id}}", "type": "patient.upserted", "occurredAt": "{{occurredAt}}", "patient": {{patient}} }""");

    /// <summary>The in-memory stand-in for the Patients and Appointments tables: load, apply, write what changed.</summary>
    private sealed class Store
    {
        public Patient? Patient { get; private set; }
        public Dictionary<string, Appointment> Appointments { get; } = [];

        public BookingOutcome.Applied Apply(GenericBookingEvent e, DateTimeOffset now)
        {
            var applied = Assert.IsType<BookingOutcome.Applied>(BookingMerge.Apply(PracticeId, Patient, [.. Appointments.Values], e, now));
            if (applied.Changes.PatientChanged) Patient = applied.Patient;
            if (applied.Changes.AppointmentChanged) Appointments[applied.Appointment!.Id] = applied.Appointment;
            return applied;
        }
    }

    [Fact]
    public void A_booking_for_a_new_patient_creates_both_with_the_next_booking()
    {
        var store = new Store();
        var applied = store.Apply(Appointment("evt_1", "appointment.booked", "2026-11-20T10:00:00Z", "2026-11-27T14:00:00+01:00", Camille, "apt_9", "th_1"), Now);

        var patient = store.Patient!;
        Assert.Equal("Camille", patient.FirstName);
        Assert.Equal(At("2026-11-27T13:00:00Z"), patient.NextBookingAt);
        Assert.Null(patient.LastVisitAt);
        Assert.Equal(new EmailConsent(true, At("2026-11-20T10:00:00Z"), "booking-tool"), patient.EmailConsent);
        Assert.Equal(At("2026-11-20T10:00:00Z"), patient.LastBookedAt);
        Assert.Equal(Now, patient.CreatedAt);
        Assert.Equal(new Appointment
        {
            PracticeId = PracticeId,
            Id = "apt_9",
            PatientId = "pat_42",
            TherapistId = "th_1",
            TherapistEventAt = At("2026-11-20T10:00:00Z"),
            StartsAt = At("2026-11-27T13:00:00Z"),
            StartsAtEventAt = At("2026-11-20T10:00:00Z"),
            Status = AppointmentStatus.Booked,
            LastEventAt = At("2026-11-20T10:00:00Z"),
            BookedAt = At("2026-11-20T10:00:00Z"),
        }, store.Appointments["apt_9"]);
        Assert.True(applied.Changes is { PatientCreated: true, AppointmentCreated: true, VisitsChanged: true, IsBooking: true, DueInputsChanged: true });
        Assert.Equal(At("2026-11-20T10:00:00Z"), applied.Changes.RebookedAt);
        Assert.Equal("camille@example.org", applied.Changes.AddressToCheck);
    }

    [Fact]
    public void The_same_event_again_changes_nothing_and_is_no_new_rebooking()
    {
        var store = new Store();
        var booked = Appointment("evt_1", "appointment.booked", "2026-11-20T10:00:00Z", "2026-11-27T14:00:00+01:00", Camille, "apt_9");
        store.Apply(booked, Now);
        var again = store.Apply(booked, Now);
        Assert.False(again.Changes.PatientChanged);
        Assert.False(again.Changes.AppointmentChanged);
        Assert.False(again.Changes.DueInputsChanged);
        Assert.Null(again.Changes.RebookedAt);
        Assert.Null(again.Changes.AddressToCheck);
    }

    [Fact]
    public void A_cancellation_that_arrives_before_its_booking_wins_and_the_booking_still_records_its_facts()
    {
        var store = new Store();
        store.Apply(Appointment("ooo_2", "appointment.cancelled", "2026-11-20T09:00:00Z", "2026-12-02T10:00:00+01:00"), Now);
        var late = store.Apply(Appointment("ooo_1", "appointment.booked", "2026-11-19T09:00:00Z", "2026-12-02T10:00:00+01:00"), Now);

        var appointment = store.Appointments["apt_ooo"];
        Assert.Equal(AppointmentStatus.Cancelled, appointment.Status);
        Assert.Equal(At("2026-11-20T09:00:00Z"), appointment.LastEventAt);
        Assert.Null(store.Patient!.NextBookingAt);
        // What the TypeScript implementation lost: when the booking was made, and the rebooking it meant.
        Assert.Equal(At("2026-11-19T09:00:00Z"), appointment.BookedAt);
        Assert.Equal(At("2026-11-19T09:00:00Z"), store.Patient.LastBookedAt);
        Assert.Equal(At("2026-11-19T09:00:00Z"), late.Changes.RebookedAt);
    }

    [Fact]
    public void A_stale_reschedule_does_not_move_a_newer_one_back()
    {
        var store = new Store();
        store.Apply(Appointment("ooo_3", "appointment.booked", "2026-11-20T09:30:00Z", "2026-12-03T10:00:00+01:00"), Now);
        store.Apply(Appointment("ooo_5", "appointment.rescheduled", "2026-11-20T09:50:00Z", "2026-12-05T10:00:00+01:00"), Now);
        var stale = store.Apply(Appointment("ooo_4", "appointment.rescheduled", "2026-11-20T09:40:00Z", "2026-12-04T10:00:00+01:00"), Now);
        Assert.Equal(At("2026-12-05T09:00:00Z"), store.Patient!.NextBookingAt);
        Assert.False(stale.Changes.AppointmentChanged);
        Assert.Equal(At("2026-11-20T09:30:00Z"), store.Appointments["apt_ooo"].BookedAt);
        Assert.Null(stale.Changes.RebookedAt);
    }

    [Fact]
    public void A_booked_appointment_whose_time_has_passed_is_a_visit_and_a_no_show_is_not()
    {
        var store = new Store();
        store.Apply(Appointment("ooo_3", "appointment.booked", "2026-11-20T09:30:00Z", "2026-12-05T10:00:00+01:00"), Now);
        var later = At("2026-12-06T10:00:00Z");
        var upsert = store.Apply(Upsert("ooo_6", "2026-12-06T10:00:00Z", Noe), later);
        Assert.Equal(At("2026-12-05T09:00:00Z"), store.Patient!.LastVisitAt);
        Assert.Null(store.Patient.NextBookingAt);
        Assert.True(upsert.Changes.VisitsChanged);

        store.Apply(Appointment("ooo_7", "appointment.no_show", "2026-12-06T10:01:00Z"), later);
        Assert.Null(store.Patient.LastVisitAt);
        // The no-show named no start: the booked one stands.
        Assert.Equal(At("2026-12-05T09:00:00Z"), store.Appointments["apt_ooo"].StartsAt);
    }

    [Fact]
    public void A_completion_is_a_visit_even_in_the_future_and_a_cancellation_never_is()
    {
        var store = new Store();
        store.Apply(Appointment("a", "appointment.completed", "2026-11-20T09:00:00Z", "2026-11-18T10:00:00Z", appointmentId: "apt_1"), Now);
        store.Apply(Appointment("b", "appointment.cancelled", "2026-11-20T09:00:00Z", "2026-11-19T10:00:00Z", appointmentId: "apt_2"), Now);
        Assert.Equal(At("2026-11-18T10:00:00Z"), store.Patient!.LastVisitAt);
    }

    [Fact]
    public void An_older_profile_update_does_not_overwrite_a_newer_one()
    {
        var store = new Store();
        store.Apply(Upsert("p_new", "2026-12-06T10:05:00Z", """{ "id": "pat_ooo", "firstName": "Noémie" }"""), Now);
        store.Apply(Upsert("p_old", "2026-12-06T10:02:00Z", """{ "id": "pat_ooo", "firstName": "Noé" }"""), Now);
        Assert.Equal("Noémie", store.Patient!.FirstName);
        Assert.Equal(At("2026-12-06T10:05:00Z"), store.Patient.ProfileEventAt);
    }

    [Fact]
    public void A_profile_upsert_arriving_after_a_later_appointment_event_still_applies()
    {
        var store = new Store();
        store.Apply(Appointment("late_b", "appointment.booked", "2026-12-06T11:00:00Z", "2026-12-20T10:00:00+01:00", """{ "id": "pat_late" }""", "apt_late"), Now);
        store.Apply(Upsert("late_p", "2026-12-06T10:00:00Z", """{ "id": "pat_late", "firstName": "Maëlle", "email": "maelle@example.org", "emailConsent": true }"""), Now);
        var patient = store.Patient!;
        Assert.Equal("Maëlle", patient.FirstName);
        Assert.Equal("maelle@example.org", patient.Email);
        Assert.True(patient.EmailConsent.Granted);
        Assert.Equal(At("2026-12-20T09:00:00Z"), patient.NextBookingAt);
    }

    [Fact]
    public void Partial_profiles_merge_field_by_field_whatever_their_order()
    {
        // The TypeScript watermark dropped the older event whole, losing the address only it carried.
        var store = new Store();
        store.Apply(Upsert("p2", "2026-12-06T10:05:00Z", """{ "id": "pat_1", "firstName": "Noémie" }"""), Now);
        store.Apply(Upsert("p1", "2026-12-06T10:02:00Z", """{ "id": "pat_1", "firstName": "Noé", "email": "noe@example.org", "focusArea": "sleep" }"""), Now);
        Assert.Equal(("Noémie", "noe@example.org", "sleep"), (store.Patient!.FirstName, store.Patient.Email, store.Patient.FocusArea));
        Assert.Equal(At("2026-12-06T10:05:00Z"), store.Patient.ProfileFieldTimes.FirstName);
        Assert.Equal(At("2026-12-06T10:02:00Z"), store.Patient.ProfileFieldTimes.Email);
    }

    [Fact]
    public void A_null_clears_a_field_and_an_absent_field_leaves_it()
    {
        var store = new Store();
        store.Apply(Upsert("p1", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "email": "noe@example.org", "plan": { "summary": "6 sessions" }, "locale": "en" }"""), Now);
        var cleared = store.Apply(Upsert("p2", "2026-12-06T10:01:00Z", """{ "id": "pat_1", "email": null, "plan": null, "locale": "de" }"""), Now);
        Assert.Equal((null, null, null), (store.Patient!.Email, store.Patient.Plan, store.Patient.Locale));
        Assert.True(cleared.Changes is { EmailChanged: true, PlanChanged: true });
        Assert.Null(cleared.Changes.AddressToCheck);
    }

    [Fact]
    public void Simultaneous_events_that_disagree_settle_on_the_safe_side()
    {
        var store = new Store();
        store.Apply(Upsert("a", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "emailConsent": false, "careStatus": "discharged", "contactPreference": "default" }"""), Now);
        store.Apply(Upsert("b", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "emailConsent": true, "careStatus": "in_care", "contactPreference": "direct" }"""), Now);
        Assert.False(store.Patient!.EmailConsent.Granted);
        Assert.Equal(CareStatus.Discharged, store.Patient.CareStatus);
        Assert.Equal(ContactPreference.Default, store.Patient.ContactPreference);

        store.Apply(Appointment("c", "appointment.cancelled", "2026-11-20T09:00:00Z", "2026-12-02T10:00:00Z", """{ "id": "pat_1" }"""), Now);
        store.Apply(Appointment("d", "appointment.booked", "2026-11-20T09:00:00Z", "2026-12-02T10:00:00Z", """{ "id": "pat_1" }"""), Now);
        Assert.Equal(AppointmentStatus.Cancelled, store.Appointments["apt_ooo"].Status);
    }

    [Fact]
    public void A_later_event_moves_the_status_in_any_direction_of_its_own_time()
    {
        // Cal.com un-marks a no-show: the later event says completed.
        var store = new Store();
        store.Apply(Appointment("a", "appointment.booked", "2026-11-10T09:00:00Z", "2026-11-15T10:00:00Z"), Now);
        store.Apply(Appointment("c", "appointment.completed", "2026-11-16T09:00:00Z"), Now);
        store.Apply(Appointment("b", "appointment.no_show", "2026-11-15T11:00:00Z"), Now);
        Assert.Equal(AppointmentStatus.Completed, store.Appointments["apt_ooo"].Status);
        Assert.Equal(At("2026-11-15T10:00:00Z"), store.Patient!.LastVisitAt);
    }

    [Fact]
    public void A_start_given_late_replaces_the_stand_in_whatever_its_time()
    {
        var store = new Store();
        store.Apply(Appointment("c", "appointment.completed", "2026-11-16T09:00:00Z"), Now);
        Assert.Equal(At("2026-11-16T09:00:00Z"), store.Appointments["apt_ooo"].StartsAt);
        Assert.True(store.Appointments["apt_ooo"].StartsAtGuessed);
        Assert.Equal(At("2026-11-16T09:00:00Z"), store.Patient!.LastVisitAt);

        store.Apply(Appointment("b", "appointment.booked", "2026-11-01T09:00:00Z", "2026-11-15T10:00:00Z"), Now);
        Assert.Equal(At("2026-11-15T10:00:00Z"), store.Appointments["apt_ooo"].StartsAt);
        Assert.Equal(AppointmentStatus.Completed, store.Appointments["apt_ooo"].Status);
        Assert.False(store.Appointments["apt_ooo"].StartsAtGuessed);
        Assert.Equal(At("2026-11-15T10:00:00Z"), store.Patient.LastVisitAt);
    }

    [Fact]
    public void The_appointments_own_therapist_wins_over_the_patients()
    {
        var store = new Store();
        store.Apply(Appointment("a", "appointment.booked", "2026-11-10T09:00:00Z", "2026-11-25T10:00:00Z", """{ "id": "pat_1", "therapistId": "th_p" }"""), Now);
        Assert.Equal(("th_p", true), (store.Appointments["apt_ooo"].TherapistId, store.Appointments["apt_ooo"].TherapistFromPatient));
        store.Apply(Appointment("b", "appointment.rescheduled", "2026-11-09T09:00:00Z", "2026-11-26T10:00:00Z", """{ "id": "pat_1" }""", therapist: "th_own"), Now);
        store.Apply(Appointment("c", "appointment.completed", "2026-11-12T09:00:00Z", patient: """{ "id": "pat_1", "therapistId": "th_later" }"""), Now);
        Assert.Equal(("th_own", false), (store.Appointments["apt_ooo"].TherapistId, store.Appointments["apt_ooo"].TherapistFromPatient));
        // The patient's own therapist is a profile field: the latest event that named one.
        Assert.Equal("th_later", store.Patient!.TherapistId);
    }

    [Fact]
    public void A_consent_with_its_own_time_and_source_keeps_them()
    {
        var store = new Store();
        store.Apply(Upsert("a", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "emailConsent": { "granted": true, "at": "2026-10-01T08:00:00+02:00", "source": "paper form" } }"""), Now);
        Assert.Equal(new EmailConsent(true, At("2026-10-01T06:00:00Z"), "paper form"), store.Patient!.EmailConsent);
    }

    [Fact]
    public void Fields_other_flows_own_are_kept()
    {
        var stored = PracticeDefaults.NewPatient(PracticeId, "pat_1", At("2026-01-01T00:00:00Z")) with
        {
            Suppressed = true,
            PausedUntil = At("2027-01-01T00:00:00Z"),
            LastAnsweredAt = At("2026-11-01T00:00:00Z"),
            DueDay = "20261201",
            Episode = new Episode { Key = "2026-10-01", LapsedSince = At("2026-10-31T00:00:00Z"), LastStep = 1 },
            TouchLog = [new TouchRecord(At("2026-11-01T00:00:00Z"), "pat_1|lapse|2026-10-01|1", "2026-10-01")],
        };
        var applied = Assert.IsType<BookingOutcome.Applied>(BookingMerge.Apply(PracticeId, stored, [],
            Upsert("a", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "email": "new@example.org" }"""), Now));
        Assert.Equal(stored with { Email = "new@example.org", ProfileEventAt = At("2026-12-06T10:00:00Z"), ProfileFieldTimes = new ProfileFieldTimes { Email = At("2026-12-06T10:00:00Z") } }, applied.Patient);
        // Already suppressed: nothing to look up.
        Assert.Null(applied.Changes.AddressToCheck);
        Assert.False(applied.Changes.PatientCreated);
    }

    [Fact]
    public void A_new_address_is_to_be_checked_against_the_suppression_list()
    {
        var store = new Store();
        store.Apply(Upsert("a", "2026-12-06T10:00:00Z", """{ "id": "pat_1", "email": "old@example.org" }"""), Now);
        Assert.Equal("new@example.org", store.Apply(Upsert("b", "2026-12-06T10:01:00Z", """{ "id": "pat_1", "email": "new@example.org" }"""), Now).Changes.AddressToCheck);
        Assert.Null(store.Apply(Upsert("c", "2026-12-06T10:02:00Z", """{ "id": "pat_1", "firstName": "Zoé" }"""), Now).Changes.AddressToCheck);
    }

    [Fact]
    public void A_rescheduled_is_a_booking_but_not_a_rebooking()
    {
        var store = new Store();
        var applied = store.Apply(Appointment("a", "appointment.rescheduled", "2026-11-10T09:00:00Z", "2026-11-25T10:00:00Z"), Now);
        Assert.True(applied.Changes.IsBooking);
        Assert.Null(applied.Changes.RebookedAt);
        Assert.Equal(At("2026-11-10T09:00:00Z"), store.Patient!.LastBookedAt);
    }

    [Fact]
    public void A_row_the_TypeScript_implementation_wrote_dates_its_start_and_therapist_from_its_last_event()
    {
        var legacy = new Appointment
        {
            PracticeId = PracticeId,
            Id = "apt_ooo",
            PatientId = "pat_ooo",
            TherapistId = "th_1",
            StartsAt = At("2026-12-05T09:00:00Z"),
            Status = AppointmentStatus.Booked,
            LastEventAt = At("2026-11-20T09:50:00Z"),
            BookedAt = At("2026-11-20T09:30:00Z"),
        };
        BookingOutcome.Applied Apply(GenericBookingEvent e) =>
            Assert.IsType<BookingOutcome.Applied>(BookingMerge.Apply(PracticeId, null, [legacy], e, Now));

        var older = Apply(Appointment("old", "appointment.rescheduled", "2026-11-20T09:40:00Z", "2026-12-04T10:00:00+01:00", therapist: "th_2")).Appointment!;
        Assert.Equal((At("2026-12-05T09:00:00Z"), "th_1", AppointmentStatus.Booked), (older.StartsAt, older.TherapistId, older.Status));
        // A cancellation naming no start keeps the real one: a stored start is not a stand-in.
        Assert.Equal(At("2026-12-05T09:00:00Z"), Apply(Appointment("c", "appointment.cancelled", "2026-11-21T09:00:00Z")).Appointment!.StartsAt);
        var newer = Apply(Appointment("new", "appointment.rescheduled", "2026-11-21T09:00:00Z", "2026-12-06T10:00:00+01:00", therapist: "th_2")).Appointment!;
        Assert.Equal((At("2026-12-06T09:00:00Z"), "th_2"), (newer.StartsAt, newer.TherapistId));
    }

    [Fact]
    public void A_patient_the_TypeScript_implementation_wrote_dates_every_field_from_its_watermark()
    {
        var legacy = PracticeDefaults.NewPatient(PracticeId, "pat_1", At("2026-01-01T00:00:00Z")) with
        {
            FirstName = "Noémie",
            ProfileEventAt = At("2026-12-06T10:05:00Z"),
        };
        Patient Apply(string occurredAt, string fields) => Assert.IsType<BookingOutcome.Applied>(
            BookingMerge.Apply(PracticeId, legacy, [], Upsert("u", occurredAt, fields), Now)).Patient;

        var older = Apply("2026-12-06T10:02:00Z", """{ "id": "pat_1", "firstName": "Noé", "focusArea": "sleep" }""");
        Assert.Equal(("Noémie", null), (older.FirstName, older.FocusArea));
        Assert.Equal("Noé", Apply("2026-12-06T10:06:00Z", """{ "id": "pat_1", "firstName": "Noé" }""").FirstName);
    }

    [Fact]
    public void Patient_deleted_asks_the_caller_to_delete()
    {
        var deleted = Event("""{ "id": "d", "type": "patient.deleted", "occurredAt": "2026-12-06T10:00:00Z", "patient": { "id": "pat_1" } }""");
        Assert.Equal(new BookingOutcome.DeletePatient("pat_1"), BookingMerge.Apply(PracticeId, null, [], deleted, Now));
    }

    [Fact]
    public void Rows_of_another_patient_are_refused()
    {
        var e = Upsert("a", "2026-12-06T10:00:00Z", """{ "id": "pat_1" }""");
        var other = PracticeDefaults.NewPatient(PracticeId, "pat_2", Now);
        Assert.Throws<ArgumentException>(() => BookingMerge.Apply(PracticeId, other, [], e, Now));
        Assert.Throws<ArgumentException>(() => BookingMerge.Apply("prac_other", PracticeDefaults.NewPatient(PracticeId, "pat_1", Now), [], e, Now));
        var appointment = new Appointment { PracticeId = PracticeId, Id = "apt", PatientId = "pat_2", StartsAt = Now, Status = AppointmentStatus.Booked, LastEventAt = Now };
        Assert.Throws<ArgumentException>(() => BookingMerge.Apply(PracticeId, null, [appointment], e, Now));
    }
}
