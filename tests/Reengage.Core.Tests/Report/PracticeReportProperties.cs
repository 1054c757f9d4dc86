using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reengage.Core.Model;
using Reengage.Core.Report;
using static Reengage.Core.Tests.Report.ReportRows;

namespace Reengage.Core.Tests.Report;

public sealed class PracticeReportProperties
{
    private static readonly string[] Statuses =
        ["planned", "sending", "sent", "delivered", "bounced", "failed", "held_out", "skipped:booked", "skipped:cooldown", "skipped:odd"];

    private static readonly string?[] Therapists = ["th_1", "th_2", "th_3", null];

    /// <summary>Rows planned from mid-December to mid-April around the first quarter, in any state.</summary>
    private static readonly Gen<OutreachRow> Rows =
        from patient in Gen.Choose(0, 40)
        from hours in Gen.Choose(0, 24 * 120)
        from status in Gen.Elements(Statuses)
        from template in Gen.Elements(Enum.GetValues<TemplateId>())
        from therapist in Gen.Elements(Therapists)
        from sent in Gen.Elements(true, false)
        from rebooked in Gen.Elements(true, false)
        from scanner in Gen.Elements(true, false)
        from response in Gen.Elements<OutreachResponse?>(null, OutreachResponse.Book, OutreachResponse.Later, OutreachResponse.Unsubscribe, OutreachResponse.Feedback)
        from step in Gen.Choose(1, 3)
        let plannedAt = At("2026-12-15T00:00:00Z").AddHours(hours)
        select Row($"p{patient}") with
        {
            Step = step,
            TemplateId = template,
            TherapistId = therapist,
            Status = status,
            PlannedAt = plannedAt,
            NotBefore = plannedAt.AddHours(3),
            SentAt = sent ? plannedAt.AddHours(4) : null,
            RebookedAt = rebooked ? plannedAt.AddDays(9) : null,
            ScannerVisitAt = scanner && sent ? plannedAt.AddHours(4).AddSeconds(10) : null,
            Response = response,
        };

    private static int[] Counts(ReportFigures f) =>
    [
        f.Planned, f.Pending, f.Sent, f.Delivered, f.Bounced, f.Failed, f.HeldOut, f.Skipped.Total, f.BookClicks, f.ScannerVisits,
        f.NotNow, f.Unsubscribes, f.Feedback.Count, f.Rebooked,
    ];

    [Property(MaxTest = 200)]
    public Property Whatever_the_grouping_the_groups_add_up_to_the_total() =>
        Prop.ForAll(Gen.ListOf(Rows).Select(r => r.ToArray()).ToArbitrary(), Gen.Elements(Enum.GetValues<ReportGroupBy>()).ToArbitrary(), (rows, groupBy) =>
        {
            var report = Figures(rows, Q1 with { GroupBy = groupBy });
            var sums = report.Groups.Select(g => Counts(g.Figures)).Aggregate(new int[14], (a, b) => [.. a.Zip(b, (x, y) => x + y)]);
            var inPeriod = rows.Count(r => r.PlannedAt >= At("2026-12-31T23:00:00Z") && r.PlannedAt < At("2027-03-31T22:00:00Z"));
            return sums.SequenceEqual(Counts(report.Total))
                && report.Total.Planned + report.Total.HeldOut + report.Total.Skipped.Total == inPeriod
                && report.Total.Skipped.ByReason.Values.Sum() == report.Total.Skipped.Total;
        });

    [Property(MaxTest = 500)]
    public Property Any_query_parameters_give_a_query_within_the_rules_or_problems_never_an_exception() =>
        Prop.ForAll(
            Gen.Elements("", "2027-01-01", "2027-04-01", "2024-01-01", "2027-02-30", "x", "2027-06-16", "0001-01-01", "9999-12-31", "9998-01-01").ToArbitrary(),
            Gen.Elements("", "2027-01-01", "2027-04-01", "2030-01-02", "2027-13-01", "0001-01-01", "0001-02-01", "9999-12-31").ToArbitrary(),
            Gen.Elements("", "template", "therapist", "month", "Month", "week").ToArbitrary(),
            (from, to, groupBy) =>
            {
                var parsed = ReportQuery.Parse(name => name switch { "from" => from, "to" => to, "groupBy" => groupBy, _ => null }, new DateOnly(2027, 6, 15));
                if (parsed.Query is not { } q) return parsed.Problems.Count > 0;
                // Whatever the period, the report of it can be built (an empty ledger still lists every month).
                var report = Figures([Row("p1")], q);
                return parsed.Problems.Count == 0 && q.From < q.To && q.To.DayNumber - q.From.DayNumber <= 3 * 366
                    && (q.GroupBy != ReportGroupBy.Month || report.Groups.Count == (q.To.AddDays(-1).Year - q.From.Year) * 12 + q.To.AddDays(-1).Month - q.From.Month + 1);
            });
}
