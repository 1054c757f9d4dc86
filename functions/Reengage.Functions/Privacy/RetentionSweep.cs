// The weekly retention sweep: booking-event records after 30 days, outreach content after RETENTION_DAYS.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;

namespace Reengage.Functions.Privacy;

/// <summary>How long outreach content is kept (<c>RETENTION_DAYS</c>).</summary>
public sealed record RetentionOptions(int RetentionDays);

/// <summary>What one sweep did; <see cref="FailedPractices"/> were logged, the others swept regardless.</summary>
public sealed record RetentionReport(int Practices, int InboundEventsDeleted, int OutreachErased, int FailedPractices);

public sealed partial class RetentionSweep(
    IPracticeStore practices,
    IInboundEventStore inboundEvents,
    IOutreachLedger ledger,
    LedgerRowEraser eraser,
    PseudonymKeys pseudonymKeys,
    RetentionOptions options,
    TimeProvider time,
    ILogger<RetentionSweep> logger)
{
    /// <summary>
    /// For each practice: deletes the booking-event records received more than 30 days ago, and erases the personal
    /// content of outreach rows planned more than <see cref="RetentionOptions.RetentionDays"/> ago (as erasure does, but
    /// a feedback keeps its rating). Rows still waiting to be sent, or being sent, are left alone. Idempotent and
    /// resumable: a sweep cut short is finished by the next one. Throws at the end if a practice failed, so that the run
    /// shows as failed.
    /// </summary>
    public async Task<RetentionReport> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var eventsBefore = Retention.InboundEventsBefore(now);
        var outreachBefore = Retention.OutreachBefore(now, options.RetentionDays);
        int swept = 0, eventsDeleted = 0, outreachErased = 0, failed = 0;
        await foreach (var practice in practices.ListPracticesAsync(cancellationToken).ConfigureAwait(false))
        {
            swept++;
            try
            {
                // Collected first: deleting while a query pages through the same partition can skip rows.
                var events = await CollectAsync(inboundEvents.ListEventsReceivedBeforeAsync(practice.Id, eventsBefore, cancellationToken)).ConfigureAwait(false);
                foreach (var record in events)
                {
                    await inboundEvents.DeleteEventAsync(practice.Id, record.Source, record.EventId, cancellationToken).ConfigureAwait(false);
                    eventsDeleted++;
                }
                var rows = await CollectAsync(ledger.ListOutreachPlannedBeforeAsync(practice.Id, outreachBefore, cancellationToken)).ConfigureAwait(false);
                var due = rows.Where(Retention.ShouldErase).ToList();
                // The key is only read (or created) for a practice that has something to erase.
                if (due.Count > 0)
                {
                    var key = await pseudonymKeys.GetOrCreateAsync(practice.Id, cancellationToken).ConfigureAwait(false);
                    foreach (var row in due)
                    {
                        await eraser.EraseAsync(row, key, now, FeedbackOnErasure.KeepRating, cancellationToken).ConfigureAwait(false);
                        outreachErased++;
                    }
                }
            }
            catch (ReengageException error)
            {
                failed++;
                LogPracticeFailed(logger, practice.Id, error.Code);
            }
        }
        var report = new RetentionReport(swept, eventsDeleted, outreachErased, failed);
        LogFinished(logger, report.Practices, report.InboundEventsDeleted, report.OutreachErased, report.FailedPractices);
        if (failed > 0)
        {
            throw new ReengageException(ErrorCode.StorageUnavailable, $"retention sweep failed for {failed} practice(s); see the logged errors", retryable: true);
        }
        return report;
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items.ConfigureAwait(false)) all.Add(item);
        return all;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "retention sweep failed for a practice {PracticeId} {Code}")]
    private static partial void LogPracticeFailed(ILogger logger, string practiceId, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Information, Message = "retention sweep finished practices={Practices} inboundEventsDeleted={InboundEventsDeleted} outreachErased={OutreachErased} failedPractices={FailedPractices}")]
    private static partial void LogFinished(ILogger logger, int practices, int inboundEventsDeleted, int outreachErased, int failedPractices);
}
