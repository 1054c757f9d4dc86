using Reengage.Core.Model;

namespace Reengage.Core.Ports;

/// <summary>The ledger: one row per planned email, keyed by <see cref="OutreachRow.Id"/>.</summary>
public interface IOutreachLedger
{
    /// <summary>Null when missing, including for an id too long to ever have been stored.</summary>
    Task<Versioned<OutreachRow>?> GetOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default);

    /// <summary>Null when a row with that key already exists (planning is idempotent by key). Returns the ETag.</summary>
    Task<string?> CreateOutreachAsync(OutreachRow row, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.PreconditionFailed"/> when the ETag no longer matches. Returns the new ETag.</summary>
    Task<string> UpdateOutreachAsync(OutreachRow row, string etag, CancellationToken cancellationToken = default);

    IAsyncEnumerable<OutreachRow> ListOutreachForPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default);

    IAsyncEnumerable<OutreachRow> ListOutreachAsync(string practiceId, CancellationToken cancellationToken = default);

    /// <summary>The practice's rows planned strictly before <paramref name="before"/>: what retention looks at.</summary>
    IAsyncEnumerable<OutreachRow> ListOutreachPlannedBeforeAsync(string practiceId, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone. Used when erasure moves a row to a pseudonymous key.</summary>
    Task DeleteOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default);
}

/// <summary>Which patients become due on which day (<see cref="DueEntry.Day"/> is <c>yyyyMMdd</c>).</summary>
public interface IDueIndex
{
    Task UpsertDueAsync(DueEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone.</summary>
    Task DeleteDueAsync(DueEntry entry, CancellationToken cancellationToken = default);

    IAsyncEnumerable<DueEntry> ListDueAsync(string day, CancellationToken cancellationToken = default);

    /// <summary>One practice's entries of one day (a RowKey range of the day's partition).</summary>
    IAsyncEnumerable<DueEntry> ListDueForPracticeAsync(string day, string practiceId, CancellationToken cancellationToken = default);
}
