using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Ports;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Privacy;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Tests.Admin;

/// <summary>An answer as the caller sees it: status, headers and body.</summary>
public sealed record Answer(int Status, IHeaderDictionary Headers, string Body)
{
    public JsonNode? Json => JsonNode.Parse(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    public IReadOnlyList<string> Fields => [.. Json!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>())];

    public string? MessageOf(string field) =>
        Json!["errors"]!.AsArray().FirstOrDefault(e => e!["field"]!.GetValue<string>() == field)?["message"]?.GetValue<string>();
}

/// <summary>
/// The admin functions with the app's own storage registration on the shared Azurite (tables of their own per test
/// class), a fake clock, and requests built as the host builds them.
/// </summary>
public abstract class AdminTestBase(AzuriteFixture fixture, DateTimeOffset? start = null) : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(start ?? new DateTimeOffset(2027, 2, 1, 8, 0, 0, TimeSpan.Zero));
    protected ServiceProvider Services { get; private set; } = null!;
    protected IPracticeStore Practices => Services.GetRequiredService<IPracticeStore>();
    protected PracticeAdminFunctions PracticeFunctions => Services.GetRequiredService<PracticeAdminFunctions>();
    protected PatientAdminFunctions PatientFunctions => Services.GetRequiredService<PatientAdminFunctions>();

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ReengageStorage"] = fixture.ConnectionString })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddReengageStorage(configuration, StorageNames.WithAffix(prefix: AzuriteFixture.UniqueName("adm")));
        services.AddAdministration();
        services.AddPrivacy();
        services.AddSingleton<PracticeAdminFunctions>();
        services.AddSingleton<PatientAdminFunctions>();
        Services = services.BuildServiceProvider();
        await Services.GetRequiredService<ReengageStorageClients>().EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await Services.GetRequiredService<ReengageStorageClients>().DeleteAllAsync();
        await Services.DisposeAsync();
    }

    protected static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    protected static string Json(object body) => JsonSerializer.Serialize(body, body.GetType(), TestJson.Options);

    protected internal static HttpRequest Request(string method, string? key, string? body = null, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        if (key is not null) request.Headers[PracticeKeyAuthorizer.HeaderName] = key;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.ContentType = contentType;
            request.ContentLength = bytes.Length;
            request.Body = new MemoryStream(bytes);
        }
        return request;
    }

    protected internal static async Task<Answer> RunAsync(Task<IActionResult> action)
    {
        var result = await action;
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return new Answer(context.Response.StatusCode, context.Response.Headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    protected Task<Answer> PutPracticeAsync(string practiceId, string? body, string? key = null, string contentType = "application/json") =>
        RunAsync(PracticeFunctions.PutPractice(Request("PUT", key, body, contentType), practiceId, CancellationToken.None));

    protected Task<Answer> GetPracticeAsync(string practiceId, string? key) =>
        RunAsync(PracticeFunctions.GetPractice(Request("GET", key), practiceId, CancellationToken.None));

    protected Task<Answer> PutTherapistAsync(string practiceId, string therapistId, string body, string? key) =>
        RunAsync(PracticeFunctions.PutTherapist(Request("PUT", key, body), practiceId, therapistId, CancellationToken.None));

    protected Task<Answer> ListTherapistsAsync(string practiceId, string? key) =>
        RunAsync(PracticeFunctions.ListTherapists(Request("GET", key), practiceId, CancellationToken.None));

    protected Task<Answer> EraseAsync(string practiceId, string patientId, string? key) =>
        RunAsync(PatientFunctions.ErasePatient(Request("DELETE", key), practiceId, patientId, CancellationToken.None));

    protected Task<Answer> ExportAsync(string practiceId, string patientId, string? key) =>
        RunAsync(PatientFunctions.ExportPatient(Request("GET", key), practiceId, patientId, CancellationToken.None));

    protected static string Essentials(string name) =>
        $$"""{"name":"{{name}}","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""";

    /// <summary>Creates a practice through the bootstrap PUT and returns its API key.</summary>
    protected async Task<string> CreatePracticeAsync(string practiceId)
    {
        var answer = await PutPracticeAsync(practiceId, Essentials($"Cabinet {practiceId}"));
        Assert.Equal(201, answer.Status);
        return answer.Json!["apiKey"]!.GetValue<string>();
    }

    protected static void AssertJsonEqual(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"expected:\n{e?.ToJsonString()}\nactual:\n{a?.ToJsonString()}");
    }
}

internal static class TestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
