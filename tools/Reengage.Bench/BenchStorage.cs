// The storage clients of one benchmark, on their own tables and queues, with the request counter on their pipeline.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Functions.Storage;
using Reengage.Functions.Telemetry;
using Reengage.Testing;

namespace Reengage.Bench;

/// <summary>What went on the wire during one measured run.</summary>
internal sealed record Traffic(long EntitiesRead, int Reads, int Writes, IReadOnlyDictionary<string, long> EntitiesReadByTable, IReadOnlyDictionary<string, int> Requests)
{
    public int Total => Reads + Writes;

    public static Traffic Of(StorageRequestCounter counter) =>
        new(counter.EntitiesRead, counter.Reads, counter.Writes, counter.EntitiesReadByTable(), counter.Snapshot());
}

internal sealed record Measured<T>(TimeSpan Wall, Traffic Traffic, T Result);

internal sealed class BenchStorage : IDisposable
{
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private BenchStorage(ReengageStorageClients clients, StorageRequestCounter counter)
    {
        Clients = clients;
        Counter = counter;
        Telemetry = new ReengageTelemetry(_metrics.GetRequiredService<IMeterFactory>());
    }

    public ReengageStorageClients Clients { get; }
    public StorageRequestCounter Counter { get; }
    public ReengageTelemetry Telemetry { get; }

    /// <param name="prefix">Letters: the tables become <c>prefix + Name</c>, the queues <c>prefix-name</c>.</param>
    public static async Task<BenchStorage> CreateAsync(string connectionString, string prefix)
    {
        var counter = new StorageRequestCounter();
        var tableOptions = new TableClientOptions();
        counter.AddTo(tableOptions);
        var queueOptions = new QueueClientOptions();
        counter.AddTo(queueOptions);
        var clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(connectionString), StorageNames.WithAffix(prefix: prefix), tableOptions, queueOptions);
        await clients.EnsureCreatedAsync();
        return new BenchStorage(clients, counter);
    }

    /// <summary>Runs <paramref name="run"/> with the counter reset before, and its wall time and traffic taken after.</summary>
    public async Task<Measured<T>> MeasureAsync<T>(Func<Task<T>> run)
    {
        Counter.Reset();
        var clock = Stopwatch.StartNew();
        var result = await run();
        clock.Stop();
        return new Measured<T>(clock.Elapsed, Traffic.Of(Counter), result);
    }

    public void Dispose()
    {
        Telemetry.Dispose();
        _metrics.Dispose();
    }
}
