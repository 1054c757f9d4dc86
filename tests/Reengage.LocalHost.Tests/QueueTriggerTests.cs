using System.Text.Json;
using Azure.Storage.Queues;

namespace Reengage.LocalHost.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class QueueTriggerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Namespace = "Reengage.LocalHost.Tests.Functions.Queues";

    // A retry is visible again at once and polling stays quick, so the tests wait little; the limits are small to be reached.
    private const string HostJson = """
        {
          "version": "2.0",
          "extensions": {
            "queues": {
              "batchSize": 2,
              "newBatchThreshold": 1,
              "maxDequeueCount": 4,
              "visibilityTimeout": "00:00:00",
              "maxPollingInterval": "00:00:00.200"
            }
          }
        }
        """;

    private readonly Dictionary<string, string> _queues = new()
    {
        ["ECHO_QUEUE"] = AzuriteFixture.UniqueName("echo"),
        ["FLAKY_QUEUE"] = AzuriteFixture.UniqueName("flaky"),
        ["FAILING_QUEUE"] = AzuriteFixture.UniqueName("failing"),
        ["SLOW_QUEUE"] = AzuriteFixture.UniqueName("slow"),
        ["ORDER_QUEUE"] = AzuriteFixture.UniqueName("order"),
    };

    private readonly System.Collections.Concurrent.ConcurrentQueue<FunctionInvocation> _invocations = new();
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        var settings = _queues.ToDictionary(q => q.Key, q => (string?)q.Value);
        settings["ReengageStorage"] = azurite.ConnectionString;
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        // Twelve messages wait before the host starts, so its very first receive can fill a batch.
        var slow = Queue("SLOW_QUEUE");
        await slow.CreateIfNotExistsAsync();
        for (var i = 0; i < 12; i++)
        {
            await slow.SendMessageAsync($"slow {i}");
        }
        _app = await TestApp.StartAsync(Namespace, settings, HostJson, observer: _invocations.Enqueue);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var name in _queues.Values)
        {
            var service = new QueueServiceClient(azurite.ConnectionString);
            await service.DeleteQueueAsync(name);
            await service.DeleteQueueAsync(name + "-poison");
        }
    }

    private QueueClient Queue(string setting, string suffix = "", QueueMessageEncoding encoding = QueueMessageEncoding.Base64) =>
        new(azurite.ConnectionString, _queues[setting] + suffix, new QueueClientOptions { MessageEncoding = encoding });

    private static async Task<int> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    [Fact]
    public async Task A_Base64_message_is_decoded_and_handed_over_with_dequeue_count_1_and_its_id_then_deleted()
    {
        var sent = await Queue("ECHO_QUEUE").SendMessageAsync("Zoé's message");

        await _app.Recorder.WaitUntilAsync(r => r.Calls("echo").Count > 0, "the echo function to run");
        var call = Assert.Single(_app.Recorder.Calls("echo"));
        Assert.Equal("Zoé's message", call.Value);
        Assert.Equal(1, call.DequeueCount);
        Assert.Equal(sent.Value.MessageId, call.Id);
        await Recorder.WaitUntilAsync(async () => await CountAsync(Queue("ECHO_QUEUE")) == 0, "the message to be deleted");
    }

    [Fact]
    public async Task A_function_that_throws_twice_then_succeeds_sees_dequeue_count_3_and_nothing_is_poisoned()
    {
        await Queue("FLAKY_QUEUE").SendMessageAsync("third time lucky");

        await _app.Recorder.WaitUntilAsync(r => r.Calls("flaky").Count >= 3, "three attempts");
        await Recorder.WaitUntilAsync(async () => await CountAsync(Queue("FLAKY_QUEUE")) == 0, "the message to be deleted");
        Assert.Equal([1L, 2L, 3L], _app.Recorder.Calls("flaky").Select(c => c.DequeueCount));
        Assert.Equal(0, await CountAsync(Queue("FLAKY_QUEUE", "-poison")));
        var observed = _invocations.Where(i => i.FunctionName == "flaky").ToList();
        Assert.Equal([1L, 2L, 3L], observed.Select(i => i.DequeueCount ?? 0));
        Assert.Equal([true, true, false], observed.Select(i => i.Error is InvalidOperationException));
    }

    [Fact]
    public async Task A_message_that_always_fails_moves_to_the_poison_queue_after_maxDequeueCount_with_its_original_text()
    {
        await Queue("FAILING_QUEUE").SendMessageAsync("""{"outreachId":"o-1"}""");

        var poison = Queue("FAILING_QUEUE", "-poison");
        await Recorder.WaitUntilAsync(async () => await CountAsync(poison) == 1, "the message in the poison queue");
        var poisoned = Assert.Single((await poison.ReceiveMessagesAsync(10)).Value);
        Assert.Equal("""{"outreachId":"o-1"}""", poisoned.Body.ToString());
        Assert.Equal([1L, 2L, 3L, 4L], _app.Recorder.Calls("failing").Select(c => c.DequeueCount));
        Assert.All(_app.Recorder.Calls("failing"), c => Assert.Equal("""{"outreachId":"o-1"}""", c.Value));
        Assert.Equal(0, await CountAsync(Queue("FAILING_QUEUE")));
    }

    [Fact]
    public async Task A_message_that_is_not_Base64_goes_to_the_poison_queue_without_running_the_function()
    {
        await Queue("ECHO_QUEUE", encoding: QueueMessageEncoding.None).SendMessageAsync("not base64!");

        var poison = Queue("ECHO_QUEUE", "-poison", QueueMessageEncoding.None);
        await Recorder.WaitUntilAsync(async () => await CountAsync(poison) == 1, "the message in the poison queue");
        Assert.Equal("not base64!", Assert.Single((await poison.ReceiveMessagesAsync(10)).Value).Body.ToString());
        Assert.Empty(_app.Recorder.Calls("echo"));
    }

    [Fact]
    public async Task At_most_batchSize_plus_newBatchThreshold_messages_run_at_once()
    {
        await _app.Recorder.WaitUntilAsync(r => r.Calls("slow").Count == 12, "the twelve slow messages");

        // batchSize 2 + newBatchThreshold 1: a first batch of two runs together; the host never has more than three going.
        Assert.InRange(_app.Recorder.MaxConcurrent, 2, 3);
    }

    [Fact]
    public async Task A_JSON_message_binds_to_a_record_and_the_default_connection_is_AzureWebJobsStorage()
    {
        var sent = await Queue("ORDER_QUEUE").SendMessageAsync(JsonSerializer.Serialize(new { id = "ord-9", quantity = 3 }));

        await _app.Recorder.WaitUntilAsync(r => r.Calls("order").Count > 0, "the order function to run");
        var call = Assert.Single(_app.Recorder.Calls("order"));
        Assert.Equal("ord-9x3", call.Value);
        Assert.Equal(sent.Value.MessageId, call.Id);
    }

    [Fact]
    public async Task InvokeAsync_hands_a_queue_function_its_input_as_the_message()
    {
        await _app.Host.InvokeAsync("echo", "typed by hand");

        var call = Assert.Single(_app.Recorder.Calls("echo"));
        Assert.Equal("typed by hand", call.Value);
        Assert.Equal(1, call.DequeueCount);
    }

    [Fact]
    public async Task Stopping_the_host_lets_a_message_in_flight_finish_and_settle()
    {
        await _app.Recorder.WaitUntilAsync(r => r.Calls("slow-started").Count > 0, "a slow message to start");

        await _app.Host.DisposeAsync();

        var started = _app.Recorder.Calls("slow-started").Select(c => c.Value).ToHashSet();
        var finished = _app.Recorder.Calls("slow").Select(c => c.Value).ToHashSet();
        Assert.Equal(started, finished);
        Assert.Equal(12 - finished.Count, await CountAsync(Queue("SLOW_QUEUE")));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class QueueConnectionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_queue_function_without_its_connection_setting_fails_the_start_naming_the_setting()
    {
        var directory = TestApp.AppDirectory(null, null);
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["ECHO_QUEUE"] = "a",
                ["FLAKY_QUEUE"] = "b",
                ["FAILING_QUEUE"] = "c",
                ["SLOW_QUEUE"] = "d",
                ["ORDER_QUEUE"] = "e",
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["ReengageStorage"] = "",
            };
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                LocalFunctionsHost.StartAsync(TestApp.Options("Reengage.LocalHost.Tests.Functions.Queues", directory, settings)));

            Assert.Contains("ReengageStorage", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
