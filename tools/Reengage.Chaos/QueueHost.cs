// The Functions host as the chaos runs need it: timer invocations of the planners, and the outreach-send queue trigger
// (delete on success, redeliver on a throw after the host's retry delay, poison after maxDequeueCount), where a worker
// process may die mid-message. The clock is simulated, so this host moves it; the local host runs on real time.
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;

namespace Reengage.Chaos;

public sealed record QueueHostReport
{
    public int Handled { get; set; }
    /// <summary>Handler failures the host retried (redelivery).</summary>
    public int Errors { get; set; }
    public int Poisoned { get; set; }
    /// <summary>Queue operations of the host itself that failed while storage was down (outage runs only).</summary>
    public int StorageErrors { get; set; }
    public SimulatedCrashException? Crash { get; set; }
}

public static class QueueHost
{
    /// <summary>host.json's queues.visibilityTimeout: when a failed message comes back.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(2);

    /// <summary>host.json's queues.maxDequeueCount.</summary>
    public const int MaxDequeueCount = 5;

    private static readonly TimeSpan QuietWait = TimeSpan.FromSeconds(10);

    /// <summary>The three timers of one planning day, in the order the harness and the demo run them.</summary>
    public static async Task<SimulatedCrashException?> RunPlannersAsync(OutreachPlanner planner)
    {
        var timers = new PlannerFunctions(planner);
        var timer = new TimerInfo();
        try
        {
            await timers.PlanMilestoneOutreach(timer, CancellationToken.None);
            await timers.PlanLapsedOutreach(timer, CancellationToken.None);
            await timers.PlanSeasonalOutreach(timer, CancellationToken.None);
            return null;
        }
        catch (Exception error) when (CrashOf(error) is { } crash)
        {
            return crash;
        }
    }

    /// <summary>
    /// Drains the queue until it is empty or the worker process dies (a crash from its ports). With an
    /// <paramref name="outage"/>, storage may be down: the host's own queue operations that fail are retried, and an
    /// empty receive ends the drain only once the queue holds nothing at all (messages left invisible by a failed
    /// update come back by themselves after a short visibility timeout).
    /// </summary>
    public static async Task<QueueHostReport> DrainAsync(ChaosEnv env, SendOutreachFunctions function, SimulatedProcess? process, int batchSize = 32, StorageOutage? outage = null)
    {
        var report = new QueueHostReport();
        var queue = env.Queue;
        async Task<bool> Platform(Func<Task> operation)
        {
            try
            {
                await operation();
                return true;
            }
#pragma warning disable CA1031 // Whatever the SDK throws once its retries are spent, as the Functions host would meet it.
            catch (Exception) when (outage is not null)
#pragma warning restore CA1031
            {
                report.StorageErrors++;
                return false;
            }
        }
        var visibility = outage?.VisibilityTimeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            if (outage is not null && DateTime.UtcNow > outage.Deadline)
            {
                throw new TimeoutException("the queue did not drain before the outage deadline");
            }
            QueueMessage[]? batch = null;
            if (!await Platform(async () => batch = (await queue.ReceiveMessagesAsync(batchSize, visibility)).Value) || batch is null)
            {
                await Task.Delay(50);
                continue;
            }
            if (batch.Length == 0)
            {
                if (outage is null) break;
                int? depth = null;
                await Platform(async () => depth = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
                if (depth == 0) break;
                await Task.Delay(100);
                continue;
            }
            var ordered = batch.OrderBy(m => NotBeforeOf(m.MessageText), StringComparer.Ordinal).ToList();
            for (var index = 0; index < ordered.Count; index++)
            {
                var item = ordered[index];
                DateTimeOffset due;
                lock (env.RetryAt)
                {
                    due = Max(DateTimeOffset.TryParse(NotBeforeOf(item.MessageText), out var notBefore) ? notBefore : DateTimeOffset.MinValue,
                        env.RetryAt.GetValueOrDefault(item.MessageId, DateTimeOffset.MinValue));
                }
                if (due > env.Clock.GetUtcNow())
                {
                    var deadline = DateTime.UtcNow + QuietWait;
                    while ((Volatile.Read(ref env.InFlight) > 0 || !env.AcsQuiet()) && DateTime.UtcNow < deadline) await Task.Delay(2);
                    lock (env.RetryAt)
                    {
                        if (due > env.Clock.GetUtcNow()) env.Clock.SetUtcNow(due);
                    }
                }
                Interlocked.Increment(ref env.InFlight);
                Exception? failure = null;
                try
                {
                    await function.SendOutreachAsync(item.MessageText, CancellationToken.None);
                }
#pragma warning disable CA1031 // The host catches whatever the function throws, as the Functions host does.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    failure = error;
                }
                finally
                {
                    Interlocked.Decrement(ref env.InFlight);
                }
                if (failure is null && process?.Crash is null)
                {
                    lock (env.RetryAt) env.RetryAt.Remove(item.MessageId);
                    await Platform(() => queue.DeleteMessageAsync(item.MessageId, item.PopReceipt));
                }
                else if ((CrashOf(failure) ?? process?.Crash) is { } crash)
                {
                    report.Crash = crash;
                    await Platform(() => ReleaseAfterCrashAsync(queue, item, ordered.Skip(index + 1)));
                    return report;
                }
                else
                {
                    report.Errors++;
                    lock (env.RetryAt) env.RetryAt[item.MessageId] = env.Clock.GetUtcNow() + RetryDelay;
                    if (item.DequeueCount >= MaxDequeueCount)
                    {
                        await Platform(async () =>
                        {
                            await env.Poison.CreateIfNotExistsAsync();
                            await env.Poison.SendMessageAsync(item.MessageText, timeToLive: TimeSpan.FromSeconds(-1));
                            await queue.DeleteMessageAsync(item.MessageId, item.PopReceipt);
                            report.Poisoned++;
                        });
                    }
                    else
                    {
                        // Visible again at once; the clock moves by the retry delay when it is picked up. If storage is
                        // down, the update fails and the message comes back after its visibility timeout.
                        await Platform(() => queue.UpdateMessageAsync(item.MessageId, item.PopReceipt, item.MessageText, TimeSpan.Zero));
                    }
                }
                report.Handled++;
                if (outage is not null) await outage.OnMessageHandledAsync(report.Handled);
            }
        }
        return report;
    }

    /// <summary>
    /// A dead worker's messages come back once their visibility timeout runs out; this makes that happen at once. The
    /// one it was handling keeps its dequeue count; the others of its batch were never started and go back as they were.
    /// </summary>
    private static async Task ReleaseAfterCrashAsync(QueueClient queue, QueueMessage handling, IEnumerable<QueueMessage> untouched)
    {
        await queue.UpdateMessageAsync(handling.MessageId, handling.PopReceipt, handling.MessageText, TimeSpan.Zero);
        foreach (var item in untouched)
        {
            await queue.SendMessageAsync(item.MessageText, timeToLive: TimeSpan.FromSeconds(-1));
            await queue.DeleteMessageAsync(item.MessageId, item.PopReceipt);
        }
    }

    /// <summary>At-least-once delivery made visible: every message on the queue is put there a second time.</summary>
    public static async Task<int> DuplicateEveryMessageAsync(QueueClient queue)
    {
        var texts = new List<string>();
        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            if (batch.Length == 0) break;
            foreach (var item in batch)
            {
                texts.Add(item.MessageText);
                await queue.DeleteMessageAsync(item.MessageId, item.PopReceipt);
            }
        }
        foreach (var text in texts)
        {
            await queue.SendMessageAsync(text, timeToLive: TimeSpan.FromSeconds(-1));
            await queue.SendMessageAsync(text, timeToLive: TimeSpan.FromSeconds(-1));
        }
        return texts.Count;
    }

    /// <summary>What docs/operations.md tells an operator to do: put poisoned messages back on the queue.</summary>
    public static async Task<int> RedrivePoisonAsync(QueueClient queue, QueueClient poison)
    {
        if (!(await poison.ExistsAsync()).Value) return 0;
        var moved = 0;
        while (true)
        {
            QueueMessage[] batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            if (batch.Length == 0) return moved;
            foreach (var item in batch)
            {
                await queue.SendMessageAsync(item.MessageText, timeToLive: TimeSpan.FromSeconds(-1));
                await poison.DeleteMessageAsync(item.MessageId, item.PopReceipt);
                moved++;
            }
        }
    }

    public static async Task<int> DepthAsync(QueueClient queue)
    {
        if (!(await queue.ExistsAsync()).Value) return 0;
        return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }

    /// <summary>The crash behind a failure, however the app wrapped or aggregated it.</summary>
    public static SimulatedCrashException? CrashOf(Exception? error) => error switch
    {
        null => null,
        SimulatedCrashException crash => crash,
        AggregateException aggregate => aggregate.InnerExceptions.Select(CrashOf).FirstOrDefault(c => c is not null),
        _ => CrashOf(error.InnerException),
    };

    private static string NotBeforeOf(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("notBefore", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
