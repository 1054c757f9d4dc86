// Why the demo paces the send queue itself: a queue's visibility delay runs on real time, while the demo's months pass
// in seconds of a simulated clock. A message planned for 09:30 on a simulated Tuesday would stay hidden for hours of real
// time, and with the delay collapsed to zero the host would hand it to sendOutreach at once, hours early in simulated
// time (sendOutreach would only put it back). So the app's own scheduler (StorageQueueSendScheduler) writes to a parking
// queue with no delay; this pacer holds each request until the simulated clock reaches its notBefore, moves the clock
// there, and only then puts the unchanged message on `outreach-send`, where the host's own queue polling hands it to the
// real sendOutreach (Base64 decoding, dequeue count, delete on success, retry and poison on failure), and waits for that
// invocation to finish. Whatever sendOutreach reschedules (too early, quota, 429) comes back through the parking queue.
using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Reengage.Functions.Queues;
using Reengage.LocalHost;

namespace Reengage.Demo;

internal sealed class SendQueuePacer(QueueClient parked, QueueClient outreachSend, SimulatedClock clock)
{
    public const string ParkingQueueName = "demo-outreach-send-parked";
    public const string SendFunction = "sendOutreach";

    private static readonly TimeSpan InvocationTimeout = TimeSpan.FromSeconds(30);

    private readonly List<(DateTimeOffset NotBefore, string Body)> _pending = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionInvocation>> _completions = new();

    // Only the planners and sendOutreach schedule sends (bookingWebhook writes patients, appointments and the DueIndex),
    // so the parking queue is read again only after one of them ran, and once at the end of each simulated day.
    private bool _mayHaveNew = true;

    public int Handled { get; private set; }

    /// <summary>Called after a planner ran: it may have scheduled sends.</summary>
    public void PlannerRan() => _mayHaveNew = true;

    public List<string> Failures { get; } = [];

    /// <summary>Wired to <see cref="LocalFunctionsHostOptions.OnInvocationCompleted"/>.</summary>
    public void OnInvocationCompleted(FunctionInvocation invocation)
    {
        if (string.Equals(invocation.FunctionName, SendFunction, StringComparison.OrdinalIgnoreCase) && invocation.MessageId is { } id)
        {
            Completion(id).TrySetResult(invocation);
        }
    }

    /// <summary>When the next parked request is due, or null when none is waiting.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(bool readQueue, CancellationToken cancellationToken)
    {
        if (readQueue || _mayHaveNew)
        {
            _mayHaveNew = false;
            await CollectAsync(cancellationToken).ConfigureAwait(false);
        }
        return _pending.Count == 0 ? null : _pending.Min(p => p.NotBefore);
    }

    /// <summary>Sends the earliest parked request through the host at its simulated time; returns once sendOutreach ran.</summary>
    public async Task SendNextAsync(CancellationToken cancellationToken)
    {
        var next = _pending.OrderBy(p => p.NotBefore).First();
        _pending.Remove(next);
        clock.AdvanceTo(next.NotBefore);
        // Never expiring, like the app's own messages: an expired message would be an email silently lost.
        _mayHaveNew = true;
        var receipt = (await outreachSend.SendMessageAsync(next.Body, TimeSpan.Zero, TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false)).Value;
        var completion = Completion(receipt.MessageId);
        var finished = await Task.WhenAny(completion.Task, Task.Delay(InvocationTimeout, cancellationToken)).ConfigureAwait(false);
        if (finished != completion.Task)
        {
            throw new DemoException(
                $"{SendFunction} did not pick up a message from '{outreachSend.Name}' within {InvocationTimeout.TotalSeconds:0} s: is its queue trigger bound to that queue?");
        }
        _completions.TryRemove(receipt.MessageId, out _);
        var invocation = await completion.Task.ConfigureAwait(false);
        Handled++;
        if (invocation.Error is { } error)
        {
            // The host keeps the message and tries again after host.json's visibilityTimeout, in real time.
            Failures.Add($"{error.GetType().Name}: {error.Message}");
        }
    }

    private TaskCompletionSource<FunctionInvocation> Completion(string messageId) =>
        _completions.GetOrAdd(messageId, static _ => new TaskCompletionSource<FunctionInvocation>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task CollectAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = (await parked.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false)).Value;
            if (batch.Length == 0)
            {
                return;
            }
            foreach (var message in batch)
            {
                var body = message.Body.ToString();
                // A body the app cannot read goes through at once: sendOutreach's own handling of it is what the demo shows.
                var notBefore = SendRequestMessage.TryParse(body, out var request, out _) ? request!.NotBefore : clock.Now;
                _pending.Add((notBefore, body));
                await parked.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A demo step that cannot go on; its message is printed as is.</summary>
internal sealed class DemoException(string message) : Exception(message);
