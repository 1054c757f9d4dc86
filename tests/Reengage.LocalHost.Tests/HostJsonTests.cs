namespace Reengage.LocalHost.Tests;

public sealed class HostJsonTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_path);

    private HostJson Load(string json)
    {
        File.WriteAllText(_path, json);
        return HostJson.Load(_path);
    }

    [Fact]
    public void Without_a_file_the_real_hosts_defaults_apply()
    {
        var host = HostJson.Load(Path.Combine(Path.GetTempPath(), "no-such-host.json"));

        Assert.Equal("api", host.RoutePrefix);
        Assert.Equal(16, host.Queues.BatchSize);
        Assert.Equal(8 * Environment.ProcessorCount, host.Queues.EffectiveNewBatchThreshold);
        Assert.Equal(5, host.Queues.MaxDequeueCount);
        Assert.Equal(TimeSpan.Zero, host.Queues.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), host.Queues.MaxPollingInterval);
        Assert.True(host.Queues.Base64);
    }

    [Fact]
    public void The_queue_settings_and_route_prefix_are_read()
    {
        var host = Load("""
            {
              // Comments are allowed, as in the real host.json.
              "version": "2.0",
              "extensions": {
                "http": { "routePrefix": "" },
                "queues": { "batchSize": 4, "newBatchThreshold": 0, "maxDequeueCount": 2, "visibilityTimeout": "00:00:30",
                            "maxPollingInterval": 2000, "messageEncoding": "none" }
              }
            }
            """);

        Assert.Equal("", host.RoutePrefix);
        Assert.Equal(4, host.Queues.BatchSize);
        Assert.Equal(0, host.Queues.EffectiveNewBatchThreshold);
        Assert.Equal(2, host.Queues.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), host.Queues.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), host.Queues.MaxPollingInterval);
        Assert.False(host.Queues.Base64);
    }

    [Theory]
    [InlineData("""{ "extensions": { "queues": { "batchSize": 33 } } }""")]
    [InlineData("""{ "extensions": { "queues": { "maxDequeueCount": 0 } } }""")]
    [InlineData("""{ "extensions": { "queues": { "visibilityTimeout": "soon" } } }""")]
    [InlineData("""{ "extensions": { "queues": { "batchSize": "many" } } }""")]
    public void Settings_the_real_host_would_refuse_fail_the_start(string json)
    {
        Assert.Throws<InvalidOperationException>(() => Load(json));
    }

    [Fact]
    public void The_apps_host_json_routes_under_api_and_sets_its_queue_limits()
    {
        var host = HostJson.Load(Path.Combine(Reengage.Testing.RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"));

        Assert.Equal("api", host.RoutePrefix);
        Assert.Equal(16, host.Queues.BatchSize);
        Assert.Equal(8, host.Queues.EffectiveNewBatchThreshold);
        Assert.Equal(5, host.Queues.MaxDequeueCount);
    }
}
