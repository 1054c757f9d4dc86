using System.Text.Json.Nodes;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Booking;

/// <summary>What events do to stored state: order, redelivery after a crash, rebooking, deletion, suppression.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BookingFlowTests(AzuriteFixture fixture) : BookingWebhookTestBase(fixture)
{
    private static JsonObject Event(string id, string type, string occurredAt, string patientId, string? startsAt = null, string appointmentId = "apt_1") => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["occurredAt"] = occurredAt,
        ["patient"] = new JsonObject { ["id"] = patientId, ["firstName"] = "Noé", ["email"] = $"{patientId}@example.org", ["emailConsent"] = true },
        ["appointment"] = startsAt is null
            ? new JsonObject { ["id"] = appointmentId }
            : new JsonObject { ["id"] = appointmentId, ["startsAt"] = startsAt },
    };

    /// <summary>(type, occurredAt, startsAt) of one appointment's events.</summary>
    public static TheoryData<string, string[]> Sequences => new()
    {
        { "cancel before book", ["appointment.booked|2026-11-19T09:00:00Z|2026-12-02T10:00:00+01:00", "appointment.cancelled|2026-11-20T09:00:00Z|2026-12-02T10:00:00+01:00"] },
        { "complete before book", ["appointment.booked|2026-11-01T09:00:00Z|2026-11-10T10:00:00+01:00", "appointment.completed|2026-11-10T11:00:00Z|"] },
        {
            "reschedules",
            [
                "appointment.booked|2026-11-20T09:30:00Z|2026-12-03T10:00:00+01:00",
                "appointment.rescheduled|2026-11-20T09:40:00Z|2026-12-04T10:00:00+01:00",
                "appointment.rescheduled|2026-11-20T09:50:00Z|2026-12-05T10:00:00+01:00",
            ]
        },
        { "no-show after a booking", ["appointment.booked|2026-11-01T09:00:00Z|2026-11-10T10:00:00+01:00", "appointment.no_show|2026-11-10T11:00:00Z|"] },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task Events_in_any_order_end_in_the_same_state_as_in_order(string name, string[] events)
    {
        var orders = Permutations(events.Length).ToList();
        for (var o = 0; o < orders.Count; o++)
        {
            foreach (var i in orders[o])
            {
                var parts = events[i].Split('|');
                var answer = await PostAsync(Event($"{name}_{o}_{i}", parts[0], parts[1], $"pat_{o}", parts[2].Length == 0 ? null : parts[2]));
                Assert.Equal(202, answer.Status);
            }
        }

        var first = await StateAsync("pat_0");
        for (var o = 1; o < orders.Count; o++)
        {
            Assert.Equal(first, await StateAsync($"pat_{o}"));
        }
    }

    [Fact]
    public async Task A_cancellation_that_arrives_before_its_booking_wins_and_the_booking_still_records_when_it_was_made()
    {
        await PostAsync(Event("ooo_2", "appointment.cancelled", "2026-11-20T09:00:00Z", "pat_ooo", "2026-12-02T10:00:00+01:00"));
        await PostAsync(Event("ooo_1", "appointment.booked", "2026-11-19T09:00:00Z", "pat_ooo", "2026-12-02T10:00:00+01:00"));

        var appointment = await AppointmentAsync("pat_ooo", "apt_1");
        Assert.Equal(AppointmentStatus.Cancelled, appointment!.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 9, 0, 0, TimeSpan.Zero), appointment.BookedAt);
        var patient = await PatientAsync("pat_ooo");
        Assert.Null(patient!.NextBookingAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 9, 0, 0, TimeSpan.Zero), patient.LastBookedAt);
    }

    [Fact]
    public async Task A_stale_reschedule_does_not_move_a_newer_one_back()
    {
        await PostAsync(Event("r_3", "appointment.booked", "2026-11-20T09:30:00Z", "pat_r", "2026-12-03T10:00:00+01:00"));
        await PostAsync(Event("r_5", "appointment.rescheduled", "2026-11-20T09:50:00Z", "pat_r", "2026-12-05T10:00:00+01:00"));
        await PostAsync(Event("r_4", "appointment.rescheduled", "2026-11-20T09:40:00Z", "pat_r", "2026-12-04T10:00:00+01:00"));

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero), (await PatientAsync("pat_r"))!.NextBookingAt);
    }

    [Fact]
    public async Task A_booked_appointment_whose_time_has_passed_counts_as_a_visit_and_a_no_show_does_not()
    {
        await PostAsync(Event("v_1", "appointment.booked", "2026-11-20T09:30:00Z", "pat_v", "2026-12-05T10:00:00+01:00"));
        Time.SetUtcNow(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
        await PostAsync(new JsonObject
        {
            ["id"] = "v_2",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-12-06T10:00:00Z",
            ["patient"] = new JsonObject { ["id"] = "pat_v" },
        });
        var visited = await PatientAsync("pat_v");
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero), visited!.LastVisitAt);
        Assert.Null(visited.NextBookingAt);

        await PostAsync(Event("v_3", "appointment.no_show", "2026-12-06T10:01:00Z", "pat_v"));
        Assert.Null((await PatientAsync("pat_v"))!.LastVisitAt);
    }

    [Fact]
    public async Task An_older_profile_update_does_not_overwrite_a_newer_one_and_a_late_profile_is_still_applied()
    {
        JsonObject Upsert(string id, string at, string firstName) => new()
        {
            ["id"] = id,
            ["type"] = "patient.upserted",
            ["occurredAt"] = at,
            ["patient"] = new JsonObject { ["id"] = "pat_p", ["firstName"] = firstName, ["email"] = "maelle@example.org", ["emailConsent"] = true },
        };
        await PostAsync(new JsonObject
        {
            ["id"] = "p_booking",
            ["type"] = "appointment.booked",
            ["occurredAt"] = "2026-11-20T11:00:00Z",
            ["patient"] = new JsonObject { ["id"] = "pat_p" },
            ["appointment"] = new JsonObject { ["id"] = "apt_p", ["startsAt"] = "2026-12-20T10:00:00+01:00" },
        });
        Assert.Equal(202, (await PostAsync(Upsert("p_new", "2026-11-20T10:05:00Z", "Maëlle"))).Status);
        Assert.Equal(202, (await PostAsync(Upsert("p_old", "2026-11-20T10:02:00Z", "Mae"))).Status);

        var patient = await PatientAsync("pat_p");
        Assert.Equal("Maëlle", patient!.FirstName);
        Assert.Equal("maelle@example.org", patient.Email);
        Assert.True(patient.EmailConsent.Granted);
        Assert.Equal(new DateTimeOffset(2026, 12, 20, 9, 0, 0, TimeSpan.Zero), patient.NextBookingAt);
    }

    [Fact]
    public async Task An_event_recorded_but_not_applied_is_applied_when_delivered_again()
    {
        // A known patient: the id was recorded, then the process died before any write.
        await PostAsync(Event("known_1", "patient.upserted", "2026-11-20T09:00:00Z", "pat_known"));
        await InboundEvents.RecordIfNewAsync(Record("known_2", InboundEventStatus.Applied));
        // A new patient: recorded `received`, nothing else.
        await InboundEvents.RecordIfNewAsync(Record("new_1", InboundEventStatus.Received));

        var known = await PostAsync(Event("known_2", "appointment.booked", "2026-11-20T09:30:00Z", "pat_known", "2026-12-03T10:00:00+01:00"));
        var fresh = await PostAsync(Event("new_1", "appointment.booked", "2026-11-20T09:30:00Z", "pat_new", "2026-12-03T10:00:00+01:00"));

        Assert.Equal(202, known.Status);
        Assert.Equal(202, fresh.Status);
        Assert.Equal(AppointmentStatus.Booked, (await AppointmentAsync("pat_known", "apt_1"))!.Status);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero), (await PatientAsync("pat_known"))!.NextBookingAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero), (await PatientAsync("pat_new"))!.NextBookingAt);
        Assert.Equal(InboundEventStatus.Applied, (await InboundEvents.GetEventAsync(Practice.Id, WebhookSource.Generic, "new_1"))!.Value.Status);
        // Now fully applied: a further delivery is a duplicate.
        Assert.Equal(200, (await ExpectUnchangedAsync(() => PostAsync(Event("known_2", "appointment.booked", "2026-11-20T09:30:00Z", "pat_known", "2026-12-03T10:00:00+01:00")), 200)).Status);
    }

    [Fact]
    public async Task An_event_that_died_between_the_appointment_and_the_patient_write_ends_as_a_clean_delivery()
    {
        var booking = Event("half_1", "appointment.booked", "2026-11-20T09:30:00Z", "pat_half", "2026-12-03T10:00:00+01:00");
        var clean = Event("clean_1", "appointment.booked", "2026-11-20T09:30:00Z", "pat_clean", "2026-12-03T10:00:00+01:00");
        await PostAsync(Event("half_0", "patient.upserted", "2026-11-20T09:00:00Z", "pat_half"));
        await PostAsync(Event("clean_0", "patient.upserted", "2026-11-20T09:00:00Z", "pat_clean"));
        // The crash: the id recorded and the appointment written, the patient not.
        await InboundEvents.RecordIfNewAsync(Record("half_1", InboundEventStatus.Applied));
        await Appointments.CreateAppointmentAsync(new Appointment
        {
            PracticeId = Practice.Id,
            Id = "apt_1",
            PatientId = "pat_half",
            StartsAt = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
            StartsAtEventAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero),
            Status = AppointmentStatus.Booked,
            LastEventAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero),
            BookedAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero),
        });

        Assert.Equal(202, (await PostAsync(booking)).Status);
        Assert.Equal(202, (await PostAsync(clean)).Status);

        Assert.Equal(await StateAsync("pat_clean"), await StateAsync("pat_half"));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero), (await PatientAsync("pat_half"))!.NextBookingAt);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public async Task A_booking_within_30_days_after_an_email_is_attributed_to_it(int daysAfter, bool attributed)
    {
        var sentAt = Start.AddDays(-daysAfter);
        var row = Builders.ARow(Practice.Id, "pat_42", 1) with { Status = OutreachStatus.Sent, NotBefore = sentAt, PlannedAt = sentAt, SentAt = sentAt };
        await Ledger.CreateOutreachAsync(row);
        await Patients.CreatePatientAsync(Builders.BarePatient(Practice.Id, "pat_42") with { TouchLog = [new TouchRecord(sentAt, row.Id, row.EpisodeKey)] });

        Assert.Equal(202, (await PostAsync(Booked("evt_rebook", "2026-11-20T10:00:00Z"))).Status);

        var stored = await Ledger.GetOutreachAsync(Practice.Id, row.Id);
        Assert.Equal(attributed ? Start : null, stored!.Value.RebookedAt);
    }

    [Fact]
    public async Task A_held_out_step_is_credited_for_the_control_group_and_a_second_booking_does_not_move_the_credit()
    {
        var at = Start.AddDays(-5);
        var row = Builders.ARow(Practice.Id, "pat_42", 1) with { Status = OutreachStatus.HeldOut, NotBefore = at, PlannedAt = at };
        await Ledger.CreateOutreachAsync(row);
        await Patients.CreatePatientAsync(Builders.BarePatient(Practice.Id, "pat_42") with { TouchLog = [new TouchRecord(at, row.Id, row.EpisodeKey)] });

        await PostAsync(Booked("evt_b1", "2026-11-20T10:00:00Z"));
        Time.Advance(TimeSpan.FromDays(1));
        var second = Booked("evt_b2", "2026-11-21T10:00:00Z");
        second["appointment"]!["id"] = "apt_10";
        await PostAsync(second);

        Assert.Equal(Start, (await Ledger.GetOutreachAsync(Practice.Id, row.Id))!.Value.RebookedAt);
    }

    [Fact]
    public async Task Patient_deleted_removes_the_patient_its_appointments_and_due_row_and_skips_its_planned_emails()
    {
        var booking = Booked("evt_1", "2026-11-20T10:00:00Z");
        await PostAsync(booking);
        var planned = Builders.ARow(Practice.Id, "pat_42", 1);
        var sent = Builders.ARow(Practice.Id, "pat_42", 2) with { Status = OutreachStatus.Sent, SentAt = Start };
        await Ledger.CreateOutreachAsync(planned);
        await Ledger.CreateOutreachAsync(sent);
        var deleted = new JsonObject { ["id"] = "evt_del", ["type"] = "patient.deleted", ["occurredAt"] = "2026-11-20T11:00:00Z", ["patient"] = new JsonObject { ["id"] = "pat_42" } };

        Assert.Equal(202, (await PostAsync(deleted)).Status);

        Assert.Null(await PatientAsync());
        Assert.Empty(await CollectAsync(Appointments.ListAppointmentsAsync(Practice.Id, "pat_42")));
        Assert.Empty(await CollectAsync(DueIndex.ListDueAsync("20261227")));
        Assert.Equal("skipped:patient_deleted", (await Ledger.GetOutreachAsync(Practice.Id, planned.Id))!.Value.Status);
        Assert.Equal(OutreachStatus.Sent, (await Ledger.GetOutreachAsync(Practice.Id, sent.Id))!.Value.Status);
        // Delivered again, the deletion and the booking before it are duplicates: the patient does not come back.
        await ExpectUnchangedAsync(() => PostAsync(deleted), 200);
        await ExpectUnchangedAsync(() => PostAsync(booking), 200);
        Assert.Null(await PatientAsync());
    }

    [Fact]
    public async Task A_suppressed_address_stays_suppressed_for_a_new_patient_and_after_an_address_change()
    {
        await Suppressions.UpsertSuppressionAsync(new SuppressionEntry(Practice.Id, Ids.AddressHashOf(Practice.Id, "camille@example.org"), SuppressionReason.Unsubscribed, Start));

        await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"));
        Assert.True((await PatientAsync())!.Suppressed);

        var moved = new JsonObject
        {
            ["id"] = "evt_2",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-11-20T10:05:00Z",
            ["patient"] = new JsonObject { ["id"] = "pat_42", ["email"] = "camille.new@example.org" },
        };
        Assert.Equal(202, (await PostAsync(moved)).Status);
        var patient = await PatientAsync();
        Assert.Equal("camille.new@example.org", patient!.Email);
        Assert.True(patient.Suppressed);
    }

    [Fact]
    public async Task An_unlisted_address_is_not_suppressed()
    {
        await Suppressions.UpsertSuppressionAsync(new SuppressionEntry(Practice.Id, Ids.AddressHashOf(Practice.Id, "someone.else@example.org"), SuppressionReason.Bounced, Start));
        await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"));
        Assert.False((await PatientAsync())!.Suppressed);
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var rest in Permutations(n - 1))
        {
            for (var at = 0; at <= rest.Length; at++)
            {
                yield return [.. rest[..at], n - 1, .. rest[at..]];
            }
        }
    }

    private InboundEventRecord Record(string eventId, InboundEventStatus status) => new()
    {
        PracticeId = Practice.Id,
        Source = WebhookSource.Generic,
        EventId = eventId,
        Type = "appointment.booked",
        Status = status,
        ReceivedAt = Start,
        BodyHash = "0",
    };

    /// <summary>A patient and its appointments with the patient's id written out, to compare two patients' states.</summary>
    private async Task<string> StateAsync(string patientId)
    {
        var patient = (await PatientAsync(patientId))!;
        var appointments = await CollectAsync(Appointments.ListAppointmentsAsync(Practice.Id, patientId));
        var comparable = patient with { Id = "_", Email = "_" };
        return string.Join("\n", [comparable.ToString(), .. appointments.Select(a => (a with { PatientId = "_" }).ToString())]);
    }
}
