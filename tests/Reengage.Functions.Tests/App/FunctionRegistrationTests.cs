using System.Text.Json;
using Reengage.Testing;

namespace Reengage.Functions.Tests.App;

/// <summary>
/// What the real Functions host reads: the <c>functions.metadata</c> that the Worker SDK generates when the app project
/// builds (the test command builds it first). Every function's trigger, route, methods, auth level, queue, connection and
/// schedule setting are part of the contract (SPEC §4): a change to any of them must show up here.
/// </summary>
public sealed class FunctionRegistrationTests
{
    private sealed record Expected(string Trigger, string? Route = null, string[]? Methods = null, string? AuthLevel = null, string? Schedule = null, string? Queue = null, string? Connection = null);

    private static readonly Dictionary<string, Expected> Contract = new()
    {
        ["bookingWebhook"] = new("httpTrigger", "webhooks/{source}/{practiceId}", ["post"], "Anonymous"),
        ["planLapsedOutreach"] = new("timerTrigger", Schedule: "%LAPSED_SCAN_SCHEDULE%"),
        ["planMilestoneOutreach"] = new("timerTrigger", Schedule: "%MILESTONE_SCAN_SCHEDULE%"),
        ["planSeasonalOutreach"] = new("timerTrigger", Schedule: "%SEASONAL_SCAN_SCHEDULE%"),
        ["sendOutreach"] = new("queueTrigger", Queue: "outreach-send", Connection: "ReengageStorage"),
        ["processEmailEvents"] = new("queueTrigger", Queue: "email-events", Connection: "ReengageStorage"),
        ["putPractice"] = new("httpTrigger", "practices/{practiceId}", ["put"], "Function"),
        ["getPractice"] = new("httpTrigger", "practices/{practiceId}", ["get"], "Function"),
        ["putTherapist"] = new("httpTrigger", "practices/{practiceId}/therapists/{therapistId}", ["put"], "Function"),
        ["listTherapists"] = new("httpTrigger", "practices/{practiceId}/therapists", ["get"], "Function"),
        // HEAD as well as the TypeScript's GET and POST: a mail scanner's HEAD of a book link is recorded as a scanner visit.
        ["respond"] = new("httpTrigger", "r/{token}", ["get", "head", "post"], "Anonymous"),
        ["feedback"] = new("httpTrigger", "feedback/{token}", ["post"], "Anonymous"),
        ["unsubscribe"] = new("httpTrigger", "unsubscribe/{token}", ["get", "head", "post"], "Anonymous"),
        ["exportPatient"] = new("httpTrigger", "practices/{practiceId}/patients/{patientId}/export", ["get"], "Function"),
        ["erasePatient"] = new("httpTrigger", "practices/{practiceId}/patients/{patientId}", ["delete"], "Function"),
        ["importPatients"] = new("httpTrigger", "practices/{practiceId}/patients/import", ["post"], "Function"),
        ["sweepRetention"] = new("timerTrigger", Schedule: "%RETENTION_SWEEP_SCHEDULE%"),
        ["practiceReport"] = new("httpTrigger", "practices/{practiceId}/report", ["get"], "Function"),
        ["rotatePracticeKey"] = new("httpTrigger", "practices/{practiceId}/keys/rotate", ["post"], "Function"),
        ["rotateWebhookSecret"] = new("httpTrigger", "practices/{practiceId}/webhook-secrets/{source}/rotate", ["post"], "Function"),
        ["getTherapistMapping"] = new("httpTrigger", "practices/{practiceId}/therapist-mapping", ["get"], "Function"),
        ["putTherapistMapping"] = new("httpTrigger", "practices/{practiceId}/therapist-mapping", ["put"], "Function"),
        ["putAcuityCredentials"] = new("httpTrigger", "practices/{practiceId}/integrations/acuity", ["put"], "Function"),
        ["getIntegrations"] = new("httpTrigger", "practices/{practiceId}/integrations", ["get"], "Function"),
        ["putTemplateOverride"] = new("httpTrigger", "practices/{practiceId}/templates/{templateId}/{locale}", ["put"], "Function"),
        ["getTemplate"] = new("httpTrigger", "practices/{practiceId}/templates/{templateId}/{locale}", ["get"], "Function"),
        ["deleteTemplateOverride"] = new("httpTrigger", "practices/{practiceId}/templates/{templateId}/{locale}", ["delete"], "Function"),
        ["previewTemplate"] = new("httpTrigger", "practices/{practiceId}/templates/{templateId}/{locale}/preview", ["post"], "Function"),
        ["upcomingSends"] = new("httpTrigger", "practices/{practiceId}/upcoming", ["get"], "Function"),
        ["openApiDocument"] = new("httpTrigger", "openapi.json", ["get"], "Anonymous"),
    };

    private static JsonElement[] Metadata()
    {
        var bin = Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "bin");
        var file = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        Assert.True(file is not null, $"No functions.metadata under {bin}: build functions/Reengage.FunctionApp first (the test command does).");
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void The_app_registers_exactly_the_functions_of_the_contract()
    {
        var names = Metadata().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Contract.Keys.Order(StringComparer.Ordinal).ToArray(), names);
    }

    [Fact]
    public void Each_function_has_its_trigger_route_methods_auth_level_queue_connection_and_schedule()
    {
        foreach (var function in Metadata())
        {
            var name = function.GetProperty("name").GetString()!;
            if (!Contract.TryGetValue(name, out var expected)) continue; // the other test names it
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal(expected.Trigger, trigger.GetProperty("type").GetString());
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            Assert.Equal(expected.Route, Optional(trigger, "route"));
            Assert.Equal(expected.AuthLevel, Optional(trigger, "authLevel"));
            Assert.Equal(expected.Schedule, Optional(trigger, "schedule"));
            Assert.Equal(expected.Queue, Optional(trigger, "queueName"));
            Assert.Equal(expected.Connection, Optional(trigger, "connection"));
            var methods = trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToLowerInvariant()).Order(StringComparer.Ordinal).ToArray() : null;
            Assert.Equal(expected.Methods, methods);
        }
    }

    private static string? Optional(JsonElement binding, string property) =>
        binding.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
