using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;

namespace Reengage.Fuzz.Tests;

/// <summary>Sends requests and checks the properties every answer must have; collects the violations.</summary>
public sealed class Fuzzing(FuzzHostFixture host)
{
    /// <summary>Answer pages (docs/answers.md) refuse with an HTML page for the patient, not problem+json.</summary>
    private static readonly HashSet<string> AnswerFunctions = ["respond", "feedback", "unsubscribe"];

    /// <summary>Bodies larger than every limit (64 KB for admin bodies): the server may refuse them before reading them all.</summary>
    private const int EarlyRefusalBytes = 64 * 1024;

    public List<string> Violations { get; } = [];

    /// <summary>
    /// A fixed seed per property, so that a failure replays; the name keeps the properties apart. REENGAGE_FUZZ_SEED
    /// (a number) moves every property to other samples, for a longer hunt than the suite's.
    /// </summary>
    public static Rnd Seed(string name) => new((ulong)name.Aggregate(17L + SeedOffset, (h, c) => (h * 31) + c), 0x9e3779b97f4a7c15UL);

    private static readonly long SeedOffset =
        long.TryParse(Environment.GetEnvironmentVariable("REENGAGE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) ? offset : 0;

    /// <summary>How many times the suite's sample counts to run (REENGAGE_FUZZ_SCALE, 1 by default): the suite stays within 2 minutes.</summary>
    public static int Scale { get; } = int.TryParse(Environment.GetEnvironmentVariable("REENGAGE_FUZZ_SCALE"), out var scale) && scale > 0 ? scale : 1;

    public sealed record Answer(HttpStatusCode Status, string? MediaType, byte[] Body, IReadOnlyList<string> Invoked);

    /// <summary>
    /// Sends <paramref name="request"/> and checks: no 5xx, no function threw, no exception logged; a 4xx from a function is
    /// problem+json (an HTML page for the answer routes) naming the problem; after a 4xx every table, queue and the outbox
    /// are as before. <paramref name="expectedField"/>, when given, must be named in the answer's <c>errors</c>.
    /// </summary>
    public async Task<Answer> SendAsync(FuzzRequest request, string? expectedField = null, params int[] expectedStatuses)
    {
        ArgumentNullException.ThrowIfNull(request);
        var before = await host.Snapshots.TakeAsync();
        host.Drain();
        using var message = request.ToMessage();
        foreach (var (name, value) in request.Headers.Where(h => h.Key == "x-reengage-key"))
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value switch { "@A" => host.A.Key, "@B" => host.B.Key, _ => value });
        }
        HttpResponseMessage? response;
        try
        {
            response = await host.Client.SendAsync(message);
        }
        catch (HttpRequestException e) when (request.Body is { Length: > EarlyRefusalBytes } && e.InnerException is IOException)
        {
            // The server answered (a 401, a 413) and closed the connection before the client had sent the whole body:
            // the client never sees the answer. Everything but the answer's form is still checked.
            response = null;
        }
        using var disposal = response;
        var body = response is null ? [] : await response.Content.ReadAsByteArrayAsync();
        var (invocations, exceptions) = host.Drain();
        var status = response is null ? 499 : (int)response.StatusCode;
        var answer = new Answer((HttpStatusCode)status, response?.Content.Headers.ContentType?.MediaType, body, [.. invocations.Select(i => i.FunctionName)]);
        var what = $"{request} -> {(response is null ? "connection closed while sending the body" : status)} {answer.MediaType} {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}";

        if (status >= 500) Violations.Add($"5xx: {what}");
        foreach (var failed in invocations.Where(i => i.Error is not null)) Violations.Add($"{failed.FunctionName} threw {failed.Error}: {what}");
        foreach (var exception in exceptions) Violations.Add($"exception logged: {exception[..Math.Min(exception.Length, 1500)]}: {what}");
        if (expectedStatuses.Length > 0 && !expectedStatuses.Contains(status)) Violations.Add($"expected {string.Join("/", expectedStatuses)}: {what}");

        if (status is >= 400 and < 500)
        {
            if (invocations.Count > 0 && request.Method != "HEAD" && response is not null) CheckRefusal(answer, invocations[0].FunctionName, expectedField, what);
            var after = await host.Snapshots.TakeAsync();
            var changed = before.Differences(after);
            if (changed.Count > 0) Violations.Add($"refused but changed {string.Join("; ", changed)}: {what}");
        }
        return answer;
    }

    private void CheckRefusal(Answer answer, string function, string? expectedField, string what)
    {
        if (AnswerFunctions.Contains(function) && answer.MediaType == "text/html")
        {
            if (answer.Body.Length == 0) Violations.Add($"empty refusal page: {what}");
            return;
        }
        if (answer.MediaType != "application/problem+json")
        {
            Violations.Add($"4xx not problem+json: {what}");
            return;
        }
        try
        {
            using var problem = JsonDocument.Parse(answer.Body);
            var root = problem.RootElement;
            if (!root.TryGetProperty("status", out var s) || s.GetInt32() != (int)answer.Status) Violations.Add($"problem status differs: {what}");
            if (!root.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString())) Violations.Add($"problem without title: {what}");
            if (!root.TryGetProperty("detail", out var detail) || string.IsNullOrWhiteSpace(detail.GetString())) Violations.Add($"problem without detail: {what}");
            // A field may be named "" (an unknown property with an empty name), but each error names one and says what is wrong.
            var errors = root.TryGetProperty("errors", out var list) ? list.EnumerateArray().ToList() : [];
            var fields = errors.Select(e => e.GetProperty("field").GetString()).OfType<string>().ToList();
            if (list.ValueKind != JsonValueKind.Undefined && (errors.Count == 0 || fields.Count != errors.Count || errors.Any(e => string.IsNullOrWhiteSpace(e.GetProperty("message").GetString()))))
            {
                Violations.Add($"errors without a field or a message: {what}");
            }
            if (expectedField is not null && !fields.Any(f => f == expectedField || f.StartsWith(expectedField + ".", StringComparison.Ordinal)))
            {
                Violations.Add($"errors do not name {expectedField}: {what}");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            Violations.Add($"problem+json that is not one ({e.Message}): {what}");
        }
    }

    /// <summary>Fails with the first violations, if any.</summary>
    public void AssertNone(int requests)
    {
        Assert.True(Violations.Count == 0, $"{Violations.Count} violations in {requests} requests:\n" + string.Join("\n\n", Violations.Take(8)));
    }

    public static MediaTypeHeaderValue JsonType { get; } = new("application/json");
}
