using System.Text.Json;

namespace Reengage.Testing;

/// <summary>
/// The settings a developer runs the app with: the <c>Values</c> of <c>local.settings.sample.json</c>, which the settings
/// parity tests keep equal to what the app reads. Tests that start the whole app in the local host take them from here,
/// so a setting added to the app (a timer's schedule, say) reaches every such test without editing each one.
/// </summary>
public static class SampleSettings
{
    /// <summary>
    /// The sample's values with <paramref name="overrides"/> laid over them (a null value removes the setting). The sample's
    /// empty values (the identity-based storage settings, ACS) are left out: empty there means not set.
    /// </summary>
    public static Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var path = Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var settings = document.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Value.GetString() is { Length: > 0 })
            .ToDictionary(p => p.Name, p => (string?)p.Value.GetString(), StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            if (value is null) settings.Remove(name);
            else settings[name] = value;
        }
        return settings;
    }

    /// <summary>The sample's values for the app on Azurite at <paramref name="connectionString"/>, emails into <paramref name="outbox"/>.</summary>
    public static Dictionary<string, string?> ForAzurite(string connectionString, string outbox, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ReengageStorage"] = connectionString,
            ["AzureWebJobsStorage"] = connectionString,
            ["EMAIL_TRANSPORT"] = "outbox",
            ["OUTBOX_DIR"] = outbox,
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>()) values[name] = value;
        return With(values);
    }
}
