using Microsoft.Extensions.Configuration;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Tests.Settings;

public sealed class ReengageSettingsTests
{
    private const string Key = "local1:TE9DQUwgREVWRUxPUE1FTlQgT05MWSAtIG5ldmVyIHVzZSB0aGlzIGtleSBpbiBBenVyZQ==";

    private static ReengageSettings Load(params (string Name, string? Value)[] values)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReengageStorage"] = "UseDevelopmentStorage=true",
            ["PUBLIC_BASE_URL"] = "http://localhost:7071/",
            ["LINK_SIGNING_KEYS"] = Key,
        };
        foreach (var (name, value) in values) all[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        return ReengageSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
    }

    private static string Problems(params (string Name, string? Value)[] values) =>
        Assert.Throws<InvalidOperationException>(() => Load(values)).Message;

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = Load();
        Assert.Equal(EmailTransportKind.Outbox, settings.EmailTransport);
        Assert.Equal("outbox", settings.OutboxDirectory);
        Assert.Equal((30, 100), (settings.AcsSendsPerMinute, settings.AcsSendsPerHour));
        Assert.Equal("0 0 5 * * *", settings.LapsedScanSchedule);
        Assert.Equal(730, settings.RetentionDays);
        Assert.Equal("0 0 3 * * 0", settings.RetentionSweepSchedule);
        Assert.Equal(16, settings.PlannerConcurrency);
        Assert.Equal("http://localhost:7071/", settings.PublicBaseUrl.ToString());
        var key = Assert.Single(settings.LinkSigningKeys);
        Assert.Equal("local1", key.Id);
        Assert.True(key.Secret.Length >= 32);
    }

    [Fact]
    public void The_retention_sweep_schedule_is_an_ncrontab_and_retention_days_a_positive_number()
    {
        Assert.Equal("0 0 4 * * 6", Load(("RETENTION_SWEEP_SCHEDULE", "0 0 4 * * 6")).RetentionSweepSchedule);
        var message = Problems(("RETENTION_SWEEP_SCHEDULE", "weekly"), ("RETENTION_DAYS", "0"));
        Assert.Contains("RETENTION_SWEEP_SCHEDULE: must be a six-field NCRONTAB expression", message, StringComparison.Ordinal);
        Assert.Contains("RETENTION_DAYS: must be a whole number", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_storage_needs_both_service_uris()
    {
        var message = Problems(("ReengageStorage", null), ("ReengageStorage__tableServiceUri", "https://acct.table.core.windows.net"));
        Assert.Contains("ReengageStorage__queueServiceUri is required with identity-based storage", message, StringComparison.Ordinal);

        var settings = Load(
            ("ReengageStorage", null),
            ("ReengageStorage__tableServiceUri", "https://acct.table.core.windows.net"),
            ("ReengageStorage__queueServiceUri", "https://acct.queue.core.windows.net"),
            ("ReengageStorage__credential", "managedidentity"),
            ("ReengageStorage__clientId", "00000000-0000-0000-0000-000000000001"));
        var identity = Assert.IsType<StorageConnection.Identity>(settings.Storage);
        Assert.Equal("acct.queue.core.windows.net", identity.QueueServiceUri.Host);
        Assert.Equal("00000000-0000-0000-0000-000000000001", identity.ClientId);
    }

    [Fact]
    public void No_storage_at_all_is_named()
    {
        var message = Problems(("ReengageStorage", null));
        Assert.Contains("ReengageStorage: Set ReengageStorage", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://acs.example.org")]
    [InlineData("http://10.0.0.4:8080")]
    public void An_acs_endpoint_must_be_https_or_loopback(string endpoint)
    {
        var message = Problems(("EMAIL_TRANSPORT", "acs"), ("ACS_ENDPOINT", endpoint));
        Assert.Contains("ACS_ENDPOINT: the ACS endpoint must be https", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loopback_acs_stand_in_is_allowed_through_the_connection_string()
    {
        var settings = Load(("EMAIL_TRANSPORT", "acs"), ("ACS_CONNECTION_STRING", "endpoint=http://127.0.0.1:5555/;accesskey=c2VjcmV0"));
        Assert.Equal(EmailTransportKind.Acs, settings.EmailTransport);
    }

    [Fact]
    public void Acs_without_endpoint_or_connection_string_is_refused() =>
        Assert.Contains("EMAIL_TRANSPORT=acs needs ACS_ENDPOINT", Problems(("EMAIL_TRANSPORT", "acs")), StringComparison.Ordinal);

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var message = Problems(("ACS_SENDS_PER_MINUTE", "0"), ("LAPSED_SCAN_SCHEDULE", "daily"), ("EMAIL_TRANSPORT", "smtp"), ("PUBLIC_BASE_URL", null));
        Assert.Contains("ACS_SENDS_PER_MINUTE: must be a whole number", message, StringComparison.Ordinal);
        Assert.Contains("LAPSED_SCAN_SCHEDULE: must be a six-field NCRONTAB expression", message, StringComparison.Ordinal);
        Assert.Contains("EMAIL_TRANSPORT: must be \"acs\" or \"outbox\", not \"smtp\"", message, StringComparison.Ordinal);
        Assert.Contains("PUBLIC_BASE_URL: required", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nokey", "each key must look like")]
    [InlineData("k1:c2hvcnQ=", "key \"k1\" must be at least 32 bytes")]
    [InlineData("k1:!!notbase64!!", "key \"k1\" must be at least 32 bytes")]
    public void Link_signing_keys_are_checked(string raw, string expected) =>
        Assert.Contains(expected, Problems(("LINK_SIGNING_KEYS", raw)), StringComparison.Ordinal);

    [Fact]
    public void The_first_signing_key_signs_and_the_rest_verify()
    {
        var settings = Load(("LINK_SIGNING_KEYS", "new:" + Convert.ToBase64String(new byte[32]) + "," + Key));
        Assert.Equal(["new", "local1"], settings.LinkSigningKeys.Select(k => k.Id));
    }

    [Fact]
    public void A_key_id_cannot_appear_twice() =>
        Assert.Contains("key id \"local1\" appears twice", Problems(("LINK_SIGNING_KEYS", Key + "," + Key)), StringComparison.Ordinal);

    [Fact]
    public void The_hourly_quota_cannot_be_below_the_minute_quota() =>
        Assert.Contains("ACS_SENDS_PER_HOUR: must be at least ACS_SENDS_PER_MINUTE", Problems(("ACS_SENDS_PER_MINUTE", "60"), ("ACS_SENDS_PER_HOUR", "50")), StringComparison.Ordinal);
}
