using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Reengage.Core.Model;
using Reengage.Core.Report;
using Reengage.Functions.Report;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Report;

/// <summary>
/// The TypeScript report's figures and CSV on 40 generated ledgers (three time zones, periods across clock changes,
/// seasonal rows with and without their lapse episode, odd skip reasons, therapist names that sort differently by locale
/// or look like formulas), recorded in tests/fixtures/report/typescript-report.json before the TypeScript's removal: the
/// C# report must give the same JSON and the same CSV, apart from the scanner visits that only the C# reports (none in
/// these ledgers).
/// </summary>
public sealed class TypeScriptReportParityTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        var path = Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", "report", "typescript-report.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(c => c.Clone())];
    });

    public static TheoryData<int> CaseNumbers()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases.Value.Length; i++) data.Add(i);
        return data;
    }

    private static DateTimeOffset Instant(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? OptionalInstant(JsonElement e, string name) => Optional(e, name) is { } s ? Instant(s) : null;

    private static OutreachRow RowOf(JsonElement r)
    {
        var row = new OutreachRow
        {
            PracticeId = r.GetProperty("practiceId").GetString()!,
            PatientId = r.GetProperty("patientId").GetString()!,
            Campaign = Wire.Parse<Campaign>(r.GetProperty("campaign").GetString()!),
            EpisodeKey = r.GetProperty("episodeKey").GetString()!,
            Step = r.GetProperty("step").GetInt32(),
            TemplateId = Wire.Parse<TemplateId>(r.GetProperty("templateId").GetString()!),
            Locale = Wire.Parse<Locale>(r.GetProperty("locale").GetString()!),
            TherapistId = Optional(r, "therapistId"),
            Status = r.GetProperty("status").GetString()!,
            PlannedAt = Instant(r.GetProperty("plannedAt").GetString()!),
            NotBefore = Instant(r.GetProperty("notBefore").GetString()!),
            OperationId = r.GetProperty("operationId").GetString()!,
            SentAt = OptionalInstant(r, "sentAt"),
            Response = Optional(r, "response") is { } response ? Wire.Parse<OutreachResponse>(response) : null,
            RebookedAt = OptionalInstant(r, "rebookedAt"),
            Attempts = r.GetProperty("attempts").GetInt32(),
            LapseEpisodeKey = Optional(r, "lapseEpisodeKey"),
        };
        Assert.Equal(r.GetProperty("id").GetString(), row.Id);
        return row;
    }

    private static PracticeReportFigures CSharpFigures(JsonElement c)
    {
        var q = c.GetProperty("query");
        var query = new ReportQuery(
            DateOnly.ParseExact(q.GetProperty("from").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateOnly.ParseExact(q.GetProperty("to").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Wire.Parse<ReportGroupBy>(q.GetProperty("groupBy").GetString()!),
            Wire.Parse<Locale>(q.GetProperty("language").GetString()!));
        var builder = new PracticeReportBuilder(
            query,
            c.GetProperty("timeZone").GetString()!,
            Instant(c.GetProperty("now").GetString()!),
            c.GetProperty("feedback").EnumerateArray().Select(f => (f.GetProperty("outreachId").GetString()!, f.GetProperty("rating").GetInt32())),
            c.GetProperty("therapistNames").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        foreach (var row in c.GetProperty("rows").EnumerateArray()) builder.Add(RowOf(row));
        return builder.Build();
    }

    [Fact]
    public void The_recording_covers_every_grouping_both_languages_mixed_episodes_and_unknown_skip_reasons()
    {
        var cases = Cases.Value;
        Assert.Equal(["month", "template", "therapist"], cases.Select(c => c.GetProperty("query").GetProperty("groupBy").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["en", "fr"], cases.Select(c => c.GetProperty("query").GetProperty("language").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(cases, c => c.GetProperty("figures").GetProperty("holdout").GetProperty("excludedMixed").GetInt32() > 0);
        Assert.Contains(cases, c => c.GetProperty("csv").GetString()!.Contains("skipped_some_new_reason", StringComparison.Ordinal));
        // French cases with decimals, so the French decimal mark is compared, not just the separator.
        Assert.Contains(cases, c => c.GetProperty("query").GetProperty("language").GetString() == "fr"
            && c.GetProperty("figures").GetProperty("total").GetProperty("rebookedRate") is { ValueKind: JsonValueKind.Number } rate
            && rate.GetDouble() is > 0 and < 1);
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void The_same_JSON_as_the_TypeScript_report(int number)
    {
        var c = Cases.Value[number];
        var figures = CSharpFigures(c);
        var json = JsonSerializer.SerializeToNode(PracticeReportJson.Of(new PracticeReport("prac_parity", Instant(c.GetProperty("now").GetString()!), figures)), ReportJsonContext.Default.PracticeReportJson)!.AsObject();
        json.Remove("practiceId");
        json.Remove("generatedAt");
        Assert.Equal(0, json["total"]!["scannerVisits"]!.GetValue<int>());
        json["total"]!.AsObject().Remove("scannerVisits");
        foreach (var group in json["groups"]!.AsArray()) group!.AsObject().Remove("scannerVisits");
        var expected = JsonNode.Parse(c.GetProperty("figures").GetRawText());
        Assert.True(JsonNode.DeepEquals(expected, json), $"case {number}\nexpected:\n{expected!.ToJsonString()}\nactual:\n{json.ToJsonString()}");
    }

    /// <summary>
    /// The same cells as the TypeScript CSV, read by CsvHelper. The TypeScript sent no byte-order mark and commas with
    /// <c>.</c> decimals in every language; the C# file starts with the byte-order mark and, in French, is separated by
    /// <c>;</c> with <c>,</c> decimals (docs/report.md, "CSV"), so the TypeScript's number cells are given the French
    /// decimal mark before comparing.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void The_same_CSV_cells_as_the_TypeScript_report(int number)
    {
        var c = Cases.Value[number];
        var figures = CSharpFigures(c);
        var french = figures.Language == Locale.Fr;
        var bytes = ReportCsv.Encode(figures);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var actual = Records(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes[3..]), french ? ';' : ',');
        var column = Array.IndexOf(actual[0], "scanner_visits");
        Assert.Equal("book_clicks", actual[0][column - 1]);
        Assert.All(actual.Skip(1), line => Assert.Equal("0", line[column]));
        string[][] withoutScanners = [.. actual.Select(line => line.Where((_, i) => i != column).ToArray())];

        var typescript = c.GetProperty("csv").GetString()!;
        Assert.NotEqual('\uFEFF', typescript[0]);
        var expected = Records(typescript, ',');
        var header = expected[0];
        string[] textColumns = ["row", "key", "label", "verdict"];
        string[][] inLanguage =
        [
            header,
            .. expected.Skip(1).Select(line => line.Select((cell, i) => french && !textColumns.Contains(header[i]) ? cell.Replace('.', ',') : cell).ToArray()),
        ];
        Assert.Equal(inLanguage.Length, withoutScanners.Length);
        for (var i = 0; i < inLanguage.Length; i++)
        {
            Assert.True(inLanguage[i].SequenceEqual(withoutScanners[i]), $"case {number}, line {i}\nexpected: {string.Join(" | ", inLanguage[i])}\nactual:   {string.Join(" | ", withoutScanners[i])}");
        }
    }

    /// <summary>RFC 4180 records as CsvHelper reads them with the given separator; every line as long as the header.</summary>
    private static List<string[]> Records(string csv, char separator)
    {
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default with { Separator = separator, HasHeader = false });
        var records = new List<string[]>();
        while (reader.Read()) records.Add(reader.Current.ToArray());
        Assert.All(records, r => Assert.Equal(records[0].Length, r.Length));
        return records;
    }
}
