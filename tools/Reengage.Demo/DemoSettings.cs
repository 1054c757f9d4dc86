using System.Text.Json.Nodes;

namespace Reengage.Demo;

/// <summary>The app's settings for the demo: the local sample's (every timer schedule and limit), then the demo's own.</summary>
internal static class DemoSettings
{
    public static Dictionary<string, string?> For(string storageConnectionString, string outboxDirectory)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        // Empty sample values are placeholders (identity-based storage, ACS); left out, they cannot change the meaning of the rest.
        if (Find("local.settings.sample.json") is { } sample && JsonNode.Parse(File.ReadAllText(sample))?["Values"] is JsonObject values)
        {
            foreach (var (name, value) in values)
            {
                if (value?.ToString() is { Length: > 0 } text)
                {
                    settings[name] = text;
                }
            }
        }
        settings["ReengageStorage"] = storageConnectionString;
        settings["AzureWebJobsStorage"] = storageConnectionString;
        settings["PUBLIC_BASE_URL"] = "https://reengage.example";
        settings["LINK_SIGNING_KEYS"] = "demo1:" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        settings["EMAIL_TRANSPORT"] = "outbox";
        settings["OUTBOX_DIR"] = outboxDirectory;
        // The timers' schedules (the demo runs them itself, at these times of each simulated day), when the sample lacks them.
        settings.TryAdd("LAPSED_SCAN_SCHEDULE", "0 0 5 * * *");
        settings.TryAdd("MILESTONE_SCAN_SCHEDULE", "0 15 5 * * *");
        settings.TryAdd("SEASONAL_SCAN_SCHEDULE", "0 30 5 * * *");
        settings.TryAdd("RETENTION_SWEEP_SCHEDULE", "0 0 3 * * 0");
        // Function failures still show; the host's and the app's routine logs would drown the demo's own output.
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Reengage.LocalHost"] = "Error";
        return settings;
    }

    /// <summary>A file of the repository, found above the current folder or above the program.</summary>
    public static string? Find(string relativePath)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
