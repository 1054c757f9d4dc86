// Builds the Table and Queue SDK clients for the `ReengageStorage` connection, and creates the tables and queues.
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Reengage.Functions.Storage;

/// <summary>One instance per app (the SDK clients are thread-safe); the table and queue clients of every role.</summary>
public sealed class ReengageStorageClients
{
    private readonly SemaphoreSlim _ensure = new(1, 1);
    private bool _ensured;

    /// <param name="queueService">Built with <see cref="QueueMessageEncoding.Base64"/>, as the queue trigger expects.</param>
    public ReengageStorageClients(TableServiceClient tableService, QueueServiceClient queueService, StorageNames? names = null)
    {
        TableService = tableService ?? throw new ArgumentNullException(nameof(tableService));
        QueueService = queueService ?? throw new ArgumentNullException(nameof(queueService));
        Names = names ?? StorageNames.Default;
        Practices = tableService.GetTableClient(Names.Practices);
        Therapists = tableService.GetTableClient(Names.Therapists);
        Patients = tableService.GetTableClient(Names.Patients);
        Appointments = tableService.GetTableClient(Names.Appointments);
        Outreach = tableService.GetTableClient(Names.Outreach);
        Suppressions = tableService.GetTableClient(Names.Suppressions);
        Feedback = tableService.GetTableClient(Names.Feedback);
        InboundEvents = tableService.GetTableClient(Names.InboundEvents);
        DueIndex = tableService.GetTableClient(Names.DueIndex);
        MessageIndex = tableService.GetTableClient(Names.MessageIndex);
        SendSlots = tableService.GetTableClient(Names.SendSlots);
        OutreachSend = queueService.GetQueueClient(Names.OutreachSend);
        OutreachSendPoison = queueService.GetQueueClient(StorageNames.PoisonOf(Names.OutreachSend));
        EmailEvents = queueService.GetQueueClient(Names.EmailEvents);
        EmailEventsPoison = queueService.GetQueueClient(StorageNames.PoisonOf(Names.EmailEvents));
    }

    public StorageNames Names { get; }
    public TableServiceClient TableService { get; }
    public QueueServiceClient QueueService { get; }

    public TableClient Practices { get; }
    public TableClient Therapists { get; }
    public TableClient Patients { get; }
    public TableClient Appointments { get; }
    public TableClient Outreach { get; }
    public TableClient Suppressions { get; }
    public TableClient Feedback { get; }
    public TableClient InboundEvents { get; }
    public TableClient DueIndex { get; }
    public TableClient MessageIndex { get; }
    public TableClient SendSlots { get; }
    public QueueClient OutreachSend { get; }
    public QueueClient OutreachSendPoison { get; }
    public QueueClient EmailEvents { get; }
    public QueueClient EmailEventsPoison { get; }

    /// <summary>Reads the <c>ReengageStorage</c> connection from configuration (see <see cref="StorageConnection.FromConfiguration"/>).</summary>
    public static ReengageStorageClients FromConfiguration(IConfiguration configuration, StorageNames? names = null, TableClientOptions? tableOptions = null, QueueClientOptions? queueOptions = null) =>
        Create(StorageConnection.FromConfiguration(configuration), names, tableOptions, queueOptions);

    /// <summary>
    /// Options are the caller's (retries, extra pipeline policies such as a request counter); the queue message encoding
    /// is always set to Base64, the Functions queue trigger's default.
    /// </summary>
    public static ReengageStorageClients Create(StorageConnection connection, StorageNames? names = null, TableClientOptions? tableOptions = null, QueueClientOptions? queueOptions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        tableOptions ??= new TableClientOptions();
        queueOptions ??= new QueueClientOptions();
        queueOptions.MessageEncoding = QueueMessageEncoding.Base64;
        return connection switch
        {
            StorageConnection.ConnectionString c => new ReengageStorageClients(
                new TableServiceClient(c.Value, tableOptions),
                new QueueServiceClient(c.Value, queueOptions),
                names),
            StorageConnection.Identity i => new ReengageStorageClients(
                new TableServiceClient(i.TableServiceUri, CredentialFor(i), tableOptions),
                new QueueServiceClient(i.QueueServiceUri, CredentialFor(i), queueOptions),
                names),
            _ => throw new ArgumentOutOfRangeException(nameof(connection)),
        };
    }

    /// <summary>
    /// <c>credential=managedidentity</c>: that identity only (user-assigned when a client id is set), as the host does;
    /// otherwise <see cref="DefaultAzureCredential"/> (a developer's own sign-in locally), preferring the client id.
    /// Building a credential calls nothing; the first token request does.
    /// </summary>
    public static TokenCredential CredentialFor(StorageConnection.Identity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.Credential == "managedidentity")
        {
            return new ManagedIdentityCredential(identity.ClientId is { } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned);
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = identity.ClientId });
    }

    /// <summary>Creates every table and queue that is missing. Idempotent; once per instance unless it fails.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        if (_ensured) return;
        await _ensure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ensured) return;
            var tables = Names.Tables.Select(name => TableService.GetTableClient(name).CreateIfNotExistsAsync(cancellationToken));
            var queues = Names.Queues.Select(name => QueueService.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            await Task.WhenAll([.. tables, .. queues]).ConfigureAwait(false);
            _ensured = true;
        }
        finally
        {
            _ensure.Release();
        }
    }

    /// <summary>Deletes every table and queue of <see cref="Names"/>: tests and throwaway environments only.</summary>
    public async Task DeleteAllAsync(CancellationToken cancellationToken = default)
    {
        _ensured = false;
        var tables = Names.Tables.Select(name => (Task)TableService.GetTableClient(name).DeleteAsync(cancellationToken));
        var queues = Names.Queues.Select(name => (Task)QueueService.GetQueueClient(name).DeleteIfExistsAsync(cancellationToken));
        await Task.WhenAll([.. tables, .. queues]).ConfigureAwait(false);
    }
}
