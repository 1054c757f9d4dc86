using System.Net;

namespace Reengage.LocalHost.Tests;

public sealed class SettingsTests
{
    private const string Namespace = "Reengage.LocalHost.Tests.Functions.Settings";

    private static string LocalSettings(params (string Name, string Value)[] values) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = values.ToDictionary(v => v.Name, v => v.Value),
        });

    [Fact]
    public async Task Values_of_local_settings_json_are_settings_and_resolve_percent_references()
    {
        await using var app = await TestApp.StartAsync(Namespace, localSettingsJson: LocalSettings(
            ("SETTINGS_SCHEDULE", "0 30 5 * * *"),
            ("FROM_FILE", "file value"),
            ("Section__Key", "nested value")));

        Assert.Equal("file value", await app.Client.GetStringAsync("/api/setting/FROM_FILE"));
        Assert.Equal("nested value", await app.Client.GetStringAsync("/api/setting/Section:Key"));
        Assert.Equal("0 30 5 * * *", Assert.Single(app.Host.Functions, f => f.Name == "scheduled").Schedule);
    }

    [Fact]
    public async Task The_environment_wins_over_local_settings_json()
    {
        var name = "LOCALHOST_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "environment value");
        try
        {
            await using var app = await TestApp.StartAsync(Namespace, localSettingsJson: LocalSettings(
                ("SETTINGS_SCHEDULE", "0 30 5 * * *"),
                (name, "file value")));

            Assert.Equal("environment value", await app.Client.GetStringAsync($"/api/setting/{name}"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task The_in_process_callers_settings_win_over_the_environment()
    {
        var name = "LOCALHOST_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "environment value");
        try
        {
            await using var app = await TestApp.StartAsync(Namespace, new Dictionary<string, string?>
            {
                ["SETTINGS_SCHEDULE"] = "0 30 5 * * *",
                [name] = "caller value",
            });

            Assert.Equal("caller value", await app.Client.GetStringAsync($"/api/setting/{name}"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task A_missing_setting_is_simply_absent()
    {
        await using var app = await TestApp.StartAsync(Namespace, new Dictionary<string, string?> { ["SETTINGS_SCHEDULE"] = "0 30 5 * * *" });

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/setting/NOT_SET_ANYWHERE")).StatusCode);
    }
}

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Functions_the_host_cannot_bind_fail_the_start_with_every_problem_named()
    {
        var directory = TestApp.AppDirectory(null, null);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                LocalFunctionsHost.StartAsync(TestApp.Options("Reengage.LocalHost.Tests.Functions.Invalid", directory)));

            Assert.Contains("wantsContext", error.Message);
            Assert.Contains("FunctionContext", error.Message);
            Assert.Contains("wantsUnknown", error.Message);
            Assert.Contains("'notInRoute'", error.Message);
            Assert.Contains("returnsText", error.Message);
            Assert.Contains("IActionResult or IResult", error.Message);
            Assert.Contains("scheduleMissing", error.Message);
            Assert.Contains("NO_SUCH_SCHEDULE_SETTING", error.Message);
            Assert.Contains("wantsQueueMessage", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
