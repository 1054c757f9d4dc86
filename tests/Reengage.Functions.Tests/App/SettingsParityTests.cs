using System.Text.Json;
using System.Text.RegularExpressions;
using Reengage.Functions.Settings;
using Reengage.Testing;

namespace Reengage.Functions.Tests.App;

/// <summary>Every setting the code reads has a safe local value in the sample and a value in the Bicep app settings (SPEC §10).</summary>
public sealed partial class SettingsParityTests
{
    // Connection strings only exist locally: in Azure the identity-based settings stand in for them.
    private static readonly string[] LocalOnly = ["ReengageStorage", "ACS_CONNECTION_STRING"];

    [Fact]
    public void The_local_sample_lists_every_setting()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal([], ReengageSettings.Names.Where(name => !values.Contains(name)).ToArray());
    }

    [Fact]
    public void The_Bicep_app_settings_list_every_setting_that_exists_in_Azure()
    {
        var bicep = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "infra", "modules", "functionapp.bicep"));
        var block = AppSettingsBlock().Match(bicep);
        Assert.True(block.Success, "functionapp.bicep has no `var appSettings = { … }` block");
        var names = SettingName().Matches(block.Groups[1].Value).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal([], ReengageSettings.Names.Except(LocalOnly).Where(name => !names.Contains(name)).ToArray());
        Assert.DoesNotContain("ReengageStorage", names);
        Assert.DoesNotContain("ACS_CONNECTION_STRING", names);
    }

    [GeneratedRegex(@"var appSettings = \{(.*?)\n\}", RegexOptions.Singleline)]
    private static partial Regex AppSettingsBlock();

    [GeneratedRegex(@"^\s+([A-Za-z_][A-Za-z0-9_]*):", RegexOptions.Multiline)]
    private static partial Regex SettingName();
}
