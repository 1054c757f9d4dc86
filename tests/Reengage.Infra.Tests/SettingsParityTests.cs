using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;

namespace Reengage.Infra.Tests;

/// <summary>
/// SPEC §10: every setting the code reads has a safe local value in local.settings.sample.json and a value in the
/// compiled Bicep app settings, and neither holds anything else.
/// </summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class SettingsParityTests(CompiledInfra infra)
{
    /// <summary>Connection strings only exist locally: in Azure the identity-based settings stand in for them.</summary>
    private static readonly string[] LocalOnly = ["ReengageStorage", "ACS_CONNECTION_STRING"];

    /// <summary>What the Functions host (func start) needs locally besides the app's settings.</summary>
    private static readonly string[] LocalHostSettings = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

    /// <summary>
    /// What the Functions host and the worker's telemetry read in Azure besides ReengageSettings: identity-based host
    /// storage, and Application Insights (read by the host and by WorkerTelemetry.cs; absent locally, so nothing is exported).
    /// </summary>
    private static readonly string[] AzureHostSettings =
    [
        "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    private static JsonObject SampleValues() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfra.Root, "local.settings.sample.json")))!.AsObject().Obj("Values");

    private JsonObject AzureSettings() => (JsonObject)infra.Module("functionapp").Variable("appSettings");

    [Fact]
    public void The_local_sample_lists_every_setting_and_nothing_else()
    {
        var sample = SampleValues().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], ReengageSettings.Names.Concat(LocalHostSettings).Where(name => !sample.Contains(name)).ToArray());
        Assert.Equal([], sample.Except(ReengageSettings.Names).Except(LocalHostSettings).ToArray());
    }

    [Fact]
    public void The_local_sample_runs_the_isolated_worker_on_Azurite_and_passes_the_settings_validation()
    {
        var values = SampleValues();
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]!.GetValue<string>());
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]!.GetValue<string>());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(p => KeyValuePair.Create(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value?.GetValue<string>())))
            .Build();
        var settings = ReengageSettings.Load(configuration);
        Assert.Equal(new StorageConnection.ConnectionString("UseDevelopmentStorage=true"), settings.Storage);
        Assert.Equal(EmailTransportKind.Outbox, settings.EmailTransport);
        Assert.Equal(new Uri("http://localhost:7071"), settings.PublicBaseUrl);
    }

    [Fact]
    public void The_compiled_app_settings_are_every_setting_that_exists_in_Azure_and_nothing_else()
    {
        var azure = AzureSettings().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var expected = ReengageSettings.Names.Except(LocalOnly).Concat(AzureHostSettings).ToArray();
        Assert.Equal([], expected.Where(name => !azure.Contains(name)).ToArray());
        Assert.Equal([], azure.Except(expected).ToArray());
        Assert.Equal([], LocalOnly.Where(azure.Contains).ToArray());
        // Each local-only setting has its identity-based stand-in.
        Assert.Contains("ReengageStorage__tableServiceUri", azure);
        Assert.Contains("ACS_ENDPOINT", azure);
    }

    [Fact]
    public void Every_setting_the_code_reads_is_a_known_setting()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(CompiledInfra.Root, "functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(CompiledInfra.Root, f), File.ReadAllText);
        var read = new List<(string File, string Setting)>();
        foreach (var (file, text) in sources)
        {
            // %NAME% in trigger attributes and Connection = "NAME" are resolved by the host from the app settings.
            read.AddRange(PercentSetting().Matches(text).Select(m => (file, m.Groups[1].Value)));
            read.AddRange(ConnectionSetting().Matches(text).Select(m => (file, m.Groups[1].Value)));
            read.AddRange(ConfigurationRead().Matches(text).Select(m => (file, m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal))));
        }
        var settingsFile = Path.Combine("functions", "Reengage.Functions", "Settings", "ReengageSettings.cs");
        read.AddRange(SettingsRead().Matches(sources[settingsFile]).Select(m => (settingsFile, m.Groups[1].Value)));

        var known = ReengageSettings.Names.Concat(AzureHostSettings).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], read.Where(r => !known.Contains(r.Setting)).Select(r => $"{r.File}: {r.Setting}").Distinct().ToArray());
        // The scan itself finds what it should: a schedule, the queue connection, the worker's telemetry, a validated setting.
        Assert.Contains(read, r => r.Setting == "LAPSED_SCAN_SCHEDULE");
        Assert.Contains(read, r => r.Setting == "ReengageStorage");
        Assert.Contains(read, r => r.Setting == "APPLICATIONINSIGHTS_CONNECTION_STRING");
        Assert.Contains(read, r => r.Setting == "PLANNER_CONCURRENCY" && r.File == settingsFile);
    }

    [GeneratedRegex(@"""%([A-Za-z_][A-Za-z0-9_]*)%""")]
    private static partial Regex PercentSetting();

    [GeneratedRegex(@"\bConnection\s*=\s*""([^""]+)""")]
    private static partial Regex ConnectionSetting();

    [GeneratedRegex(@"Configuration\[""([^""]+)""\]")]
    private static partial Regex ConfigurationRead();

    [GeneratedRegex(@"\b(?:Get|PositiveInt|Url|Cron)\(""([A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial Regex SettingsRead();
}
