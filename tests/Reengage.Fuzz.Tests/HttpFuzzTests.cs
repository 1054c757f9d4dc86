using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Reengage.LocalHost;

namespace Reengage.Fuzz.Tests;

/// <summary>
/// Every HTTP function of the app, found by reflection (so functions added later are fuzzed too), through the local
/// host over real HTTP: arbitrary methods, route values, headers, query strings and bodies never get a 5xx or make a
/// function throw, a refusal is problem+json naming the problem, and a refused request changes nothing.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class HttpFuzzTests(FuzzHostFixture host)
{
    /// <summary>Requests per function: enough to reach every branch of the generators, bounded for a 2-minute suite.</summary>
    private const int RequestsPerFunction = 30;

    public static TheoryData<string> Functions => [.. HttpFunction.All.Select(f => f.Name)];

    [Fact]
    public void The_fuzzed_functions_are_exactly_the_HTTP_functions_the_host_serves()
    {
        Assert.NotEmpty(HttpFunction.All);
        Assert.Equal(
            host.Host.Functions.Where(f => f.Trigger == TriggerKind.Http).Select(f => f.Name).Order(StringComparer.Ordinal),
            HttpFunction.All.Select(f => f.Name));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task Arbitrary_requests_get_no_5xx_a_refusal_names_the_problem_and_changes_nothing(string name)
    {
        var function = HttpFunction.All.Single(f => f.Name == name);
        var fuzzing = new Fuzzing(host);
        var requests = Generators.Requests(function, host, NearValid.AnyJson).Sample(30, Fuzzing.Seed(name), RequestsPerFunction * Fuzzing.Scale);
        var reached = 0;

        foreach (var request in requests)
        {
            var answer = await fuzzing.SendAsync(request);
            if (answer.Invoked.Contains(name)) reached++;
            if (answer.Status == HttpStatusCode.OK && name == "rotatePracticeKey") TakeRotatedKey(request, answer);
        }

        fuzzing.AssertNone(requests.Length);
        // Not every request may get past routing, but most must reach the function or the fuzz tests nothing.
        Assert.True(reached >= requests.Length / 3, $"only {reached} of {requests.Length} requests reached {name}");
    }

    private void TakeRotatedKey(FuzzRequest request, Fuzzing.Answer answer)
    {
        var practice = request.Path.Contains(host.A.Id, StringComparison.Ordinal) ? host.A : host.B;
        practice.Key = JsonNode.Parse(answer.Body)!["apiKey"]!.GetValue<string>();
    }

    public static TheoryData<string> Targets => ["practice creation", "practice update", "therapist", "therapist mapping", "Acuity credentials", "template override", "preview", "webhook secret"];

    /// <summary>Admin bodies valid but for one field (docs/admin-api.md): 400 naming that field, nothing changed.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_body_wrong_in_one_field_is_a_400_naming_that_field_and_changes_nothing(string target)
    {
        var fuzzing = new Fuzzing(host);
        var (method, path, _, broken) = await TargetAsync(target);
        var bodies = broken.Sample(10, Fuzzing.Seed(target), 25 * Fuzzing.Scale);

        foreach (var body in bodies)
        {
            var request = new FuzzRequest(method, path, [KeyValuePair.Create("x-reengage-key", "@A")], "application/json", Encoding.UTF8.GetBytes(body.Json));
            await fuzzing.SendAsync(request, body.Field, 400);
        }

        fuzzing.AssertNone(bodies.Length);
    }

    /// <summary>The bodies the targeted generators break are valid as they are: the one broken field is the only fault.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_body_each_targeted_generator_breaks_is_accepted_unbroken(string target)
    {
        var (method, path, valid, _) = await TargetAsync(target);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = FuzzHostFixture.Json(valid.ToJsonString()) };
        request.Headers.Add("x-reengage-key", host.A.Key);

        using var response = await host.Client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"{target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task The_snapshot_sees_what_an_accepted_request_changes()
    {
        var before = await host.Snapshots.TakeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/practices/{host.A.Id}/therapists/th_snapshot") { Content = FuzzHostFixture.Json("""{"displayName":"Paul","email":"paul@cabinet.example"}""") };
        request.Headers.Add("x-reengage-key", host.A.Key);

        using var response = await host.Client.SendAsync(request);
        var after = await host.Snapshots.TakeAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(before.Differences(after), d => d.Contains("th_snapshot", StringComparison.Ordinal));
        Assert.Empty(after.Differences(await host.Snapshots.TakeAsync()));
    }

    private async Task<(string Method, string Path, JsonObject Valid, Gen<BrokenBody> Broken)> TargetAsync(string target)
    {
        var a = host.A.Id;
        var therapist = new JsonObject { ["displayName"] = "Léa", ["email"] = "lea@cabinet.example" };
        var mapping = new JsonObject { ["entries"] = new JsonArray(new JsonObject { ["key"] = "calcom:eventType:1204", ["therapistId"] = FuzzHostFixture.TherapistId }) };
        var acuity = new JsonObject { ["userId"] = "11145481", ["apiKey"] = "acuity-key-0123456789abcdef" };
        var secret = new JsonObject { ["secret"] = "whsec_0123456789abcdef" };
        return target switch
        {
            "practice creation" => ("PUT", $"/api/practices/fuzz_new_{Guid.NewGuid():N}"[..40], NearValid.PracticeCreation, NearValid.Breaking(NearValid.PracticeCreation, NearValid.SettingsBreaks)),
            "practice update" => ("PUT", $"/api/practices/{a}", NearValid.PracticeUpdate, NearValid.Breaking(NearValid.PracticeUpdate, NearValid.SettingsBreaks)),
            "therapist" => ("PUT", $"/api/practices/{a}/therapists/th_fuzz", therapist, NearValid.Breaking(therapist, NearValid.TherapistBreaks)),
            "therapist mapping" => ("PUT", $"/api/practices/{a}/therapist-mapping", mapping, NearValid.Breaking(mapping, NearValid.MappingBreaks)),
            "Acuity credentials" => ("PUT", $"/api/practices/{a}/integrations/acuity", acuity, NearValid.Breaking(acuity, NearValid.AcuityBreaks)),
            "template override" => ("PUT", $"/api/practices/{a}/templates/check-in/fr", await LibraryTemplateAsync(), NearValid.Breaking(await LibraryTemplateAsync(), NearValid.TemplateBreaks)),
            "preview" => ("POST", $"/api/practices/{a}/templates/check-in/fr/preview", new JsonObject { ["sources"] = await LibraryTemplateAsync() }, NearValid.Preview(await LibraryTemplateAsync())),
            "webhook secret" => ("POST", $"/api/practices/{a}/webhook-secrets/calcom/rotate", secret, NearValid.Breaking(secret, NearValid.SecretBreaks)),
            _ => throw new ArgumentOutOfRangeException(nameof(target)),
        };
    }

    /// <summary>The library's check-in/fr sources: a valid override to break one part of.</summary>
    private async Task<JsonObject> LibraryTemplateAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/practices/{host.A.Id}/templates/check-in/fr");
        request.Headers.Add("x-reengage-key", host.A.Key);
        using var response = await host.Client.SendAsync(request);
        var template = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return new JsonObject { ["subject"] = template["subject"]!.GetValue<string>(), ["html"] = template["html"]!.GetValue<string>(), ["text"] = template["text"]!.GetValue<string>() };
    }
}
