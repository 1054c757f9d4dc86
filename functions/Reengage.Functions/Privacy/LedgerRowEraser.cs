// Moves one ledger row to its pseudonymous key, without personal content (erasure and retention alike).
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Privacy;

public sealed class LedgerRowEraser(IOutreachLedger ledger, IMessageIndex messageIndex, IFeedbackStore feedback)
{
    /// <summary>
    /// The erased row is written first, the MessageIndex re-pointed (late delivery reports still land on it), the row's
    /// feedback deleted or reduced to its rating, and the original row deleted last: until then the original is still
    /// listed under the patient id, so running this again after a crash finishes the job under the same keys (the
    /// practice's <paramref name="key"/> never changes).
    /// </summary>
    public async Task<OutreachRow> EraseAsync(OutreachRow row, PseudonymKey key, DateTimeOffset now, FeedbackOnErasure onFeedback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var erased = Erasure.ErasedRowOf(row, key, now);
        if (await ledger.CreateOutreachAsync(erased, cancellationToken).ConfigureAwait(false) is null)
        {
            // Written by an earlier attempt: bring it up to date with the row as it is now.
            await PatientSaver.WithOptimisticRetryAsync(async () =>
            {
                var existing = await ledger.GetOutreachAsync(erased.PracticeId, erased.Id, cancellationToken).ConfigureAwait(false);
                if (existing is null) await ledger.CreateOutreachAsync(erased, cancellationToken).ConfigureAwait(false);
                else await ledger.UpdateOutreachAsync(erased, existing.ETag, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        var indexed = await messageIndex.GetMessageAsync(row.OperationId, cancellationToken).ConfigureAwait(false);
        if (indexed is not null && indexed.PracticeId == row.PracticeId && indexed.OutreachId == row.Id)
        {
            await messageIndex.UpsertMessageAsync(indexed with { OutreachId = erased.Id }, cancellationToken).ConfigureAwait(false);
        }
        var answer = await feedback.GetFeedbackAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        if (answer is not null)
        {
            if (onFeedback == FeedbackOnErasure.KeepRating)
            {
                await feedback.UpsertFeedbackAsync(Erasure.RatingOnlyOf(answer, erased), cancellationToken).ConfigureAwait(false);
            }
            await feedback.DeleteFeedbackAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        }
        await ledger.DeleteOutreachAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        return erased;
    }
}
