// Puts send requests on the `outreach-send` queue, hidden until the instant they may be sent.
using Azure.Storage.Queues;
using Reengage.Core.Ports;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Queues;

/// <param name="queue">The <c>outreach-send</c> client, built with Base64 message encoding (the trigger's default).</param>
/// <param name="maxDelay">At most 7 days (the service's limit); defaults to 7 days less a minute, absorbing clock skew.</param>
public sealed class StorageQueueSendScheduler(QueueClient queue, TimeProvider time, TimeSpan? maxDelay = null) : ISendScheduler
{
    public static readonly TimeSpan ServiceMaxDelay = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultMaxDelay = ServiceMaxDelay - TimeSpan.FromMinutes(1);

    private readonly TimeSpan _maxDelay = maxDelay is { } max && (max < TimeSpan.Zero || max > ServiceMaxDelay)
        ? throw new ArgumentOutOfRangeException(nameof(maxDelay), max, "Between zero and 7 days.")
        : maxDelay ?? DefaultMaxDelay;

    public Task ScheduleSendAsync(SendRequest request, DateTimeOffset visibleAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var delay = visibleAt - time.GetUtcNow();
        // Whole seconds, rounded up: a message must never become visible before its instant.
        var seconds = Math.Clamp(Math.Ceiling(delay.TotalSeconds), 0, Math.Floor(_maxDelay.TotalSeconds));
        var body = SendRequestMessage.Serialize(request);
        // A message that expired would be an email silently lost, so these never expire (-1).
        return StorageErrors.GuardAsync($"{queue.Name} send", () =>
            queue.SendMessageAsync(body, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(-1), cancellationToken));
    }
}
