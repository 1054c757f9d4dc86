using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Core.Model;
using Reengage.Core.Sending;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Sending;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Tests.Planning;

namespace Reengage.Functions.Tests.Booking.Vendors;

/// <summary>The booking webhook for Calendly, with the recorded payloads of tests/fixtures/calendly.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CalendlyWebhookTests(AzuriteFixture fixture) : VendorWebhookTestBase(fixture)
{
    private const string Old = "calendly:6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c";
    private const string New = "calendly:7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b";
    private const string Louis = "louis.fontaine@example.org";

    [Fact]
    public async Task Invitee_created_with_a_host_nobody_mapped_books_with_the_default_therapist_and_reports_its_keys()
    {
        await SetUpVendorsAsync();

        var answer = await CalendlyAsync(FixtureText("calendly/invitee-created.json"));

        Assert.Equal(202, answer.Status);
        var patient = await PatientByEmailAsync("jade.moreau@example.fr");
        Assert.Equal(("Jade", "th_default", (DateTimeOffset?)new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero)), (patient.FirstName, patient.TherapistId, patient.NextBookingAt));
        Assert.False(patient.EmailConsent.Granted);
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("calendly:0c2e4a6b-8d1f-4b3c-9e5a-7f9b1d3e5a70", AppointmentStatus.Booked, "th_default"), (appointment.Id, appointment.Status, appointment.TherapistId));
        Assert.Equal(
            [
                "calendly:user:https://api.calendly.com/users/a8e2d4c6-1b3f-4a5d-8e7c-9f0a1b2c3d4e",
                "calendly:organizer:remplacante@tilleuls.example",
                "calendly:eventType:https://api.calendly.com/event_types/e1a7c3d9-5b2f-4c8e-a6d0-7f9b1e3c5a2d",
            ],
            (await Practices.GetTherapistMappingAsync(Practice.Id))!.Value.Unmapped.Select(u => u.Key));
    }

    [Fact]
    public async Task The_same_delivery_again_answers_200_duplicate_and_changes_nothing_and_a_plain_cancel_leaves_no_future_booking()
    {
        await SetUpVendorsAsync();
        Assert.Equal(202, (await CalendlyAsync(FixtureText("calendly/invitee-created.json"))).Status);

        var again = await ExpectUnchangedAsync(() => CalendlyAsync(FixtureText("calendly/invitee-created.json")), 200);
        Assert.True(again.Body!["duplicate"]!.GetValue<bool>());

        Assert.Equal(202, (await CalendlyAsync(FixtureText("calendly/invitee-canceled.json"))).Status);
        var patient = await PatientByEmailAsync("jade.moreau@example.fr");
        Assert.Null(patient.NextBookingAt);
        Assert.Equal([AppointmentStatus.Cancelled], (await AppointmentsOfAsync(patient.Id)).Select(a => a.Status));
        await ExpectUnchangedAsync(() => CalendlyAsync(FixtureText("calendly/invitee-canceled.json")), 200);
    }

    [Fact]
    public async Task Invitee_no_show_created_marks_the_past_session_no_show()
    {
        await SetUpVendorsAsync();

        Assert.Equal(202, (await CalendlyAsync(FixtureText("calendly/invitee-no-show-created.json"))).Status);

        var patient = await PatientByEmailAsync("hugo.lambert@example.com");
        Assert.Null(patient.LastVisitAt);
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("calendly:8b9a0f1e-2d3c-4b5a-9f8e-7d6c5b4a3f2e", AppointmentStatus.NoShow, new DateTimeOffset(2026, 11, 19, 8, 0, 0, TimeSpan.Zero)),
            (appointment.Id, appointment.Status, appointment.StartsAt));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_reschedule_in_either_order_never_leaves_the_patient_lapsed_or_planned_an_email_in_between(bool canceledFirst)
    {
        var patientId = await LouisLapsingButForHisBookingAsync();
        string[] pair = canceledFirst
            ? ["calendly/invitee-canceled-rescheduled.json", "calendly/invitee-created-rescheduled.json"]
            : ["calendly/invitee-created-rescheduled.json", "calendly/invitee-canceled-rescheduled.json"];

        Assert.Equal(202, (await CalendlyAsync(FixtureText(pair[0]))).Status);
        var between = (await PatientAsync(patientId))!;
        Assert.NotNull(between.NextBookingAt);
        Assert.True(between.NextBookingAt > Time.GetUtcNow());
        var planned = await PlanLapsedAsync();
        Assert.Equal(0, planned.Planned);
        Assert.Empty(await CollectAsync(Ledger.ListOutreachForPatientAsync(Practice.Id, patientId)));
        Time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(202, (await CalendlyAsync(FixtureText(pair[1]))).Status);

        var patient = (await PatientAsync(patientId))!;
        var appointments = await AppointmentsOfAsync(patientId);
        Assert.Equal(
            [
                (Old, AppointmentStatus.Cancelled, new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero), "th_tom"),
                (New, AppointmentStatus.Booked, new DateTimeOffset(2026, 12, 9, 15, 0, 0, TimeSpan.Zero), "th_tom"),
            ],
            appointments.Where(a => a.Id.StartsWith("calendly:", StringComparison.Ordinal)).Select(a => (a.Id, a.Status, a.StartsAt, a.TherapistId)));
        Assert.Equal((new DateTimeOffset(2026, 12, 9, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 9, 30, 0, 398, TimeSpan.Zero), "th_tom"),
            (patient.NextBookingAt, patient.LastBookedAt, patient.TherapistId));
        Assert.Equal(0, (await PlanLapsedAsync()).Planned);
    }

    [Fact]
    public async Task The_same_patient_without_his_booking_would_be_planned_an_email_which_is_what_the_reschedule_test_guards_against()
    {
        var patientId = await LouisLapsingButForHisBookingAsync();
        var canceled = JsonNode.Parse(FixtureText("calendly/invitee-canceled-rescheduled.json"))!;
        canceled["payload"]!["rescheduled"] = false;
        canceled["payload"]!["new_invitee"] = null;

        Assert.Equal(202, (await CalendlyAsync(canceled.ToJsonString())).Status);

        Assert.Null((await PatientAsync(patientId))!.NextBookingAt);
        Assert.Equal(1, (await PlanLapsedAsync()).Planned);
    }

    [Fact]
    public async Task A_stale_or_future_timestamp_is_refused_with_401_even_when_correctly_signed_and_changes_nothing()
    {
        await SetUpVendorsAsync();
        var raw = FixtureText("calendly/invitee-no-show-created.json");
        foreach (var t in new[] { UnixNow - 301, UnixNow + 301 })
        {
            var answer = await ExpectUnchangedAsync(() => CalendlyAsync(raw, t), 401);
            Assert.Contains("expired", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(202, (await CalendlyAsync(raw, UnixNow - 299)).Status);
    }

    [Fact]
    public async Task A_wrong_key_tampered_bytes_or_no_signature_are_refused_with_401_and_write_nothing()
    {
        await SetUpVendorsAsync();
        var raw = FixtureText("calendly/invitee-created.json");
        var signature = CalendlySignature(raw, UnixNow);
        var tampered = raw.Replace("jade.moreau@example.fr", "jade.moreau@example.fx", StringComparison.Ordinal);

        await ExpectUnchangedAsync(() => CalendlyAsync(raw, key: "not-the-key"), 401);
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, tampered, new Dictionary<string, string> { ["Calendly-Webhook-Signature"] = signature }, "calendly"), 401);
        var unsigned = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, raw, new Dictionary<string, string>(), "calendly"), 401);
        Assert.Contains("Calendly-Webhook-Signature", unsigned.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(202, (await SendAsync(Practice.Id, raw, new Dictionary<string, string> { ["Calendly-Webhook-Signature"] = signature }, "calendly")).Status);
    }

    [Theory]
    [InlineData("routing_form_submission.created")]
    [InlineData("invitee.created.x")]
    [InlineData("toString")]
    public async Task An_event_Reengage_does_not_use_is_acknowledged_202_and_changes_nothing(string name)
    {
        await SetUpVendorsAsync();
        var body = JsonNode.Parse(FixtureText("calendly/invitee-created.json"))!;
        body["event"] = name;

        var answer = await ExpectUnchangedAsync(() => CalendlyAsync(body.ToJsonString()), 202);

        Assert.Contains(name, answer.Body!["ignored"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_that_fails_validation_gets_400_naming_each_field_and_changes_nothing()
    {
        await SetUpVendorsAsync();
        var body = JsonNode.Parse(FixtureText("calendly/invitee-created.json"))!;
        body["payload"]!["scheduled_event"]!.AsObject().Remove("start_time");
        body["payload"]!["email"] = "jade at example";
        body["payload"]!["uri"] = "https://api.calendly.com/invitees/x";

        var answer = await ExpectUnchangedAsync(() => CalendlyAsync(body.ToJsonString()), 400);

        Assert.Equal(["payload.email", "payload.scheduled_event.start_time", "payload.uri"], answer.ErrorFields.Order(StringComparer.Ordinal));
    }

    private static readonly string[] FuzzFixtures =
        ["invitee-created.json", "invitee-canceled.json", "invitee-canceled-rescheduled.json", "invitee-created-rescheduled.json", "invitee-no-show-created.json"];

    private static readonly string[] FuzzPaths =
    [
        "event", "created_at", "payload", "payload.uri", "payload.email", "payload.name", "payload.first_name", "payload.rescheduled",
        "payload.old_invitee", "payload.new_invitee", "payload.scheduled_event", "payload.scheduled_event.start_time",
        "payload.scheduled_event.event_type", "payload.scheduled_event.event_memberships",
    ];

    private static readonly JsonNode?[] FuzzValues =
    [
        null, true, 0, "", "x", "2026-11-20T10:00:00.123456+01", new JsonArray(), new JsonObject(), new JsonArray(1, "a", new JsonObject()),
        new string('é', 400), "invitee.canceled", "invitee_no_show.deleted", "https://api.calendly.com/scheduled_events/a/invitees/b",
    ];

    private static Gen<string> Bodies() =>
        from name in Gen.Elements(FuzzFixtures)
        from edits in Gen.ListOf(
            from path in Gen.Elements(FuzzPaths)
            from value in Gen.Elements(FuzzValues)
            from remove in Gen.Elements(false, false, true)
            select (path, value, remove)).Resize(4)
        select Edited(name, edits);

    private static string Edited(string name, IEnumerable<(string Path, JsonNode? Value, bool Remove)> edits)
    {
        var root = JsonNode.Parse(FixtureText($"calendly/{name}"))!;
        foreach (var (path, value, remove) in edits)
        {
            var parts = path.Split('.');
            if (parts[..^1].Aggregate((JsonNode?)root, (n, part) => (n as JsonObject)?[part]) is not JsonObject target) continue;
            if (remove) target.Remove(parts[^1]);
            else target[parts[^1]] = value?.DeepClone();
        }
        return root.ToJsonString();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Arbitrary_correctly_signed_bodies_get_a_documented_status_below_500_and_a_refused_one_changes_nothing(int seed)
    {
        await SetUpVendorsAsync();
        int[] documented = [200, 202, 400];
        foreach (var body in Bodies().Sample(40, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 40))
        {
            var before = await SnapshotAsync();

            var answer = await CalendlyAsync(body);

            Assert.True(documented.Contains(answer.Status), $"{answer.Status} for {body}");
            if (answer.Status == 400) Assert.Equal(before, await SnapshotAsync());
        }
    }

    /// <summary>
    /// Louis, with consent, last seen 31 days ago, booked (through Calendly) for 2 Dec with Tom: without that booking he
    /// would be due for the lapse email today.
    /// </summary>
    private async Task<string> LouisLapsingButForHisBookingAsync()
    {
        await SetUpVendorsAsync();
        Assert.Equal(202, (await CalendlyAsync(FixtureText("calendly/invitee-created-louis.json"))).Status);
        var id = (await PatientByEmailAsync(Louis)).Id;
        Assert.Equal(202, (await PostAsync(new JsonObject
        {
            ["id"] = "evt_consent",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-10-01T09:00:00Z",
            ["patient"] = new JsonObject { ["id"] = id, ["emailConsent"] = true, ["careStatus"] = "in_care" },
        })).Status);
        Assert.Equal(202, (await PostAsync(new JsonObject
        {
            ["id"] = "evt_visit",
            ["type"] = "appointment.completed",
            ["occurredAt"] = "2026-10-20T10:00:00Z",
            ["patient"] = new JsonObject { ["id"] = id },
            ["appointment"] = new JsonObject { ["id"] = "apt_visit", ["startsAt"] = "2026-10-20T09:00:00Z", ["therapistId"] = "th_tom" },
        })).Status);
        Assert.Equal(0, (await PlanLapsedAsync()).Planned);
        return id;
    }

    private async Task<PlannerRunResult> PlanLapsedAsync()
    {
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var planner = new OutreachPlanner(
            Practices, Patients, DueIndex, Ledger, new RecordingScheduler(new StorageQueueSendScheduler(Clients.OutreachSend, Time)),
            new TableSendSlotStore(Clients.SendSlots), new PatientSaver(Patients, DueIndex, Appointments),
            new OutreachPlannerOptions(QuotaLimits.CustomDomainDefault, 4), new ReengageTelemetry(metrics.GetRequiredService<IMeterFactory>()),
            Time, NullLogger<OutreachPlanner>.Instance);
        return await planner.PlanLapsedAsync();
    }
}
