using Azure.Data.Tables;
using Azure.Storage.Queues;
using Reengage.Functions.Storage;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Storage;

/// <summary>
/// Each test gets its own tables and queues on the shared Azurite (created before, deleted after), and clients whose
/// pipeline counts requests (reset once the storage exists).
/// </summary>
public abstract class StorageTestBase(AzuriteFixture fixture) : IAsyncLifetime
{
    protected AzuriteFixture Fixture { get; } = fixture;
    protected StorageRequestCounter Counter { get; } = new();
    protected ReengageStorageClients Clients { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tableOptions = new TableClientOptions();
        Counter.AddTo(tableOptions);
        var queueOptions = new QueueClientOptions();
        Counter.AddTo(queueOptions);
        Clients = ReengageStorageClients.Create(
            new StorageConnection.ConnectionString(Fixture.ConnectionString),
            StorageNames.WithAffix(prefix: AzuriteFixture.UniqueName("t")),
            tableOptions,
            queueOptions);
        await Clients.EnsureCreatedAsync();
        Counter.Reset();
    }

    public Task DisposeAsync() => Clients.DeleteAllAsync();

    protected static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items) all.Add(item);
        return all;
    }

    /// <summary>A practice id no other test uses, so that partition listings are exact.</summary>
    protected static string FreshPracticeId() => "prac_" + Guid.NewGuid().ToString("N")[..8];
}
