using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Security;
using Reengage.Functions.Functions;

namespace Reengage.Functions.Tests.Admin;

/// <summary>POST practices/{id}/keys/rotate and POST practices/{id}/webhook-secrets/{source}/rotate (docs/admin-api.md).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CredentialRotationTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    private const string Id = "prac_rot";

    private CredentialAdminFunctions Functions => ActivatorUtilities.CreateInstance<CredentialAdminFunctions>(Services);

    private Task<Answer> RotateKeyAsync(string practiceId, string? key) =>
        RunAsync(Functions.RotatePracticeKey(Request("POST", key), practiceId, CancellationToken.None));

    private Task<Answer> RotateSecretAsync(string practiceId, string source, string? key, string? body = null, string contentType = "application/json") =>
        RunAsync(Functions.RotateWebhookSecret(Request("POST", key, body, contentType), practiceId, source, CancellationToken.None));

    private async Task<string> SecretsRowAsync() => System.Text.Json.JsonSerializer.Serialize((await Practices.GetSecretsAsync(Id))!.Value, TestJson.Options);

    [Fact]
    public async Task A_new_key_is_shown_once_and_the_old_one_works_for_seven_days_then_answers_401()
    {
        var old = await CreatePracticeAsync(Id);

        var rotated = await RotateKeyAsync(Id, old);

        Assert.Equal(200, rotated.Status);
        Assert.Equal("no-store", rotated.Header("Cache-Control"));
        var fresh = rotated.Json!["apiKey"]!.GetValue<string>();
        Assert.StartsWith("rk_", fresh, StringComparison.Ordinal);
        Assert.NotEqual(old, fresh);
        Assert.Equal("2027-02-08T08:00:00.000Z", rotated.Json!["previousKeysValidUntil"]!.GetValue<string>());
        Assert.Equal(["apiKey", "previousKeysValidUntil"], rotated.Json!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var stored = (await Practices.GetSecretsAsync(Id))!.Value;
        Assert.DoesNotContain(stored.ApiKeySet.Keys, k => k.Hash == fresh || k.Hash == old);
        Assert.Contains(stored.ApiKeySet.Keys, k => k.Hash == Sha256(fresh) && k.NotAfter is null);

        Assert.Equal(200, (await GetPracticeAsync(Id, old)).Status);
        Assert.Equal(200, (await GetPracticeAsync(Id, fresh)).Status);
        Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await GetPracticeAsync(Id, old)).Status);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(401, (await GetPracticeAsync(Id, old)).Status);
        Assert.Equal(200, (await GetPracticeAsync(Id, fresh)).Status);
    }

    [Fact]
    public async Task Wrong_other_and_missing_keys_and_unknown_practices_answer_the_same_401_and_rotate_nothing()
    {
        var key = await CreatePracticeAsync(Id);
        var other = await CreatePracticeAsync("prac_other");
        var before = await SecretsRowAsync();

        Answer[] answers =
        [
            await RotateKeyAsync(Id, null),
            await RotateKeyAsync(Id, "rk_wrong"),
            await RotateKeyAsync(Id, other),
            await RotateKeyAsync("prac_nobody", key),
            await RotateSecretAsync(Id, "generic", null),
            await RotateSecretAsync(Id, "generic", other),
            await RotateSecretAsync("prac_nobody", "calcom", key),
            // An unknown source is not revealed before the key is checked.
            await RotateSecretAsync("prac_nobody", "nosuch", key),
        ];

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(before, await SecretsRowAsync());
    }

    [Fact]
    public async Task A_webhook_secret_is_generated_or_taken_from_the_body_and_the_previous_one_is_accepted_for_seven_days()
    {
        var key = await CreatePracticeAsync(Id);
        var created = (await Practices.GetSecretsAsync(Id))!.Value.Webhooks[WebhookSource.Generic].Current;

        var generated = await RotateSecretAsync(Id, "generic", key);
        var given = await RotateSecretAsync(Id, "acuity", key, """{"secret":"acuity-issued-secret-0123"}""");

        Assert.Equal(200, generated.Status);
        Assert.Equal("no-store", generated.Header("Cache-Control"));
        Assert.Equal("generic", generated.Json!["source"]!.GetValue<string>());
        var secret = generated.Json!["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal("2027-02-08T08:00:00.000Z", generated.Json!["previousAcceptedUntil"]!.GetValue<string>());
        AssertJsonEqual("""{ "source": "acuity", "secret": "acuity-issued-secret-0123", "previousAcceptedUntil": null }""", given.Body);

        var stored = (await Practices.GetSecretsAsync(Id))!.Value;
        Assert.Equal([secret, created], WebhookSecrets.AcceptedSecrets(stored.Webhooks[WebhookSource.Generic], Clock.GetUtcNow()));
        Assert.Equal(["acuity-issued-secret-0123"], WebhookSecrets.AcceptedSecrets(stored.Webhooks[WebhookSource.Acuity], Clock.GetUtcNow()));
        Assert.Equal([secret], WebhookSecrets.AcceptedSecrets(stored.Webhooks[WebhookSource.Generic], Clock.GetUtcNow().AddDays(7)));
        // The practice's API key and other secrets are kept.
        Assert.Equal(200, (await GetPracticeAsync(Id, key)).Status);
        var practice = await GetPracticeAsync(Id, key);
        Assert.Equal("2027-02-01T08:00:00.000Z", practice.Json!["credentials"]!["webhooks"]!["generic"]!["rotatedAt"]!.GetValue<string>());
        Assert.DoesNotContain(secret, practice.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_body_or_source_is_refused_naming_what_is_wrong_and_changes_nothing()
    {
        var key = await CreatePracticeAsync(Id);
        var before = await SecretsRowAsync();

        var tooShort = await RotateSecretAsync(Id, "calcom", key, """{"secret":"short"}""");
        var tooLong = await RotateSecretAsync(Id, "calcom", key, $$"""{"secret":"{{new string('s', 513)}}"}""");
        var spaced = await RotateSecretAsync(Id, "calcom", key, """{"secret":"has a space in it 0123"}""");
        var control = await RotateSecretAsync(Id, "calcom", key, """{"secret":"control\u0007character-0123"}""");
        var number = await RotateSecretAsync(Id, "calcom", key, """{"secret":12345678901234567}""");
        var unknown = await RotateSecretAsync(Id, "calcom", key, """{"secret":"acuity-issued-secret-0123","current":"x"}""");
        var array = await RotateSecretAsync(Id, "calcom", key, "[]");
        var notJson = await RotateSecretAsync(Id, "calcom", key, "{", "application/json");
        var text = await RotateSecretAsync(Id, "calcom", key, """{"secret":"acuity-issued-secret-0123"}""", "text/plain");
        var large = await RotateSecretAsync(Id, "calcom", key, $$"""{"secret":"{{new string('s', 4100)}}"}""");
        var source = await RotateSecretAsync(Id, "zoom", key);
        var surrogate = await RotateSecretAsync(Id, "calcom", key, """{"secret":"\ud800-half-of-a-pair-0123"}""");

        Assert.All([tooShort, tooLong, spaced, control, number, unknown, array], a => Assert.Equal(400, a.Status));
        Assert.Equal("must be at least 16 characters", tooShort.MessageOf("secret"));
        Assert.Equal("must be at most 512 characters", tooLong.MessageOf("secret"));
        Assert.Equal("must not contain spaces or control characters", spaced.MessageOf("secret"));
        Assert.Equal(["secret"], control.Fields);
        Assert.Equal("must be a string", number.MessageOf("secret"));
        Assert.Equal(["current"], unknown.Fields);
        Assert.Equal(["(body)"], array.Fields);
        Assert.Equal(["(body)"], surrogate.Fields);
        Assert.Equal("application/problem+json", tooShort.Header("Content-Type"));
        Assert.Equal(400, notJson.Status);
        Assert.Equal(415, text.Status);
        Assert.Equal(413, large.Status);
        Assert.Equal(404, source.Status);
        Assert.Contains("generic, calcom, calendly, acuity", source.Json!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await SecretsRowAsync());
    }

    [Fact]
    public async Task Racing_rotations_lose_no_key_each_either_succeeds_and_its_key_works_or_answers_409()
    {
        var key = await CreatePracticeAsync(Id);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => RotateKeyAsync(Id, key))));

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { 200, 409 }));
        var won = answers.Where(a => a.Status == 200).ToArray();
        Assert.NotEmpty(won);
        foreach (var answer in won)
        {
            Assert.Equal(200, (await GetPracticeAsync(Id, answer.Json!["apiKey"]!.GetValue<string>())).Status);
        }
        Assert.Equal(200, (await GetPracticeAsync(Id, key)).Status);
    }

    private static readonly int[] Documented = [200, 400, 404, 413, 415];

    private static Gen<(string Source, string? ContentType, string? Body)> Probes =>
        from source in Gen.Elements("generic", "calcom", "calendly", "acuity", "Generic", "", "x")
        from contentType in Gen.Elements<string?>("application/json", "application/problem+json", "text/plain", null, "application/json; charset=utf-8")
        from text in ArbMap.Default.GeneratorFor<string>()
        from length in Gen.Elements(0, 15, 16, 512, 513, 5000)
        from kind in Gen.Choose(0, 6)
        select (source, contentType, kind switch
        {
            0 => (string?)null,
            1 => text,
            2 => System.Text.Json.JsonSerializer.Serialize(new { secret = text }),
            3 => System.Text.Json.JsonSerializer.Serialize(new { secret = new string('k', length) }),
            4 => $$"""{"secret":{{(text.Length % 2 == 0 ? "null" : "[1]")}}}""",
            5 => "   ",
            _ => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [text] = text }),
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Arbitrary_rotation_bodies_get_a_documented_status_below_500_and_a_refused_one_changes_nothing(int seed)
    {
        var key = await CreatePracticeAsync(Id);
        foreach (var (source, contentType, body) in Probes.Sample(40, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 40))
        {
            var before = await SecretsRowAsync();

            var answer = await RotateSecretAsync(Id, source, key, body, contentType ?? "");

            Assert.True(Documented.Contains(answer.Status), $"{answer.Status} for {source} [{contentType}] {body}");
            if (answer.Status >= 400) Assert.Equal(before, await SecretsRowAsync());
        }
    }
}
