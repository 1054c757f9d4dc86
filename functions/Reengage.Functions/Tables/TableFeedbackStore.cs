// Feedback table: PK the practice id, RK the ledger row the feedback answers (so a patient's feedback is a range).
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableFeedbackStore(TableClient feedbackTable) : IFeedbackStore
{
    private readonly TableOperations _feedback = new(feedbackTable);

    public async Task<FeedbackEntry?> GetFeedbackAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default)
    {
        var row = await _feedback.GetAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(outreachId, "outreach id"), cancellationToken).ConfigureAwait(false);
        return row is { } r ? EntryFrom(r.Entity) : null;
    }

    private FeedbackEntry EntryFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _feedback.Table);
        return new FeedbackEntry(r.String("practiceId"), r.String("outreachId"), r.String("patientId"), r.Int("rating"), r.OptionalString("comment"), r.Instant("createdAt"), r.Instant("updatedAt"));
    }

    public Task UpsertFeedbackAsync(FeedbackEntry entry, CancellationToken cancellationToken = default) =>
        _feedback.UpsertAsync(
            new EntityWriter(_feedback.Table, TableKeys.Checked(entry.PracticeId, "practice id"), TableKeys.Checked(entry.OutreachId, "outreach id"))
                .Set("practiceId", entry.PracticeId)
                .Set("outreachId", entry.OutreachId)
                .Set("patientId", entry.PatientId)
                .Set("rating", entry.Rating)
                .Set("comment", entry.Comment)
                .Set("createdAt", entry.CreatedAt)
                .Set("updatedAt", entry.UpdatedAt)
                .Build(),
            cancellationToken);

    public IAsyncEnumerable<FeedbackEntry> ListFeedbackAsync(string practiceId, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")}"), null, cancellationToken);

    public IAsyncEnumerable<FeedbackEntry> ListFeedbackForPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        var (from, to) = TableKeys.RangeOf(patientId);
        return QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")} and RowKey ge {from} and RowKey lt {to}"), patientId, cancellationToken);
    }

    public Task DeleteFeedbackAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default) =>
        _feedback.DeleteAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(outreachId, "outreach id"), cancellationToken);

    private async IAsyncEnumerable<FeedbackEntry> QueryAsync(string filter, string? patientId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _feedback.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            var entry = EntryFrom(entity);
            if (patientId is null || entry.PatientId == patientId) yield return entry;
        }
    }
}
