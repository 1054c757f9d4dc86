using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tests.Import;

/*
 * sample.csv (semicolon, BOM, CRLF, French headers), imported on Tuesday 1 Dec 2026 (Paris, UTC+1):
 *  line 2 pat_101 Céline   th_1 "Dr Léa Martin" oui, last visit 03/11/2026 (noon Paris = 11:00Z)
 *  line 3 pat_102 Zoé      th_2 "Bruno Adam"   yes, last visit 2026-11-03, next RDV 15/12/2026 14:30
 *  line 4 pat_103 Noé      th_1                non, last visit 2026-11-03T09:30:00+01:00
 *  line 5 pat_104 Jean-Luc th_2                oui, no dates (quoted name, a ";" and a line break in "Notes")
 *  (line 6 continues line 5's notes; line 7 is empty)
 *  line 8 pat_105 Ana      th_1                1, discharged, last visit 2026-10-01
 */
[Collection(AzuriteCollection.Name)]
public sealed class ImportPatientsTests(AzuriteFixture fixture) : ImportTestBase(fixture)
{
    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected:\n{expected}\nactual:\n{actual?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_sample_dry_run_reports_a_create_per_line_and_writes_nothing()
    {
        var before = await SnapshotAsync();
        var answer = await PostAsync(Fixture("sample.csv"), "?dryRun=true");
        Assert.Equal(200, answer.Status);
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        var report = answer.Json!;
        Assert.Equal("dry_run", report["outcome"]!.GetValue<string>());
        Assert.Equal("utf-8", report["encoding"]!.GetValue<string>());
        Assert.Equal(";", report["separator"]!.GetValue<string>());
        AssertJson("""["Notes"]""", report["ignoredColumns"]!);
        Assert.Equal("Numéro dossier", report["columns"]!["id"]!.GetValue<string>());
        AssertJson("""{"lines":5,"create":5,"update":0,"unchanged":0,"invalid":0,"suppressed":0}""", report["totals"]!);
        Assert.Equal(
            [(2, "pat_101", "create"), (3, "pat_102", "create"), (4, "pat_103", "create"), (5, "pat_104", "create"), (8, "pat_105", "create")],
            Actions(report));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_sample_is_stored_as_the_webhook_would_and_importing_it_again_changes_nothing()
    {
        var answer = await PostAsync(Fixture("sample.csv"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("applied", answer.Json!["outcome"]!.GetValue<string>());

        var patients = await PatientsAsync();
        Assert.Equal(["pat_101", "pat_102", "pat_103", "pat_104", "pat_105"], patients.Keys.Order(StringComparer.Ordinal));
        var celine = patients["pat_101"];
        Assert.Equal("Céline", celine.FirstName);
        Assert.Equal("celine.durand@example.org", celine.Email);
        Assert.Equal(Locale.Fr, celine.Locale);
        Assert.Equal("th_1", celine.TherapistId);
        Assert.Equal(new EmailConsent(true, Start, "import"), celine.EmailConsent);
        Assert.Equal(CareStatus.InCare, celine.CareStatus);
        Assert.Equal(At("2026-11-03T11:00:00Z"), celine.LastVisitAt);
        Assert.Null(celine.NextBookingAt);
        Assert.False(celine.Suppressed);
        // Lapse day 30 after 3 Nov: 3 Dec.
        Assert.Equal("20261203", celine.DueDay);

        var zoe = patients["pat_102"];
        Assert.Equal((Locale.En, "th_2"), (zoe.Locale!.Value, zoe.TherapistId));
        Assert.Equal(At("2026-12-15T13:30:00Z"), zoe.NextBookingAt);
        // The visit's row (3 Dec) stays: a row may be early, never late, and the planner moves it (PatientSaver), as for webhooks.
        Assert.Equal("20261203", zoe.DueDay);
        Assert.Equal(
            [("import-visit-20261103", AppointmentStatus.Completed, At("2026-11-03T11:00:00Z")), ("import-next-20261215T133000Z", AppointmentStatus.Booked, At("2026-12-15T13:30:00Z"))],
            (await AppointmentsAsync("pat_102")).Select(a => (a.Id, a.Status, a.StartsAt)));
        // Written decomposed (e + U+0301) in the file, stored composed.
        Assert.Equal("No\u00e9", patients["pat_103"].FirstName);
        Assert.False(patients["pat_103"].EmailConsent.Granted);
        Assert.Equal(At("2026-11-03T08:30:00Z"), patients["pat_103"].LastVisitAt);
        Assert.Equal(("Jean-Luc", "sommeil", (string?)null), (patients["pat_104"].FirstName, patients["pat_104"].FocusArea, patients["pat_104"].DueDay));
        Assert.Equal((CareStatus.Discharged, (string?)null), (patients["pat_105"].CareStatus, patients["pat_105"].DueDay));
        Assert.Equal(["pat_101", "pat_102", "pat_103"], await DueOnAsync("20261203"));

        var before = await SnapshotAsync();
        var again = await PostAsync(Fixture("sample.csv"));
        Assert.Equal(200, again.Status);
        AssertJson("""{"lines":5,"create":0,"update":0,"unchanged":5,"invalid":0,"suppressed":0}""", again.Json!["totals"]!);
        Assert.Equal(before, await SnapshotAsync());

        // A file exported again with changes: only what changed is updated, and the imported booking moves.
        var changed = string.Join('\n',
            "id;prénom;email;prochain rdv",
            "pat_101;Céline;celine.new@example.org;",
            "pat_102;Zoé;zoe.martin@example.org;2027-01-12",
            "pat_103;Noé;;");
        var update = await PostAsync(changed, "?dryRun=true");
        AssertJson("""[{"line":2,"patientId":"pat_101","action":"update","fields":["email"]},{"line":3,"patientId":"pat_102","action":"update","fields":["nextBookingAt"]},{"line":4,"patientId":"pat_103","action":"unchanged"}]""", update.Json!["lines"]!);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(200, (await PostAsync(changed)).Status);
        patients = await PatientsAsync();
        Assert.Equal("celine.new@example.org", patients["pat_101"].Email);
        Assert.Equal(At("2027-01-12T11:00:00Z"), patients["pat_102"].NextBookingAt);
        Assert.Equal(
            [("import-visit-20261103", AppointmentStatus.Completed), ("import-next-20261215T133000Z", AppointmentStatus.Cancelled), ("import-next-20270112T110000Z", AppointmentStatus.Booked)],
            (await AppointmentsAsync("pat_102")).Select(a => (a.Id, a.Status)));
    }

    [Fact]
    public async Task English_headers_with_commas_import_alike()
    {
        var csv = "Patient ID,First name,Email address,Language,Therapist,Email consent,Care status,Last visit,Next appointment\r\n"
            + "p1,Amy,amy@example.org,english,Bruno Adam,yes,active,2026-11-03,15/12/2026 14:30\r\n";
        var answer = await PostAsync(csv);
        Assert.Equal(200, answer.Status);
        Assert.Equal(",", answer.Json!["separator"]!.GetValue<string>());
        var amy = (await PatientsAsync())["p1"];
        Assert.Equal(("Amy", Locale.En, "th_2", true), (amy.FirstName, amy.Locale!.Value, amy.TherapistId, amy.EmailConsent.Granted));
        Assert.Equal(At("2026-12-15T13:30:00Z"), amy.NextBookingAt);
    }

    [Fact]
    public async Task A_windows_1252_file_is_read_as_such()
    {
        var csv = "Numéro dossier;Prénom;Courriel\r\npat_1;Hélène;helene@example.org\r\n";
        var answer = await PostAsync(Encoding.Latin1.GetBytes(csv));
        Assert.Equal(200, answer.Status);
        Assert.Equal("windows-1252", answer.Json!["encoding"]!.GetValue<string>());
        Assert.Equal("Hélène", (await PatientsAsync())["pat_1"].FirstName);
    }

    [Fact]
    public async Task An_explicit_separator_wins_over_detection()
    {
        // As many commas as semicolons in the header: detection alone picks ",", and finds no id column.
        var csv = "id;Nom, prénom, usage;prénom\np1;x, y, z;Ana\n";
        var detected = await PostAsync(csv, "?dryRun=true");
        Assert.Equal(422, detected.Status);
        var answer = await PostAsync(csv, "?dryRun=false&separator=semicolon");
        Assert.Equal(200, answer.Status);
        AssertJson("""["Nom, prénom, usage"]""", answer.Json!["ignoredColumns"]!);
        Assert.Equal("Ana", (await PatientsAsync())["p1"].FirstName);
    }

    [Fact]
    public async Task Invalid_lines_are_all_named_by_line_and_field_and_nothing_is_written()
    {
        var csv = string.Join("\r\n",
            "id;prénom;email;thérapeute;dernière visite",
            "pat_300;Lou;lou@example.org;th_1;2026-10-10",
            "pat_301;Max;max@example.org;Dr Who;2026-10-10",
            "pat_302;Kim;kim@example.org;th_2;10/10/2026",
            "pat_303;\"Al\nice\";alice@;th_2;2026-12-25",
            "pat_302;Ann;KIM@example.org;;");
        var before = await SnapshotAsync();
        var answer = await PostAsync(csv);
        Assert.Equal(422, answer.Status);
        Assert.Equal("application/problem+json", answer.Headers.ContentType.ToString());
        var report = answer.Json!;
        Assert.Equal("invalid", report["outcome"]!.GetValue<string>());
        Assert.Equal("4 of 5 lines are invalid; nothing was imported.", report["detail"]!.GetValue<string>());
        AssertJson("""[{"line":2,"patientId":"pat_300","action":"create"},"""
            + """{"line":3,"patientId":"pat_301","action":"invalid","errors":[{"field":"therapistId","column":"thérapeute","message":"\u0022Dr Who\u0022 is not a therapist of this practice (give an id or a name)"}]},"""
            + """{"line":4,"patientId":"pat_302","action":"invalid","errors":[{"field":"id","column":"id","message":"the same patient id is on line 7"},{"field":"email","column":"email","message":"the same email address is on line 7"}]},"""
            + """{"line":5,"patientId":"pat_303","action":"invalid","errors":[{"field":"email","column":"email","message":"must be a valid email address"},{"field":"lastVisitAt","column":"dernière visite","message":"is in the future"}]},"""
            + """{"line":7,"patientId":"pat_302","action":"invalid","errors":[{"field":"id","column":"id","message":"the same patient id is on line 4"},{"field":"email","column":"email","message":"the same email address is on line 4"}]}]""", report["lines"]!);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("prénom;email\nAna;ana@example.org\n", 1, "no patient id column")]
    [InlineData("id;prénom\np1;\"Ana\np2;Bob\n", 2, "a quoted field is never closed")]
    [InlineData("id;prénom\n", null, "the file has a header but no patient line")]
    public async Task A_file_level_problem_is_a_422_naming_it(string csv, int? line, string message)
    {
        var before = await SnapshotAsync();
        var answer = await PostAsync(csv);
        Assert.Equal(422, answer.Status);
        var error = answer.Json!["fileErrors"]!.AsArray().Single()!;
        Assert.Equal(line, error["line"]?.GetValue<int>());
        Assert.StartsWith(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("The file cannot be read as a patient list; nothing was imported.", answer.Json!["detail"]!.GetValue<string>());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task An_address_on_the_suppression_list_is_imported_flagged_and_suppressed()
    {
        await Services.GetRequiredService<ISuppressionStore>().UpsertSuppressionAsync(
            new SuppressionEntry(PracticeId, Ids.AddressHashOf(PracticeId, "gone@example.org"), SuppressionReason.Unsubscribed, At("2026-06-01T00:00:00Z")));
        var csv = "id,first name,email,consent\npat_200,Eva,gone@example.org,yes\npat_201,Lia,lia@example.org,yes\n";
        var dry = await PostAsync(csv, "?dryRun=true");
        AssertJson("""{"line":2,"patientId":"pat_200","action":"create","suppressed":true}""", dry.Json!["lines"]![0]!);
        AssertJson("""{"line":3,"patientId":"pat_201","action":"create"}""", dry.Json!["lines"]![1]!);
        Assert.Equal(1, dry.Json!["totals"]!["suppressed"]!.GetValue<int>());
        Assert.Equal(200, (await PostAsync(csv)).Status);
        var patients = await PatientsAsync();
        Assert.True(patients["pat_200"].Suppressed);
        Assert.True(patients["pat_200"].EmailConsent.Granted);
        Assert.False(patients["pat_201"].Suppressed);
    }

    [Fact]
    public async Task A_json_body_carries_the_file_a_mapping_and_a_separator()
    {
        var body = new JsonObject
        {
            ["csv"] = "Ref. patient|Given|Mail perso\nr1|Ivo|ivo@example.org\n".Replace('|', ';'),
            ["mapping"] = new JsonObject { ["id"] = "Ref. patient", ["firstName"] = "Given", ["email"] = "Mail perso" },
            ["separator"] = ";",
        };
        var answer = await PostAsync(body.ToJsonString(), contentType: "application/json");
        Assert.Equal(200, answer.Status);
        AssertJson("""{"id":"Ref. patient","firstName":"Given","email":"Mail perso"}""", answer.Json!["columns"]!);
        Assert.Equal("ivo@example.org", (await PatientsAsync())["r1"].Email);
    }

    [Theory]
    [InlineData("?dryRun=yes", "text/csv", "id\np1\n", "dryRun")]
    [InlineData("?dryrun=true", "text/csv", "id\np1\n", "dryrun")]
    [InlineData("?separator=tab", "text/csv", "id\np1\n", "separator")]
    [InlineData("", "application/json", """{"csv":"id\np1\n","mapping":{"nom":"Nom"}}""", "mapping.nom")]
    [InlineData("", "application/json", """{"file":"id\np1\n"}""", "file")]
    [InlineData("", "application/json", """{"mapping":{}}""", "csv")]
    public async Task Bad_parameters_or_json_are_400_naming_the_field(string query, string contentType, string body, string field)
    {
        var before = await SnapshotAsync();
        var answer = await PostAsync(body, query, contentType);
        Assert.Equal(400, answer.Status);
        Assert.Contains(field, answer.Fields);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Broken_json_is_400_another_type_415_and_more_than_10_MB_413()
    {
        var before = await SnapshotAsync();
        Assert.Equal(400, (await PostAsync("{\"csv\":", contentType: "application/json")).Status);
        Assert.Equal(415, (await PostAsync("id\np1\n", contentType: "application/xml")).Status);
        var big = new byte[(10 * 1024 * 1024) + 1];
        Array.Fill(big, (byte)'a');
        var tooLarge = await PostAsync(big);
        Assert.Equal(413, tooLarge.Status);
        Assert.Equal("application/problem+json", tooLarge.Headers.ContentType.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Without_the_practice_key_it_is_401_and_nothing_is_written()
    {
        var otherKey = await CreatePracticeAsync("prac_other_" + Guid.NewGuid().ToString("N")[..6]);
        var before = await SnapshotAsync();
        foreach (var (key, practiceId) in new[] { ((string?)null, PracticeId), ("wrong", PracticeId), (otherKey, PracticeId), (Key, "prac_nobody") })
        {
            var answer = await PostAsync(Fixture("sample.csv"), key: key, practiceId: practiceId);
            Assert.Equal(401, answer.Status);
            Assert.DoesNotContain("pat_10", answer.Body, StringComparison.Ordinal);
        }
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Ten_thousand_rows_import_in_one_request()
    {
        var csv = new StringBuilder("Identifiant;Prénom;Courriel;Langue;Consentement\r\n");
        for (var i = 0; i < 10_000; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"p{i};Prénom {i};p{i}@example.org;{(i % 2 == 0 ? "fr" : "en")};{(i % 5 == 0 ? "non" : "oui")}\r\n");
        }
        var answer = await PostAsync(csv.ToString());
        Assert.Equal(200, answer.Status);
        AssertJson("""{"lines":10000,"create":10000,"update":0,"unchanged":0,"invalid":0,"suppressed":0}""", answer.Json!["totals"]!);
        var patients = await PatientsAsync();
        Assert.Equal(10_000, patients.Count);
        Assert.Equal(8_000, patients.Values.Count(p => p.EmailConsent.Granted));
        Assert.Equal(("Prénom 9999", "p9999@example.org", Locale.En), (patients["p9999"].FirstName, patients["p9999"].Email, patients["p9999"].Locale!.Value));
    }
}
