namespace Reengage.Infra.Tests;

/// <summary>ACS, its email domain, and the Event Grid route of delivery reports to the email-events queue.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class EmailEventsTemplateTests(CompiledInfra infra)
{
    [Fact]
    public void A_system_topic_on_ACS_delivers_delivery_and_engagement_reports_to_the_email_events_queue_with_its_own_identity()
    {
        var events = infra.Module("email-events");
        var topic = events.Resource("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Communication.CommunicationServices", topic.At("properties.topicType"));
        Assert.Equal("[resourceId('Microsoft.Communication/communicationServices', parameters('communicationServiceName'))]", topic.At("properties.source"));
        Assert.Equal("SystemAssigned", topic.At("identity.type"));

        var subscription = events.Resource("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.Equal(
            ["Microsoft.Communication.EmailDeliveryReportReceived", "Microsoft.Communication.EmailEngagementTrackingReportReceived"],
            subscription.Obj("properties").Obj("filter")["includedEventTypes"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray());
        var delivery = subscription.Obj("properties").Obj("deliveryWithResourceIdentity");
        Assert.Equal("SystemAssigned", delivery.At("identity.type"));
        Assert.Equal("StorageQueue", delivery.At("destination.endpointType"));
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", delivery.At("destination.properties.resourceId"));
        Assert.Equal("[parameters('queueName')]", delivery.At("destination.properties.queueName"));
        Assert.Equal("email-events", events.Argument("queueName"));
        Assert.EndsWith("'Microsoft.Resources/deployments', 'storage'), '2025-04-01').outputs.name.value]", events.Argument("storageAccountName"), StringComparison.Ordinal);
        Assert.Null(subscription.Obj("properties")["destination"]);
    }

    [Fact]
    public void The_storage_module_creates_the_tables_and_queues_the_app_uses_with_their_poison_queues()
    {
        var storage = infra.Module("storage");
        var names = Functions.Storage.StorageNames.Default;
        Assert.Equal(names.Tables.Order(StringComparer.Ordinal), storage.Variable("tableNames").AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(names.Queues.Order(StringComparer.Ordinal), storage.Variable("queueNames").AsArray().Select(q => q!.GetValue<string>()).Order(StringComparer.Ordinal));
        var account = storage.Resource("Microsoft.Storage/storageAccounts");
        Assert.Equal("false", account.At("properties.allowSharedKeyAccess"));
        Assert.Equal("false", account.At("properties.allowBlobPublicAccess"));
        Assert.Equal("TLS1_2", account.At("properties.minimumTlsVersion"));
    }

    [Fact]
    public void ACS_sends_from_a_linked_Azure_managed_domain_and_links_a_custom_one_only_when_asked()
    {
        var communication = infra.Module("communication");
        var acs = communication.Resource("Microsoft.Communication/communicationServices");
        Assert.Equal("[concat(createArray(resourceId('Microsoft.Communication/emailServices/domains', parameters('emailServiceName'), 'AzureManagedDomain')), if(variables('customDomainLinked'), createArray(resourceId('Microsoft.Communication/emailServices/domains', parameters('emailServiceName'), if(variables('hasCustomDomain'), parameters('customEmailDomain'), 'unused.invalid'))), createArray()))]",
            acs.At("properties.linkedDomains"));
        var domains = communication.Resources("Microsoft.Communication/emailServices/domains").ToArray();
        Assert.Equal(["AzureManaged", "CustomerManaged"], domains.Select(d => d.At("properties.domainManagement") ?? "").Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("[variables('hasCustomDomain')]", domains.Single(d => d.At("properties.domainManagement") == "CustomerManaged")["condition"]!.GetValue<string>());
    }
}
