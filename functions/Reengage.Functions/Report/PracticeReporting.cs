// The practice report use case: reads the practice's feedback and ledger partitions and adds them up.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Report;

namespace Reengage.Functions.Report;

/// <summary>The report of one practice, computed at <see cref="GeneratedAt"/>.</summary>
public sealed record PracticeReport(string PracticeId, DateTimeOffset GeneratedAt, PracticeReportFigures Figures);

/// <summary>What a report request comes to: the report, or the problems naming each bad query parameter.</summary>
public abstract record ReportOutcome
{
    private ReportOutcome()
    {
    }

    public sealed record Built(PracticeReport Report) : ReportOutcome;

    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : ReportOutcome;
}

/// <summary>
/// Only aggregates leave this class: patient ids, feedback comments and email details stay in the rows read here.
/// The ledger is streamed page by page from the practice's partition into the builder, which keeps tallies, not rows;
/// the feedback partition (at most one entry per email) is read first so each row meets its rating.
/// </summary>
public sealed partial class PracticeReporting(
    IOutreachLedger ledger,
    IFeedbackStore feedback,
    IPracticeStore practices,
    TimeProvider time,
    ILogger<PracticeReporting> logger)
{
    /// <param name="parameter">The request's query parameter by name (null when absent).</param>
    public async Task<ReportOutcome> ReportAsync(Practice practice, Func<string, string?> parameter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        var now = time.GetUtcNow();
        var parsed = ReportQuery.Parse(parameter, PracticeReportBuilder.TodayIn(practice.TimeZone, now));
        if (parsed.Query is not { } query) return new ReportOutcome.Invalid(parsed.Problems);

        var ratings = new List<(string, int)>();
        await foreach (var entry in feedback.ListFeedbackAsync(practice.Id, cancellationToken).ConfigureAwait(false))
        {
            ratings.Add((entry.OutreachId, entry.Rating));
        }
        var therapistNames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (query.GroupBy == ReportGroupBy.Therapist)
        {
            await foreach (var therapist in practices.ListTherapistsAsync(practice.Id, cancellationToken).ConfigureAwait(false))
            {
                therapistNames[therapist.Id] = therapist.DisplayName;
            }
        }
        var builder = new PracticeReportBuilder(query, practice.TimeZone, now, ratings, therapistNames);
        var rows = 0;
        await foreach (var row in ledger.ListOutreachAsync(practice.Id, cancellationToken).ConfigureAwait(false))
        {
            builder.Add(row);
            rows++;
        }
        LogReported(logger, practice.Id, Wire.Name(query.GroupBy), rows);
        return new ReportOutcome.Built(new PracticeReport(practice.Id, now, builder.Build()));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "practice report {PracticeId} by {GroupBy} over {Rows} ledger rows")]
    private static partial void LogReported(ILogger logger, string practiceId, string groupBy, int rows);
}
