using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Reengage.Core.Model;
using Reengage.Core.Security;

namespace Reengage.Functions.Tests.Booking.Vendors;

/// <summary>The booking webhook for Cal.com, with the recorded payloads of tests/fixtures/calcom.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CalcomWebhookTests(AzuriteFixture fixture) : VendorWebhookTestBase(fixture)
{
    private static readonly DateTimeOffset Dec3At9 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Dec10At14 = new(2026, 12, 10, 14, 0, 0, TimeSpan.Zero);

    private static readonly string[] AllFixtures =
        ["booking-created.json", "booking-rescheduled.json", "booking-cancelled.json", "meeting-ended.json", "booking-no-show-updated.json", "ping.json"];

    [Fact]
    public async Task BOOKING_CREATED_makes_a_new_patient_without_email_consent_and_books_with_the_mapped_organizer()
    {
        await SetUpVendorsAsync();

        var answer = await CalcomAsync(FixtureText("calcom/booking-created.json"));

        Assert.Equal(202, answer.Status);
        Assert.True(answer.Body!["accepted"]!.GetValue<bool>());
        Assert.Equal("calcom:BOOKING_CREATED:bFJeNb2uX8ANpT3JL5EfXw:2026-11-20T09:58:12.345Z", answer.Body["id"]!.GetValue<string>());
        var patient = await PatientByEmailAsync("camille.durand@example.org");
        Assert.Matches("^em-[0-9a-f]{24}$", patient.Id);
        // The attendee has no firstName: the first word of the name stands in.
        Assert.Equal("Camille", patient.FirstName);
        Assert.Equal("camille.durand@example.org", patient.Email);
        Assert.Equal(Locale.Fr, patient.Locale);
        Assert.Equal("th_lea", patient.TherapistId);
        Assert.Equal(Dec3At9, patient.NextBookingAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 58, 12, 345, TimeSpan.Zero), patient.LastBookedAt);
        Assert.False(patient.EmailConsent.Granted);
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("calcom:bFJeNb2uX8ANpT3JL5EfXw", AppointmentStatus.Booked, Dec3At9, "th_lea"),
            (appointment.Id, appointment.Status, appointment.StartsAt, appointment.TherapistId));
    }

    [Fact]
    public async Task The_same_delivery_again_answers_200_duplicate_and_changes_nothing()
    {
        await SetUpVendorsAsync();
        foreach (var name in AllFixtures.Where(n => n != "ping.json"))
        {
            Assert.Equal(202, (await CalcomAsync(FixtureText($"calcom/{name}"))).Status);
        }

        foreach (var name in AllFixtures.Where(n => n != "ping.json"))
        {
            var again = await ExpectUnchangedAsync(() => CalcomAsync(FixtureText($"calcom/{name}")), 200);
            Assert.True(again.Body!["duplicate"]!.GetValue<bool>(), name);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BOOKING_RESCHEDULED_cancels_the_booking_named_in_rescheduleUid_and_books_the_new_one_in_either_order(bool rescheduleFirst)
    {
        await SetUpVendorsAsync();
        string[] order = rescheduleFirst ? ["booking-rescheduled.json", "booking-created.json"] : ["booking-created.json", "booking-rescheduled.json"];
        foreach (var name in order) Assert.Equal(202, (await CalcomAsync(FixtureText($"calcom/{name}"))).Status);

        var patient = await PatientByEmailAsync("camille.durand@example.org");
        var appointments = await AppointmentsOfAsync(patient.Id);
        Assert.Equal(
            [("calcom:bFJeNb2uX8ANpT3JL5EfXw", AppointmentStatus.Cancelled, Dec3At9), ("calcom:n7Qw2kZpT9vR3xYcL1mHsA", AppointmentStatus.Booked, Dec10At14)],
            appointments.Select(a => (a.Id, a.Status, a.StartsAt)));
        Assert.Equal(Dec10At14, patient.NextBookingAt);
    }

    [Fact]
    public async Task BOOKING_CANCELLED_with_an_unmapped_organizer_falls_back_to_the_default_therapist_and_reports_the_keys()
    {
        await SetUpVendorsAsync();

        Assert.Equal(202, (await CalcomAsync(FixtureText("calcom/booking-cancelled.json"))).Status);

        var patient = await PatientByEmailAsync("noe.petit@example.net");
        Assert.Equal(("Noé", "th_default", (DateTimeOffset?)null), (patient.FirstName, patient.TherapistId, patient.NextBookingAt));
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("calcom:kX4s9PbQ2wE7rT1yU3iOaS", AppointmentStatus.Cancelled, new DateTimeOffset(2026, 12, 1, 16, 0, 0, TimeSpan.Zero), "th_default"),
            (appointment.Id, appointment.Status, appointment.StartsAt, appointment.TherapistId));
        var mapping = (await Practices.GetTherapistMappingAsync(Practice.Id))!.Value;
        Assert.Equal(
            [new("calcom:organizer:tom.bernard@tilleuls.example", Start), new("calcom:eventType:812399", Start)],
            mapping.Unmapped);
        Assert.Equal(MappingEntries, mapping.Entries);

        // Seen again (another delivery), the keys are not added twice.
        var other = JsonNode.Parse(FixtureText("calcom/booking-cancelled.json"))!;
        other["createdAt"] = "2026-11-20T09:45:00Z";
        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(202, (await CalcomAsync(other.ToJsonString())).Status);
        Assert.Equal(mapping.Unmapped, (await Practices.GetTherapistMappingAsync(Practice.Id))!.Value.Unmapped);
    }

    [Fact]
    public async Task MEETING_ENDED_sent_flat_completes_the_appointment_as_a_visit_of_the_therapist_its_organizer_maps_to()
    {
        await SetUpVendorsAsync();

        Assert.Equal(202, (await CalcomAsync(FixtureText("calcom/meeting-ended.json"))).Status);

        var patient = await PatientByEmailAsync("ines.garnier@example.com");
        Assert.Equal(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero), patient.LastVisitAt);
        Assert.Equal("th_lea", patient.TherapistId);
        var appointment = Assert.Single(await AppointmentsOfAsync(patient.Id));
        Assert.Equal(("calcom:pL8mN3bV6cX1zA5sD9fGhJ", AppointmentStatus.Completed, "th_lea"), (appointment.Id, appointment.Status, appointment.TherapistId));
    }

    [Fact]
    public async Task BOOKING_NO_SHOW_UPDATED_marks_the_known_attendee_no_show_and_makes_no_patient_of_an_unknown_guest()
    {
        await SetUpVendorsAsync();
        Assert.Equal(202, (await CalcomAsync(FixtureText("calcom/meeting-ended.json"))).Status);

        Assert.Equal(202, (await CalcomAsync(FixtureText("calcom/booking-no-show-updated.json"))).Status);

        var patient = await PatientByEmailAsync("ines.garnier@example.com");
        Assert.Null(patient.LastVisitAt);
        Assert.Equal([AppointmentStatus.NoShow], (await AppointmentsOfAsync(patient.Id)).Select(a => a.Status));
        Assert.Null(await Patients.FindPatientIdByEmailAsync(Practice.Id, "accompagnant@example.com"));
    }

    [Fact]
    public async Task A_no_show_for_nobody_the_practice_knows_is_acknowledged_and_changes_nothing()
    {
        await SetUpVendorsAsync();

        var answer = await ExpectUnchangedAsync(() => CalcomAsync(FixtureText("calcom/booking-no-show-updated.json")), 202);

        Assert.Contains("no patient", answer.Body!["ignored"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PING_answers_200_ok_true_and_changes_nothing()
    {
        await SetUpVendorsAsync();

        var answer = await ExpectUnchangedAsync(() => CalcomAsync(FixtureText("calcom/ping.json")), 200);

        Assert.Equal("""{"ok":true}""", answer.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("MEETING_STARTED")]
    [InlineData("BOOKING_REQUESTED")]
    [InlineData("constructor")]
    [InlineData("__proto__")]
    public async Task A_trigger_Reengage_does_not_use_is_acknowledged_202_and_changes_nothing(string trigger)
    {
        await SetUpVendorsAsync();
        var body = JsonNode.Parse(FixtureText("calcom/booking-created.json"))!;
        body["triggerEvent"] = trigger;

        var answer = await ExpectUnchangedAsync(() => CalcomAsync(body.ToJsonString()), 202);

        Assert.True(answer.Body!["accepted"]!.GetValue<bool>());
        Assert.Contains(trigger, answer.Body["ignored"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_MEETING_STARTED_sent_flat_is_acknowledged_and_changes_nothing()
    {
        await SetUpVendorsAsync();
        var body = JsonNode.Parse(FixtureText("calcom/meeting-ended.json"))!;
        body["triggerEvent"] = "MEETING_STARTED";

        await ExpectUnchangedAsync(() => CalcomAsync(body.ToJsonString()), 202);
    }

    [Fact]
    public async Task A_payload_that_fails_validation_gets_400_naming_each_field_and_changes_nothing()
    {
        await SetUpVendorsAsync();
        var body = JsonNode.Parse(FixtureText("calcom/booking-created.json"))!;
        body["payload"]!["attendees"]![0]!["email"] = "not-an-address";
        body["payload"]!.AsObject().Remove("startTime");
        body["payload"]!["uid"] = "a/b";

        var answer = await ExpectUnchangedAsync(() => CalcomAsync(body.ToJsonString()), 400);

        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(["payload.attendees.0.email", "payload.startTime", "payload.uid"], answer.ErrorFields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_flat_MEETING_ENDED_without_its_booking_fields_gets_400_naming_them()
    {
        await SetUpVendorsAsync();

        var answer = await ExpectUnchangedAsync(() => CalcomAsync("""{"triggerEvent":"MEETING_ENDED","uid":"x1"}"""), 400);

        Assert.Equal(["attendees", "startTime"], answer.ErrorFields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_gets_415_by_its_media_type_and_400_by_its_content()
    {
        await SetUpVendorsAsync();
        var raw = FixtureText("calcom/booking-created.json");
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, raw, new Dictionary<string, string> { ["X-Cal-Signature-256"] = CalSignature(raw) }, "calcom", "text/plain"), 415);

        var answer = await ExpectUnchangedAsync(() => CalcomAsync("{not json"), 400);
        Assert.Equal("Invalid JSON", answer.Body!["title"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task One_byte_changed_anywhere_is_refused_with_401_and_nothing_is_written_while_the_untouched_bytes_are_accepted(string name)
    {
        await SetUpVendorsAsync();
        var raw = FixtureBytes($"calcom/{name}");
        var signature = CalSignature(Encoding.UTF8.GetString(raw));
        var random = new Random(name.Length);
        for (var i = 0; i < 20; i++)
        {
            var tampered = (byte[])raw.Clone();
            var at = random.Next(tampered.Length);
            // A printable ASCII byte swapped for another keeps the body valid UTF-8 most of the time.
            tampered[at] = (byte)(tampered[at] == (byte)'a' ? 'b' : 'a');
            var answer = await ExpectUnchangedAsync(
                () => SendAsync(Practice.Id, Encoding.UTF8.GetString(tampered), new Dictionary<string, string> { ["X-Cal-Signature-256"] = signature }, "calcom"), 401);
            Assert.Contains("X-Cal-Signature-256", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.True((await CalcomAsync(Encoding.UTF8.GetString(raw))).Status is 200 or 202);
    }

    public static TheoryData<string> Fixtures() => new(AllFixtures);

    [Fact]
    public async Task A_wrong_secret_no_signature_a_malformed_one_or_an_unknown_practice_are_refused_alike_and_write_nothing()
    {
        await SetUpVendorsAsync();
        var raw = FixtureText("calcom/booking-created.json");

        var wrong = await ExpectUnchangedAsync(() => CalcomAsync(raw, "not-the-secret"), 401);
        var unknown = await ExpectUnchangedAsync(() => CalcomAsync(raw, practiceId: "prac_nobody"), 401);
        var invalidId = await ExpectUnchangedAsync(() => CalcomAsync(raw, practiceId: "../x"), 401);
        var unsigned = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, raw, new Dictionary<string, string>(), "calcom"), 401);
        var malformed = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, raw, new Dictionary<string, string> { ["X-Cal-Signature-256"] = "sha256=abc" }, "calcom"), 401);

        Assert.Equal(wrong.Body!.ToJsonString(), unknown.Body!.ToJsonString());
        Assert.Equal(wrong.Body.ToJsonString(), invalidId.Body!.ToJsonString());
        Assert.Contains("missing", unsigned.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("malformed", malformed.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_practice_without_a_Calcom_secret_refuses_it_like_a_wrong_signature()
    {
        // The base practice has only a generic secret.
        var raw = FixtureText("calcom/booking-created.json");

        var notSetUp = await ExpectUnchangedAsync(() => CalcomAsync(raw), 401);
        var unknown = await ExpectUnchangedAsync(() => CalcomAsync(raw, practiceId: "prac_nobody"), 401);

        Assert.Equal("Missing, invalid or expired X-Cal-Signature-256 (mismatch).", notSetUp.Body!["detail"]!.GetValue<string>());
        Assert.Equal(unknown.Body!.ToJsonString(), notSetUp.Body.ToJsonString());
    }

    [Fact]
    public async Task After_a_rotation_the_previous_secret_works_for_the_grace_period_then_no_more()
    {
        await SetUpVendorsAsync(WebhookSecrets.Rotate(new WebhookSecret(CalSecret, null, null), "calcom-whsec-next", Start));
        var raw = FixtureText("calcom/ping.json");

        Assert.Equal(200, (await CalcomAsync(raw, "calcom-whsec-next")).Status);
        Time.Advance(WebhookSecrets.RotationGrace - TimeSpan.FromMinutes(1));
        Assert.Equal(200, (await CalcomAsync(raw, CalSecret)).Status);
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(401, (await CalcomAsync(raw, CalSecret)).Status);
        Assert.Equal(200, (await CalcomAsync(raw, "calcom-whsec-next")).Status);
    }

    private static readonly string[] Paths =
    [
        "triggerEvent", "createdAt", "payload", "payload.uid", "payload.startTime", "payload.endTime", "payload.organizer",
        "payload.organizer.email", "payload.attendees", "payload.attendees.0", "payload.attendees.0.email", "payload.attendees.0.name",
        "payload.attendees.0.language", "payload.eventTypeId", "payload.rescheduleUid", "payload.rescheduleStartTime", "uid", "startTime",
        "user", "attendees", "payload.bookingUid",
    ];

    private static readonly JsonNode?[] Values =
    [
        null, true, 0, -1, 1.5, 1e300, "", " ", "x", "a/b", "2026-13-45T99:99:99Z", "2026-11-20T10:00:00+0100", "2026-11-20T10:00Z",
        new string('x', 5000), "é\u0000", new JsonArray(), new JsonObject(), new JsonArray(new JsonObject()), "BOOKING_CREATED",
        "MEETING_ENDED", "PING", "BOOKING_NO_SHOW_UPDATED", "lea.martin@tilleuls.example", "00000000000000000000000",
    ];

    private static Gen<string> Bodies() =>
        from name in Gen.Elements(AllFixtures)
        from edits in Gen.ListOf(
            from path in Gen.Elements(Paths)
            from value in Gen.Elements(Values)
            from remove in Gen.Elements(false, false, true)
            select (path, value, remove)).Resize(4)
        from raw in Gen.Elements(false, false, false, false, true)
        from garbage in Gen.Elements("", "[]", "null", "\"PING\"", "{\"triggerEvent\":{}}", "{\"triggerEvent\":\"BOOKING_CREATED\",\"payload\":[]}", "{")
        select raw ? garbage : Edited(name, edits);

    private static string Edited(string name, IEnumerable<(string Path, JsonNode? Value, bool Remove)> edits)
    {
        var root = JsonNode.Parse(FixtureText($"calcom/{name}"))!;
        foreach (var (path, value, remove) in edits)
        {
            var parts = path.Split('.');
            var parent = parts[..^1].Aggregate((JsonNode?)root, (node, part) => node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i < a.Count => a[i],
                _ => null,
            });
            if (parent is not JsonObject target) continue;
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

            var answer = await CalcomAsync(body);

            Assert.True(documented.Contains(answer.Status), $"{answer.Status} for {body[..Math.Min(300, body.Length)]}");
            if (answer.Status == 400) Assert.Equal(before, await SnapshotAsync());
        }
    }
}
