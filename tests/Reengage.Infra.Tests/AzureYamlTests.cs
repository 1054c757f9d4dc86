using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reengage.Infra.Tests;

/// <summary>azure.yaml against the azd schema kept in the repository (tests/fixtures/schemas), validated by JsonSchema.Net.</summary>
public sealed class AzureYamlTests
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    private static JsonObject Project() => YamlToJson(File.ReadAllText(Path.Combine(CompiledInfra.Root, "azure.yaml")));

    [Fact]
    public void Validates_against_the_azd_schema()
    {
        Assert.Equal([], Errors(Project()));
    }

    [Fact]
    public void Is_checked_by_a_validator_that_rejects_what_azd_rejects()
    {
        var withoutHost = Project();
        withoutHost.Obj("services").Obj("api").Remove("host");
        Assert.NotEqual([], Errors(withoutHost));

        var badShell = Project();
        badShell.Obj("hooks").Obj("postprovision").Obj("posix")["shell"] = "bash";
        Assert.NotEqual([], Errors(badShell));

        var badName = Project();
        badName["name"] = "Reengage App";
        Assert.NotEqual([], Errors(badName));
    }

    [Fact]
    public void Deploys_the_CSharp_app_project_as_the_function_service_api()
    {
        var api = Project().Obj("services").Obj("api");
        Assert.Equal("./functions/Reengage.FunctionApp", api.Str("project"));
        Assert.Equal("dotnet", api.Str("language"));
        Assert.Equal("function", api.Str("host"));
        var project = File.ReadAllText(Path.Combine(CompiledInfra.Root, "functions", "Reengage.FunctionApp", "Reengage.FunctionApp.csproj"));
        Assert.Contains("Microsoft.Azure.Functions.Worker.Sdk", project, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(CompiledInfra.Root, "functions", "Reengage.FunctionApp", "host.json")));
        Assert.Equal("bicep", Project().At("infra.provider"));
        Assert.Equal("infra", Project().At("infra.path"));
        Assert.Equal("main", Project().At("infra.module"));
    }

    [Fact]
    public void Runs_an_executable_postprovision_hook_on_each_OS_that_names_the_webhook_URL_form()
    {
        var hook = Project().Obj("hooks").Obj("postprovision");
        var sh = Path.Combine(CompiledInfra.Root, hook.Obj("posix").Str("run"));
        var pwsh = Path.Combine(CompiledInfra.Root, hook.Obj("windows").Str("run"));
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(sh) & UnixFileMode.UserExecute) != 0, $"{sh} is not executable");
        foreach (var script in new[] { sh, pwsh })
        {
            Assert.Contains("/api/webhooks/{source}/{practiceId}", File.ReadAllText(script), StringComparison.Ordinal);
        }
    }

    private static string[] Errors(JsonObject project)
    {
        using var document = JsonDocument.Parse(project.ToJsonString());
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
                .DefaultIfEmpty("invalid")
                .ToArray();
    }

    private static JsonSchema LoadSchema()
    {
        var text = File.ReadAllText(Path.Combine(CompiledInfra.Root, "tests", "fixtures", "schemas", "azure.yaml.schema.json"));
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // The schema refers to azd extensions' schemas by URL, only for AI hosts; offline they stand as empty schemas.
        foreach (var reference in ExternalReferences(JsonNode.Parse(text)!).Distinct(StringComparer.Ordinal))
        {
            JsonSchema.FromText($$"""{"$schema":"https://json-schema.org/draft/2019-09/schema","$id":"{{reference}}"}""", options);
        }
        return JsonSchema.FromText(text, options);
    }

    private static IEnumerable<string> ExternalReferences(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v && v.GetValue<string>().StartsWith("https:", StringComparison.Ordinal)
            ? [v.GetValue<string>().Split('#')[0]]
            : p.Value is null ? [] : ExternalReferences(p.Value)),
        JsonArray a => a.SelectMany(item => item is null ? [] : ExternalReferences(item)),
        _ => [],
    };

    /// <summary>YAML to JSON with the YAML 1.2 core schema: unquoted true/false/null/numbers are typed, the rest strings.</summary>
    internal static JsonObject YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (JsonObject)Convert(stream.Documents.Single().RootNode)!;

        static JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
            YamlScalarNode scalar => Scalar(scalar),
            _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
        };

        static JsonNode? Scalar(YamlScalarNode scalar)
        {
            var value = scalar.Value ?? "";
            if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(value);
            return value switch
            {
                "true" or "True" or "TRUE" => JsonValue.Create(true),
                "false" or "False" or "FALSE" => JsonValue.Create(false),
                "" or "~" or "null" or "Null" or "NULL" => null,
                _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
                _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) => JsonValue.Create(real),
                _ => JsonValue.Create(value),
            };
        }
    }
}
