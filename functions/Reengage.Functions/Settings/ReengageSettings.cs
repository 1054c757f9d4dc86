using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Reengage.Core;
using Reengage.Core.Security;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Settings;

public enum EmailTransportKind
{
    Outbox,
    Acs,
}

/// <summary>
/// Every app setting, read and validated once at start-up (SPEC §10). Nothing else reads configuration: a missing or
/// invalid setting stops the app with one error that names each problem.
/// </summary>
public sealed partial record ReengageSettings
{
    public required StorageConnection Storage { get; init; }
    public EmailTransportKind EmailTransport { get; init; } = EmailTransportKind.Outbox;
    public string OutboxDirectory { get; init; } = "outbox";
    public Uri? AcsEndpoint { get; init; }
    public string? AcsConnectionString { get; init; }
    public int AcsSendsPerMinute { get; init; } = 30;
    public int AcsSendsPerHour { get; init; } = 100;
    /// <summary>Where the app's HTTP functions are reached, without a trailing slash (links in emails start here).</summary>
    public required Uri PublicBaseUrl { get; init; }
    /// <summary>The first signs, every one verifies (rotation).</summary>
    public required IReadOnlyList<SigningKey> LinkSigningKeys { get; init; }
    public string LapsedScanSchedule { get; init; } = "0 0 5 * * *";
    public string MilestoneScanSchedule { get; init; } = "0 15 5 * * *";
    public string SeasonalScanSchedule { get; init; } = "0 30 5 * * *";
    /// <summary>When <c>sweepRetention</c> runs (NCRONTAB, UTC): Sundays 03:00 by default.</summary>
    public string RetentionSweepSchedule { get; init; } = "0 0 3 * * 0";
    public int RetentionDays { get; init; } = 730;
    public Uri AcuityApiBaseUrl { get; init; } = new("https://acuityscheduling.com/api/v1");
    /// <summary>How many due patients one planner run works on at once.</summary>
    public int PlannerConcurrency { get; init; } = 16;

    /// <summary>Every setting the app reads, for the documentation and the settings-parity test.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "ReengageStorage", "ReengageStorage__tableServiceUri", "ReengageStorage__queueServiceUri",
        "ReengageStorage__credential", "ReengageStorage__clientId",
        "EMAIL_TRANSPORT", "OUTBOX_DIR", "ACS_ENDPOINT", "ACS_CONNECTION_STRING", "ACS_SENDS_PER_MINUTE", "ACS_SENDS_PER_HOUR",
        "PUBLIC_BASE_URL", "LINK_SIGNING_KEYS", "LAPSED_SCAN_SCHEDULE", "MILESTONE_SCAN_SCHEDULE", "SEASONAL_SCAN_SCHEDULE",
        "RETENTION_SWEEP_SCHEDULE", "RETENTION_DAYS", "ACUITY_API_BASE_URL", "PLANNER_CONCURRENCY",
    ];

    /// <summary>Reads the flat settings (<c>ReengageStorage__tableServiceUri</c> is the key <c>ReengageStorage:tableServiceUri</c>).</summary>
    public static ReengageSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        string? Get(string name)
        {
            var value = configuration[name.Replace("__", ":", StringComparison.Ordinal)]?.Trim();
            return string.IsNullOrEmpty(value) ? null : value;
        }
        int PositiveInt(string name, int fallback, int max = 10_000_000)
        {
            var raw = Get(name);
            if (raw is null) return fallback;
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= max) return value;
            problems.Add($"{name}: must be a whole number from 1 to {max}, not \"{raw}\"");
            return fallback;
        }
        Uri? Url(string name, string? fallback = null)
        {
            var raw = Get(name) ?? fallback;
            if (raw is null) return null;
            if (Uri.TryCreate(raw.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)) return uri;
            problems.Add($"{name}: must be an absolute http(s) URL, not \"{raw}\"");
            return null;
        }
        string Cron(string name, string fallback)
        {
            var raw = Get(name) ?? fallback;
            if (SixFieldCron().IsMatch(raw)) return raw;
            problems.Add($"{name}: must be a six-field NCRONTAB expression such as \"0 0 5 * * *\", not \"{raw}\"");
            return fallback;
        }

        var storage = ReadStorage(configuration, problems);

        var transport = EmailTransportKind.Outbox;
        switch (Get("EMAIL_TRANSPORT"))
        {
            case null or "outbox": break;
            case "acs": transport = EmailTransportKind.Acs; break;
            case var other: problems.Add($"EMAIL_TRANSPORT: must be \"acs\" or \"outbox\", not \"{other}\""); break;
        }
        var acsEndpoint = Url("ACS_ENDPOINT");
        var acsConnectionString = Get("ACS_CONNECTION_STRING");
        if (transport == EmailTransportKind.Acs)
        {
            if (acsEndpoint is null && acsConnectionString is null)
            {
                problems.Add("ACS_ENDPOINT: EMAIL_TRANSPORT=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING");
            }
            var endpoint = acsEndpoint ?? EndpointOf(acsConnectionString);
            if (endpoint is not null && !IsHttpsOrLoopback(endpoint))
            {
                problems.Add($"{(acsEndpoint is null ? "ACS_CONNECTION_STRING" : "ACS_ENDPOINT")}: the ACS endpoint must be https (plain http only on 127.0.0.1 or localhost, for local stand-ins)");
            }
        }

        var publicBaseUrl = Url("PUBLIC_BASE_URL");
        if (publicBaseUrl is null && Get("PUBLIC_BASE_URL") is null) problems.Add("PUBLIC_BASE_URL: required (where patients' links point, e.g. https://reengage.example.org)");
        var keys = ReadSigningKeys(Get("LINK_SIGNING_KEYS"), problems);
        var acuity = Url("ACUITY_API_BASE_URL", "https://acuityscheduling.com/api/v1");
        if (acuity is not null && !IsHttpsOrLoopback(acuity)) problems.Add("ACUITY_API_BASE_URL: must be https (plain http only on 127.0.0.1 or localhost, for local stand-ins)");

        var settings = new ReengageSettings
        {
            Storage = storage,
            EmailTransport = transport,
            OutboxDirectory = Get("OUTBOX_DIR") ?? "outbox",
            AcsEndpoint = acsEndpoint,
            AcsConnectionString = acsConnectionString,
            AcsSendsPerMinute = PositiveInt("ACS_SENDS_PER_MINUTE", 30),
            AcsSendsPerHour = PositiveInt("ACS_SENDS_PER_HOUR", 100),
            PublicBaseUrl = publicBaseUrl ?? new Uri("http://invalid"),
            LinkSigningKeys = keys,
            LapsedScanSchedule = Cron("LAPSED_SCAN_SCHEDULE", "0 0 5 * * *"),
            MilestoneScanSchedule = Cron("MILESTONE_SCAN_SCHEDULE", "0 15 5 * * *"),
            SeasonalScanSchedule = Cron("SEASONAL_SCAN_SCHEDULE", "0 30 5 * * *"),
            RetentionSweepSchedule = Cron("RETENTION_SWEEP_SCHEDULE", "0 0 3 * * 0"),
            RetentionDays = PositiveInt("RETENTION_DAYS", 730, 36_500),
            AcuityApiBaseUrl = acuity ?? new Uri("https://acuityscheduling.com/api/v1"),
            PlannerConcurrency = PositiveInt("PLANNER_CONCURRENCY", 16, 256),
        };
        if (settings.AcsSendsPerHour < settings.AcsSendsPerMinute && Get("ACS_SENDS_PER_HOUR") is not null)
        {
            problems.Add("ACS_SENDS_PER_HOUR: must be at least ACS_SENDS_PER_MINUTE");
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Reengage settings:\n  " + string.Join("\n  ", problems));
        }
        return settings;
    }

    private static StorageConnection ReadStorage(IConfiguration configuration, List<string> problems)
    {
        try
        {
            return StorageConnection.FromConfiguration(configuration);
        }
        catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
        {
            problems.Add($"ReengageStorage: {e.Message}");
            return new StorageConnection.ConnectionString("UseDevelopmentStorage=true");
        }
    }

    private static IReadOnlyList<SigningKey> ReadSigningKeys(string? raw, List<string> problems)
    {
        if (raw is null)
        {
            problems.Add("LINK_SIGNING_KEYS: required (\"<kid>:<base64 secret of at least 32 bytes>\", comma-separated for rotation)");
            return [];
        }
        if (!Core.Security.LinkSigningKeys.TryParse(raw, out var keys, out var error))
        {
            problems.Add($"LINK_SIGNING_KEYS: {error}");
            return [];
        }
        var repeated = keys.GroupBy(k => k.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) problems.Add($"LINK_SIGNING_KEYS: key id \"{repeated.Key}\" appears twice");
        return keys;
    }

    private static Uri? EndpointOf(string? connectionString)
    {
        var match = connectionString is null ? null : EndpointPart().Match(connectionString);
        return match is { Success: true } && Uri.TryCreate(match.Groups[1].Value.Trim(), UriKind.Absolute, out var uri) ? uri : null;
    }

    public static bool IsHttpsOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.Host == "127.0.0.1" || uri.Host == "localhost"));

    [GeneratedRegex(@"^\S+( \S+){5}$")]
    private static partial Regex SixFieldCron();

    [GeneratedRegex(@"(?:^|;)\s*endpoint=([^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex EndpointPart();
}
