using System.Text.Json.Nodes;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;

namespace Reengage.Functions.Tests.Booking;

/// <summary>The generic booking webhook, case by case: answers, authentication, validation, idempotency.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BookingWebhookTests(AzuriteFixture fixture) : BookingWebhookTestBase(fixture)
{
    [Fact]
    public async Task A_valid_event_is_accepted_and_updates_patient_appointment_and_due_index()
    {
        var answer = await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"));

        Assert.Equal(202, answer.Status);
        Assert.True(answer.Body!["accepted"]!.GetValue<bool>());
        Assert.Equal("evt_1", answer.Body["id"]!.GetValue<string>());
        var patient = await PatientAsync();
        Assert.NotNull(patient);
        Assert.Equal("Camille", patient.FirstName);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 0, TimeSpan.Zero), patient.NextBookingAt);
        Assert.Null(patient.LastVisitAt);
        Assert.True(patient.EmailConsent.Granted);
        // The booking could lapse 30 days after it: 27 Nov + 30 = 27 Dec.
        Assert.Equal("20261227", patient.DueDay);
        Assert.Contains(new DueEntry("20261227", Practice.Id, "pat_42"), await CollectAsync(DueIndex.ListDueAsync("20261227")));
        var appointment = await AppointmentAsync("pat_42", "apt_9");
        Assert.Equal(AppointmentStatus.Booked, appointment!.Status);
        Assert.Equal(Start, appointment.BookedAt);
        Assert.Equal(Start, patient.LastBookedAt);
        var record = await InboundEvents.GetEventAsync(Practice.Id, WebhookSource.Generic, "evt_1");
        Assert.Equal(InboundEventStatus.Applied, record!.Value.Status);
    }

    [Fact]
    public async Task The_same_id_again_answers_200_duplicate_and_changes_nothing()
    {
        Assert.Equal(202, (await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"))).Status);
        Assert.Equal(202, (await PostAsync(Booked("evt_2", "2026-11-20T10:01:00Z", "2026-12-01T10:00:00+01:00"))).Status);

        var again = await ExpectUnchangedAsync(() => PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z")), 200);
        var alsoAgain = await ExpectUnchangedAsync(() => PostAsync(Booked("evt_2", "2026-11-20T10:01:00Z", "2026-12-01T10:00:00+01:00")), 200);

        Assert.True(again.Body!["duplicate"]!.GetValue<bool>());
        Assert.Equal("evt_1", again.Body["id"]!.GetValue<string>());
        Assert.True(alsoAgain.Body!["duplicate"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_forged_signature_gets_401_and_writes_nothing()
    {
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, "forged")), 401);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Contains("mismatch", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_signature_more_than_300_seconds_away_gets_401_even_when_correctly_signed(int offsetSeconds)
    {
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, Secret, UnixNow + offsetSeconds)), 401);
        Assert.Contains("expired", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(-300)]
    public async Task A_signature_exactly_300_seconds_away_is_still_accepted(int offsetSeconds)
    {
        var body = Booked("evt_edge", "2026-11-20T10:00:00Z").ToJsonString();
        Assert.Equal(202, (await SendAsync(Practice.Id, body, Signed(body, Secret, UnixNow + offsetSeconds))).Status);
    }

    [Fact]
    public async Task A_missing_signature_gets_401()
    {
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, new Dictionary<string, string>()), 401);
        Assert.Contains("missing", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("t=abc,v1=00")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_malformed_signature_gets_401(string header)
    {
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, new Dictionary<string, string> { ["Reengage-Signature"] = header }), 401);
        Assert.Contains("malformed", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prac_nope")]
    [InlineData("not a valid id!")]
    public async Task An_unknown_practice_answers_exactly_like_a_forged_signature(string practiceId)
    {
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var unknown = await ExpectUnchangedAsync(() => SendAsync(practiceId, body, Signed(body, Secret)), 401);
        var forged = await SendAsync(Practice.Id, body, Signed(body, "x"));

        Assert.Equal(forged.Status, unknown.Status);
        Assert.Equal(forged.ContentType, unknown.ContentType);
        Assert.Equal(forged.Body!.ToJsonString(), unknown.Body!.ToJsonString());
    }

    [Fact]
    public async Task A_practice_without_a_generic_secret_answers_like_a_forged_signature()
    {
        await Practices.UpsertSecretsAsync(new PracticeSecrets { PracticeId = Practice.Id });
        var body = Booked("evt_auth", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, "reengage-unknown-practice")), 401);
        Assert.Contains("mismatch", answer.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_previous_secret_works_during_its_grace_and_is_refused_after()
    {
        await SetSecretAsync(WebhookSecrets.Rotate(new WebhookSecret(Secret, null, null), "whsec_new", Start));

        Assert.Equal(202, (await PostAsync(Booked("evt_rot_old", "2026-11-20T10:00:00Z"), Secret)).Status);
        Assert.Equal(202, (await PostAsync(Booked("evt_rot_new", "2026-11-20T10:00:00Z"), "whsec_new")).Status);

        // The cache lives 30 s; the grace is days: past it, the old secret verifies nothing.
        Time.Advance(WebhookSecrets.RotationGrace + TimeSpan.FromMinutes(1));
        var body = Booked("evt_rot_late", "2026-11-20T10:00:00Z").ToJsonString();
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, Secret)), 401);
        Assert.Equal(202, (await PostAsync(Booked("evt_rot_late", "2026-11-20T10:00:00Z"), "whsec_new")).Status);
    }

    public static TheoryData<string, string> Violations => new()
    {
        { "missing id", "id" },
        { "unknown type", "type" },
        { "occurredAt without zone", "occurredAt" },
        { "patient missing", "patient" },
        { "patient id with a slash", "patient.id" },
        { "bad email", "patient.email" },
        { "bad locale", "patient.locale" },
        { "bad careStatus", "patient.careStatus" },
        { "consent as a string", "patient.emailConsent" },
        { "booking without startsAt", "appointment.startsAt" },
        { "booking without appointment", "appointment" },
        { "first name too long", "patient.firstName" },
    };

    private static JsonObject Violate(string name, JsonObject e)
    {
        var patient = e["patient"]!.AsObject();
        switch (name)
        {
            case "missing id": e.Remove("id"); break;
            case "unknown type": e["type"] = "appointment.exploded"; break;
            case "occurredAt without zone": e["occurredAt"] = "2026-11-20 10:00"; break;
            case "patient missing": e.Remove("patient"); break;
            case "patient id with a slash": patient["id"] = "a/b"; break;
            case "bad email": patient["email"] = "not-an-email"; break;
            case "bad locale": patient["locale"] = "fr_FR!"; break;
            case "bad careStatus": patient["careStatus"] = "gone"; break;
            case "consent as a string": patient["emailConsent"] = "yes"; break;
            case "booking without startsAt": e["appointment"] = new JsonObject { ["id"] = "apt_9" }; break;
            case "booking without appointment": e.Remove("appointment"); break;
            case "first name too long": patient["firstName"] = new string('x', 101); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
        return e;
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Each_schema_violation_is_a_400_naming_its_field(string violation, string field)
    {
        var body = Violate(violation, Booked($"evt_bad_{field}", "2026-11-20T10:00:00Z"));

        var answer = await ExpectUnchangedAsync(() => PostAsync(body), 400);

        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal("Invalid booking event", answer.Body!["title"]!.GetValue<string>());
        Assert.Contains(field, answer.ErrorFields);
    }

    [Fact]
    public async Task Invalid_json_is_a_400()
    {
        var answer = await ExpectUnchangedAsync(() => PostAsync("{\"id\": "), 400);
        Assert.Equal("Invalid JSON", answer.Body!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task More_than_256_KB_is_a_413_whether_declared_or_not()
    {
        var big = Booked("evt_big", "2026-11-20T10:00:00Z");
        big["padding"] = new string('x', 256 * 1024);
        var body = big.ToJsonString();

        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, Secret)), 413);
        // A sender that declares less than it sends is cut off at the limit all the same.
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, Secret), declaredLength: 100), 413);
        Assert.Equal("application/problem+json", answer.ContentType);
        // Declared too large: refused before reading.
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, "{}", Signed("{}", Secret), declaredLength: 256 * 1024 + 1), 413);
    }

    [Fact]
    public async Task Exactly_256_KB_is_read()
    {
        var e = Booked("evt_256", "2026-11-20T10:00:00Z");
        e["padding"] = "";
        var padding = (256 * 1024) - e.ToJsonString().Length;
        e["padding"] = new string('x', padding);
        var body = e.ToJsonString();
        Assert.Equal(256 * 1024, System.Text.Encoding.UTF8.GetByteCount(body));
        Assert.Equal(202, (await SendAsync(Practice.Id, body, Signed(body, Secret))).Status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Not_json_is_a_415(string contentType)
    {
        var body = Booked("evt_415", "2026-11-20T10:00:00Z").ToJsonString();
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, body, Signed(body, Secret), contentType: contentType), 415);
        Assert.Equal("Unsupported media type", answer.Body!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_json_subtype_with_parameters_is_json()
    {
        var body = Booked("evt_json", "2026-11-20T10:00:00Z").ToJsonString();
        Assert.Equal(202, (await SendAsync(Practice.Id, body, Signed(body, Secret), contentType: "application/vnd.booking+json; charset=utf-8")).Status);
    }

    [Fact]
    public async Task The_media_type_is_checked_before_the_signature_as_in_the_typescript()
    {
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, "hello", new Dictionary<string, string>(), contentType: "text/plain"), 415);
        Assert.Equal(415, answer.Status);
    }

    [Fact]
    public async Task An_unknown_source_is_a_404()
    {
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, "{}", new Dictionary<string, string>(), source: "nosuchtool"), 404);
        Assert.Equal("Unknown source", answer.Body!["title"]!.GetValue<string>());
        Assert.Contains("generic, calcom, calendly, acuity", answer.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acuity", "X-Acuity-Signature", "application/x-www-form-urlencoded")]
    public async Task A_vendor_source_the_practice_has_not_set_up_is_answered_as_a_wrong_signature(string source, string header, string contentType)
    {
        // A well-formed signature (base64 of 32 bytes): the practice has no Acuity key, so nothing can verify it.
        var signature = Convert.ToBase64String(new byte[32]);
        var answer = await ExpectUnchangedAsync(() => SendAsync(Practice.Id, "action=scheduled&id=1", new Dictionary<string, string> { [header] = signature }, source, contentType), 401);
        Assert.Equal($"Missing, invalid or expired {header} (mismatch).", answer.Body!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Acuity_takes_form_bodies_only()
    {
        await ExpectUnchangedAsync(() => SendAsync(Practice.Id, "{}", new Dictionary<string, string>(), "acuity", "application/json"), 415);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("\U0001F600")]
    public async Task The_longest_event_id_of_awkward_characters_is_accepted_then_a_duplicate_never_a_5xx(string character)
    {
        // 200 characters (the schema's limit) that a table key escapes or that take more room once encoded.
        var id = string.Concat(Enumerable.Repeat(character, 200 / character.Length));
        Assert.Equal(202, (await PostAsync(Booked(id, "2026-11-20T10:00:00Z"))).Status);
        var again = await ExpectUnchangedAsync(() => PostAsync(Booked(id, "2026-11-20T10:00:00Z")), 200);
        Assert.True(again.Body!["duplicate"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_event_id_with_a_lone_surrogate_is_a_400_naming_it_never_a_5xx()
    {
        // The TypeScript stored it; the C# parser refuses text no table, URL or email can hold (a core decision).
        var body = Booked("evt_PLACEHOLDER", "2026-11-20T10:00:00Z").ToJsonString().Replace("evt_PLACEHOLDER", "evt_\\ud800", StringComparison.Ordinal);
        var answer = await ExpectUnchangedAsync(() => PostAsync(body), 400);
        Assert.Contains("id", answer.ErrorFields);
    }

    private Dictionary<string, string> Signed(string body, string secret, long? timestamp = null) =>
        new() { ["Reengage-Signature"] = SignatureOf(body, secret, timestamp) };
}
