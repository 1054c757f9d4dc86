// The practice report as JSON, field for field as the TypeScript app writes it (plus scannerVisits), and its serializer.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reengage.Core.Model;
using Reengage.Core.Report;
using Reengage.Functions.Admin;

namespace Reengage.Functions.Report;

public sealed record PeriodJson(string From, string To, string TimeZone);

public sealed record SkippedJson(int Total, IReadOnlyDictionary<string, int> ByReason);

public sealed record FeedbackJson(int Count, double? MeanRating);

public sealed record FiguresJson(
    int Planned,
    int Pending,
    int Sent,
    int Delivered,
    int Bounced,
    int Failed,
    int HeldOut,
    SkippedJson Skipped,
    int BookClicks,
    int ScannerVisits,
    int NotNow,
    int Unsubscribes,
    FeedbackJson Feedback,
    int Rebooked,
    double? RebookedRate);

/// <summary>A group: its key (null for the rows without a therapist) and label, then the same figures as the total.</summary>
public sealed record GroupJson(
    string? Key,
    string Label,
    int Planned,
    int Pending,
    int Sent,
    int Delivered,
    int Bounced,
    int Failed,
    int HeldOut,
    SkippedJson Skipped,
    int BookClicks,
    int ScannerVisits,
    int NotNow,
    int Unsubscribes,
    FeedbackJson Feedback,
    int Rebooked,
    double? RebookedRate);

public sealed record OutcomeJson(int Episodes, int Rebooked, double? Rate);

public sealed record IntervalJson(double Low, double High);

public sealed record VerdictJson(string Code, string Text);

public sealed record HoldoutJson(
    OutcomeJson Emailed,
    OutcomeJson HeldOut,
    int ExcludedMixed,
    double? Difference,
    IntervalJson? Ci95,
    string Method,
    VerdictJson Verdict);

public sealed record PracticeReportJson(
    string PracticeId,
    DateTimeOffset GeneratedAt,
    PeriodJson Period,
    string GroupBy,
    string Language,
    IReadOnlyList<GroupJson> Groups,
    FiguresJson Total,
    HoldoutJson Holdout)
{
    public static PracticeReportJson Of(PracticeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var f = report.Figures;
        var h = f.Holdout;
        return new PracticeReportJson(
            report.PracticeId,
            report.GeneratedAt,
            new PeriodJson(Day(f.Period.From), Day(f.Period.To), f.Period.TimeZone),
            Wire.Name(f.GroupBy),
            Wire.Name(f.Language),
            [.. f.Groups.Select(g => GroupOf(g.Key, g.Label, g.Figures))],
            FiguresOf(f.Total),
            new HoldoutJson(
                new OutcomeJson(h.Emailed.Episodes, h.Emailed.Rebooked, h.Emailed.Rate),
                new OutcomeJson(h.HeldOut.Episodes, h.HeldOut.Rebooked, h.HeldOut.Rate),
                h.ExcludedMixed,
                h.Difference,
                h.Ci95 is { } ci ? new IntervalJson(ci.Low, ci.High) : null,
                h.Method,
                new VerdictJson(Wire.Name(h.Verdict.Code), h.Verdict.Text)));
    }

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static FiguresJson FiguresOf(ReportFigures f) => new(
        f.Planned, f.Pending, f.Sent, f.Delivered, f.Bounced, f.Failed, f.HeldOut,
        new SkippedJson(f.Skipped.Total, f.Skipped.ByReason),
        f.BookClicks, f.ScannerVisits, f.NotNow, f.Unsubscribes,
        new FeedbackJson(f.Feedback.Count, f.Feedback.MeanRating),
        f.Rebooked, f.RebookedRate);

    private static GroupJson GroupOf(string? key, string label, ReportFigures f) => new(
        key, label,
        f.Planned, f.Pending, f.Sent, f.Delivered, f.Bounced, f.Failed, f.HeldOut,
        new SkippedJson(f.Skipped.Total, f.Skipped.ByReason),
        f.BookClicks, f.ScannerVisits, f.NotNow, f.Unsubscribes,
        new FeedbackJson(f.Feedback.Count, f.Feedback.MeanRating),
        f.Rebooked, f.RebookedRate);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(PracticeReportJson))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
