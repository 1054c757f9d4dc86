using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Storage;

public sealed class StorageRegistrationTests
{
    [Fact]
    public void Every_storage_port_resolves_to_its_adapter_as_one_instance()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ReengageStorage", "UseDevelopmentStorage=true")]).Build();
        using var provider = new ServiceCollection().AddReengageStorage(configuration).BuildServiceProvider();
        Assert.IsType<CachedPracticeStore>(provider.GetRequiredService<IPracticeStore>());
        Assert.IsType<TablePatientStore>(provider.GetRequiredService<IPatientStore>());
        Assert.IsType<TableAppointmentStore>(provider.GetRequiredService<IAppointmentStore>());
        Assert.IsType<TableOutreachLedger>(provider.GetRequiredService<IOutreachLedger>());
        Assert.IsType<TableDueIndex>(provider.GetRequiredService<IDueIndex>());
        Assert.IsType<TableInboundEventStore>(provider.GetRequiredService<IInboundEventStore>());
        Assert.IsType<TableMessageIndex>(provider.GetRequiredService<IMessageIndex>());
        Assert.IsType<TableSuppressionStore>(provider.GetRequiredService<ISuppressionStore>());
        Assert.IsType<TableFeedbackStore>(provider.GetRequiredService<IFeedbackStore>());
        Assert.IsType<StorageQueueSendScheduler>(provider.GetRequiredService<ISendScheduler>());
        Assert.IsType<StorageQueuePoisonQueue>(provider.GetRequiredService<IPoisonQueue>());
        Assert.Same(provider.GetRequiredService<IPracticeStore>(), provider.GetRequiredService<IPracticeStore>());
        Assert.Equal("Practices", provider.GetRequiredService<ReengageStorageClients>().Practices.Name);
    }

    [Fact]
    public void A_missing_connection_fails_registration_naming_the_setting()
    {
        var error = Assert.Throws<ReengageException>(() => new ServiceCollection().AddReengageStorage(new ConfigurationBuilder().Build()));
        Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
        Assert.Contains("ReengageStorage", error.Message, StringComparison.Ordinal);
    }
}
