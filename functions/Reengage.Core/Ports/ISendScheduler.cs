namespace Reengage.Core.Ports;

/// <summary>A thin queue message: ids only, never personal or health data.</summary>
/// <param name="NotBefore">When the message is meant to be handled (the row's notBefore, or a retry time).</param>
public sealed record SendRequest(string PracticeId, string OutreachId, DateTimeOffset NotBefore);

public interface ISendScheduler
{
    /// <summary>
    /// Enqueues on <c>outreach-send</c>, visible at <paramref name="visibleAt"/> (at once if it has passed). A time
    /// beyond the queue's 7-day maximum is capped: the consumer sees a future <see cref="SendRequest.NotBefore"/>
    /// and schedules the remainder, so no request is dropped for being too far ahead.
    /// </summary>
    Task ScheduleSendAsync(SendRequest request, DateTimeOffset visibleAt, CancellationToken cancellationToken = default);
}

/// <summary>
/// The <c>-poison</c> twin of a queue: where a message that can never be processed is kept for an operator,
/// unchanged, so that it can be re-driven once the cause is fixed (as the host does after maxDequeueCount).
/// </summary>
public interface IPoisonQueue
{
    Task SendPoisonMessageAsync(string messageText, CancellationToken cancellationToken = default);
}
