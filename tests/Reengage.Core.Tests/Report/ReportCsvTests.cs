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
    public void A_text_cell_is_neutralised_then_quoted(string? value, string expected) =>
        Assert.Equal(expected, ReportCsv.Text(value));

    [Theory]
    [InlineData(-0.05, "-0.05")]
    [InlineData(0.3333, "0.3333")]
    [InlineData(12.0, "12")]
    [InlineData(-0.0, "0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(double.NaN, "")]
    [InlineData(null, "")]
    public void A_number_cell_has_dot_decimals_and_is_never_prefixed(double? value, string expected) =>
        Assert.Equal(expected, ReportCsv.Number(value));

    [Fact]
    public void Numbers_keep_dot_decimals_under_a_French_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
            Assert.Equal("0.3333", ReportCsv.Number(0.3333));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    private static readonly OutreachRow[] Ledger =
    [
        Row("pat_1").Sent("2027-01-05T09:00:00Z") with { Response = OutreachResponse.Book, RebookedAt = At("2027-01-10T10:00:00Z"), ScannerVisitAt = At("2027-01-05T09:00:04Z") },
        Row("pat_2").Sent("2027-01-05T09:00:00Z") with { TherapistId = "th_2" },
        Row("pat_3") with { Status = "skipped:booked" },
        Row("pat_4") with { TherapistId = "th_2", Status = "skipped:vendor_gone" },
        Row("pat_5") with { TemplateId = TemplateId.Progress, Status = OutreachStatus.HeldOut, NotBefore = At("2027-01-06T09:00:00Z") },
    ];

    private static (string[] Header, string[][] Lines) Split(string csv)
    {
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        var lines = csv[..^2].Split("\r\n");
        Assert.DoesNotContain(lines, l => l.Contains('\n', StringComparison.Ordinal));
        return (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))]);
    }

    [Fact]
    public void A_header_a_line_per_group_and_a_total_line_CRLF_terminated_without_a_byte_order_mark()
    {
        var csv = ReportCsv.Write(Figures(Ledger));
        Assert.StartsWith("row,key,label,planned,pending,sent,delivered,bounced,failed,held_out,skipped,skipped_no_email,", csv, StringComparison.Ordinal);
        Assert.NotEqual('\uFEFF', csv[0]);
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

    [Fact]
    public void A_negative_difference_stays_a_number()
    {
        OutreachRow[] rows =
        [
            Row("a").Sent("2027-01-05T09:00:00Z"),
            Row("b") with { Status = OutreachStatus.HeldOut, NotBefore = At("2027-01-06T09:00:00Z"), RebookedAt = At("2027-01-20T09:00:00Z") },
        ];
        var (header, lines) = Split(ReportCsv.Write(Figures(rows)));
        Assert.Equal("-1", lines[^1][Array.IndexOf(header, "difference")]);
        Assert.Equal("-1", lines[^1][Array.IndexOf(header, "ci95_low")]);
    }

    [Fact]
    public void French_labels_and_verdict_are_written_unchanged()
    {
        var csv = ReportCsv.Write(Figures(Ledger, Q1 with { Language = Locale.Fr, GroupBy = ReportGroupBy.Month }));
        Assert.Contains("\r\ngroup,2027-01,janvier 2027,", csv, StringComparison.Ordinal);
        Assert.EndsWith(",Pas encore assez de données : 2 épisodes avec e-mail et 1 épisodes témoins pour l’instant. Une comparaison fiable demande au moins 30 épisodes par groupe et assez de reprises de rendez-vous dans chacun.\r\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void A_therapist_name_that_looks_like_a_formula_is_neutralised()
    {
        var report = Figures(Ledger, Q1 with { GroupBy = ReportGroupBy.Therapist }, therapistNames: new Dictionary<string, string>
        {
            ["th_1"] = "=HYPERLINK(\"http://evil.example\",\"x\")",
            ["th_2"] = "@SUM(1+1)",
        });
        var csv = ReportCsv.Write(report);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains(",'@SUM(1+1),", csv, StringComparison.Ordinal);
    }
}
