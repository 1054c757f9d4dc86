using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Reengage.Functions.Functions;
using Reengage.Functions.OpenApi;
using Reengage.Testing;

namespace Reengage.Functions.Tests.OpenApi;

/// <summary>
/// The served document, read back as a client reads it: valid OpenAPI 3.1 (Microsoft.OpenApi's reader and validator, and
/// the official OAS 3.1 JSON Schema kept in tests/fixtures/schemas), and in step with the functions' own attributes.
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    internal static readonly Lazy<ReadResult> Read = new(() => OpenApiDocument.Parse(ReengageOpenApi.Json, "json"));

    private static OpenApiDocument Document => Read.Value.Document!;

    /// <summary>The HTTP functions as the test reads them from the attributes (not through the code under test).</summary>
    private static readonly (string Name, string Route, string[] Methods, AuthorizationLevel Auth)[] Functions =
    [
        .. from method in typeof(OpenApiFunctions).Assembly.GetTypes().SelectMany(t => t.GetMethods())
           let function = method.GetCustomAttribute<FunctionAttribute>()
           let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)
           where function is not null && trigger is not null
           select (function.Name, "/" + trigger.Route, trigger.Methods!.Select(m => m.ToLowerInvariant()).Order(StringComparer.Ordinal).ToArray(), trigger.AuthLevel),
    ];

    [Fact]
    public void It_reads_back_as_OpenAPI_3_1_without_a_diagnostic_error_and_validates_without_an_error()
    {
        var diagnostic = Read.Value.Diagnostic!;
        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(Document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.StartsWith("3.1.", JsonNode.Parse(ReengageOpenApi.Json)!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void It_is_valid_against_the_official_OpenAPI_3_1_schema()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", "schemas", "openapi-3.1.schema.json"));
        // JsonSchema.Net 8.0.5 fails (KeyNotFoundException '^~1') on a patternProperties key holding '/': the paths'
        // "^/" is read as the same regex written without a slash.
        text = text.Replace("\"^/\"", "\"^\\\\x2F\"", StringComparison.Ordinal);
        var schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var document = JsonDocument.Parse(ReengageOpenApi.Json);
        var results = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(results.IsValid, string.Join("\n", errors.Take(20)));

        // The schema does see a broken document (it is not a schema that accepts anything).
        var broken = JsonNode.Parse(ReengageOpenApi.Json)!;
        broken["paths"]!["/openapi.json"]!["get"]!["responses"] = "none";
        using var brokenDocument = JsonDocument.Parse(broken.ToJsonString());
        Assert.False(schema.Evaluate(brokenDocument.RootElement).IsValid);
    }

    [Fact]
    public void Every_HTTP_function_appears_with_exactly_its_route_and_methods_and_nothing_else_does()
    {
        Assert.Contains(Functions, f => f.Name == "openApiDocument" && f.Route == "/openapi.json");
        Assert.True(Functions.Length >= 22, $"only {Functions.Length} HTTP functions found");
        var registered = Functions.GroupBy(f => f.Route).ToDictionary(g => g.Key, g => g.SelectMany(f => f.Methods).Order(StringComparer.Ordinal).ToArray());
        var documented = Document.Paths.ToDictionary(
            p => p.Key,
            p => p.Value.Operations!.Keys.Select(m => m.Method.ToLowerInvariant()).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(registered.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (route, methods) in registered) Assert.Equal(methods, documented[route]);
        foreach (var function in Functions)
        {
            foreach (var method in function.Methods)
            {
                var operation = Operation(function.Route, method);
                Assert.Equal(function.Name, ((JsonNodeExtension)operation.Extensions!["x-function-name"]).Node.GetValue<string>());
            }
        }
    }

    [Fact]
    public void Each_operation_states_its_authorization_and_unique_id_and_is_described()
    {
        var ids = new List<string>();
        foreach (var function in Functions)
        {
            foreach (var method in function.Methods)
            {
                var operation = Operation(function.Route, method);
                ids.Add(operation.OperationId!);
                Assert.NotEqual("Other", Assert.Single(operation.Tags!).Name);
                if (function.Auth == AuthorizationLevel.Anonymous)
                {
                    Assert.Empty(operation.Security!);
                    continue;
                }
                Assert.Equal(AuthorizationLevel.Function, function.Auth);
                Assert.NotEmpty(operation.Security!);
                foreach (var requirement in operation.Security!)
                {
                    Assert.Contains(requirement.Keys, scheme => scheme.Reference.Id is "functionKey" or "functionKeyQuery");
                }
                Assert.True(operation.Responses!.ContainsKey("401"), $"{method} {function.Route} has no 401");
            }
        }
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var schemes = Document.Components!.SecuritySchemes!;
        Assert.Equal(("x-functions-key", ParameterLocation.Header), (schemes["functionKey"].Name, schemes["functionKey"].In!.Value));
        Assert.Equal(("code", ParameterLocation.Query), (schemes["functionKeyQuery"].Name, schemes["functionKeyQuery"].In!.Value));
        Assert.Equal(("x-reengage-key", ParameterLocation.Header), (schemes["practiceKey"].Name, schemes["practiceKey"].In!.Value));
    }

    [Fact]
    public void Every_route_variable_is_a_required_path_parameter_and_no_other_is()
    {
        foreach (var (path, item) in Document.Paths)
        {
            var variables = RouteVariable().Matches(path).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
            foreach (var (method, operation) in item.Operations!)
            {
                var declared = (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Path).ToArray();
                Assert.Equal(variables, declared.Select(p => p.Name!).Order(StringComparer.Ordinal));
                Assert.All(declared, p => Assert.True(p.Required, $"{method} {path} {p.Name}"));
            }
        }
    }

    [Fact]
    public void The_webhook_documents_the_four_signature_headers_and_the_booking_event_types()
    {
        var webhook = Operation("/webhooks/{source}/{practiceId}", "post");
        Assert.Equal(
            ["Reengage-Signature", "X-Cal-Signature-256", "Calendly-Webhook-Signature", "X-Acuity-Signature"],
            webhook.Parameters!.Where(p => p.In == ParameterLocation.Header).Select(p => p.Name!));
        Assert.Equal(["application/json", "application/x-www-form-urlencoded"], webhook.RequestBody!.Content!.Keys.Order(StringComparer.Ordinal));
        var types = Document.Components!.Schemas!["BookingEvent"].Properties!["type"].Enum!.Select(n => n.GetValue<string>());
        Assert.Equal(
            ["appointment.booked", "appointment.rescheduled", "appointment.cancelled", "appointment.completed", "appointment.no_show", "patient.upserted", "patient.deleted"],
            types);
        Assert.Equal(["200", "202", "400", "401", "404", "413", "415", "502", "503"], webhook.Responses!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Problems_are_documented_with_the_shape_Problems_writes()
    {
        var problem = Document.Components!.Schemas!["Problem"];
        Assert.Equal(["detail", "status", "title", "type"], problem.Required!.Order(StringComparer.Ordinal));
        Assert.Equal(["detail", "errors", "status", "title", "type"], problem.Properties!.Keys.Order(StringComparer.Ordinal));
        var fieldProblem = problem.Properties!["errors"].Items!;
        Assert.Equal(["field", "message"], fieldProblem.Properties!.Keys.Order(StringComparer.Ordinal));
        var badRequest = Document.Components.Responses!["BadRequest"];
        Assert.Equal(["application/problem+json"], badRequest.Content!.Keys);
    }

    [Fact]
    public void Answers_are_documented_from_the_serializer_contract()
    {
        var practice = Document.Components!.Schemas!["Practice"];
        Assert.Contains("sendWindow", practice.Required!);
        Assert.Equal(JsonSchemaType.String | JsonSchemaType.Null, practice.Properties!["defaultTherapistId"].Type);
        Assert.Equal("date-time", Document.Components.Schemas["ApiKeyRotation"].Properties!["previousKeysValidUntil"].Format);
        var webhookAnswer = Document.Components.Schemas["WebhookAnswer"];
        // Written only when set (JsonIgnore WhenWritingNull): not required.
        Assert.Null(webhookAnswer.Required);
        Assert.Equal(["accepted", "duplicate", "id", "ignored"], webhookAnswer.Properties!.Keys.Order(StringComparer.Ordinal));
        var upcoming = Document.Components.Schemas["UpcomingReport"];
        Assert.Equal(["days", "generatedAt", "items", "practiceId", "timeZone", "totals", "until"], upcoming.Properties!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("date-time", upcoming.Properties["until"].Format);
        Assert.Equal(JsonSchemaType.String | JsonSchemaType.Null, upcoming.Properties["items"].Items!.Properties!["dueDate"].Type);
    }

    [Fact]
    public void Every_described_function_is_a_function_of_the_app()
    {
        var names = Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(ReengageOpenApi.Described, n => !names.Contains(n));
    }

    private static OpenApiOperation Operation(string path, string method)
    {
        Assert.True(Document.Paths.TryGetValue(path, out var item), $"{path} is not documented");
        return item.Operations![new HttpMethod(method.ToUpperInvariant())];
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex RouteVariable();
}
