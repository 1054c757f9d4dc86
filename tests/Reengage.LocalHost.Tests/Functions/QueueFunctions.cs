using Microsoft.Azure.Functions.Worker;

namespace Reengage.LocalHost.Tests.Functions.Queues;

public sealed record Order(string Id, int Quantity);

public sealed class QueueFunctions(Recorder recorder)
{
    [Function("echo")]
    public void Echo([QueueTrigger("%ECHO_QUEUE%", Connection = "ReengageStorage")] string body, long dequeueCount, string id) =>
        recorder.Record("echo", body, dequeueCount, id);

    [Function("flaky")]
    public void Flaky([QueueTrigger("%FLAKY_QUEUE%", Connection = "ReengageStorage")] string body, int dequeueCount)
    {
        recorder.Record("flaky", body, dequeueCount);
        if (dequeueCount < 3)
        {
            throw new InvalidOperationException("not yet");
        }
    }

    [Function("failing")]
    public void Failing([QueueTrigger("%FAILING_QUEUE%", Connection = "ReengageStorage")] BinaryData body, long dequeueCount)
    {
        recorder.Record("failing", body.ToString(), dequeueCount);
        throw new InvalidOperationException("never");
    }

    [Function("slow")]
    public async Task Slow([QueueTrigger("%SLOW_QUEUE%", Connection = "ReengageStorage")] string body, CancellationToken cancellationToken)
    {
        recorder.Enter();
        recorder.Record("slow-started", body);
        try
        {
            await Task.Delay(150, cancellationToken);
        }
        finally
        {
            recorder.Leave();
        }
        recorder.Record("slow", body);
    }

    // No Connection: the host's default, AzureWebJobsStorage.
    [Function("order")]
    public void Order([QueueTrigger("%ORDER_QUEUE%")] Order order, string messageId) =>
        recorder.Record("order", $"{order.Id}x{order.Quantity}", id: messageId);
}
