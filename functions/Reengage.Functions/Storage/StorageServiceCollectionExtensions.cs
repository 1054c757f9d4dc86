using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reengage.Core.Ports;
using Reengage.Functions.Queues;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage clients of the <c>ReengageStorage</c> connection and every storage port on its adapter,
    /// as singletons (the SDK clients are thread-safe). The connection is read now, so a missing or invalid setting
    /// fails start-up with its name. Tables and queues are not created here: call
    /// <see cref="ReengageStorageClients.EnsureCreatedAsync"/> once at start-up.
    /// </summary>
    public static IServiceCollection AddReengageStorage(this IServiceCollection services, IConfiguration configuration, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddReengageStorage(StorageConnection.FromConfiguration(configuration), names);
    }

    /// <summary>
    /// The same, for a connection already read (the app's settings read it once, at start-up). Client options (a
    /// benchmark's request counter on the pipeline) are for tools; registered again, the last registration wins.
    /// </summary>
    public static IServiceCollection AddReengageStorage(this IServiceCollection services, StorageConnection connection, StorageNames? names = null,
        TableClientOptions? tableOptions = null, QueueClientOptions? queueOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var clients = ReengageStorageClients.Create(connection, names, tableOptions, queueOptions);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(clients);
        services.AddSingleton<IPracticeStore>(sp => new CachedPracticeStore(new TablePracticeStore(clients.Practices, clients.Therapists), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPatientStore>(new TablePatientStore(clients.Patients));
        services.AddSingleton<IAppointmentStore>(new TableAppointmentStore(clients.Appointments));
        services.AddSingleton<IOutreachLedger>(new TableOutreachLedger(clients.Outreach));
        services.AddSingleton<IDueIndex>(new TableDueIndex(clients.DueIndex));
        services.AddSingleton<IInboundEventStore>(new TableInboundEventStore(clients.InboundEvents));
        services.AddSingleton<IMessageIndex>(new TableMessageIndex(clients.MessageIndex));
        services.AddSingleton<ISuppressionStore>(new TableSuppressionStore(clients.Suppressions));
        services.AddSingleton<IFeedbackStore>(new TableFeedbackStore(clients.Feedback));
        services.AddSingleton<ISendScheduler>(sp => new StorageQueueSendScheduler(clients.OutreachSend, sp.GetRequiredService<TimeProvider>()));
        // The app's own poison messages are malformed delivery reports (processEmailEvents); the host poisons the rest.
        services.AddSingleton<IPoisonQueue>(new StorageQueuePoisonQueue(clients.EmailEventsPoison));
        return services;
    }
}
