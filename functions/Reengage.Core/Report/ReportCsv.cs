// The report as RFC 4180 CSV for spreadsheets: one line per group, a total line carrying the holdout comparison.
using System.Globalization;
using System.Text;
using Reengage.Core.Model;

namespace Reengage.Core.Report;

/// <summary>
/// The separator and decimal mark of the CSV, chosen by the report's language so that double-clicking the file opens it
/// in columns: Excel splits a double-clicked CSV on the list separator of the computer's regional settings (<c>;</c> in
/// French, where <c>,</c> is the decimal symbol) and reads numbers with its decimal symbol.
/// </summary>
public sealed class CsvDialect
{
    private CsvDialect(char separator, char decimalMark)
    {
        Separator = separator;
        DecimalMark = decimalMark;
        Numbers = NumberFormatInfo.ReadOnly(new NumberFormatInfo { NumberDecimalSeparator = new string(decimalMark, 1), NegativeSign = "-" });
    }

    /// <summary><c>,</c> between cells, <c>.</c> decimals: English.</summary>
    public static CsvDialect Comma { get; } = new(',', '.');

    /// <summary><c>;</c> between cells, <c>,</c> decimals: French.</summary>
    public static CsvDialect Semicolon { get; } = new(';', ',');

    public char Separator { get; }

    public char DecimalMark { get; }

    internal NumberFormatInfo Numbers { get; }

    public static CsvDialect For(Locale language) => language switch
    {
        Locale.Fr => Semicolon,
        Locale.En => Comma,
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "no CSV dialect for this language"),
    };
}

public static class ReportCsv
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    /// <summary>
    /// UTF-8 that writes a byte-order mark: without it, Excel reads a double-clicked CSV in the computer's ANSI code page
    /// (Windows-1252 in France) and garbles every accent.
    /// </summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);

    /// <summary>The file as sent: the UTF-8 byte-order mark, then <see cref="Write"/> in UTF-8 (docs/report.md, "CSV").</summary>
    public static byte[] Encode(PracticeReportFigures report) => [.. Encoding.Preamble, .. Encoding.GetBytes(Write(report))];

    /// <summary>
    /// The header, one line per group and the total line, CRLF-terminated, in the dialect of the report's language
    /// (<see cref="CsvDialect.For"/>). Skip reasons get a column each: every known one, then any other found in the data.
    /// </summary>
    public static string Write(PracticeReportFigures report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var dialect = CsvDialect.For(report.Language);
        var reasons = new List<string>(PracticeReportBuilder.KnownSkipReasons);
        foreach (var figures in report.Groups.Select(g => g.Figures).Prepend(report.Total))
        {
            foreach (var reason in figures.Skipped.ByReason.Keys.Where(r => !reasons.Contains(r, StringComparer.Ordinal)))
            {
                reasons.Add(reason);
            }
        }
        var csv = new StringBuilder();
        void Line(IEnumerable<string> cells) => csv.AppendJoin(dialect.Separator, cells).Append("\r\n");
        string Text(string? value) => ReportCsv.Text(value, dialect);
        string Number(double? value) => ReportCsv.Number(value, dialect);
        Line([
            "row", "key", "label", "planned", "pending", "sent", "delivered", "bounced", "failed", "held_out", "skipped",
            .. reasons.Select(r => $"skipped_{r}"),
            "book_clicks", "scanner_visits", "not_now", "unsubscribes", "feedback_count", "feedback_mean_rating", "rebooked", "rebooked_rate",
            "emailed_episodes", "emailed_rebooked", "emailed_rate", "held_out_episodes", "held_out_rebooked", "held_out_rate",
            "difference", "ci95_low", "ci95_high", "verdict",
        ]);
        foreach (var group in report.Groups)
        {
            Line(["group", Text(group.Key), Text(group.Label), .. FigureCells(group.Figures, reasons, dialect), .. Enumerable.Repeat("", 10)]);
        }
        var h = report.Holdout;
        Line([
            "total", "", "Total", .. FigureCells(report.Total, reasons, dialect),
            Number(h.Emailed.Episodes), Number(h.Emailed.Rebooked), Number(h.Emailed.Rate),
            Number(h.HeldOut.Episodes), Number(h.HeldOut.Rebooked), Number(h.HeldOut.Rate),
            Number(h.Difference), Number(h.Ci95?.Low), Number(h.Ci95?.High), Text(h.Verdict.Text),
        ]);
        return csv.ToString();
    }

    /// <summary>
    /// A text cell: text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
    /// prefixed with a quote (OWASP "CSV injection"), then quoted as RFC 4180 says when it holds a quote, the dialect's
    /// separator or a line end.
    /// </summary>
    public static string Text(string? value, CsvDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        if (value is null) return "";
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(['"', dialect.Separator, '\r', '\n']) >= 0
            ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : safe;
    }

    /// <summary>
    /// A number cell, written by us with the dialect's decimal mark (never the current culture's) and never prefixed, so
    /// a negative difference stays a number.
    /// </summary>
    public static string Number(double? value, CsvDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return value is { } v && double.IsFinite(v) ? (v == 0 ? "0" : v.ToString("R", dialect.Numbers)) : "";
    }

    private static IEnumerable<string> FigureCells(ReportFigures f, IEnumerable<string> reasons, CsvDialect dialect) =>
    [
        .. new double?[] { f.Planned, f.Pending, f.Sent, f.Delivered, f.Bounced, f.Failed, f.HeldOut, f.Skipped.Total }.Select(n => Number(n, dialect)),
        .. reasons.Select(r => Number(f.Skipped.ByReason.GetValueOrDefault(r), dialect)),
        .. new double?[] { f.BookClicks, f.ScannerVisits, f.NotNow, f.Unsubscribes, f.Feedback.Count, f.Feedback.MeanRating, f.Rebooked, f.RebookedRate }
            .Select(n => Number(n, dialect)),
    ];
}
