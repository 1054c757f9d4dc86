using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;

namespace Reengage.Functions.Tests.Admin;

/// <summary>The therapist mapping, the Acuity credentials and the integrations set-up check (docs/admin-api.md).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IntegrationAdminTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    private const string Id = "prac_int";
    private const string LeaUser = "https://api.calendly.com/users/a8e2d4c6-1b3f-4a5d-8e7c-9f0a1b2c3d4e";

    private IntegrationAdminFunctions Functions =>
        ActivatorUtilities.CreateInstance<IntegrationAdminFunctions>(
            Services,
            ActivatorUtilities.CreateInstance<IntegrationAdmin>(Services, new IntegrationLinks(new Uri("https://reengage.example/"))));

    private Task<Answer> GetMappingAsync(string practiceId, string? key) =>
        RunAsync(Functions.GetTherapistMapping(Request("GET", key), practiceId, CancellationToken.None));

    private Task<Answer> PutMappingAsync(string practiceId, string body, string? key, string contentType = "application/json") =>
        RunAsync(Functions.PutTherapistMapping(Request("PUT", key, body, contentType), practiceId, CancellationToken.None));

    private Task<Answer> PutAcuityAsync(string practiceId, string body, string? key, string contentType = "application/json") =>
        RunAsync(Functions.PutAcuityCredentials(Request("PUT", key, body, contentType), practiceId, CancellationToken.None));

    private Task<Answer> GetIntegrationsAsync(string practiceId, string? key) =>
        RunAsync(Functions.GetIntegrations(Request("GET", key), practiceId, CancellationToken.None));

    private async Task<string> CreateWithTherapistsAsync()
    {
        var key = await CreatePracticeAsync(Id);
        Assert.Equal(201, (await PutTherapistAsync(Id, "th_1", """{"displayName":"Léa Martin","email":"lea@cabinet.example"}""", key)).Status);
        Assert.Equal(201, (await PutTherapistAsync(Id, "th_2", """{"displayName":"Bruno Adam","email":"bruno@cabinet.example"}""", key)).Status);
        return key;
    }

    private async Task<string> StoredAsync() =>
        System.Text.Json.JsonSerializer.Serialize(new { m = (await Practices.GetTherapistMappingAsync(Id))?.Value, s = (await Practices.GetSecretsAsync(Id))?.Value }, TestJson.Options);

    [Fact]
    public async Task A_practice_without_a_mapping_gets_empty_lists_and_PUT_replaces_the_entries_and_empties_unmapped_of_them()
    {
        var key = await CreateWithTherapistsAsync();
        var empty = await GetMappingAsync(Id, key);
        AssertJsonEqual("""{ "practiceId": "prac_int", "entries": [], "unmapped": [] }""", empty.Body);
        // Bookings recorded two keys nobody mapped.
        await Practices.CreateTherapistMappingAsync(new TherapistMapping
        {
            PracticeId = Id,
            Unmapped = [new UnmappedTherapistKey($"calendly:user:{LeaUser}", Clock.GetUtcNow()), new UnmappedTherapistKey("acuity:calendar:99", Clock.GetUtcNow())],
        });

        var put = await PutMappingAsync(Id, $$"""
            {"entries":[
              {"key":"calcom:organizer:Lea.Martin@tilleuls.example","therapistId":"th_1"},
              {"key":"calcom:eventType:1204","therapistId":"th_2"},
              {"key":" calendly:user:{{LeaUser}} ","therapistId":"th_2"},
              {"key":"acuity:calendar:27238","therapistId":"th_1"}]}
            """, key);
        var got = await GetMappingAsync(Id, key);
        // The GET answer sent back as it is.
        var again = await PutMappingAsync(Id, got.Body, key);
        var emptied = await PutMappingAsync(Id, """{"entries":[]}""", key);

        Assert.Equal(200, put.Status);
        Assert.Equal("no-store", put.Header("Cache-Control"));
        AssertJsonEqual($$"""
            { "practiceId": "prac_int",
              "entries": [ { "key": "calcom:organizer:lea.martin@tilleuls.example", "therapistId": "th_1" },
                           { "key": "calcom:eventType:1204", "therapistId": "th_2" },
                           { "key": "calendly:user:{{LeaUser}}", "therapistId": "th_2" },
                           { "key": "acuity:calendar:27238", "therapistId": "th_1" } ],
              "unmapped": [ { "key": "acuity:calendar:99", "firstSeenAt": "2027-02-01T08:00:00.000Z" } ] }
            """, put.Body);
        AssertJsonEqual(put.Body, got.Body);
        Assert.Equal(200, again.Status);
        AssertJsonEqual(put.Body, again.Body);
        AssertJsonEqual("""{ "practiceId": "prac_int", "entries": [], "unmapped": [ { "key": "acuity:calendar:99", "firstSeenAt": "2027-02-01T08:00:00.000Z" } ] }""", emptied.Body);
    }

    [Fact]
    public async Task A_bad_mapping_is_refused_naming_each_entry_and_field_and_changes_nothing()
    {
        var key = await CreateWithTherapistsAsync();
        Assert.Equal(200, (await PutMappingAsync(Id, """{"entries":[{"key":"acuity:calendar:1","therapistId":"th_1"}]}""", key)).Status);
        var before = await StoredAsync();

        var bad = await PutMappingAsync(Id, """
            {"practiceId":"prac_other","colour":1,"entries":[
              {"key":"zoom:organizer:a@b.example","therapistId":"th_1"},
              {"key":"calcom:organizer:not-an-address","therapistId":"th_1"},
              {"key":"calendly:user:https://calendly.com/lea","therapistId":"th_1"},
              {"key":"acuity:calendar:abc","therapistId":"th_1"},
              {"key":"calcom:eventType:12","therapistId":"th_9"},
              {"key":"calcom:eventType:12","therapistId":"th_2"},
              {"key":"calcom:eventType:1 2","therapistId":"th/2"},
              {"key":7,"extra":true},
              "x"]}
            """, key);
        var tooMany = await PutMappingAsync(Id, $$"""{"entries":[{{string.Join(',', Enumerable.Range(0, 101).Select(i => $$"""{"key":"acuity:calendar:{{i}}","therapistId":"th_1"}"""))}}]}""", key);
        var missing = await PutMappingAsync(Id, "{}", key);
        var notJson = await PutMappingAsync(Id, """{"entries":[]}""", key, "text/plain");
        var large = await PutMappingAsync(Id, $$"""{"entries":[],"unmapped":"{{new string('u', 70_000)}}"}""", key);

        Assert.Equal(400, bad.Status);
        Assert.Equal("Invalid therapist mapping", bad.Json!["title"]!.GetValue<string>());
        Assert.Equal(
            ["colour", "entries.0.key", "entries.1.key", "entries.2.key", "entries.3.key", "entries.6.key", "entries.6.therapistId", "entries.7.extra", "entries.7.key", "entries.7.therapistId", "entries.8"],
            bad.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("the organizer must be an email address", bad.MessageOf("entries.1.key"));
        Assert.Equal("must be the Calendly API URI, like https://api.calendly.com/users/<uuid>", bad.MessageOf("entries.2.key"));
        Assert.Equal("the calendar must be the tool's numeric id", bad.MessageOf("entries.3.key"));
        Assert.StartsWith("must be one of calcom:organizer:…", bad.MessageOf("entries.0.key"), StringComparison.Ordinal);
        // The checks against the store come after the shape: repeats, unknown therapists, another practice id.
        var stored = await PutMappingAsync(Id, """
            {"practiceId":"prac_other","entries":[
              {"key":"calcom:eventType:12","therapistId":"th_9"},
              {"key":"calcom:eventType:12","therapistId":"th_2"}]}
            """, key);
        Assert.Equal(["entries.0.therapistId", "entries.1.key", "practiceId"], stored.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("repeats entries.0.key", stored.MessageOf("entries.1.key"));
        Assert.Equal("is not a therapist of this practice", stored.MessageOf("entries.0.therapistId"));
        Assert.Equal(["entries"], tooMany.Fields);
        Assert.Equal(["entries"], missing.Fields);
        Assert.Equal(415, notJson.Status);
        Assert.Equal(413, large.Status);
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task Acuity_credentials_are_201_then_200_never_returned_and_a_new_key_keeps_the_old_one_for_seven_days()
    {
        var key = await CreatePracticeAsync(Id);

        var first = await PutAcuityAsync(Id, """{"userId":" 11145481 ","apiKey":"acuity-key-0123456789abcdef"}""", key);
        var repeat = await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""", key);
        var same = await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""", key);
        Clock.Advance(TimeSpan.FromHours(1));
        var changed = await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-NEW-456789abcdef"}""", key);

        Assert.Equal(201, first.Status);
        AssertJsonEqual("""{ "source": "acuity", "configured": true, "previousKeyAcceptedUntil": null }""", first.Body);
        Assert.Equal(200, repeat.Status);
        AssertJsonEqual(first.Body, repeat.Body);
        Assert.Equal(200, same.Status);
        Assert.Equal(200, changed.Status);
        AssertJsonEqual("""{ "source": "acuity", "configured": true, "previousKeyAcceptedUntil": "2027-02-08T09:00:00.000Z" }""", changed.Body);
        var secrets = (await Practices.GetSecretsAsync(Id))!.Value;
        Assert.Equal(new AcuityCredentials("11145481", "acuity-key-NEW-456789abcdef"), secrets.Acuity);
        Assert.Equal("acuity-key-0123456789abcdef", secrets.Webhooks[WebhookSource.Acuity].Previous);
        Assert.Equal(200, (await GetPracticeAsync(Id, key)).Status);
        foreach (var answer in new[] { first, repeat, changed, await GetPracticeAsync(Id, key), await GetIntegrationsAsync(Id, key) })
        {
            Assert.DoesNotContain("acuity-key", answer.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_same_Acuity_call_again_writes_nothing()
    {
        var key = await CreatePracticeAsync(Id);
        Assert.Equal(201, (await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""", key)).Status);
        var etag = (await Practices.GetSecretsAsync(Id))!.ETag;

        var again = await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""", key);

        Assert.Equal(200, again.Status);
        Assert.Equal(etag, (await Practices.GetSecretsAsync(Id))!.ETag);
    }

    [Fact]
    public async Task Bad_Acuity_credentials_are_refused_naming_each_field_and_change_nothing()
    {
        var key = await CreatePracticeAsync(Id);
        var before = await StoredAsync();

        var bad = await PutAcuityAsync(Id, """{"userId":"u-1","apiKey":"short","token":"x"}""", key);
        var spaces = await PutAcuityAsync(Id, """{"userId":"123456789012345678901","apiKey":"acuity key 0123456789abcdef"}""", key);
        var missing = await PutAcuityAsync(Id, "{}", key);
        var types = await PutAcuityAsync(Id, """{"userId":11145481,"apiKey":null}""", key);
        var large = await PutAcuityAsync(Id, $$"""{"userId":"1","apiKey":"{{new string('k', 5000)}}"}""", key);
        var notJson = await PutAcuityAsync(Id, "userId=1", key, "application/x-www-form-urlencoded");
        var surrogate = await PutMappingAsync(Id, """{"entries":[{"key":"acuity:calendar:\udc00","therapistId":"th_1"}]}""", key);

        Assert.Equal(["apiKey", "token", "userId"], bad.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("must be the numeric User ID Acuity shows", bad.MessageOf("userId"));
        Assert.Equal("must be at least 16 characters", bad.MessageOf("apiKey"));
        Assert.Equal("must be at most 20 characters", spaces.MessageOf("userId"));
        Assert.Equal("must be printable ASCII without spaces", spaces.MessageOf("apiKey"));
        Assert.Equal(["apiKey", "userId"], missing.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("must be a string", types.MessageOf("userId"));
        Assert.Equal("must be a string", types.MessageOf("apiKey"));
        Assert.Equal(413, large.Status);
        Assert.Equal(415, notJson.Status);
        Assert.Equal(["(body)"], surrogate.Fields);
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task The_integrations_check_gives_each_tool_its_url_header_and_whether_it_is_configured_never_a_secret()
    {
        var key = await CreateWithTherapistsAsync();
        await PutMappingAsync(Id, """{"entries":[{"key":"acuity:calendar:1","therapistId":"th_1"}]}""", key);
        await PutAcuityAsync(Id, """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""", key);

        var view = await GetIntegrationsAsync(Id, key);

        Assert.Equal(200, view.Status);
        AssertJsonEqual("""
            { "practiceId": "prac_int",
              "sources": {
                "generic":  { "webhookUrl": "https://reengage.example/api/webhooks/generic/prac_int", "signatureHeader": "Reengage-Signature", "configured": true },
                "calcom":   { "webhookUrl": "https://reengage.example/api/webhooks/calcom/prac_int", "signatureHeader": "X-Cal-Signature-256", "configured": false },
                "calendly": { "webhookUrl": "https://reengage.example/api/webhooks/calendly/prac_int", "signatureHeader": "Calendly-Webhook-Signature", "configured": false },
                "acuity":   { "webhookUrl": "https://reengage.example/api/webhooks/acuity/prac_int", "signatureHeader": "X-Acuity-Signature", "configured": true } },
              "therapistMapping": { "entries": 1, "unmapped": 0 },
              "openApiUrl": "https://reengage.example/api/openapi.json" }
            """, view.Body);
        var generic = (await Practices.GetSecretsAsync(Id))!.Value.Webhooks[WebhookSource.Generic].Current;
        Assert.DoesNotContain(generic, view.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_route_answers_the_same_401_to_a_missing_wrong_or_other_practice_key_and_unknown_practices()
    {
        var key = await CreateWithTherapistsAsync();
        var other = await CreatePracticeAsync("prac_other2");
        var before = await StoredAsync();
        const string mapping = """{"entries":[{"key":"acuity:calendar:1","therapistId":"th_1"}]}""";
        const string acuity = """{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}""";

        var answers = new List<Answer>();
        foreach (var (practiceId, k) in new[] { (Id, (string?)null), (Id, "rk_wrong"), (Id, other), ("prac_nobody", key) })
        {
            answers.Add(await GetMappingAsync(practiceId, k));
            answers.Add(await PutMappingAsync(practiceId, mapping, k));
            answers.Add(await PutAcuityAsync(practiceId, acuity, k));
            answers.Add(await GetIntegrationsAsync(practiceId, k));
        }

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task A_booking_recording_an_unmapped_key_meanwhile_is_not_lost()
    {
        var key = await CreateWithTherapistsAsync();
        await PutMappingAsync(Id, """{"entries":[]}""", key);

        // Racing writers of the same row: the admin PUT and bookings recording unmapped keys.
        var bookings = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var current = (await Practices.GetTherapistMappingAsync(Id))!;
                try
                {
                    await Practices.UpdateTherapistMappingAsync(current.Value with { Unmapped = [.. current.Value.Unmapped, new UnmappedTherapistKey($"acuity:calendar:{100 + i}", Clock.GetUtcNow())] }, current.ETag);
                    return;
                }
                catch (Core.ReengageException) when (attempt < 50)
                {
                }
            }
        }));
        var puts = Enumerable.Range(0, 3).Select(_ => Task.Run(() => PutMappingAsync(Id, """{"entries":[{"key":"acuity:calendar:1","therapistId":"th_1"}]}""", key)));
        var answers = await Task.WhenAll(puts);
        await Task.WhenAll(bookings);

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { 200, 409 }));
        var stored = (await Practices.GetTherapistMappingAsync(Id))!.Value;
        Assert.Equal(["acuity:calendar:100", "acuity:calendar:101", "acuity:calendar:102", "acuity:calendar:103"], stored.Unmapped.Select(u => u.Key).Order(StringComparer.Ordinal));
        Assert.Equal([new TherapistMappingEntry("acuity:calendar:1", "th_1")], stored.Entries);
    }

    private static readonly int[] Documented = [200, 201, 400, 413, 415];

    private static Gen<(bool Mapping, string? ContentType, string Body)> Probes =>
        from mapping in Gen.Elements(true, false)
        from contentType in Gen.Elements<string?>("application/json", "text/plain", null)
        from text in ArbMap.Default.GeneratorFor<string>()
        from number in ArbMap.Default.GeneratorFor<long>()
        from kind in Gen.Choose(0, 6)
        from source in Gen.Elements("calcom", "calendly", "acuity", "zoom", "")
        from kindName in Gen.Elements("organizer", "eventType", "user", "calendar", "appointmentType", "")
        select (mapping, contentType, kind switch
        {
            0 => text,
            1 => System.Text.Json.JsonSerializer.Serialize(new { entries = new[] { new { key = $"{source}:{kindName}:{text}", therapistId = text } } }),
            2 => System.Text.Json.JsonSerializer.Serialize(new { entries = new[] { new { key = $"{source}:{kindName}:{number}", therapistId = "th_1" } } }),
            3 => System.Text.Json.JsonSerializer.Serialize(new { userId = text, apiKey = text + text }),
            4 => System.Text.Json.JsonSerializer.Serialize(new { userId = number.ToString(System.Globalization.CultureInfo.InvariantCulture), apiKey = $"key-{number}-0123456789" }),
            5 => $$"""{"entries":{{(text.Length % 2 == 0 ? "null" : "[[1]]")}},"userId":[{{number}}]}""",
            _ => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [text] = text }),
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Arbitrary_mapping_and_credential_bodies_get_a_documented_status_below_500_and_a_refused_one_changes_nothing(int seed)
    {
        var key = await CreateWithTherapistsAsync();
        foreach (var (mapping, contentType, body) in Probes.Sample(40, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 40))
        {
            var before = await StoredAsync();

            var answer = mapping ? await PutMappingAsync(Id, body, key, contentType ?? "") : await PutAcuityAsync(Id, body, key, contentType ?? "");

            Assert.True(Documented.Contains(answer.Status), $"{answer.Status} for {(mapping ? "mapping" : "acuity")} [{contentType}] {body}");
            if (answer.Status >= 400) Assert.Equal(before, await StoredAsync());
        }
    }
}
