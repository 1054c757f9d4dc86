// The report as RFC 4180 CSV for spreadsheets: one line per group, a total line carrying the holdout comparison.
using System.Globalization;
using System.Text;

namespace Reengage.Core.Report;

public static class ReportCsv
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    /// <summary>
    /// The header, one line per group and the total line, CRLF-terminated, no byte-order mark (docs/report.md, "CSV").
    /// Skip reasons get a column each: every known one, then any other found in the data.
    /// </summary>
    public static string Write(PracticeReportFigures report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reasons = new List<string>(PracticeReportBuilder.KnownSkipReasons);
        foreach (var figures in report.Groups.Select(g => g.Figures).Prepend(report.Total))
        {
            foreach (var reason in figures.Skipped.ByReason.Keys.Where(r => !reasons.Contains(r, StringComparer.Ordinal)))
            {
                reasons.Add(reason);
            }
        }
        var csv = new StringBuilder();
        Line(csv, [
            "row", "key", "label", "planned", "pending", "sent", "delivered", "bounced", "failed", "held_out", "skipped",
            .. reasons.Select(r => $"skipped_{r}"),
            "book_clicks", "scanner_visits", "not_now", "unsubscribes", "feedback_count", "feedback_mean_rating", "rebooked", "rebooked_rate",
            "emailed_episodes", "emailed_rebooked", "emailed_rate", "held_out_episodes", "held_out_rebooked", "held_out_rate",
            "difference", "ci95_low", "ci95_high", "verdict",
        ]);
        foreach (var group in report.Groups)
        {
            Line(csv, ["group", Text(group.Key), Text(group.Label), .. FigureCells(group.Figures, reasons), .. Enumerable.Repeat("", 10)]);
        }
        var h = report.Holdout;
        Line(csv, [
            "total", "", "Total", .. FigureCells(report.Total, reasons),
            Number(h.Emailed.Episodes), Number(h.Emailed.Rebooked), Number(h.Emailed.Rate),
            Number(h.HeldOut.Episodes), Number(h.HeldOut.Rebooked), Number(h.HeldOut.Rate),
            Number(h.Difference), Number(h.Ci95?.Low), Number(h.Ci95?.High), Text(h.Verdict.Text),
        ]);
        return csv.ToString();
    }

    /// <summary>
    /// A text cell: text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
    /// prefixed with a quote (OWASP "CSV injection"), then quoted as RFC 4180 says when it holds a quote, comma or line end.
    /// </summary>
    public static string Text(string? value)
    {
        if (value is null) return "";
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return safe.AsSpan().IndexOfAny("\",\r\n") >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
    }

    /// <summary>A number cell, written by us with '.' decimals and never prefixed (a negative difference stays a number).</summary>
    public static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? (v == 0 ? "0" : v.ToString("R", CultureInfo.InvariantCulture)) : "";

    private static IEnumerable<string> FigureCells(ReportFigures f, IEnumerable<string> reasons) =>
    [
        Number(f.Planned), Number(f.Pending), Number(f.Sent), Number(f.Delivered), Number(f.Bounced), Number(f.Failed),
        Number(f.HeldOut), Number(f.Skipped.Total),
        .. reasons.Select(r => Number(f.Skipped.ByReason.GetValueOrDefault(r))),
        Number(f.BookClicks), Number(f.ScannerVisits), Number(f.NotNow), Number(f.Unsubscribes),
        Number(f.Feedback.Count), Number(f.Feedback.MeanRating), Number(f.Rebooked), Number(f.RebookedRate),
    ];

    private static void Line(StringBuilder csv, IEnumerable<string> cells) => csv.AppendJoin(',', cells).Append("\r\n");
}
