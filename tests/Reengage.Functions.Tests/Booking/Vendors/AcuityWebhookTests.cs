using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Reengage.Core.Model;
using Reengage.Core.Security;
using Reengage.Functions.Booking;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Booking.Vendors;

/// <summary>
/// The booking webhook for Acuity: recorded notifications of tests/fixtures/acuity, the appointment served by
/// <see cref="AcuityStandIn"/> on 127.0.0.1 (attempts of 250 ms, 20 ms apart).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AcuityWebhookTests(AzuriteFixture fixture) : VendorWebhookTestBase(fixture)
{
    private const string Ana = "1180245001";
    private const string LinaForm = "action=scheduled&id=1180245003&calendarID=27238&appointmentTypeID=5530001";
    private AcuityStandIn? _standIn;

    private AcuityStandIn StandIn => _standIn!;

    protected override async Task<IAcuityApi> CreateAcuityApiAsync()
    {
        _standIn = await AcuityStandIn.StartAsync(AcuityAccount.UserId, AcuityAccount.ApiKey);
        return new HttpAcuityApi(new HttpClient(), _standIn.BaseUrl, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(20), TimeProvider.System);
    }

    protected override async ValueTask DisposeExtrasAsync()
    {
        if (_standIn is not null) await _standIn.DisposeAsync();
    }

    /// <summary>Ana, imported earlier with the practice's own id and a differently cased address.</summary>
    private async Task ImportAnaAsync()
    {
        await SetUpVendorsAsync();
        Assert.Equal(202, (await PostAsync(new JsonObject
        {
            ["id"] = "import-ana",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-11-01T08:00:00Z",
            ["patient"] = new JsonObject { ["id"] = "pat_ana", ["firstName"] = "Ana", ["email"] = "Ana.Leroy@Example.org", ["emailConsent"] = true },
        })).Status);
    }

    private int RequestsFor(string id) => StandIn.Requests.Count(r => r.Path.EndsWith($"/{id}", StringComparison.Ordinal));

    [Fact]
    public async Task Scheduled_fetches_the_appointment_books_it_for_the_imported_patient_and_again_is_a_duplicate()
    {
        await ImportAnaAsync();
        StandIn.SetAppointment(Ana, FixtureText("acuity/appointment-1180245001.json"));

        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/scheduled.form"))).Status);

        Assert.Equal([("/api/v1/appointments/1180245001", true)], StandIn.Requests);
        var patient = (await PatientAsync("pat_ana"))!;
        // The practice's profile stays; the booking is added to it.
        Assert.Equal(("Ana.Leroy@Example.org", true, (DateTimeOffset?)new DateTimeOffset(2026, 12, 7, 8, 30, 0, TimeSpan.Zero)),
            (patient.Email, patient.EmailConsent.Granted, patient.NextBookingAt));
        var appointment = Assert.Single(await AppointmentsOfAsync("pat_ana"));
        Assert.Equal(("acuity:1180245001", AppointmentStatus.Booked, "th_lea"), (appointment.Id, appointment.Status, appointment.TherapistId));

        // Later, as a redelivery would be: Acuity sends no id or time that could tell it apart.
        Time.Advance(TimeSpan.FromSeconds(30));
        var again = await ExpectUnchangedAsync(() => AcuityAsync(FixtureText("acuity/scheduled.form")), 200);
        Assert.True(again.Body!["duplicate"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_dynamic_appointment_rescheduled_moves_it_and_canceled_cancels_it_as_the_API_says()
    {
        await ImportAnaAsync();
        StandIn.SetAppointment(Ana, FixtureText("acuity/appointment-1180245001.json"));
        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/scheduled.form"))).Status);

        Time.Advance(TimeSpan.FromMinutes(1));
        StandIn.SetAppointment(Ana, FixtureText("acuity/appointment-1180245001-rescheduled.json"));
        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/dynamic-rescheduled.form"))).Status);
        var moved = Assert.Single(await AppointmentsOfAsync("pat_ana"));
        Assert.Equal((AppointmentStatus.Booked, new DateTimeOffset(2026, 12, 14, 10, 0, 0, TimeSpan.Zero)), (moved.Status, moved.StartsAt));

        Time.Advance(TimeSpan.FromMinutes(1));
        StandIn.SetAppointment(Ana, FixtureText("acuity/appointment-1180245001-canceled.json"));
        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/canceled.form"))).Status);
        Assert.Equal([AppointmentStatus.Cancelled], (await AppointmentsOfAsync("pat_ana")).Select(a => a.Status));
        Assert.Null((await PatientAsync("pat_ana"))!.NextBookingAt);

        // changed repeats the others: the same state again is a duplicate.
        Time.Advance(TimeSpan.FromMinutes(1));
        var changed = FixtureText("acuity/canceled.form").Replace("action=canceled", "action=changed", StringComparison.Ordinal);
        await ExpectUnchangedAsync(() => AcuityAsync(changed), 200);
    }

    [Fact]
    public async Task Changed_on_a_no_show_records_the_no_show_with_the_therapist_of_its_calendar()
    {
        await SetUpVendorsAsync();
        StandIn.SetAppointment("1180245002", FixtureText("acuity/appointment-1180245002-no-show.json"));

        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/changed.form"))).Status);

        var patient = await PatientByEmailAsync("paul.girard@example.net");
        Assert.Equal(("Paul", "th_tom", (DateTimeOffset?)null), (patient.FirstName, patient.TherapistId, patient.LastVisitAt));
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("acuity:1180245002", AppointmentStatus.NoShow, new DateTimeOffset(2026, 11, 16, 13, 0, 0, TimeSpan.Zero), "th_tom"),
            (appointment.Id, appointment.Status, appointment.StartsAt, appointment.TherapistId));
    }

    private string Lina()
    {
        var lina = JsonNode.Parse(FixtureText("acuity/appointment-1180245001.json"))!;
        lina["id"] = 1180245003;
        lina["firstName"] = "Lina";
        lina["email"] = "lina.roux@example.org";
        return lina.ToJsonString();
    }

    [Fact]
    public async Task Gives_up_after_three_attempts_that_time_out_503_with_Retry_After_and_nothing_written()
    {
        await SetUpVendorsAsync();
        StandIn.SetAppointment("1180245003", Lina());
        StandIn.Script("1180245003", AcuityStandIn.Hang, AcuityStandIn.Hang, AcuityStandIn.Hang);

        var answer = await ExpectUnchangedAsync(() => AcuityAsync(LinaForm), 503);

        Assert.Equal("60", answer.RetryAfter);
        Assert.Equal(3, RequestsFor("1180245003"));
    }

    [Fact]
    public async Task Retries_a_503_and_a_500_then_applies_what_the_third_attempt_returns()
    {
        await SetUpVendorsAsync();
        StandIn.SetAppointment("1180245003", Lina());
        StandIn.Script("1180245003", 503, 500);

        Assert.Equal(202, (await AcuityAsync(LinaForm)).Status);

        Assert.Equal(3, RequestsFor("1180245003"));
        var patient = await PatientByEmailAsync("lina.roux@example.org");
        Assert.Equal([AppointmentStatus.Booked], (await AppointmentsOfAsync(patient.Id)).Select(a => a.Status));
    }

    [Fact]
    public async Task An_appointment_Acuity_no_longer_has_is_acknowledged_and_changes_nothing()
    {
        await SetUpVendorsAsync();

        var answer = await ExpectUnchangedAsync(() => AcuityAsync("action=canceled&id=1180245099&calendarID=27238&appointmentTypeID=5530001"), 202);

        Assert.Contains("no longer", answer.Body!["ignored"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_Acuity_refuses_get_502_and_nothing_written()
    {
        await SetUpVendorsAsync(acuity: AcuityAccount with { UserId = "99999999" });

        var answer = await ExpectUnchangedAsync(() => AcuityAsync(FixtureText("acuity/scheduled.form")), 502);

        Assert.Contains("HTTP 401", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_not_about_an_appointment_is_acknowledged_and_a_notification_without_an_id_is_400_unfetched()
    {
        await SetUpVendorsAsync();

        await ExpectUnchangedAsync(() => AcuityAsync(FixtureText("acuity/order-completed.form")), 202);
        var answer = await ExpectUnchangedAsync(() => AcuityAsync("action=scheduled&calendarID=27238"), 400);

        Assert.Equal(["id"], answer.ErrorFields);
        Assert.Empty(StandIn.Requests);
    }

    [Fact]
    public async Task Tampered_unsigned_JSON_or_wrongly_signed_notifications_are_refused_and_nothing_is_fetched_or_written()
    {
        await SetUpVendorsAsync();
        var form = FixtureText("acuity/scheduled.form");
        var signature = AcuitySignature(form, AcuityAccount.ApiKey);

        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, form.Replace("27238", "27239", StringComparison.Ordinal), new Dictionary<string, string> { ["X-Acuity-Signature"] = signature }, "acuity", "application/x-www-form-urlencoded"), 401);
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, form, new Dictionary<string, string>(), "acuity", "application/x-www-form-urlencoded"), 401);
        await ExpectUnchangedAsync(() => AcuityAsync(form, "not-the-key"), 401);
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, form, new Dictionary<string, string> { ["X-Acuity-Signature"] = signature }, "acuity", "application/json"), 415);

        Assert.Empty(StandIn.Requests);
    }

    [Fact]
    public async Task After_a_new_API_key_the_previous_one_kept_as_the_acuity_secret_still_verifies_during_its_grace()
    {
        await SetUpVendorsAsync(acuity: AcuityAccount with { ApiKey = "acuity-new-key" });
        var secrets = (await Practices.GetSecretsAsync(Practice.Id))!.Value;
        var webhooks = new Dictionary<WebhookSource, WebhookSecret>(secrets.Webhooks)
        {
            [WebhookSource.Acuity] = new("acuity-new-key", AcuityAccount.ApiKey, Start),
        };
        await Practices.UpsertSecretsAsync(secrets with { Webhooks = webhooks });

        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/order-completed.form"))).Status);
        Time.Advance(WebhookSecrets.RotationGrace + TimeSpan.FromMinutes(1));
        Assert.Equal(401, (await AcuityAsync(FixtureText("acuity/order-completed.form"))).Status);
        Assert.Equal(202, (await AcuityAsync(FixtureText("acuity/order-completed.form"), "acuity-new-key")).Status);
    }

    private static Gen<string> Forms() =>
        from action in Gen.Elements("scheduled", "appointment.scheduled", "rescheduled", "canceled", "appointment.changed", "changed", "order.completed", "", "x%", "%E9", "appointment.")
        from id in Gen.Elements(Ana, "1180245002", "1180245099", "", "abc", "-1", "1e3", new string('9', 21), "%31")
        from calendar in Gen.Elements<string?>(null, "27238", "27239", "x", "")
        from extra in Gen.Elements("", "&id=2", "&&&", "&=", "&action", "&calendarID=1&calendarID=x", "%", "+")
        from dropAction in Gen.Elements(false, false, false, true)
        from dropId in Gen.Elements(false, false, false, true)
        select string.Join('&', new[]
        {
            dropAction ? null : $"action={action}",
            dropId ? null : $"id={id}",
            calendar is null ? null : $"calendarID={calendar}",
        }.Where(p => p is not null)) + extra;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Arbitrary_correctly_signed_forms_get_a_documented_status_below_500_and_a_refused_one_changes_nothing(int seed)
    {
        await SetUpVendorsAsync();
        StandIn.SetAppointment(Ana, FixtureText("acuity/appointment-1180245001.json"));
        StandIn.SetAppointment("1180245002", FixtureText("acuity/appointment-1180245002-no-show.json"));
        int[] documented = [200, 202, 400];
        foreach (var form in Forms().Sample(40, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 40))
        {
            var before = await SnapshotAsync();

            var answer = await AcuityAsync(form);

            Assert.True(documented.Contains(answer.Status), $"{answer.Status} for {form}");
            if (answer.Status == 400) Assert.Equal(before, await SnapshotAsync());
            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
