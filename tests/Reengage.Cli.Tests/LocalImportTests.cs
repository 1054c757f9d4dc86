using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Testing;

namespace Reengage.Cli.Tests;

/// <summary>
/// `reengage import --local` run in process (its real entry point) against the Azurite of the local app, on tables of
/// its own (a table prefix per test) holding a practice and two therapists: the app's own tables never see it.
/// </summary>
[Collection(LocalAppCollection.Name)]
public sealed class LocalImportTests(LocalAppFixture app) : IAsyncLifetime
{
    private readonly string _practiceId = "prac_local_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _prefix = "cli" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _directory = Directory.CreateTempSubdirectory("reengage-cli-local-").FullName;
    private ReengageStorageClients _clients = null!;

    private sealed record Run(int Exit, string Out, string Error);

    private static string Sample => Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", "import", "sample.csv");

    public async Task InitializeAsync()
    {
        _clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(app.Azurite.ConnectionString), StorageNames.WithAffix(prefix: _prefix));
        await _clients.EnsureCreatedAsync();
        var practices = new TablePracticeStore(_clients.Practices, _clients.Therapists);
        Assert.NotNull(await practices.CreatePracticeAsync(PracticeDefaults.NewPractice(_practiceId, "Cabinet") with { SenderAddress = "bonjour@cabinet.example" }));
        await practices.UpsertTherapistAsync(new Therapist { PracticeId = _practiceId, Id = "th_1", DisplayName = "Dr Léa Martin", Email = "lea@cabinet.example" });
        await practices.UpsertTherapistAsync(new Therapist { PracticeId = _practiceId, Id = "th_2", DisplayName = "Bruno Adam", Email = "bruno@cabinet.example", Locale = Locale.En });
    }

    public async Task DisposeAsync()
    {
        await _clients.DeleteAllAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Runs the CLI with an environment that holds no key: the local mode needs none.</summary>
    private static async Task<Run> RunAsync(bool interactive, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await ReengageCli.RunAsync(args, new CliEnvironment(stdout, stderr, _ => null, interactive));
        return new Run(exit, stdout.ToString(), stderr.ToString());
    }

    private static Task<Run> RunAsync(params string[] args) => RunAsync(interactive: false, args);

    private string[] Local(string file, params string[] more) =>
        ["import", file, "--practice", _practiceId, "--local", "--connection", app.Azurite.ConnectionString, "--table-prefix", _prefix, .. more];

    private async Task<Dictionary<string, Patient>> PatientsAsync()
    {
        var found = new Dictionary<string, Patient>();
        await foreach (var p in new TablePatientStore(_clients.Patients).ListPatientsAsync(_practiceId)) found[p.Id] = p;
        return found;
    }

    /// <summary>Every row the import could write (with its ETag) and the send queue's length: equal snapshots mean nothing was written.</summary>
    private async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var table in new[] { _clients.Patients, _clients.Appointments, _clients.Outreach, _clients.DueIndex, _clients.InboundEvents, _clients.Suppressions })
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                text.Append(table.Name).Append(' ').Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
        }
        var queue = await _clients.OutreachSend.GetPropertiesAsync();
        return text.Append("outreach-send ").Append(queue.Value.ApproximateMessagesCount).ToString();
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_then_the_import_writes_to_the_prefixed_tables_and_a_second_changes_nothing()
    {
        var before = await SnapshotAsync();
        var dry = await RunAsync(Local(Sample, "--dry-run"));
        Assert.Equal(0, dry.Exit);
        Assert.Contains($"Dry run of sample.csv into practice {_practiceId} (separator \";\", utf-8)", dry.Out, StringComparison.Ordinal);
        Assert.Contains("Not imported: \"Notes\"", dry.Out, StringComparison.Ordinal);
        Assert.Contains("5 lines: 5 to create, 0 to update, 0 unchanged, 0 invalid", dry.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was written (dry run).", dry.Out, StringComparison.Ordinal);
        Assert.Equal(
            $"Importing into devstoreaccount1 at {app.Azurite.TableServiceUri.Authority}, tables {_prefix}Practices, {_prefix}Patients, ... (dry run)\nChecking: 5/5 lines\n",
            dry.Error.ReplaceLineEndings("\n"));
        Assert.Equal(before, await SnapshotAsync());

        var applied = await RunAsync(Local(Sample));
        Assert.Equal(0, applied.Exit);
        Assert.Contains($"Import of sample.csv into practice {_practiceId}", applied.Out, StringComparison.Ordinal);
        Assert.Contains("5 lines: 5 created, 0 updated, 0 unchanged, 0 invalid", applied.Out, StringComparison.Ordinal);
        Assert.EndsWith("Checking: 5/5 lines\nWriting: 5/5 lines\n", applied.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var patients = await PatientsAsync();
        Assert.Equal(["pat_101", "pat_102", "pat_103", "pat_104", "pat_105"], patients.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("th_2", patients["pat_102"].TherapistId);
        Assert.NotEqual(before, await SnapshotAsync());
        // The app's own (unprefixed) tables hold nothing of this practice.
        await foreach (var _ in app.Services.GetRequiredService<IPatientStore>().ListPatientsAsync(_practiceId)) Assert.Fail("written to the unprefixed Patients table");

        var written = await SnapshotAsync();
        var again = await RunAsync(Local(Sample, "--json"));
        Assert.Equal(0, again.Exit);
        var report = JsonNode.Parse(again.Out)!;
        Assert.Equal("applied", report["outcome"]!.GetValue<string>());
        Assert.Equal(5, report["totals"]!["unchanged"]!.GetValue<int>());
        Assert.Equal("pat_101", report["lines"]![0]!["patientId"]!.GetValue<string>());
        Assert.Equal(written, await SnapshotAsync());
    }

    [Fact]
    public async Task An_invalid_file_exits_1_naming_each_bad_line_and_writes_nothing()
    {
        var file = Write("invalid.csv", string.Join('\n',
            "id,email,therapist",
            "pat_500,a@example.org,th_1",
            "pat_501,b@example,th_1",
            "pat_502,c@example.org,Dr No"));
        var before = await SnapshotAsync();
        var run = await RunAsync(Local(file));
        Assert.Equal(1, run.Exit);
        Assert.Contains("3 lines: 1 to create, 0 to update, 0 unchanged, 2 invalid", run.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing was written: fix the invalid lines and run again.", run.Out, StringComparison.Ordinal);
        Assert.Contains("  line 3 (pat_501): email: must be a valid email address", run.Out, StringComparison.Ordinal);
        Assert.Contains("  line 4 (pat_502): therapist: \"Dr No\" is not a therapist of this practice (give an id or a name)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Writing", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await PatientsAsync());
    }

    [Fact]
    public async Task The_local_and_the_url_modes_print_the_same_summary_and_the_same_json()
    {
        // A practice of the app itself (its unprefixed tables), which both modes reach.
        var practiceId = "prac_both_" + Guid.NewGuid().ToString("N")[..8];
        using var client = new HttpClient { BaseAddress = app.Host.BaseUrl };
        using var created = await client.PutAsync($"/api/practices/{practiceId}", new StringContent("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!.GetValue<string>();
        var valid = Write("valid.csv", "id;email\npat_9;nine@example.org\n");
        var invalid = Write("both.csv", "id;email\npat_1;one@example.org\npat_2;two@\n");
        foreach (var (file, options, exit) in new (string, string[], int)[] { (valid, ["--dry-run"], 0), (valid, ["--dry-run", "--json"], 0), (invalid, [], 1), (invalid, ["--json"], 1) })
        {
            string[] common = ["import", file, "--practice", practiceId, .. options];
            var viaUrl = await RunAsync([.. common, "--url", app.ApiBase.AbsoluteUri, "--practice-key", key]);
            var local = await RunAsync([.. common, "--local", "--connection", app.Azurite.ConnectionString]);
            Assert.Equal(exit, viaUrl.Exit);
            Assert.Equal(viaUrl.Exit, local.Exit);
            Assert.Equal(viaUrl.Out, local.Out);
        }
        var report = JsonNode.Parse((await RunAsync(["import", invalid, "--practice", practiceId, "--json", "--local", "--connection", app.Azurite.ConnectionString])).Out)!;
        Assert.Equal(422, report["status"]!.GetValue<int>());
        Assert.Equal("1 of 2 lines are invalid; nothing was imported.", report["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_mapping_file_names_the_columns()
    {
        var file = Write("mapped.csv", "Ref;Given;Mail perso\nr1;Ivo;ivo@example.org\n");
        var mapping = Write("map.json", """{"id":"Ref","firstName":"Given","email":"Mail perso"}""");
        var run = await RunAsync(Local(file, "--mapping", mapping));
        Assert.Equal(0, run.Exit);
        Assert.Contains("Columns: id <- \"Ref\", firstName <- \"Given\", email <- \"Mail perso\"", run.Out, StringComparison.Ordinal);
        Assert.Equal("ivo@example.org", (await PatientsAsync())["r1"].Email);
    }

    [Fact]
    public async Task A_practice_the_storage_does_not_have_exits_2_and_creates_nothing()
    {
        var unknown = await RunAsync(["import", Sample, "--practice", "prac_nowhere", "--local", "--connection", app.Azurite.ConnectionString, "--table-prefix", _prefix]);
        Assert.Equal(2, unknown.Exit);
        Assert.Contains($"reengage: there is no practice \"prac_nowhere\" in this storage (table {_prefix}Practices)", unknown.Error, StringComparison.Ordinal);
        Assert.Equal("", unknown.Out);

        // A prefix with no tables at all (a typo): said so, and no table is created for it.
        var typo = "nothere" + Guid.NewGuid().ToString("N")[..6];
        var missing = await RunAsync(["import", Sample, "--practice", _practiceId, "--local", "--connection", app.Azurite.ConnectionString, "--table-prefix", typo]);
        Assert.Equal(2, missing.Exit);
        Assert.Contains($"there is no practice \"{_practiceId}\" in this storage: it has no table {typo}Practices (check --connection and --table-prefix)", missing.Error, StringComparison.Ordinal);
        await foreach (var table in _clients.TableService.QueryAsync()) Assert.False(table.Name.StartsWith(typo, StringComparison.Ordinal), table.Name);
        Assert.Empty(await PatientsAsync());
    }

    [Theory]
    [InlineData("--local and --url exclude each other: give one of them", "--local", "--url", "https://app.example/api")]
    [InlineData("give either --url <api base> or --local")]
    [InlineData("--connection and --table-prefix go with --local, not --url", "--url", "https://app.example/api", "--practice-key", "k", "--table-prefix", "abc")]
    [InlineData("--connection and --table-prefix go with --local, not --url", "--url", "https://app.example/api", "--practice-key", "k", "--connection", "UseDevelopmentStorage=true")]
    [InlineData("--function-key and --practice-key go with --url, not --local", "--local", "--practice-key", "k")]
    [InlineData("--table-prefix must be a letter followed by at most 30 letters or digits", "--local", "--table-prefix", "1abc")]
    [InlineData("--table-prefix must be a letter followed by at most 30 letters or digits", "--local", "--table-prefix", "a-b")]
    [InlineData("--connection is not a storage connection string", "--local", "--connection", "AccountName=x")]
    public async Task Options_that_do_not_go_together_exit_2_naming_them(string message, params string[] options)
    {
        var before = await SnapshotAsync();
        var run = await RunAsync(["import", Sample, "--practice", _practiceId, .. options]);
        Assert.Equal(2, run.Exit);
        Assert.Contains($"reengage: {message}", run.Error, StringComparison.Ordinal);
        Assert.Contains("Run \"reengage --help\" for usage.", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Unreachable_storage_exits_3()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};"
            + $"TableEndpoint=http://127.0.0.1:9/{Azurite.AccountName};QueueEndpoint=http://127.0.0.1:9/{Azurite.AccountName};";
        var run = await RunAsync(["import", Sample, "--practice", _practiceId, "--local", "--connection", closed, "--dry-run"]);
        Assert.Equal(3, run.Exit);
        Assert.Contains("reengage: storage failed at 127.0.0.1:9: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.AccountKey, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task On_a_terminal_the_check_and_the_writes_show_bars_on_stderr_and_the_summary_goes_to_stdout()
    {
        var run = await RunAsync(interactive: true, Local(Sample));
        Assert.Equal(0, run.Exit);
        Assert.Contains("Checking", run.Error, StringComparison.Ordinal);
        Assert.Contains("Writing", run.Error, StringComparison.Ordinal);
        Assert.Contains("100%", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Importing into", run.Error, StringComparison.Ordinal);
        Assert.Contains("5 lines: 5 created, 0 updated, 0 unchanged, 0 invalid", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Checking", run.Out, StringComparison.Ordinal);
        Assert.Equal(5, (await PatientsAsync()).Count);
    }
}
