using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class StorageFailureTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private const string DeadAccount = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};" +
        $"TableEndpoint=http://127.0.0.1:9/{Azurite.AccountName};QueueEndpoint=http://127.0.0.1:9/{Azurite.AccountName}";

    [Fact]
    public async Task An_unreachable_table_service_is_retryable_storage_unavailable()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var dead = new TableServiceClient(DeadAccount, options).GetTableClient("Patients");
        var error = await Assert.ThrowsAsync<ReengageException>(() => new TablePatientStore(dead).GetPatientAsync("prac_1", "pat_1"));
        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task An_unreachable_queue_service_is_retryable_storage_unavailable()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.MaxRetries = 0;
        var dead = new QueueClient(DeadAccount, "outreach-send", options);
        var scheduler = new StorageQueueSendScheduler(dead, new FakeTimeProvider());
        var error = await Assert.ThrowsAsync<ReengageException>(() => scheduler.ScheduleSendAsync(new SendRequest("p", "o", DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch));
        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task A_missing_table_is_a_deployment_fault_not_a_missing_row()
    {
        var missing = Clients.TableService.GetTableClient(AzuriteFixture.UniqueName("missing"));
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => new TablePatientStore(missing).GetPatientAsync("prac_1", "pat_1"));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Creating_the_storage_again_is_harmless_also_from_another_instance()
    {
        await Clients.EnsureCreatedAsync();
        Assert.Equal(0, Counter.Total);
        var again = new ReengageStorageClients(Clients.TableService, Clients.QueueService, Clients.Names);
        await again.EnsureCreatedAsync();
        await new TableDueIndex(again.DueIndex).UpsertDueAsync(new DueEntry("20310106", "p", "q"));
    }
}
