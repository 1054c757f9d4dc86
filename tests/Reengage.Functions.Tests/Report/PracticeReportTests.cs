using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Report;
using Reengage.Functions.Tests.Admin;

namespace Reengage.Functions.Tests.Report;

/// <summary>
/// practiceReport through the function on Azurite: figures from ledger rows written directly, JSON with the TypeScript
/// report's field names, CSV, the practice key, bad queries (plus scanner visits).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PracticeReportTests(AzuriteFixture fixture) : AdminTestBase(fixture, new DateTimeOffset(2027, 6, 1, 12, 0, 0, TimeSpan.Zero))
{
    private const string A = "prac_rep_a";
    private const string B = "prac_rep_b";
    private const string Q1 = "?from=2027-01-01&to=2027-04-01";

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static OutreachRow Row(string practiceId, string patientId, string plannedAt = "2027-01-05T05:00:00Z") => new()
    {
        PracticeId = practiceId,
        PatientId = patientId,
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = OutreachStatus.Planned,
        PlannedAt = At(plannedAt),
        NotBefore = At(plannedAt),
        OperationId = "00000000-0000-5000-8000-000000000000",
    };

    /*
     * Practice A (Europe/Paris), Q1 2027:
     *  pat_a1 check-in  th_1  delivered, answered "book", rebooked; a mail scanner opened its book link 20 s after sending
     *  pat_a2 check-in  th_1  skipped:cooldown
     *  pat_a3 progress  th_2  held_out (would-be send 10 Jan), rebooked
     *  pat_a4 feedback  th_2  delivered, answered "feedback", rating 5 with a comment; a scanner opened its book link
     *  pat_a5 check-in  th_1  planned 31 Mar 22:30 UTC = 1 Apr Paris: outside Q1, inside the default 90 days
     * Practice B: one sent row, which A's report must never show.
     */
    private async Task<(string KeyA, string KeyB)> SeedAsync()
    {
        var keyA = await CreatePracticeAsync(A);
        var keyB = await CreatePracticeAsync(B);
        foreach (var (practiceId, key) in new[] { (A, keyA), (B, keyB) })
        {
            Assert.Equal(201, (await PutTherapistAsync(practiceId, "th_1", """{"displayName":"Dr Léa Martin","email":"lea@cabinet.example"}""", key)).Status);
            Assert.Equal(201, (await PutTherapistAsync(practiceId, "th_2", """{"displayName":"Bruno Adam","email":"bruno@cabinet.example"}""", key)).Status);
        }
        var ledger = Services.GetRequiredService<IOutreachLedger>();
        OutreachRow[] rowsOfA =
        [
            Row(A, "pat_a1") with
            {
                Status = OutreachStatus.Delivered,
                SentAt = At("2027-01-05T09:00:00Z"),
                ScannerVisitAt = At("2027-01-05T09:00:20Z"),
                Response = OutreachResponse.Book,
                RespondedAt = At("2027-01-06T10:00:00Z"),
                RebookedAt = At("2027-01-12T10:00:00Z"),
            },
            Row(A, "pat_a2", "2027-01-06T05:00:00Z") with { Status = "skipped:cooldown", FailureReason = "cooldown" },
            Row(A, "pat_a3", "2027-01-06T05:00:00Z") with
            {
                TemplateId = TemplateId.Progress,
                TherapistId = "th_2",
                NotBefore = At("2027-01-10T09:00:00Z"),
                Status = OutreachStatus.HeldOut,
                RebookedAt = At("2027-01-30T10:00:00Z"),
            },
            Row(A, "pat_a4", "2027-02-15T05:00:00Z") with
            {
                TemplateId = TemplateId.Feedback,
                TherapistId = "th_2",
                Step = 3,
                Status = OutreachStatus.Delivered,
                SentAt = At("2027-02-15T09:00:00Z"),
                ScannerVisitAt = At("2027-02-15T09:00:02Z"),
                Response = OutreachResponse.Feedback,
                RespondedAt = At("2027-02-16T10:00:00Z"),
            },
            Row(A, "pat_a5", "2027-03-31T22:30:00Z"),
        ];
        foreach (var row in rowsOfA) Assert.NotNull(await ledger.CreateOutreachAsync(row));
        Assert.NotNull(await ledger.CreateOutreachAsync(Row(B, "pat_b1") with { Status = OutreachStatus.Delivered, SentAt = At("2027-01-05T09:00:00Z") }));
        await Services.GetRequiredService<IFeedbackStore>().UpsertFeedbackAsync(
            new FeedbackEntry(A, "pat_a4|lapse|2026-12-01|3", "pat_a4", 5, "Merci, très utile", At("2027-02-16T10:00:00Z"), At("2027-02-16T10:00:00Z")));
        return (keyA, keyB);
    }

    private ReportFunctions Functions => new(
        new PracticeReporting(
            Services.GetRequiredService<IOutreachLedger>(),
            Services.GetRequiredService<IFeedbackStore>(),
            Practices,
            Clock,
            NullLogger<PracticeReporting>.Instance),
        Services.GetRequiredService<PracticeKeyAuthorizer>());

    private Task<Answer> GetReportAsync(string practiceId, string search, string? key, string? accept = null)
    {
        var request = Request("GET", key);
        request.QueryString = new QueryString(search.Length == 0 ? null : search);
        if (accept is not null) request.Headers.Accept = accept;
        return RunAsync(Functions.PracticeReport(request, practiceId, CancellationToken.None));
    }

    private static string[] Names(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    [Fact]
    public async Task The_JSON_report_adds_up_the_stored_rows_of_the_practice_by_template()
    {
        var (key, _) = await SeedAsync();
        var answer = await GetReportAsync(A, Q1 + "&groupBy=template", key);
        Assert.Equal(200, answer.Status);
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        Assert.Equal("Accept", answer.Header("Vary"));
        Assert.StartsWith("application/json", answer.Header("Content-Type"), StringComparison.Ordinal);
        var report = answer.Json!;
        Assert.Equal(A, report["practiceId"]!.GetValue<string>());
        Assert.Equal("2027-06-01T12:00:00.000Z", report["generatedAt"]!.GetValue<string>());
        AssertJsonEqual("""{ "from": "2027-01-01", "to": "2027-04-01", "timeZone": "Europe/Paris" }""", report["period"]!.ToJsonString());
        Assert.Equal(("template", "en"), (report["groupBy"]!.GetValue<string>(), report["language"]!.GetValue<string>()));
        // Meant to be sent: a1, a4 (a2 skipped, a3 held out, a5 in April); both sent; a1 rebooked -> 1/2. Scanners opened
        // a1's and a4's book links; only a1's patient answered "book".
        AssertJsonEqual(
            """
            {
              "planned": 2, "pending": 0, "sent": 2, "delivered": 2, "bounced": 0, "failed": 0, "heldOut": 1,
              "skipped": { "total": 1, "byReason": { "cooldown": 1 } },
              "bookClicks": 1, "scannerVisits": 2, "notNow": 0, "unsubscribes": 0,
              "feedback": { "count": 1, "meanRating": 5 },
              "rebooked": 1, "rebookedRate": 0.5
            }
            """,
            report["total"]!.ToJsonString());
        Assert.Equal(8, report["groups"]!.AsArray().Count);
        AssertJsonEqual(
            """
            {
              "key": "check-in", "label": "Check-in",
              "planned": 1, "pending": 0, "sent": 1, "delivered": 1, "bounced": 0, "failed": 0, "heldOut": 0,
              "skipped": { "total": 1, "byReason": { "cooldown": 1 } },
              "bookClicks": 1, "scannerVisits": 1, "notNow": 0, "unsubscribes": 0,
              "feedback": { "count": 0, "meanRating": null },
              "rebooked": 1, "rebookedRate": 1
            }
            """,
            report["groups"]![0]!.ToJsonString());
        // Episodes: a1 and a4 emailed (a1 rebooked), a3 held out and rebooked.
        var holdout = report["holdout"]!;
        AssertJsonEqual("""{ "episodes": 2, "rebooked": 1, "rate": 0.5 }""", holdout["emailed"]!.ToJsonString());
        AssertJsonEqual("""{ "episodes": 1, "rebooked": 1, "rate": 1 }""", holdout["heldOut"]!.ToJsonString());
        Assert.Equal(0, holdout["excludedMixed"]!.GetValue<int>());
        Assert.Equal(-0.5, holdout["difference"]!.GetValue<double>());
        Assert.Equal("Newcombe hybrid score interval (method 10), 95%", holdout["method"]!.GetValue<string>());
        AssertJsonEqual(
            """{ "code": "insufficient_data", "text": "Not enough data yet: 2 emailed and 1 held-out episodes so far. A fair comparison needs at least 30 episodes in each group and enough rebookings in each." }""",
            holdout["verdict"]!.ToJsonString());
    }

    [Fact]
    public async Task The_JSON_field_names_are_the_TypeScript_reports_plus_scannerVisits()
    {
        var (key, _) = await SeedAsync();
        var report = (await GetReportAsync(A, Q1, key)).Json!;
        Assert.Equal(["practiceId", "generatedAt", "period", "groupBy", "language", "groups", "total", "holdout"], Names(report));
        Assert.Equal(["from", "to", "timeZone"], Names(report["period"]));
        string[] figures =
        [
            "planned", "pending", "sent", "delivered", "bounced", "failed", "heldOut", "skipped", "bookClicks", "scannerVisits",
            "notNow", "unsubscribes", "feedback", "rebooked", "rebookedRate",
        ];
        Assert.Equal(figures, Names(report["total"]));
        Assert.All(report["groups"]!.AsArray(), g => Assert.Equal(["key", "label", .. figures], Names(g)));
        Assert.Equal(["total", "byReason"], Names(report["total"]!["skipped"]));
        Assert.Equal(["count", "meanRating"], Names(report["total"]!["feedback"]));
        var holdout = report["holdout"];
        Assert.Equal(["emailed", "heldOut", "excludedMixed", "difference", "ci95", "method", "verdict"], Names(holdout));
        Assert.Equal(["episodes", "rebooked", "rate"], Names(holdout!["emailed"]));
        Assert.Equal(["episodes", "rebooked", "rate"], Names(holdout["heldOut"]));
        Assert.Equal(["low", "high"], Names(holdout["ci95"]));
        Assert.Equal(["code", "text"], Names(holdout["verdict"]));
    }

    [Fact]
    public async Task No_patient_id_no_comment_and_nothing_of_another_practice_appears()
    {
        var (key, _) = await SeedAsync();
        foreach (var groupBy in new[] { "template", "therapist", "month" })
        {
            foreach (var accept in new[] { "application/json", "text/csv" })
            {
                var answer = await GetReportAsync(A, $"{Q1}&groupBy={groupBy}", key, accept);
                Assert.Equal(200, answer.Status);
                Assert.DoesNotContain("pat_", answer.Body, StringComparison.Ordinal);
                Assert.DoesNotContain("Merci", answer.Body, StringComparison.Ordinal);
                Assert.DoesNotContain(B, answer.Body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task By_therapist_with_the_staff_names_and_by_month_in_French()
    {
        var (key, _) = await SeedAsync();
        var byTherapist = (await GetReportAsync(A, Q1 + "&groupBy=therapist", key)).Json!;
        Assert.Equal(
            [("th_2", "Bruno Adam", 1, 1), ("th_1", "Dr Léa Martin", 1, 0)],
            byTherapist["groups"]!.AsArray().Select(g => (g!["key"]!.GetValue<string>(), g["label"]!.GetValue<string>(), g["planned"]!.GetValue<int>(), g["heldOut"]!.GetValue<int>())));
        var byMonth = (await GetReportAsync(A, Q1 + "&groupBy=month&lang=fr", key)).Json!;
        Assert.Equal(
            [("2027-01", "janvier 2027", 1), ("2027-02", "février 2027", 1), ("2027-03", "mars 2027", 0)],
            byMonth["groups"]!.AsArray().Select(g => (g!["key"]!.GetValue<string>(), g["label"]!.GetValue<string>(), g["planned"]!.GetValue<int>())));
        Assert.Equal("fr", byMonth["language"]!.GetValue<string>());
        Assert.StartsWith("Pas encore assez de données", byMonth["holdout"]!["verdict"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_period_is_the_90_days_ending_today_in_the_practice_time_zone()
    {
        var (key, _) = await SeedAsync();
        // Today 1 June 2027 -> to 2 June; 2 June - 90 days: -30 = 3 May, -60 = 3 April, -90 = 4 March.
        var report = (await GetReportAsync(A, "", key)).Json!;
        AssertJsonEqual("""{ "from": "2027-03-04", "to": "2027-06-02", "timeZone": "Europe/Paris" }""", report["period"]!.ToJsonString());
        // Only a5 (1 April in Paris) falls in it, still waiting to be sent.
        var total = report["total"]!;
        Assert.Equal((1, 1, 0), (total["planned"]!.GetValue<int>(), total["pending"]!.GetValue<int>(), total["sent"]!.GetValue<int>()));
    }

    /// <summary>The CSV answer as bytes, as the host sends them (a string would hide or mangle the byte-order mark).</summary>
    private async Task<(IHeaderDictionary Headers, byte[] Body)> GetCsvAsync(string search, string key)
    {
        var request = Request("GET", key);
        request.QueryString = new QueryString(search);
        request.Headers.Accept = "text/csv";
        var result = await Functions.PracticeReport(request, A, CancellationToken.None);
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        Assert.Equal(200, context.Response.StatusCode);
        return (context.Response.Headers, body.ToArray());
    }

    /// <summary>The records as a program reads the file: CsvHelper over the bytes, byte-order mark included, with the separator.</summary>
    private static List<string[]> Records(byte[] body, char separator)
    {
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, body[..3]);
        Assert.Equal("\r\n"u8.ToArray(), body[^2..]);
        using var reader = CsvReader.Create(body, CsvReaderOptions.Default with { Separator = separator, HasHeader = false });
        var records = new List<string[]>();
        while (reader.Read()) records.Add(reader.Current.ToArray());
        Assert.Equal("row", records[0][0]);
        Assert.All(records, r => Assert.Equal(records[0].Length, r.Length));
        return records;
    }

    [Fact]
    public async Task Accept_text_csv_answers_CSV_with_a_header_a_line_per_group_and_a_total_line()
    {
        var (key, _) = await SeedAsync();
        var (headers, body) = await GetCsvAsync(Q1 + "&groupBy=therapist", key);
        Assert.Equal("text/csv; charset=utf-8; header=present", headers.ContentType.ToString());
        Assert.Equal($"attachment; filename=\"reengage-report-{A}-2027-01-01-2027-04-01.csv\"", headers.ContentDisposition.ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
        Assert.Equal("Accept", headers.Vary.ToString());
        Assert.Equal(body.Length, headers.ContentLength);
        // The UTF-8 byte-order mark, then the header's first columns, comma-separated in English (docs/report.md, "CSV").
        Assert.Equal([0xEF, 0xBB, 0xBF, .. "row,key,label,"u8.ToArray()], body[..17]);
        var lines = Records(body, ',');
        Assert.Equal(1 + 2 + 1, lines.Count);
        var header = lines[0];
        string Cell(string[] line, string column) => line[Array.IndexOf(header, column)];
        Assert.Equal(("th_2", "Bruno Adam"), (Cell(lines[1], "key"), Cell(lines[1], "label")));
        Assert.Equal(("th_1", "Dr Léa Martin"), (Cell(lines[2], "key"), Cell(lines[2], "label")));
        Assert.Equal("total", Cell(lines[3], "row"));
        Assert.Equal(("2", "1", "1", "2"), (Cell(lines[3], "planned"), Cell(lines[3], "skipped_cooldown"), Cell(lines[3], "book_clicks"), Cell(lines[3], "scanner_visits")));
        Assert.Equal(("-0.5", "0.5", "1"), (Cell(lines[3], "difference"), Cell(lines[3], "emailed_rate"), Cell(lines[3], "held_out_rate")));
    }

    [Fact]
    public async Task In_French_the_CSV_is_separated_by_semicolons_with_decimal_commas_for_French_Excel()
    {
        var (key, _) = await SeedAsync();
        var (headers, body) = await GetCsvAsync(Q1 + "&groupBy=month&lang=fr", key);
        Assert.Equal("text/csv; charset=utf-8; header=present", headers.ContentType.ToString());
        Assert.Equal([0xEF, 0xBB, 0xBF, .. "row;key;label;"u8.ToArray()], body[..17]);
        Assert.Contains("\r\ngroup;2027-02;février 2027;", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        var lines = Records(body, ';');
        var header = lines[0];
        string Cell(string[] line, string column) => line[Array.IndexOf(header, column)];
        Assert.Equal(["janvier 2027", "février 2027", "mars 2027"], lines.Skip(1).SkipLast(1).Select(l => Cell(l, "label")));
        Assert.Equal(("-0,5", "0,5", "1"), (Cell(lines[^1], "difference"), Cell(lines[^1], "emailed_rate"), Cell(lines[^1], "held_out_rate")));
        Assert.StartsWith("Pas encore assez de données", Cell(lines[^1], "verdict"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/csv;q=0.5, application/json", false)]
    [InlineData("application/json;q=0.5, text/csv", true)]
    [InlineData("text/csv, application/json", true)]
    [InlineData("text/csv;q=0", false)]
    [InlineData("*/*", false)]
    [InlineData("text/html, text/csv;q=0.9", true)]
    [InlineData("text/csv;q=abc", false)]
    public async Task CSV_only_when_the_client_names_it_and_does_not_prefer_JSON(string accept, bool csv)
    {
        var (key, _) = await SeedAsync();
        var answer = await GetReportAsync(A, Q1, key, accept);
        Assert.Equal(200, answer.Status);
        Assert.Equal(csv, answer.Header("Content-Type")!.StartsWith("text/csv", StringComparison.Ordinal));
        Assert.Equal(csv, answer.Body.StartsWith("\uFEFFrow,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_period_at_the_end_of_the_calendar_is_still_a_report()
    {
        var (key, _) = await SeedAsync();
        var answer = await GetReportAsync(A, "?from=9999-11-01&to=9999-12-31&groupBy=month", key);
        Assert.Equal(200, answer.Status);
        Assert.Equal(["9999-11", "9999-12"], answer.Json!["groups"]!.AsArray().Select(g => g!["key"]!.GetValue<string>()));
    }

    public static TheoryData<string, string, string?> Refusals => new()
    {
        { "without a key", A, null },
        { "with a wrong key", A, "key-x" },
        { "with practice B's key on practice A", A, "B" },
        { "for an unknown practice", "prac_nobody", "A" },
        { "for an id that cannot be a practice", "prac nobody!", "A" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Every_refusal_is_the_same_401(string why, string practiceId, string? key)
    {
        var (keyA, keyB) = await SeedAsync();
        var answer = await GetReportAsync(practiceId, Q1, key switch { "A" => keyA, "B" => keyB, _ => key });
        Assert.True(answer.Status == 401, why);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        Assert.Equal("ApiKey header=\"x-reengage-key\"", answer.Header("WWW-Authenticate"));
        AssertJsonEqual(
            """{ "type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "A valid practice API key is required in the x-reengage-key header." }""",
            answer.Body);
    }

    [Fact]
    public async Task The_key_is_checked_before_the_query_so_a_bad_query_without_a_key_reveals_nothing()
    {
        await SeedAsync();
        var answer = await GetReportAsync(A, "?groupBy=year", null, "text/csv");
        Assert.Equal(401, answer.Status);
        Assert.DoesNotContain("groupBy", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Practice_Bs_key_opens_practice_Bs_report_which_has_only_Bs_row()
    {
        var (_, keyB) = await SeedAsync();
        var total = (await GetReportAsync(B, Q1, keyB)).Json!["total"]!;
        Assert.Equal((1, 1), (total["planned"]!.GetValue<int>(), total["sent"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_bad_query_is_a_400_naming_each_bad_parameter()
    {
        var (key, _) = await SeedAsync();
        var answer = await GetReportAsync(A, "?from=2027-13-01&to=2027-04-01&groupBy=year&lang=de", key, "text/csv");
        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        AssertJsonEqual(
            """
            {
              "type": "about:blank", "title": "Invalid report query", "status": 400, "detail": "Some query parameters are invalid.",
              "errors": [
                { "field": "from", "message": "must be a date yyyy-MM-dd (practice-local)" },
                { "field": "groupBy", "message": "must be one of: template, therapist, month" },
                { "field": "lang", "message": "must be one of: en, fr" }
              ]
            }
            """,
            answer.Body);
    }

    [Theory]
    [InlineData("?from=2027-04-01&to=2027-01-01", "to")]
    [InlineData("?from=2020-01-01&to=2027-01-01", "to")]
    [InlineData("?from=2027-01-01T00:00:00Z", "from")]
    [InlineData("?from=2027-07-01", "from")]
    [InlineData("?to=2027-02-30", "to")]
    [InlineData("?from=9999-12-31", "from")]
    [InlineData("?to=0001-01-01", "to")]
    public async Task A_bad_period_is_a_400_naming_the_bound_the_caller_gave(string search, string field)
    {
        var (key, _) = await SeedAsync();
        var answer = await GetReportAsync(A, search, key);
        Assert.Equal(400, answer.Status);
        Assert.Equal([field], answer.Fields);
    }
}
