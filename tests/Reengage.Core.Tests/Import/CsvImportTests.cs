using System.Text;
using NodaTime;
using Reengage.Core.Booking;
using Reengage.Core.Import;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Import;

public sealed class CsvImportTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly ImportContext Context = new(
        "Europe/Paris",
        Now,
        [new ImportTherapist("th_1", "Dr Léa Martin"), new ImportTherapist("th_2", "Bruno Adam"), new ImportTherapist("th_3", "Bruno Adam")]);

    private static ValidatedImport Validate(string text, ImportFileOptions? options = null) => CsvImport.Validate(text, Context, options);

    [Fact]
    public void Utf8_with_and_without_bom_and_windows_1252_are_decoded()
    {
        var text = "id;prénom\np1;Zoé\n";
        Assert.Equal((text, CsvEncoding.Utf8), CsvImport.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal((text, CsvEncoding.Utf8), CsvImport.Decode([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]));
        // é is 0xE9 in Windows-1252, not valid UTF-8 on its own.
        byte[] latin = [.. Encoding.ASCII.GetBytes("id;pr"), 0xE9, .. Encoding.ASCII.GetBytes("nom\np1;Zo"), 0xE9, (byte)'\n'];
        Assert.Equal((text, CsvEncoding.Windows1252), CsvImport.Decode(latin));
        // Characters that only Windows-1252 (not Latin-1) has at 0x80-0x9F: the euro sign and the typographic apostrophe.
        Assert.Equal("€’", CsvImport.Decode([0x80, 0x92]).Text);
    }

    [Theory]
    [InlineData("id;prénom;email", ';')]
    [InlineData("id,prénom,email", ',')]
    [InlineData("\"a,b,c\";d;e", ';')]
    [InlineData("id", ',')]
    [InlineData("a;b,c", ',')]
    public void The_separator_is_the_more_frequent_outside_quotes_on_the_header_line(string header, char expected) =>
        Assert.Equal(expected, CsvImport.DetectSeparator(header + "\nx;y;z,w,v,u"));

    [Fact]
    public void Line_numbers_count_lines_as_an_editor_does_quoted_breaks_and_empty_lines_included()
    {
        var text = "id;notes\r\np1;\"one\r\ntwo\"\r\n\r\np2;x\r\n;\r\np3;\"a\"\"b\"\r\n";
        var result = Validate(text);
        Assert.Empty(result.FileErrors);
        Assert.Equal([2, 5, 7], result.Lines.Select(l => l.Line));
        Assert.Equal(["p1", "p2", "p3"], result.Lines.Select(l => l.PatientId));
    }

    [Fact]
    public void Quoted_cells_keep_separators_quotes_and_line_breaks()
    {
        var records = CsvImport.ReadRecords("id;n\np1;\"a;\"\"b\"\"\nc\"\n", ';', out var unclosed);
        Assert.Null(unclosed);
        Assert.Equal(["p1", "a;\"b\"\nc"], records[1].Cells);
    }

    [Fact]
    public void An_unclosed_quote_is_a_file_error_at_its_line()
    {
        var result = Validate("id;prénom\np1;Ana\np2;\"Zoé\np3;Lou\n");
        Assert.Equal([new FileError(3, "a quoted field is never closed")], result.FileErrors);
        Assert.Empty(result.Lines);
    }

    [Fact]
    public void Headers_match_whatever_their_case_accents_spaces_or_punctuation()
    {
        foreach (var id in new[] { "Numéro dossier", "N° de dossier", "numero_dossier", "ID", "Identifiant" })
        {
            var resolution = CsvImport.ResolveColumns([id, "PRÉNOM", "E-mail", "Prochain RDV", "Notes"]);
            Assert.Empty(resolution.Errors);
            Assert.Equal(
                [ImportField.Id, ImportField.FirstName, ImportField.Email, ImportField.NextBookingAt],
                resolution.Columns.Select(c => c.Key));
            Assert.Equal(["Notes"], resolution.Ignored);
        }
    }

    [Fact]
    public void A_mapping_claims_its_column_before_the_defaults()
    {
        var resolution = CsvImport.ResolveColumns(["Ref. patient", "id", "Given"], new Dictionary<ImportField, string>
        {
            [ImportField.Id] = "ref patient",
            [ImportField.FirstName] = "Given",
        });
        Assert.Empty(resolution.Errors);
        Assert.Equal(0, resolution.Indexes[ImportField.Id]);
        Assert.Equal(2, resolution.Indexes[ImportField.FirstName]);
        Assert.Equal(["id"], resolution.Ignored);
    }

    [Fact]
    public void Column_problems_are_file_errors_on_the_header_line()
    {
        Assert.Contains("no patient id column", Validate("prénom;email\nAna;a@example.org\n").FileErrors.Single().Message);
        Assert.Equal(
            new FileError(1, "several columns could be email (\"email\", \"courriel\"): name one in the mapping"),
            Validate("id;email;courriel\np1;a@example.org;b@example.org\n").FileErrors.Single());
        Assert.Equal(
            new FileError(1, "the mapping names column \"Mail perso\" for email, but the header has none"),
            Validate("id;courriel\np1;a@example.org\n", new ImportFileOptions(Mapping: new Dictionary<ImportField, string> { [ImportField.Email] = "Mail perso" })).FileErrors.Single());
        Assert.Equal(new FileError(null, "the file has a header but no patient line"), Validate("id;prénom\n;\n").FileErrors.Single());
        Assert.Equal(new FileError(null, "the file is empty: a header line is expected"), Validate("").FileErrors.Single());
    }

    [Theory]
    [InlineData("2026-11-03", "2026-11-03T11:00:00+00:00", false)]
    [InlineData("03/11/2026", "2026-11-03T11:00:00+00:00", false)]
    [InlineData("3.11.2026", "2026-11-03T11:00:00+00:00", false)]
    [InlineData("03-11-2026 14:30", "2026-11-03T13:30:00+00:00", true)]
    [InlineData("2026-07-03 14:30:15", "2026-07-03T12:30:15+00:00", true)]
    [InlineData("2026-11-03T09:30:00+01:00", "2026-11-03T08:30:00+00:00", true)]
    [InlineData("2026-11-03T08:30:00Z", "2026-11-03T08:30:00+00:00", true)]
    public void Dates_are_day_first_in_practice_time_noon_without_a_time(string raw, string expected, bool hasTime)
    {
        var date = CsvImport.ParseDate(raw, "Europe/Paris");
        Assert.NotNull(date);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date.At);
        Assert.Equal(hasTime, date.HasTime);
    }

    [Theory]
    [InlineData("31/02/2026")]
    [InlineData("2026-13-01")]
    [InlineData("11/03/26")]
    [InlineData("2026-11-03 25:00")]
    [InlineData("hier")]
    [InlineData("1899-12-31")]
    public void Other_dates_are_refused(string raw) => Assert.Null(CsvImport.ParseDate(raw, "Europe/Paris"));

    [Fact]
    public void Values_in_either_language_and_names_are_stored_canonical_and_composed()
    {
        var result = Validate(
            "Identifiant;Prénom;Courriel;Langue;Thérapeute;Consentement;Statut;Préférence de contact;Domaine;Dernière visite\n"
            + "p1;No\u0065\u0301;noe@example.org;français;dr lea martin;OUI;Plan terminé;directe;sommeil;2026-11-03\n"
            + "p2;Ana;ana@example.org;de;th_2;0;fin de suivi;par défaut;;\n");
        Assert.Empty(result.FileErrors);
        var p1 = result.Lines[0].Patient!;
        Assert.Equal("No\u00e9", p1.FirstName);
        Assert.Equal(Optional.Of<Locale?>(Locale.Fr), p1.Locale);
        Assert.Equal("th_1", p1.TherapistId);
        Assert.True(p1.EmailConsent);
        Assert.Equal(CareStatus.PlanCompleted, p1.CareStatus);
        Assert.Equal(ContactPreference.Direct, p1.ContactPreference);
        Assert.Equal("sommeil", p1.FocusArea);
        Assert.Equal(new LocalDate(2026, 11, 3), p1.LastVisitAt!.Date);
        var p2 = result.Lines[1].Patient!;
        Assert.Equal(Optional.Of<Locale?>(null), p2.Locale);
        Assert.False(p2.EmailConsent);
        Assert.Equal(CareStatus.Discharged, p2.CareStatus);
        Assert.Null(p2.FocusArea);
    }

    [Fact]
    public void Every_invalid_line_is_named_with_its_field_and_column()
    {
        var text = string.Join('\n',
            "id;prénom;email;thérapeute;consentement;statut;contact;langue;dernière visite;prochain rdv",
            "p1;Ana;ana@example.org;th_1;oui;en cours;direct;fr;2026-11-03;2026-12-15",
            ";Bob;bob@example.org;;;;;;;",
            "bad id!;Cid;cid@example.org;;;;;;;",
            "p4;Dan;not-an-address;;;;;;;",
            "p5;Eve;eve@example.org;Dr No;;;;;;",
            "p6;Fay;fay@example.org;bruno adam;;;;;;",
            "p7;Gus;gus@example.org;;peut-être;;;;;",
            "p8;Hal;hal@example.org;;;en pause;;;;",
            "p9;Ivy;ivy@example.org;;;;téléphone;;;",
            "p10;Jo;jo@example.org;;;;;klingon!;;",
            "p11;Kai;kai@example.org;;;;;;hier;",
            "p12;Lea;lea@example.org;;;;;;2026-12-02;",
            "p13;Mo;mo@example.org;;;;;;;32/12/2026",
            "p14;\"Ned\"x;ned@example.org;;;;;;;",
            "p15;Oz;oz@example.org;;;;;;;;extra",
            "p1;Pia;pia@example.org;;;;;;;",
            "p17;Quy;ANA@example.org;;;;;;;");
        var result = Validate(text);
        Assert.Empty(result.FileErrors);
        var errors = result.Lines
            .Where(l => l.Errors.Count > 0)
            .SelectMany(l => l.Errors.Select(e => (l.Line, e.Field, e.Column, e.Message)))
            .ToList();
        Assert.Equal<(int, ImportField?, string?, string)>(
            [
                (2, ImportField.Id, "id", "the same patient id is on line 17"),
                (2, ImportField.Email, "email", "the same email address is on line 18"),
                (3, ImportField.Id, "id", "is required"),
                (4, ImportField.Id, "id", "must be 1-128 characters: letters, digits and _ . : @ + = ~ -"),
                (5, ImportField.Email, "email", "must be a valid email address"),
                (6, ImportField.TherapistId, "thérapeute", "\"Dr No\" is not a therapist of this practice (give an id or a name)"),
                (7, ImportField.TherapistId, "thérapeute", "\"bruno adam\" names several therapists: use the therapist id"),
                (8, ImportField.EmailConsent, "consentement", "must be oui/non, yes/no, true/false or 1/0"),
                (9, ImportField.CareStatus, "statut", "must be in_care (en cours), plan_completed (terminé) or discharged (sorti)"),
                (10, ImportField.ContactPreference, "contact", "must be default or direct"),
                (11, ImportField.Locale, "langue", "must be a language tag such as \"fr\" or \"en-GB\""),
                (12, ImportField.LastVisitAt, "dernière visite", "is not a date: use yyyy-MM-dd, dd/MM/yyyy (optionally with HH:mm) or an ISO 8601 date-time"),
                (13, ImportField.LastVisitAt, "dernière visite", "is in the future"),
                (14, ImportField.NextBookingAt, "prochain rdv", "is not a date: use yyyy-MM-dd, dd/MM/yyyy (optionally with HH:mm) or an ISO 8601 date-time"),
                (15, null, null, "text after the closing quote of a field (write a quote inside quotes as \"\")"),
                (16, null, null, "has 11 cells but the header has 10 columns"),
                (17, ImportField.Id, "id", "the same patient id is on line 2"),
                (18, ImportField.Email, "email", "the same email address is on line 2"),
            ],
            errors);
        Assert.All(result.Lines.Where(l => l.Errors.Count > 0), l => Assert.Null(l.Patient));
        // An error message never repeats the refused value of an email cell.
        Assert.DoesNotContain(errors, e => e.Message.Contains("not-an-address", StringComparison.Ordinal));
    }
}
