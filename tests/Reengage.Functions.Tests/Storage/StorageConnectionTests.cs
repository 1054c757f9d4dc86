using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Reengage.Core;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Tests.Storage;

/// <summary>How the ReengageStorage settings choose URIs and a credential. No Azure call: clients are only built.</summary>
public sealed class StorageConnectionTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_connection_string_is_used_as_it_is()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("ReengageStorage", "UseDevelopmentStorage=true")));
        Assert.Equal(new StorageConnection.ConnectionString("UseDevelopmentStorage=true"), connection);
    }

    [Fact]
    public void Development_storage_names_azurite_on_its_default_ports_for_tables_and_queues()
    {
        var clients = ReengageStorageClients.FromConfiguration(Settings(("ReengageStorage", "UseDevelopmentStorage=true")));
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), clients.TableService.Uri);
        Assert.Equal("Patients", clients.Patients.Name);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/outreach-send"), clients.OutreachSend.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/email-events-poison"), clients.EmailEventsPoison.Uri);
    }

    [Fact]
    public void A_full_connection_string_gives_its_own_endpoints()
    {
        const string connectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net";
        var clients = ReengageStorageClients.FromConfiguration(Settings(("ReengageStorage", connectionString)));
        Assert.Equal("acct.table.core.windows.net", clients.TableService.Uri.Host);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/outreach-send"), clients.OutreachSend.Uri);
        Assert.DoesNotContain("a2V5", new StorageConnection.ConnectionString(connectionString).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_settings_with_managedidentity_and_a_client_id_use_that_user_assigned_identity()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("ReengageStorage:tableServiceUri", "https://acct.table.core.windows.net"),
            ("ReengageStorage:queueServiceUri", "https://acct.queue.core.windows.net"),
            ("ReengageStorage:credential", "managedidentity"),
            ("ReengageStorage:clientId", "00000000-0000-0000-0000-000000000001")));
        var identity = Assert.IsType<StorageConnection.Identity>(connection);
        Assert.Equal(new StorageConnection.Identity(new Uri("https://acct.table.core.windows.net"), new Uri("https://acct.queue.core.windows.net"), "managedidentity", "00000000-0000-0000-0000-000000000001"), identity);
        Assert.IsType<ManagedIdentityCredential>(ReengageStorageClients.CredentialFor(identity));

        var clients = ReengageStorageClients.Create(connection);
        Assert.Equal(new Uri("https://acct.table.core.windows.net"), clients.TableService.Uri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/email-events"), clients.EmailEvents.Uri);
    }

    [Fact]
    public void Identity_settings_without_a_credential_use_the_default_chain()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("ReengageStorage:tableServiceUri", "https://acct.table.core.windows.net"),
            ("ReengageStorage:queueServiceUri", "https://acct.queue.core.windows.net")));
        var identity = Assert.IsType<StorageConnection.Identity>(connection);
        Assert.Null(identity.Credential);
        Assert.Null(identity.ClientId);
        Assert.IsType<DefaultAzureCredential>(ReengageStorageClients.CredentialFor(identity));
    }

    [Fact]
    public void An_account_name_stands_for_both_service_uris()
    {
        var identity = Assert.IsType<StorageConnection.Identity>(StorageConnection.FromConfiguration(Settings(("ReengageStorage:accountName", "acct"))));
        Assert.Equal(new Uri("https://acct.table.core.windows.net"), identity.TableServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), identity.QueueServiceUri);
    }

    [Fact]
    public void The_host_prefixed_setting_wins_as_it_does_for_the_trigger()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsReengageStorage", "UseDevelopmentStorage=true"),
            ("ReengageStorage:tableServiceUri", "https://acct.table.core.windows.net")));
        Assert.IsType<StorageConnection.ConnectionString>(connection);
    }

    [Theory]
    [InlineData(new string[0], "Set ReengageStorage")]
    [InlineData(new[] { "ReengageStorage:tableServiceUri", "https://acct.table.core.windows.net" }, "ReengageStorage__queueServiceUri")]
    [InlineData(new[] { "ReengageStorage:queueServiceUri", "https://acct.queue.core.windows.net" }, "ReengageStorage__tableServiceUri")]
    [InlineData(new[] { "ReengageStorage:tableServiceUri", "not a uri", "ReengageStorage:queueServiceUri", "https://acct.queue.core.windows.net" }, "ReengageStorage__tableServiceUri")]
    [InlineData(new[] { "ReengageStorage:tableServiceUri", "http://acct.table.core.windows.net", "ReengageStorage:queueServiceUri", "https://acct.queue.core.windows.net" }, "ReengageStorage__tableServiceUri")]
    [InlineData(new[] { "ReengageStorage:accountName", "acct", "ReengageStorage:credential", "clientsecret" }, "ReengageStorage__credential")]
    public void A_missing_or_invalid_setting_is_named(string[] pairs, string expected)
    {
        var settings = Settings([.. pairs.Chunk(2).Select(p => (p[0], p[1]))]);
        var error = Assert.Throws<ReengageException>(() => StorageConnection.FromConfiguration(settings));
        Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_http_is_allowed_for_local_stand_ins()
    {
        var identity = Assert.IsType<StorageConnection.Identity>(StorageConnection.FromConfiguration(Settings(
            ("ReengageStorage:tableServiceUri", "http://127.0.0.1:10002/devstoreaccount1"),
            ("ReengageStorage:queueServiceUri", "http://127.0.0.1:10001/devstoreaccount1"))));
        Assert.Equal(10002, identity.TableServiceUri.Port);
    }

    [Fact]
    public void Names_keep_the_spec_names_by_default_and_take_an_affix_for_tests()
    {
        Assert.Equal(["Practices", "Therapists", "Patients", "Appointments", "Outreach", "Suppressions", "Feedback", "InboundEvents", "DueIndex", "MessageIndex", "SendSlots"], StorageNames.Default.Tables);
        Assert.Equal(["outreach-send", "outreach-send-poison", "email-events", "email-events-poison"], StorageNames.Default.Queues);
        var names = StorageNames.WithAffix("tAb12", "x9");
        Assert.Equal("tAb12Patientsx9", names.Patients);
        Assert.Equal("tab12-outreach-send-x9", names.OutreachSend);
        Assert.Equal("tab12-email-events-x9-poison", StorageNames.PoisonOf(names.EmailEvents));
        Assert.Throws<ArgumentException>(() => StorageNames.WithAffix("1abc"));
        Assert.Throws<ArgumentException>(() => StorageNames.WithAffix("a-b"));
    }
}
