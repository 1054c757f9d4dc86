using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Ports;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Queues;

[Collection(AzuriteCollection.Name)]
public sealed class StorageQueueTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 5, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private static readonly SendRequest Request = new("prac_1", "pat_1|lapse|2026-12-01|1", new DateTimeOffset(2027, 1, 5, 9, 30, 36, TimeSpan.Zero));

    /// <summary>A client that reads messages as they are on the wire, without decoding.</summary>
    private QueueClient Raw(string queue) => new(Fixture.ConnectionString, queue);

    private static async Task<QueueMessage[]> ReceiveAsync(QueueClient client) =>
        (await client.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromSeconds(30))).Value;

    [Fact]
    public async Task A_send_request_is_base64_json_on_the_wire_carrying_ids_only()
    {
        await new StorageQueueSendScheduler(Clients.OutreachSend, _time).ScheduleSendAsync(Request, Now.AddMinutes(-1));

        var message = Assert.Single(await ReceiveAsync(Raw(Clients.Names.OutreachSend)));
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        using var document = JsonDocument.Parse(json);
        var properties = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        Assert.Equal(new Dictionary<string, string>
        {
            ["v"] = "1",
            ["practiceId"] = "prac_1",
            ["outreachId"] = "pat_1|lapse|2026-12-01|1",
            ["notBefore"] = "2027-01-05T09:30:36.0000000Z",
        }, properties);
        // Never expires: Azure Storage reports "never" as the end of year 9999.
        Assert.Equal(9999, message.ExpiresOn!.Value.Year);
    }

    [Fact]
    public async Task The_apps_own_clients_read_back_what_they_wrote_and_the_parser_accepts_it()
    {
        await new StorageQueueSendScheduler(Clients.OutreachSend, _time).ScheduleSendAsync(Request, Now);
        var message = Assert.Single(await ReceiveAsync(Clients.OutreachSend));
        Assert.StartsWith("{", message.MessageText, StringComparison.Ordinal);
        Assert.True(SendRequestMessage.TryParse(message.MessageText, out var parsed, out var error), error);
        Assert.Equal(Request, parsed);
    }

    [Fact]
    public async Task A_message_stays_invisible_until_its_instant()
    {
        await new StorageQueueSendScheduler(Clients.OutreachSend, _time).ScheduleSendAsync(Request, Now.AddHours(1));
        Assert.Empty(await ReceiveAsync(Clients.OutreachSend));
        Assert.Empty((await Clients.OutreachSend.PeekMessagesAsync(32)).Value);
        Assert.Equal(1, (await Clients.OutreachSend.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_send_beyond_the_seven_day_maximum_is_capped_instead_of_refused_and_stays_hidden()
    {
        await new StorageQueueSendScheduler(Clients.OutreachSend, _time).ScheduleSendAsync(Request, Now.AddDays(30));
        Assert.Empty(await ReceiveAsync(Clients.OutreachSend));
        Assert.Equal(1, (await Clients.OutreachSend.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task With_a_short_cap_a_far_send_arrives_early_carrying_its_real_not_before()
    {
        var scheduler = new StorageQueueSendScheduler(Clients.OutreachSend, _time, TimeSpan.FromSeconds(1));
        var request = Request with { NotBefore = Now.AddDays(30) };
        await scheduler.ScheduleSendAsync(request, request.NotBefore);

        QueueMessage[] received = [];
        for (var attempt = 0; attempt < 50 && received.Length == 0; attempt++)
        {
            received = await ReceiveAsync(Clients.OutreachSend);
            if (received.Length == 0) await Task.Delay(200);
        }
        var message = Assert.Single(received);
        Assert.True(SendRequestMessage.TryParse(message.MessageText, out var parsed, out _));
        Assert.Equal(request, parsed);
    }

    [Fact]
    public void A_cap_beyond_what_the_service_accepts_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StorageQueueSendScheduler(Clients.OutreachSend, _time, TimeSpan.FromDays(8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StorageQueueSendScheduler(Clients.OutreachSend, _time, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Scheduling_is_one_request()
    {
        await new StorageQueueSendScheduler(Clients.OutreachSend, _time).ScheduleSendAsync(Request, Now.AddMinutes(5));
        Assert.Equal(1, Counter.Total);
        Assert.Equal(1, Counter.Count(Clients.Names.OutreachSend, "POST"));
    }

    [Fact]
    public async Task A_poison_message_keeps_its_text_as_it_arrived_base64_on_the_wire()
    {
        const string text = "[{\"id\":\"e1\",\"eventType\":\"Microsoft.Communication.EmailDeliveryReportReceived\",\"data\":{}}]";
        await new StorageQueuePoisonQueue(Clients.EmailEventsPoison).SendPoisonMessageAsync(text);
        var message = Assert.Single(await ReceiveAsync(Raw(StorageNamesPoison())));
        Assert.Equal(text, Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
    }

    private string StorageNamesPoison() => StorageNames.PoisonOf(Clients.Names.EmailEvents);
}
