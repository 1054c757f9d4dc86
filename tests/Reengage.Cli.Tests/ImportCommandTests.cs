using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Testing;

namespace Reengage.Cli.Tests;

/// <summary>`reengage import` run in process (its real entry point) against the app on the local host and Azurite.</summary>
[Collection(LocalAppCollection.Name)]
public sealed class ImportCommandTests(LocalAppFixture app) : IAsyncLifetime
{
    private readonly string _practiceId = "prac_cli_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _directory = Directory.CreateTempSubdirectory("reengage-cli-test-").FullName;
    private string _key = null!;

    private sealed record Run(int Exit, string Out, string Error);

    public async Task InitializeAsync()
    {
        using var client = new HttpClient { BaseAddress = app.Host.BaseUrl };
        using var created = await client.PutAsync($"/api/practices/{_practiceId}", Json("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}"""));
        _key = (await created.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();
        client.DefaultRequestHeaders.Add("x-reengage-key", _key);
        foreach (var (id, body) in new[]
        {
            ("th_1", """{"displayName":"Dr Léa Martin","email":"lea@cabinet.example"}"""),
            ("th_2", """{"displayName":"Bruno Adam","email":"bruno@cabinet.example","locale":"en"}"""),
        })
        {
            using var therapist = await client.PutAsync($"/api/practices/{_practiceId}/therapists/{id}", Json(body));
            Assert.True(therapist.IsSuccessStatusCode);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Sample => Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", "import", "sample.csv");

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Runs the CLI with the keys in the environment, as the docs advise.</summary>
    private Task<Run> RunAsync(params string[] args) => RunAsync(interactive: false, args);

    private async Task<Run> RunAsync(bool interactive, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var variables = new Dictionary<string, string> { ["REENGAGE_PRACTICE_KEY"] = _key, ["REENGAGE_FUNCTION_KEY"] = "local-function-key" };
        var exit = await ReengageCli.RunAsync(args, new CliEnvironment(stdout, stderr, name => variables.GetValueOrDefault(name), interactive));
        return new Run(exit, stdout.ToString(), stderr.ToString());
    }

    private string[] Import(string file, params string[] more) => ["import", file, "--practice", _practiceId, "--url", app.ApiBase.AbsoluteUri, .. more];

    private async Task<Dictionary<string, Patient>> PatientsAsync()
    {
        var found = new Dictionary<string, Patient>();
        await foreach (var p in app.Services.GetRequiredService<IPatientStore>().ListPatientsAsync(_practiceId)) found[p.Id] = p;
        return found;
    }

    [Fact]
    public async Task A_dry_run_reports_and_writes_nothing_then_the_import_writes_and_a_second_changes_nothing()
    {
        var dry = await RunAsync(Import(Sample, "--dry-run"));
        Assert.Equal(0, dry.Exit);
        Assert.Contains($"Dry run of sample.csv into practice {_practiceId} (separator \";\", utf-8)", dry.Out, StringComparison.Ordinal);
        Assert.Contains(
            "\nColumns: id <- \"Numéro dossier\", firstName <- \"Prénom\", email <- \"Courriel\", locale <- \"Langue\", therapistId <- \"Thérapeute\", "
            + "emailConsent <- \"Consentement\", careStatus <- \"Statut\", focusArea <- \"Domaine\", lastVisitAt <- \"Dernière visite\", nextBookingAt <- \"Prochain RDV\"\n",
            dry.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Not imported: \"Notes\"", dry.Out, StringComparison.Ordinal);
        Assert.Contains("5 lines: 5 to create, 0 to update, 0 unchanged, 0 invalid", dry.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was written (dry run).", dry.Out, StringComparison.Ordinal);
        Assert.Contains("Sending", dry.Error, StringComparison.Ordinal);
        Assert.Empty(await PatientsAsync());

        var applied = await RunAsync(Import(Sample));
        Assert.Equal(0, applied.Exit);
        Assert.Contains("5 lines: 5 created, 0 updated, 0 unchanged, 0 invalid", applied.Out, StringComparison.Ordinal);
        var patients = await PatientsAsync();
        Assert.Equal(["pat_101", "pat_102", "pat_103", "pat_104", "pat_105"], patients.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("th_2", patients["pat_102"].TherapistId);

        var again = await RunAsync(Import(Sample, "--json"));
        Assert.Equal(0, again.Exit);
        var report = JsonNode.Parse(again.Out)!;
        Assert.Equal("applied", report["outcome"]!.GetValue<string>());
        Assert.Equal(5, report["totals"]!["unchanged"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_invalid_file_exits_1_naming_each_bad_line_and_writes_nothing()
    {
        var file = Write("invalid.csv", string.Join('\n',
            "id;prénom;email;thérapeute",
            "pat_500;Lou;lou@example.org;th_1",
            "pat_501;Max;max@;th_1",
            "pat_502;Kim;kim@example.org;Dr No"));
        var run = await RunAsync(Import(file, "--separator", ";"));
        Assert.Equal(1, run.Exit);
        Assert.Contains("3 lines: 1 to create, 0 to update, 0 unchanged, 2 invalid", run.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was written: fix the invalid lines and run again.", run.Out, StringComparison.Ordinal);
        Assert.Contains("  line 3 (pat_501): email: must be a valid email address", run.Out, StringComparison.Ordinal);
        Assert.Contains("  line 4 (pat_502): thérapeute: \"Dr No\" is not a therapist of this practice (give an id or a name)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2", run.Out, StringComparison.Ordinal);
        Assert.Empty(await PatientsAsync());
    }

    [Fact]
    public async Task A_mapping_file_names_the_columns()
    {
        var file = Write("mapped.csv", "Ref;Given;Mail perso\nr1;Ivo;ivo@example.org\n");
        var mapping = Write("map.json", """{"id":"Ref","firstName":"Given","email":"Mail perso"}""");
        var run = await RunAsync(Import(file, "--mapping", mapping));
        Assert.Equal(0, run.Exit);
        Assert.Equal("Ivo", (await PatientsAsync())["r1"].FirstName);
    }

    [Theory]
    [InlineData("--separator", "tab", "--separator must be")]
    [InlineData("--bogus", "1", "unknown option \"--bogus\"")]
    [InlineData("--url", "http://example.org/api", "--url must be https")]
    public async Task Bad_options_exit_2_with_the_reason(string option, string value, string message)
    {
        var run = await RunAsync(Import(Sample, option, value));
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Empty(await PatientsAsync());
    }

    [Fact]
    public async Task Refused_keys_a_missing_file_or_a_missing_practice_exit_2()
    {
        var refused = await RunAsync(Import(Sample, "--practice-key", "wrong-key"));
        Assert.Equal(2, refused.Exit);
        Assert.Contains("the app refused the keys (401)", refused.Error, StringComparison.Ordinal);
        var missing = await RunAsync(Import(Path.Combine(_directory, "nope.csv")));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("cannot read", missing.Error, StringComparison.Ordinal);
        var noPractice = await RunAsync("import", Sample, "--url", app.ApiBase.AbsoluteUri);
        Assert.Equal(2, noPractice.Exit);
        Assert.Contains("--practice <id> is required", noPractice.Error, StringComparison.Ordinal);
        Assert.Empty(await PatientsAsync());
    }

    [Fact]
    public async Task An_unreachable_app_exits_3()
    {
        var run = await RunAsync("import", Sample, "--practice", _practiceId, "--url", "http://127.0.0.1:9/api");
        Assert.Equal(3, run.Exit);
        Assert.Contains("cannot reach 127.0.0.1:9", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_thousand_rows_import_in_one_command()
    {
        var csv = new StringBuilder("Identifiant;Prénom;Courriel;Consentement\r\n");
        for (var i = 0; i < 10_000; i++) csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"c{i};Prénom {i};c{i}@example.org;{(i % 2 == 0 ? "oui" : "non")}\r\n");
        var run = await RunAsync(Import(Write("big.csv", csv.ToString())));
        Assert.Equal(0, run.Exit);
        Assert.Contains("10,000 lines: 10,000 created, 0 updated, 0 unchanged, 0 invalid", run.Out, StringComparison.Ordinal);
        var patients = await PatientsAsync();
        Assert.Equal(10_000, patients.Count);
        Assert.Equal(5_000, patients.Values.Count(p => p.EmailConsent.Granted));
        Assert.Equal("c9999@example.org", patients["c9999"].Email);
    }

    [Fact]
    public async Task English_headers_comma_separated_without_BOM_import()
    {
        var file = Write("english.csv", "Patient ID,First name,Email,Therapist,Consent,Last visit\npat_700,Amy,amy@example.org,Bruno Adam,yes,2026-11-02\npat_701,Ben,ben@example.org,th_1,no,\n");
        Assert.NotEqual(0xEF, File.ReadAllBytes(file)[0]);
        var run = await RunAsync(Import(file));
        Assert.Equal(0, run.Exit);
        Assert.Contains("(separator \",\", utf-8)", run.Out, StringComparison.Ordinal);
        Assert.Contains("2 lines: 2 created, 0 updated, 0 unchanged, 0 invalid", run.Out, StringComparison.Ordinal);
        var patients = await PatientsAsync();
        Assert.Equal("amy@example.org", patients["pat_700"].Email);
        Assert.Equal("th_2", patients["pat_700"].TherapistId);
        Assert.True(patients["pat_700"].EmailConsent.Granted);
        Assert.False(patients["pat_701"].EmailConsent.Granted);
    }

    [Fact]
    public async Task On_a_terminal_a_progress_bar_goes_to_stderr_and_the_summary_to_stdout()
    {
        var run = await RunAsync(interactive: true, Import(Sample, "--dry-run"));
        Assert.Equal(0, run.Exit);
        Assert.Contains("Uploading", run.Error, StringComparison.Ordinal);
        Assert.Contains("100%", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Sending", run.Error, StringComparison.Ordinal);
        Assert.Contains("5 lines: 5 to create, 0 to update, 0 unchanged, 0 invalid", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Uploading", run.Out, StringComparison.Ordinal);
        Assert.Empty(await PatientsAsync());
    }

    [Fact]
    public async Task Help_exits_0_no_arguments_or_an_unknown_command_exit_2()
    {
        var help = await RunAsync("import", "--help");
        Assert.Equal(0, help.Exit);
        Assert.StartsWith("Usage: reengage import <file.csv>", help.Out, StringComparison.Ordinal);
        var none = await RunAsync();
        Assert.Equal(2, none.Exit);
        var unknown = await RunAsync("export");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("unknown command \"export\"", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("Run \"reengage --help\" for usage.", unknown.Error, StringComparison.Ordinal);
        Assert.Equal("", unknown.Out);
    }
}
