using Reengage.Core.Model;

namespace Reengage.Core.Ports;

/// <summary>Maps an ACS message id back to the ledger row it was sent for.</summary>
public sealed record MessageIndexEntry(string MessageId, string PracticeId, string OutreachId);

public interface IMessageIndex
{
    Task UpsertMessageAsync(MessageIndexEntry entry, CancellationToken cancellationToken = default);

    Task<MessageIndexEntry?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default);
}

public enum SuppressionReason
{
    [WireName("unsubscribed")] Unsubscribed,
    [WireName("bounced")] Bounced,
    [WireName("suppressed")] Suppressed,
    [WireName("complained")] Complained,
}

/// <summary>
/// An address never to write to again, kept only as a salted hash (<see cref="Ids.AddressHashOf"/>) so that it
/// outlives erasure: a patient erased and imported again is still not written to.
/// </summary>
public sealed record SuppressionEntry(string PracticeId, string AddressHash, SuppressionReason Reason, DateTimeOffset At);

public interface ISuppressionStore
{
    Task<SuppressionEntry?> GetSuppressionAsync(string practiceId, string addressHash, CancellationToken cancellationToken = default);

    Task UpsertSuppressionAsync(SuppressionEntry entry, CancellationToken cancellationToken = default);

    IAsyncEnumerable<SuppressionEntry> ListSuppressionsAsync(string practiceId, CancellationToken cancellationToken = default);
}

/// <summary>One feedback per email (a second submission replaces it). <see cref="Comment"/> is personal data.</summary>
/// <param name="OutreachId">The ledger row the feedback answers (its id starts with the patient id).</param>
/// <param name="Rating">1 to 5.</param>
public sealed record FeedbackEntry(string PracticeId, string OutreachId, string PatientId, int Rating, string? Comment, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public interface IFeedbackStore
{
    Task<FeedbackEntry?> GetFeedbackAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default);

    Task UpsertFeedbackAsync(FeedbackEntry entry, CancellationToken cancellationToken = default);

    IAsyncEnumerable<FeedbackEntry> ListFeedbackAsync(string practiceId, CancellationToken cancellationToken = default);

    IAsyncEnumerable<FeedbackEntry> ListFeedbackForPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone.</summary>
    Task DeleteFeedbackAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default);
}
