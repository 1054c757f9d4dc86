// `reengage import --local`: the app's own import use case (PatientImport, composed by AddReengage as the Function App
// composes it) run in this process, straight against a storage account. No size limit and no HTTP timeout: the way
// to import a very large file.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reengage.Core;
using Reengage.Core.Import;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions;
using Reengage.Functions.Import;
using Reengage.Functions.Storage;
using Spectre.Console;

namespace Reengage.Cli;

public sealed class LocalImport(CliEnvironment environment)
{
    /// <summary>Without a terminal, one progress line per this many lines (and one at the end of each phase).</summary>
    private const int PlainProgressEvery = 1_000;

    /// <summary>Imports as the function would (the same checks, the same all-or-nothing writes) and returns its report as the API serializes it.</summary>
    public async Task<JsonNode> RunAsync(ImportOptions options, LocalTarget target, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(bytes);
        using var host = Compose(target);
        var clients = host.Services.GetRequiredService<ReengageStorageClients>();
        var mapping = options.Mapping?.ToDictionary(m => ImportFields.TryParse(m.Key, out var field) ? field : throw new UsageException($"--mapping: unknown field \"{m.Key}\""), m => m.Value);
        var (text, encoding) = CsvImport.Decode(bytes);
        try
        {
            var practice = await FindPracticeAsync(host.Services.GetRequiredService<IPracticeStore>(), clients, options.PracticeId, cancellationToken).ConfigureAwait(false);
            // As the app does at start-up: the tables the import writes to (events, due index...) may not all exist yet.
            await clients.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            var import = host.Services.GetRequiredService<PatientImport>();
            ImportReportJson report;
            if (environment.Interactive)
            {
                report = await ImportWithBarsAsync(import, practice, text, encoding, options, mapping, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var where = $"{clients.TableService.AccountName} at {clients.TableService.Uri.Authority}, tables {clients.Names.Practices}, {clients.Names.Patients}, ...";
                await environment.Error.WriteLineAsync($"Importing into {where}{(options.DryRun ? " (dry run)" : "")}").ConfigureAwait(false);
                var request = new ImportRequest(options.DryRun, new ImportFileOptions(options.Separator, mapping), new PlainProgress(environment.Error));
                report = await import.ImportAsync(practice, text, encoding, request, cancellationToken).ConfigureAwait(false);
            }
            // What the API answers: an invalid file's report is its 422 problem+json.
            return JsonSerializer.SerializeToNode(report.Outcome == "invalid" ? report.AsProblem() : report, ImportJsonContext.Default.ImportReportJson)!;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or ReengageException)
        {
            throw new ImportFailedException($"storage failed at {clients.TableService.Uri.Authority}: {Describe(e)}");
        }
    }

    /// <summary>What failed and, when it differs, the root cause (the last attempt's), first lines only.</summary>
    private static string Describe(Exception error)
    {
        // The SDK's message goes on with the whole answer, headers included: its first line says what failed.
        static string FirstLine(Exception e) => e.Message.Split('\n', 2)[0].Trim().TrimEnd('.');
        var root = error;
        while ((root is AggregateException { InnerExceptions.Count: > 0 } many ? many.InnerExceptions[^1] : root.InnerException) is { } inner) root = inner;
        return root == error || FirstLine(root) == FirstLine(error) ? FirstLine(error) : $"{FirstLine(error)} ({FirstLine(root)})";
    }

    /// <summary>
    /// The app's composition with settings that an import never uses (no link is signed, no email sent), then the storage
    /// again with the table prefix (the last registration wins). Nothing is read from the environment.
    /// </summary>
    private static IHost Compose(LocalTarget target)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.DefaultName] = target.Connection,
            ["PUBLIC_BASE_URL"] = "http://localhost/api",
            ["LINK_SIGNING_KEYS"] = "cli:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        try
        {
            builder.AddReengage();
            if (target.TablePrefix is { } prefix)
            {
                builder.Services.AddReengageStorage(new StorageConnection.ConnectionString(target.Connection), StorageNames.WithAffix(prefix: prefix));
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // Never the string itself: it carries the account key.
            throw new UsageException("--connection is not a storage connection string (UseDevelopmentStorage=true, or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...)");
        }
        return builder.Build();
    }

    private static async Task<Practice> FindPracticeAsync(IPracticeStore practices, ReengageStorageClients clients, string practiceId, CancellationToken cancellationToken)
    {
        try
        {
            return (await practices.GetPracticeAsync(practiceId, cancellationToken).ConfigureAwait(false))?.Value
                ?? throw new UsageException($"there is no practice \"{practiceId}\" in this storage (table {clients.Names.Practices})");
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            // Nothing is created for a storage that holds no app (a wrong prefix or account).
            throw new UsageException($"there is no practice \"{practiceId}\" in this storage: it has no table {clients.Names.Practices} (check --connection and --table-prefix)");
        }
    }

    /// <summary>On a terminal, a Spectre bar for the check, then one for the writes (not for a dry run, nor when nothing changes).</summary>
    private async Task<ImportReportJson> ImportWithBarsAsync(
        PatientImport import, Practice practice, string text, CsvEncoding encoding, ImportOptions options, IReadOnlyDictionary<ImportField, string>? mapping, CancellationToken cancellationToken)
    {
        return await ImportCommand.ProgressConsole(environment.Error).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var gate = new Lock();
                var checking = context.AddTask("Checking", maxValue: 1);
                ProgressTask? writing = null;
                var progress = new SynchronousProgress(p =>
                {
                    lock (gate)
                    {
                        var task = p.Phase == "writing" ? writing ??= context.AddTask("Writing", maxValue: p.Total) : checking;
                        task.MaxValue = Math.Max(p.Total, 1);
                        task.Value = Math.Max(task.Value, p.Done);
                    }
                });
                var request = new ImportRequest(options.DryRun, new ImportFileOptions(options.Separator, mapping), progress);
                var report = await import.ImportAsync(practice, text, encoding, request, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    // A file without a valid line reports no progress at all.
                    checking.Value = checking.MaxValue;
                    checking.StopTask();
                    writing?.StopTask();
                }
                context.Refresh();
                return report;
            }).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post them after the import has returned).</summary>
    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    /// <summary>For logs and pipes: <c>Checking: 1,000/10,000 lines</c>, never going backwards (lines finish out of order).</summary>
    private sealed class PlainProgress(TextWriter error) : IProgress<ImportProgress>
    {
        private readonly Lock _gate = new();
        private string? _phase;
        private int _shown;

        public void Report(ImportProgress value)
        {
            if (value.Done % PlainProgressEvery != 0 && value.Done != value.Total) return;
            lock (_gate)
            {
                if (value.Phase == _phase && value.Done <= _shown) return;
                (_phase, _shown) = (value.Phase, value.Done);
                var label = value.Phase == "writing" ? "Writing" : "Checking";
                error.WriteLine($"{label}: {value.Done.ToString("N0", CultureInfo.InvariantCulture)}/{value.Total.ToString("N0", CultureInfo.InvariantCulture)} lines");
            }
        }
    }
}
