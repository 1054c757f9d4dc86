using System.Globalization;
using System.Text;
using CsvHelper;
using Reengage.Core.Model;
using Reengage.Core.Report;
using static Reengage.Core.Tests.Report.ReportRows;

namespace Reengage.Core.Tests.Report;

public sealed class ReportCsvTests
{
    [Theory]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")]
    [InlineData("+33 6 12", "'+33 6 12")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tTab", "'\tTab")]
    [InlineData("\rReturn", "\"'\rReturn\"")]
    [InlineData("Dr Léa Martin", "Dr Léa Martin")]
    [InlineData("Martin, Léa", "\"Martin, Léa\"")]
    [InlineData("Martin; Léa", "Martin; Léa")]
    [InlineData("Léa \"Lou\" Martin", "\"Léa \"\"Lou\"\" Martin\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("=1,2", "\"'=1,2\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void A_text_cell_is_neutralised_then_quoted_when_it_holds_a_comma_in_English(string? value, string expected) =>
        Assert.Equal(expected, ReportCsv.Text(value, CsvDialect.Comma));

    [Theory]
    [InlineData("=SUM(A1;A9)", "\"'=SUM(A1;A9)\"")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("Martin, Léa", "Martin, Léa")]
    [InlineData("Martin; Léa", "\"Martin; Léa\"")]
    [InlineData("Léa \"Lou\" Martin", "\"Léa \"\"Lou\"\" Martin\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=1,2", "'=1,2")]
    [InlineData(null, "")]
    public void A_text_cell_is_neutralised_then_quoted_when_it_holds_a_semicolon_in_French(string? value, string expected) =>
        Assert.Equal(expected, ReportCsv.Text(value, CsvDialect.Semicolon));

    [Theory]
    [InlineData(-0.05, "-0.05", "-0,05")]
    [InlineData(0.3333, "0.3333", "0,3333")]
    [InlineData(12.0, "12", "12")]
    [InlineData(-1.0, "-1", "-1")]
    [InlineData(-0.0, "0", "0")]
    [InlineData(0.0001, "0.0001", "0,0001")]
    [InlineData(double.NaN, "", "")]
    [InlineData(null, "", "")]
    public void A_number_cell_has_the_languages_decimal_mark_and_is_never_prefixed(double? value, string english, string french)
    {
        Assert.Equal(english, ReportCsv.Number(value, CsvDialect.Comma));
        Assert.Equal(french, ReportCsv.Number(value, CsvDialect.Semicolon));
    }

    [Theory]
    [InlineData("fr-FR")]
    [InlineData("en-US")]
    [InlineData("sv-SE")]
    public void The_decimal_mark_is_the_reports_language_whatever_the_current_culture(string culture)
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            Assert.Equal(("-0.3333", "-0,3333"), (ReportCsv.Number(-0.3333, CsvDialect.Comma), ReportCsv.Number(-0.3333, CsvDialect.Semicolon)));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void French_is_written_with_semicolons_and_decimal_commas_English_with_commas_and_decimal_points()
    {
        Assert.Equal((';', ','), (CsvDialect.For(Locale.Fr).Separator, CsvDialect.For(Locale.Fr).DecimalMark));
        Assert.Equal((',', '.'), (CsvDialect.For(Locale.En).Separator, CsvDialect.For(Locale.En).DecimalMark));
    }

    private static readonly OutreachRow[] Ledger =
    [
        Row("pat_1").Sent("2027-01-05T09:00:00Z") with { Response = OutreachResponse.Book, RebookedAt = At("2027-01-10T10:00:00Z"), ScannerVisitAt = At("2027-01-05T09:00:04Z") },
        Row("pat_2").Sent("2027-01-05T09:00:00Z") with { TherapistId = "th_2" },
        Row("pat_3") with { Status = "skipped:booked" },
        Row("pat_4") with { TherapistId = "th_2", Status = "skipped:vendor_gone" },
        Row("pat_5") with { TemplateId = TemplateId.Progress, Status = OutreachStatus.HeldOut, NotBefore = At("2027-01-06T09:00:00Z") },
    ];

    /// <summary>Splits lines free of quoted cells on the separator.</summary>
    private static (string[] Header, string[][] Lines) Split(string csv, char separator = ',')
    {
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        var lines = csv[..^2].Split("\r\n");
        Assert.DoesNotContain(lines, l => l.Contains('\n', StringComparison.Ordinal) || l.Contains('"', StringComparison.Ordinal));
        return (lines[0].Split(separator), [.. lines.Skip(1).Select(l => l.Split(separator))]);
    }

    /// <summary>The records CsvHelper reads, as a spreadsheet program would, with the given separator.</summary>
    private static List<string[]> Parse(string csv, char separator)
    {
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default with { Separator = separator, HasHeader = false });
        var records = new List<string[]>();
        while (reader.Read()) records.Add(reader.Current.ToArray());
        return records;
    }

    [Fact]
    public void The_file_starts_with_the_UTF8_byte_order_mark_in_both_languages()
    {
        foreach (var language in new[] { Locale.En, Locale.Fr })
        {
            var report = Figures(Ledger, Q1 with { Language = language, GroupBy = ReportGroupBy.Month });
            var bytes = ReportCsv.Encode(report);
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
            Assert.Equal((byte)'r', bytes[3]);
            Assert.Equal(ReportCsv.Write(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes[3..]));
            Assert.NotEqual('\uFEFF', ReportCsv.Write(report)[0]);
        }
        // An accent is two UTF-8 bytes, not one Windows-1252 byte: é is C3 A9.
        var french = ReportCsv.Encode(Figures(Ledger, Q1 with { Language = Locale.Fr, GroupBy = ReportGroupBy.Month }));
        Assert.Contains("février 2027"u8.ToArray(), SlicesOf(french, "février 2027"u8.Length));
    }

    private static IEnumerable<byte[]> SlicesOf(byte[] bytes, int length) =>
        Enumerable.Range(0, bytes.Length - length + 1).Select(i => bytes[i..(i + length)]);

    [Fact]
    public void A_header_a_line_per_group_and_a_total_line_CRLF_terminated()
    {
        var csv = ReportCsv.Write(Figures(Ledger));
        Assert.StartsWith("row,key,label,planned,pending,sent,delivered,bounced,failed,held_out,skipped,skipped_no_email,", csv, StringComparison.Ordinal);
        var (header, lines) = Split(csv);
        Assert.Equal(1 + 8 + 1, 1 + lines.Length);
        Assert.All(lines, l => Assert.Equal(header.Length, l.Length));
        string Cell(string[] line, string column)
        {
            var index = Array.IndexOf(header, column);
            Assert.True(index >= 0, $"no column {column}");
            return line[index];
        }
        // Every known reason has its column, then the one found in the data.
        Assert.Equal(
            ["skipped_no_email", "skipped_no_consent", "skipped_suppressed", "skipped_discharged", "skipped_paused", "skipped_booked",
             "skipped_answered", "skipped_episode_budget", "skipped_yearly_budget", "skipped_cooldown", "skipped_patient_deleted",
             "skipped_patient_erased", "skipped_vendor_gone"],
            header.Where(h => h.StartsWith("skipped_", StringComparison.Ordinal)));
        Assert.Equal(
            ["book_clicks", "scanner_visits", "not_now", "unsubscribes", "feedback_count", "feedback_mean_rating", "rebooked", "rebooked_rate",
             "emailed_episodes", "emailed_rebooked", "emailed_rate", "held_out_episodes", "held_out_rebooked", "held_out_rate",
             "difference", "ci95_low", "ci95_high", "verdict"],
            header.SkipWhile(h => h != "book_clicks"));
        var checkIn = lines[0];
        Assert.Equal(("group", "check-in", "Check-in"), (Cell(checkIn, "row"), Cell(checkIn, "key"), Cell(checkIn, "label")));
        Assert.Equal(("2", "2", "1", "1", "0"), (Cell(checkIn, "planned"), Cell(checkIn, "sent"), Cell(checkIn, "skipped_booked"), Cell(checkIn, "skipped_vendor_gone"), Cell(checkIn, "skipped_cooldown")));
        Assert.Equal(("1", "1", "0.5", "", ""), (Cell(checkIn, "book_clicks"), Cell(checkIn, "scanner_visits"), Cell(checkIn, "rebooked_rate"), Cell(checkIn, "feedback_mean_rating"), Cell(checkIn, "verdict")));
        var progress = lines[1];
        Assert.Equal(("1", "", ""), (Cell(progress, "held_out"), Cell(progress, "rebooked_rate"), Cell(progress, "emailed_episodes")));
        var total = lines[^1];
        Assert.Equal(("total", "", "Total"), (Cell(total, "row"), Cell(total, "key"), Cell(total, "label")));
        // Episodes: pat_1 and pat_2 emailed (pat_1 rebooked), pat_5 held out: 0.5 - 0 = 0.5.
        Assert.Equal(("2", "1", "0.5", "1", "0", "0", "0.5"),
            (Cell(total, "emailed_episodes"), Cell(total, "emailed_rebooked"), Cell(total, "emailed_rate"), Cell(total, "held_out_episodes"),
             Cell(total, "held_out_rebooked"), Cell(total, "held_out_rate"), Cell(total, "difference")));
        Assert.StartsWith("Not enough data yet: 2 emailed and 1 held-out episodes so far.", Cell(total, "verdict"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Locale.En, ',', "-0.5", "0.5")]
    [InlineData(Locale.Fr, ';', "-0,5", "0,5")]
    public void A_negative_difference_stays_a_number_with_the_languages_decimal_mark(Locale language, char separator, string difference, string rate)
    {
        OutreachRow[] rows =
        [
            Row("a").Sent("2027-01-05T09:00:00Z") with { RebookedAt = At("2027-01-20T09:00:00Z") },
            Row("c").Sent("2027-01-05T09:00:00Z"),
            Row("b") with { Status = OutreachStatus.HeldOut, NotBefore = At("2027-01-06T09:00:00Z"), RebookedAt = At("2027-01-20T09:00:00Z") },
        ];
        var (header, lines) = Split(ReportCsv.Write(Figures(rows, Q1 with { Language = language })), separator);
        Assert.All(lines, l => Assert.Equal(header.Length, l.Length));
        Assert.Equal((difference, rate, "1"), (lines[^1][Array.IndexOf(header, "difference")], lines[^1][Array.IndexOf(header, "emailed_rate")], lines[^1][Array.IndexOf(header, "held_out_rate")]));
        Assert.StartsWith("-", lines[^1][Array.IndexOf(header, "ci95_low")], StringComparison.Ordinal);
        Assert.Equal(rate, lines[0][Array.IndexOf(header, "rebooked_rate")]);
    }

    [Fact]
    public void French_is_separated_by_semicolons_with_labels_and_verdict_unchanged()
    {
        var csv = ReportCsv.Write(Figures(Ledger, Q1 with { Language = Locale.Fr, GroupBy = ReportGroupBy.Month }));
        Assert.StartsWith("row;key;label;planned;pending;sent;", csv, StringComparison.Ordinal);
        Assert.Contains("\r\ngroup;2027-01;janvier 2027;2;", csv, StringComparison.Ordinal);
        Assert.Contains(";0,5;", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(".5", csv, StringComparison.Ordinal);
        Assert.EndsWith(";Pas encore assez de données : 2 épisodes avec e-mail et 1 épisodes témoins pour l’instant. Une comparaison fiable demande au moins 30 épisodes par groupe et assez de reprises de rendez-vous dans chacun.\r\n", csv, StringComparison.Ordinal);
        var (header, lines) = Split(csv, ';');
        Assert.All(lines, l => Assert.Equal(header.Length, l.Length));
    }

    [Theory]
    [InlineData(Locale.En, ",'@SUM(1+1),")]
    [InlineData(Locale.Fr, ";'@SUM(1+1);")]
    public void A_therapist_name_that_looks_like_a_formula_is_neutralised(Locale language, string neutralised)
    {
        var report = Figures(Ledger, Q1 with { GroupBy = ReportGroupBy.Therapist, Language = language }, therapistNames: new Dictionary<string, string>
        {
            ["th_1"] = "=HYPERLINK(\"http://evil.example\",\"x\")",
            ["th_2"] = "@SUM(1+1)",
        });
        var csv = ReportCsv.Write(report);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains(neutralised, csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Locale.En, ',', "en-GB")]
    [InlineData(Locale.Fr, ';', "fr-FR")]
    public void CsvHelper_reads_back_every_label_and_figure_with_the_languages_separator(Locale language, char separator, string culture)
    {
        var names = new Dictionary<string, string> { ["th_1"] = "Martin; Léa, \"Lou\"", ["th_2"] = "Adam,\r\nBruno; -2" };
        var report = Figures(Ledger, Q1 with { GroupBy = ReportGroupBy.Therapist, Language = language }, therapistNames: names);
        var records = Parse(ReportCsv.Write(report), separator);
        var header = records[0];
        Assert.All(records, r => Assert.Equal(header.Length, r.Length));
        int Column(string name) => Array.IndexOf(header, name);
        Assert.Equal(
            report.Groups.Select(g => (g.Key, g.Label)),
            records.Skip(1).SkipLast(1).Select(r => ((string?)r[Column("key")], r[Column("label")])));
        Assert.Equal(["Adam,\r\nBruno; -2", "Martin; Léa, \"Lou\""], records.Skip(1).SkipLast(1).Select(r => r[Column("label")]).Order(StringComparer.Ordinal));
        // Numbers read back in the language's own culture, as the spreadsheet reads them.
        var numbers = CultureInfo.GetCultureInfo(culture);
        var total = records[^1];
        var h = report.Holdout;
        Assert.Equal(
            [report.Total.RebookedRate, h.Emailed.Rate, h.HeldOut.Rate, h.Difference],
            new[] { "rebooked_rate", "emailed_rate", "held_out_rate", "difference" }.Select(c => (double?)double.Parse(total[Column(c)], NumberStyles.Float, numbers)));
        Assert.Equal(h.Verdict.Text, total[Column("verdict")]);
    }
}
