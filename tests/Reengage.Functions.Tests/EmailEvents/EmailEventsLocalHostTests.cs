using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Reengage.Core.Model;
using Reengage.Functions.Storage;
using Reengage.LocalHost;
using Reengage.Testing;
using static Reengage.Functions.Tests.EmailEvents.AcsEvents;

namespace Reengage.Functions.Tests.EmailEvents;

/// <summary>
/// <c>processEmailEvents</c> as the local host runs it from its attributes, with the app's host.json and composition: a
/// report put on <c>email-events</c> (Base64, as Event Grid writes it) lands on the ledger; a malformed one and one that
/// is not Base64 end on <c>email-events-poison</c>, unchanged.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmailEventsLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_report_put_on_the_queue_is_applied_and_bad_ones_are_poisoned_unchanged()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-events-host-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(directory, "host.json"));
        // The app's own table and queue names, as the trigger binds them.
        var clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(azurite.ConnectionString));
        await clients.EnsureCreatedAsync();
        var world = new EmailEventsWorld(clients);
        await world.SeedPracticeAsync();
        var sent = await world.SeedSentAsync("pat_host");
        var raw = QueueClientFor(StorageNames.EmailEventsQueue);
        var poison = QueueClientFor(StorageNames.PoisonOf(StorageNames.EmailEventsQueue));
        var malformed = Delivery(EventSchema.CloudEvents, sent.OperationId, "Opened", EmailEventsWorld.EmailOf("pat_host"), "2027-01-05T09:31:12Z").ToJsonString();
        var notBase64 = Delivery(EventSchema.EventGrid, sent.OperationId, "Delivered", EmailEventsWorld.EmailOf("pat_host"), "2027-01-05T09:31:12Z").ToJsonString();
        try
        {
            await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                Port = 0,
                AppDirectory = directory,
                Settings = SampleSettings.ForAzurite(azurite.ConnectionString, Path.Combine(directory, "outbox")),
            });
            Assert.Contains(host.Functions, f => f.Name == "processEmailEvents");

            await clients.EmailEvents.SendMessageAsync(new JsonArray(
                Delivery(EventSchema.EventGrid, sent.OperationId, "Bounced", EmailEventsWorld.EmailOf("pat_host"), "2027-01-05T09:31:12Z"),
                Engagement(EventSchema.CloudEvents, sent.OperationId, "view", "2027-01-05T09:40:00Z")).ToJsonString());
            await clients.EmailEvents.SendMessageAsync(malformed);
            await raw.SendMessageAsync(notBase64);

            // The message's two events are written one after the other: wait for both.
            await UntilAsync(async () => await world.RowAsync(sent) is { Status: OutreachStatus.Bounced, ViewedAt: not null }, "the bounce and the view to be applied");
            var row = await world.RowAsync(sent);
            Assert.Equal(("Bounced", new DateTimeOffset(2027, 1, 5, 9, 40, 0, TimeSpan.Zero)), (row.DeliveryStatus, row.ViewedAt!.Value));
            Assert.True(await world.IsSuppressedAsync("pat_host"));
            // Poison messages keep the bytes that came: Base64 of the malformed report, the raw text of the other.
            var expected = new[] { Base64(malformed), notBase64 }.Order(StringComparer.Ordinal).ToArray();
            await UntilAsync(async () => (await PoisonedAsync(poison, expected)).Length == 2, "both bad messages on email-events-poison");
            Assert.Equal(expected, await PoisonedAsync(poison, expected));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        QueueClient QueueClientFor(string name) => new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
    }

    private static async Task<string[]> PoisonedAsync(QueueClient poison, string[] ours)
    {
        var peeked = (await poison.PeekMessagesAsync(32)).Value;
        return [.. peeked.Select(m => m.Body.ToString()).Where(ours.Contains).Order(StringComparer.Ordinal)];
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
