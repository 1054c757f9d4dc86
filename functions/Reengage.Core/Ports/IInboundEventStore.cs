using Reengage.Core.Model;

namespace Reengage.Core.Ports;

public enum InboundEventStatus
{
    [WireName("received")] Received,
    [WireName("applied")] Applied,
}

/// <summary>A webhook event seen once. <see cref="BodyHash"/> is the SHA-256 of the raw body, never the body.</summary>
public sealed record InboundEventRecord
{
    public required string PracticeId { get; init; }
    public required WebhookSource Source { get; init; }
    /// <summary>The booking tool's own id, any characters.</summary>
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public required InboundEventStatus Status { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string BodyHash { get; init; }
}

/// <summary>Webhook de-duplication by event id.</summary>
public interface IInboundEventStore
{
    Task<Versioned<InboundEventRecord>?> GetEventAsync(string practiceId, WebhookSource source, string eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the event if its id was never seen: one insert, whose conflict means "seen". Returns the new row's
    /// ETag, or null when the id was already recorded; a caller that needs the earlier record's status then reads
    /// it with <see cref="GetEventAsync"/>, so the common path costs one request.
    /// </summary>
    Task<string?> RecordIfNewAsync(InboundEventRecord record, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.PreconditionFailed"/> when the ETag no longer matches. Returns the new ETag.</summary>
    Task<string> UpdateEventAsync(InboundEventRecord record, string etag, CancellationToken cancellationToken = default);

    /// <summary>The practice's records received strictly before <paramref name="before"/>.</summary>
    IAsyncEnumerable<InboundEventRecord> ListEventsReceivedBeforeAsync(string practiceId, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone.</summary>
    Task DeleteEventAsync(string practiceId, WebhookSource source, string eventId, CancellationToken cancellationToken = default);
}
