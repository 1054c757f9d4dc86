using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Admin;

namespace Reengage.Functions.Tests.Admin;

[Collection(AzuriteCollection.Name)]
public sealed class PracticeSettingsTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    [Fact]
    public async Task The_first_PUT_creates_with_the_function_key_alone_and_answers_the_key_and_secret_once()
    {
        var answer = await PutPracticeAsync(
            "prac_boot",
            """{"name":"Cabinet des Lilas","senderAddress":"bonjour@lilas.example","bookingUrl":"https://lilas.example/rdv","timeZone":"America/Toronto","country":"CA","locale":"en"}""");

        Assert.Equal(201, answer.Status);
        Assert.Equal("/api/practices/prac_boot", answer.Header("Location"));
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        Assert.StartsWith("application/json", answer.Header("Content-Type"), StringComparison.Ordinal);
        var apiKey = answer.Json!["apiKey"]!.GetValue<string>();
        var secret = answer.Json!["webhookSecrets"]!["generic"]!.GetValue<string>();
        Assert.Matches("^rk_[A-Za-z0-9_-]{43}$", apiKey);
        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", secret);
        AssertJsonEqual(
            $$"""
            { "practice": {
                "id": "prac_boot", "name": "Cabinet des Lilas", "timeZone": "America/Toronto", "locale": "en", "country": "CA",
                "senderAddress": "bonjour@lilas.example", "senderDisplayName": "Cabinet des Lilas",
                "bookingUrl": "https://lilas.example/rdv", "lapseDays": 30, "cooldownDays": 21,
                "maxTouchesPerEpisode": 3, "maxTouchesPer365Days": 6, "cadenceDays": [30, 60, 120],
                "sendWindow": { "days": [1, 2, 3, 4, 5], "start": "09:30", "end": "17:30" },
                "closedDates": [],
                "seasonalWindows": [ { "id": "new-year", "startsOn": "01-05", "lengthInDays": 14, "enabled": true },
                                     { "id": "spring", "startsOn": "04-01", "lengthInDays": 14, "enabled": true },
                                     { "id": "rentree", "startsOn": "09-08", "lengthInDays": 14, "enabled": true } ],
                "allowClinicalDetails": false, "holdoutPercent": 0, "resources": [], "defaultTherapistId": null,
                "lastSeasonalWindowKey": null,
                "credentials": { "apiKeys": [ { "current": true, "validUntil": null } ],
                                 "webhooks": { "generic": { "rotatedAt": null, "previousAcceptedUntil": null } } } },
              "apiKey": "{{apiKey}}",
              "webhookSecrets": { "generic": "{{secret}}" } }
            """,
            answer.Body);

        // Only the key's sha256 is stored; the secret is stored as issued.
        var stored = (await Practices.GetSecretsAsync("prac_boot"))!.Value;
        Assert.Equal([new ApiKeyRecord(Sha256(apiKey), null)], stored.ApiKeys);
        Assert.Empty(stored.ApiKeyHashes);
        Assert.Equal(secret, stored.Webhooks[WebhookSource.Generic].Current);

        // Read back: the same settings, never a secret.
        var read = await GetPracticeAsync("prac_boot", apiKey);
        Assert.Equal(200, read.Status);
        Assert.Equal("no-store", read.Header("Cache-Control"));
        AssertJsonEqual(answer.Json!["practice"]!.ToJsonString(), read.Body);
        Assert.DoesNotContain("rk_", read.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", read.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_PUT_is_an_update_that_needs_the_practice_key_and_the_cadence_follows_lapseDays()
    {
        var key = await CreatePracticeAsync("prac_upd");

        Assert.Equal(401, (await PutPracticeAsync("prac_upd", """{"lapseDays":45}""")).Status);
        Assert.Equal(401, (await PutPracticeAsync("prac_upd", """{"lapseDays":45}""", "rk_wrong")).Status);
        Assert.Equal(30, (await Practices.GetPracticeAsync("prac_upd"))!.Value.LapseDays);

        var answer = await PutPracticeAsync("prac_upd", """{"lapseDays":45}""", key);

        Assert.Equal(200, answer.Status);
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        Assert.Equal(45, answer.Json!["lapseDays"]!.GetValue<int>());
        Assert.Equal("[45,75,135]", answer.Json!["cadenceDays"]!.ToJsonString());
        Assert.Equal("Cabinet prac_upd", answer.Json!["name"]!.GetValue<string>());
        var stored = (await Practices.GetPracticeAsync("prac_upd"))!.Value;
        Assert.Equal([45, 75, 135], stored.CadenceDays);
    }

    [Fact]
    public async Task The_GET_answer_of_the_docs_is_what_the_practice_reads_back_and_can_be_sent_back_with_an_edit()
    {
        var created = await PutPracticeAsync(
            "cabinet-tilleuls",
            """{"name":"Cabinet des Tilleuls","senderAddress":"bonjour@tilleuls.example","bookingUrl":"https://tilleuls.example/rdv","timeZone":"Europe/Paris","country":"FR","locale":"fr"}""");
        var key = created.Json!["apiKey"]!.GetValue<string>();
        var edit = await PutPracticeAsync("cabinet-tilleuls", """{"lapseDays":45,"closedDates":["2027-08-02","2027-08-03"],"holdoutPercent":10}""", key);
        Assert.Equal(200, edit.Status);

        var read = await GetPracticeAsync("cabinet-tilleuls", key);

        // docs/admin-api.md, GET practices/{practiceId}.
        const string Documented = """
            { "id": "cabinet-tilleuls", "name": "Cabinet des Tilleuls", "timeZone": "Europe/Paris", "locale": "fr",
              "country": "FR", "senderAddress": "bonjour@tilleuls.example", "senderDisplayName": "Cabinet des Tilleuls",
              "bookingUrl": "https://tilleuls.example/rdv", "lapseDays": 45, "cooldownDays": 21,
              "maxTouchesPerEpisode": 3, "maxTouchesPer365Days": 6, "cadenceDays": [45, 75, 135],
              "sendWindow": { "days": [1, 2, 3, 4, 5], "start": "09:30", "end": "17:30" },
              "closedDates": ["2027-08-02", "2027-08-03"],
              "seasonalWindows": [ { "id": "new-year", "startsOn": "01-05", "lengthInDays": 14, "enabled": true },
                                   { "id": "spring", "startsOn": "04-01", "lengthInDays": 14, "enabled": true },
                                   { "id": "rentree", "startsOn": "09-08", "lengthInDays": 14, "enabled": true } ],
              "allowClinicalDetails": false, "holdoutPercent": 10, "resources": [], "defaultTherapistId": null,
              "lastSeasonalWindowKey": null,
              "credentials": { "apiKeys": [ { "current": true, "validUntil": null } ],
                               "webhooks": { "generic": { "rotatedAt": null, "previousAcceptedUntil": null } } } }
            """;
        AssertJsonEqual(Documented, read.Body);
        AssertJsonEqual(Documented, edit.Body);

        // GET, edit, PUT: the read-only fields (lastSeasonalWindowKey, credentials) are accepted and ignored.
        var sentBack = read.Json!.AsObject();
        sentBack["holdoutPercent"] = 20;
        var again = await PutPracticeAsync("cabinet-tilleuls", sentBack.ToJsonString(), key);
        Assert.Equal(200, again.Status);
        Assert.Equal(20, (await Practices.GetPracticeAsync("cabinet-tilleuls"))!.Value.HoldoutPercent);
    }

    [Fact]
    public async Task Creation_needs_a_name_a_sender_address_and_a_booking_URL_and_stores_nothing_without_them()
    {
        var answer = await PutPracticeAsync("prac_incomplete", """{"timeZone":"Europe/Paris"}""");

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        Assert.Equal(["bookingUrl", "name", "senderAddress"], answer.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("is required to create a practice", answer.MessageOf("name"));
        Assert.Null(await Practices.GetPracticeAsync("prac_incomplete"));
        Assert.Null(await Practices.GetSecretsAsync("prac_incomplete"));
    }

    [Fact]
    public async Task A_practice_id_outside_the_id_alphabet_is_a_400_naming_it()
    {
        var answer = await PutPracticeAsync("bad id!", Essentials("X"));

        Assert.Equal(400, answer.Status);
        Assert.Equal(["practiceId"], answer.Fields);
        Assert.Equal("must be 1-128 characters: letters, digits and _ . : @ + = ~ -", answer.MessageOf("practiceId"));
    }

    [Fact]
    public async Task A_practice_row_left_without_secrets_by_a_creation_that_died_half_way_can_be_created_again()
    {
        await Practices.CreatePracticeAsync(Core.PracticeDefaults.NewPractice("prac_half", "Cabinet perdu"));

        var answer = await PutPracticeAsync("prac_half", """{"name":"Cabinet repris"}""");

        Assert.Equal(201, answer.Status);
        Assert.Equal("Cabinet repris", answer.Json!["practice"]!["name"]!.GetValue<string>());
        Assert.Equal(200, (await GetPracticeAsync("prac_half", answer.Json!["apiKey"]!.GetValue<string>())).Status);
    }

    [Fact]
    public async Task Two_creations_racing_for_one_id_give_one_key_only()
    {
        var answers = await Task.WhenAll(
            PutPracticeAsync("prac_race", Essentials("Premier")),
            PutPracticeAsync("prac_race", Essentials("Second")));

        var winner = Assert.Single(answers, a => a.Status == 201);
        var loser = Assert.Single(answers, a => a.Status != 201);
        // The loser either lost the conditional insert (409) or arrived once the practice had a key (401).
        Assert.Contains(loser.Status, new[] { 409, 401 });
        var stored = (await Practices.GetSecretsAsync("prac_race"))!.Value;
        Assert.Equal([new ApiKeyRecord(Sha256(winner.Json!["apiKey"]!.GetValue<string>()), null)], stored.ApiKeys);
    }

    [Fact]
    public async Task A_creation_that_finds_the_secrets_already_written_is_a_conflict_and_keeps_the_first_key()
    {
        var key = await CreatePracticeAsync("prac_late");
        var admin = (PracticeAdmin)Services.GetService(typeof(PracticeAdmin))!;

        var late = await admin.BootstrapAsync("prac_late", new PracticeSettingsInput(), CancellationToken.None);

        Assert.IsType<PutPracticeResult.Conflict>(late);
        Assert.Equal(200, (await GetPracticeAsync("prac_late", key)).Status);
    }

    [Fact]
    public async Task Unknown_practice_missing_key_wrong_key_and_another_practices_key_answer_the_same_401()
    {
        var keyA = await CreatePracticeAsync("prac_iso_a");
        var keyB = await CreatePracticeAsync("prac_iso_b");
        Assert.Equal(201, (await PutTherapistAsync("prac_iso_b", "th_1", """{"displayName":"Léa Martin","email":"lea@b.example"}""", keyB)).Status);
        var before = await Practices.GetPracticeAsync("prac_iso_b");

        Answer[] refused =
        [
            await GetPracticeAsync("prac_nobody", keyA),
            await GetPracticeAsync("prac_iso_b", null),
            await GetPracticeAsync("prac_iso_b", "rk_wrong"),
            await GetPracticeAsync("prac_iso_b", keyA),
            await PutPracticeAsync("prac_iso_b", """{"name":"Pris par A"}""", keyA),
            await PutTherapistAsync("prac_iso_b", "th_1", """{"displayName":"Pris par A"}""", keyA),
            await ListTherapistsAsync("prac_iso_b", keyA),
            await ExportAsync("prac_iso_b", "pat_1", keyA),
        ];

        const string Expected = """
            { "type": "about:blank", "title": "Unauthorized", "status": 401,
              "detail": "A valid practice API key is required in the x-reengage-key header." }
            """;
        foreach (var answer in refused)
        {
            Assert.Equal(401, answer.Status);
            Assert.Equal("ApiKey header=\"x-reengage-key\"", answer.Header("WWW-Authenticate"));
            Assert.Equal("application/problem+json", answer.Header("Content-Type"));
            AssertJsonEqual(Expected, answer.Body);
        }
        Assert.Equal(before, await Practices.GetPracticeAsync("prac_iso_b"));
        Assert.Equal("Léa Martin", (await Practices.GetTherapistAsync("prac_iso_b", "th_1"))!.DisplayName);
    }

    [Fact]
    public async Task A_rotated_out_key_opens_the_practice_until_its_grace_period_ends_then_only_the_new_one_does()
    {
        var oldKey = await CreatePracticeAsync("prac_rot");
        var secrets = (await Practices.GetSecretsAsync("prac_rot"))!;
        var newKey = ApiKeys.NewKey();
        var rotated = ApiKeys.Rotate(secrets.Value.ApiKeySet, ApiKeys.Hash(newKey), Clock.GetUtcNow());
        await Practices.UpdateSecretsAsync(secrets.Value with { ApiKeyHashes = rotated.LegacyHashes, ApiKeys = rotated.Keys }, secrets.ETag);

        var during = await GetPracticeAsync("prac_rot", newKey);
        Assert.Equal(200, (await GetPracticeAsync("prac_rot", oldKey)).Status);
        AssertJsonEqual(
            """[ { "current": true, "validUntil": null }, { "current": false, "validUntil": "2027-02-08T08:00:00.000Z" } ]""",
            during.Json!["credentials"]!["apiKeys"]!.ToJsonString());

        Clock.SetUtcNow(new DateTimeOffset(2027, 2, 8, 7, 59, 59, TimeSpan.Zero));
        Assert.Equal(200, (await GetPracticeAsync("prac_rot", oldKey)).Status);

        Clock.SetUtcNow(new DateTimeOffset(2027, 2, 8, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal(401, (await GetPracticeAsync("prac_rot", oldKey)).Status);
        Assert.Equal(401, (await PutPracticeAsync("prac_rot", """{"name":"Volé"}""", oldKey)).Status);
        var after = await GetPracticeAsync("prac_rot", newKey);
        Assert.Equal(200, after.Status);
        AssertJsonEqual("""[ { "current": true, "validUntil": null } ]""", after.Json!["credentials"]!["apiKeys"]!.ToJsonString());
    }

    [Fact]
    public async Task A_key_stored_the_old_way_never_expires_and_reads_as_current()
    {
        await Practices.UpsertPracticeAsync(Core.PracticeDefaults.NewPractice("prac_legacy", "Cabinet ancien"));
        const string Legacy = "legacy-key-of-prac-legacy-0123456789";
        await Practices.UpsertSecretsAsync(new PracticeSecrets { PracticeId = "prac_legacy", ApiKeyHashes = [Sha256(Legacy)] });
        Clock.Advance(TimeSpan.FromDays(400));

        var answer = await GetPracticeAsync("prac_legacy", Legacy);

        Assert.Equal(200, answer.Status);
        AssertJsonEqual(
            """{ "apiKeys": [ { "current": true, "validUntil": null } ], "webhooks": {} }""",
            answer.Json!["credentials"]!.ToJsonString());
    }

    [Fact]
    public async Task A_rotated_webhook_secret_shows_when_the_previous_one_stops_being_accepted()
    {
        var key = await CreatePracticeAsync("prac_wh");
        var secrets = (await Practices.GetSecretsAsync("prac_wh"))!;
        var generic = WebhookSecrets.Rotate(secrets.Value.Webhooks[WebhookSource.Generic], WebhookSecrets.NewSecret(), Clock.GetUtcNow());
        await Practices.UpdateSecretsAsync(
            secrets.Value with { Webhooks = new Dictionary<WebhookSource, WebhookSecret> { [WebhookSource.Generic] = generic } },
            secrets.ETag);

        var during = await GetPracticeAsync("prac_wh", key);
        Clock.SetUtcNow(new DateTimeOffset(2027, 2, 8, 8, 0, 0, TimeSpan.Zero));
        var after = await GetPracticeAsync("prac_wh", key);

        AssertJsonEqual(
            """{ "generic": { "rotatedAt": "2027-02-01T08:00:00.000Z", "previousAcceptedUntil": "2027-02-08T08:00:00.000Z" } }""",
            during.Json!["credentials"]!["webhooks"]!.ToJsonString());
        AssertJsonEqual(
            """{ "generic": { "rotatedAt": "2027-02-01T08:00:00.000Z", "previousAcceptedUntil": null } }""",
            after.Json!["credentials"]!["webhooks"]!.ToJsonString());
    }
}
