// `reengage import`: posts the file to the app's import endpoint (or runs the import here, LocalImport), shows progress on
// stderr and the report on stdout.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reengage.Core.Import;
using Spectre.Console;

namespace Reengage.Cli;

public sealed class ImportCommand(CliEnvironment environment)
{
    private const int MaxInvalidShown = 10;

    /// <summary>The whole file goes in one request; the API checks and writes it all or nothing.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(30);

    public async Task<int> RunAsync(ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(options.File, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {options.File}: {e.Message}");
        }

        var report = options.Target switch
        {
            RemoteTarget remote => await PostAsync(options, remote, bytes, cancellationToken).ConfigureAwait(false),
            LocalTarget local => await new LocalImport(environment).RunAsync(options, local, bytes, cancellationToken).ConfigureAwait(false),
            _ => throw new UnreachableException(),
        };
        if (options.Json)
        {
            await environment.Out.WriteLineAsync(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })).ConfigureAwait(false);
        }
        else
        {
            WriteSummary(report, Path.GetFileName(options.File));
        }
        return report["outcome"]?.GetValue<string>() == "invalid" ? ReengageCli.ExitInvalid : ReengageCli.ExitOk;
    }

    private async Task<JsonNode> PostAsync(ImportOptions options, RemoteTarget target, byte[] bytes, CancellationToken cancellationToken)
    {
        var query = new StringBuilder($"?dryRun={(options.DryRun ? "true" : "false")}");
        HttpContent content;
        if (options.Mapping is not null)
        {
            // A mapping travels in a JSON body, with the file as text: decoded here as the server would.
            var body = new JsonObject
            {
                ["csv"] = CsvImport.Decode(bytes).Text,
                ["mapping"] = new JsonObject(options.Mapping.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
            };
            if (options.Separator is { } s) body["separator"] = s.ToString();
            content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        else
        {
            content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            if (options.Separator is { } s) query.Append(s == ';' ? "&separator=semicolon" : "&separator=comma");
        }
        var endpoint = new Uri($"{target.Url.AbsoluteUri.TrimEnd('/')}/practices/{Uri.EscapeDataString(options.PracticeId)}/patients/import{query}");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Add("x-reengage-key", target.PracticeKey);
        if (target.FunctionKey is { } functionKey) request.Headers.Add("x-functions-key", functionKey);

        using var client = environment.Handler is null ? new HttpClient() : new HttpClient(environment.Handler, disposeHandler: false);
        client.Timeout = RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await SendWithProgressAsync(client, request, options, target, bytes.Length, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ImportFailedException($"cannot reach {target.Url.Authority}: {e.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!environment.Interactive)
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
                await environment.Error.WriteLineAsync($"Answered {(int)response.StatusCode} in {seconds} s").ConfigureAwait(false);
            }
            JsonNode? json = null;
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Not JSON: described below by status.
            }
            var status = response.StatusCode;
            if (status is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity && json is JsonObject { } report
                && report.ContainsKey("outcome") && report.ContainsKey("totals") && report.ContainsKey("lines"))
            {
                return report;
            }
            var why = json?["detail"]?.GetValueKind() == JsonValueKind.String ? json["detail"]!.GetValue<string>() : text.Length > 200 ? text[..200] : text;
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new UsageException($"the app refused the keys ({(int)status}): check --function-key and --practice-key");
            }
            if (status == HttpStatusCode.NotFound) throw new UsageException($"no import endpoint at {endpoint.GetLeftPart(UriPartial.Path)} (404)");
            if ((int)status is >= 400 and < 500) throw new UsageException($"the app refused the request ({(int)status}): {why}");
            throw new ImportFailedException($"the app failed ({(int)status}): {why}");
        }
    }

    /// <summary>On a terminal, a Spectre progress bar of the upload and a spinner while the server checks and writes.</summary>
    private async Task<HttpResponseMessage> SendWithProgressAsync(HttpClient client, HttpRequestMessage request, ImportOptions options, RemoteTarget target, long length, CancellationToken cancellationToken)
    {
        if (!environment.Interactive)
        {
            await environment.Error.WriteLineAsync($"Sending {length.ToString("N0", CultureInfo.InvariantCulture)} bytes to {target.Url.Authority}{(options.DryRun ? " (dry run)" : "")}...").ConfigureAwait(false);
            return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        return await ProgressConsole(environment.Error).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var upload = context.AddTask("Uploading", maxValue: Math.Max(length, 1));
                var server = context.AddTask(options.DryRun ? "Checking" : "Importing", autoStart: false);
                server.IsIndeterminate = true;
                request.Content = new ProgressContent(request.Content!, sent =>
                {
                    upload.Value = sent;
                    if (sent >= length && !server.IsStarted)
                    {
                        upload.StopTask();
                        server.StartTask();
                    }
                });
                var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                upload.Value = upload.MaxValue;
                server.IsIndeterminate = false;
                server.Value = server.MaxValue;
                server.StopTask();
                context.Refresh();
                return response;
            }).ConfigureAwait(false);
    }

    /// <summary>The caller knows stderr is a terminal: say so, rather than let detection fall back to a silent renderer.</summary>
    internal static IAnsiConsole ProgressConsole(TextWriter error) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(error),
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
    });

    private void WriteSummary(JsonNode report, string file)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(environment.Out),
            Ansi = environment.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = environment.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Text goes straight to the writer, never wrapped (logs and grep see whole lines); Spectre draws the table.
        void Line(string text = "") => environment.Out.WriteLine(text);
        var outcome = Text(report["outcome"]);
        var mode = report["dryRun"]?.GetValue<bool>() == true ? "Dry run" : "Import";
        Line($"{mode} of {file} into practice {Text(report["practiceId"])} (separator \"{Text(report["separator"])}\", {Text(report["encoding"])})");
        var columns = report["columns"]!.AsObject().Select(c => $"{c.Key} <- \"{Text(c.Value)}\"").ToList();
        if (columns.Count > 0) Line($"Columns: {string.Join(", ", columns)}");
        var ignored = report["ignoredColumns"]!.AsArray().Select(c => $"\"{Text(c)}\"").ToList();
        if (ignored.Count > 0) Line($"Not imported: {string.Join(", ", ignored)}");

        var fileErrors = report["fileErrors"]!.AsArray();
        if (fileErrors.Count > 0)
        {
            Line();
            Line("The file cannot be imported; nothing was written:");
            foreach (var e in fileErrors)
            {
                var line = e!["line"] is { } l ? $"line {l.GetValue<int>()}: " : "";
                Line($"  {line}{Text(e["message"])}");
            }
            return;
        }

        var totals = report["totals"]!;
        int Total(string name) => totals[name]!.GetValue<int>();
        string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        var applied = outcome == "applied";
        Line();
        Line(
            $"{N(Total("lines"))} line{(Total("lines") == 1 ? "" : "s")}: {N(Total("create"))} {(applied ? "created" : "to create")}, "
            + $"{N(Total("update"))} {(applied ? "updated" : "to update")}, {N(Total("unchanged"))} unchanged, {N(Total("invalid"))} invalid");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("lines").AddColumn(applied ? "created" : "to create").AddColumn(applied ? "updated" : "to update")
            .AddColumn("unchanged").AddColumn("invalid").AddColumn("suppressed");
        table.AddRow(N(Total("lines")), N(Total("create")), N(Total("update")), N(Total("unchanged")), N(Total("invalid")), N(Total("suppressed")));
        console.Write(table);
        if (Total("suppressed") > 0)
        {
            Line($"{N(Total("suppressed"))} address{(Total("suppressed") > 1 ? "es are" : " is")} on the suppression list: imported, never written to.");
        }
        if (outcome == "invalid")
        {
            Line();
            Line($"Nothing was written: fix the invalid line{(Total("invalid") > 1 ? "s" : "")} and run again.");
            var invalid = report["lines"]!.AsArray().Where(l => Text(l!["action"]) == "invalid").ToList();
            foreach (var line in invalid.Take(MaxInvalidShown))
            {
                var id = line!["patientId"] is { } p ? $" ({p.GetValue<string>()})" : "";
                foreach (var e in line["errors"]?.AsArray() ?? [])
                {
                    var where = e!["column"] is { } c ? $"{c.GetValue<string>()}: " : "";
                    Line($"  line {line["line"]!.GetValue<int>()}{id}: {where}{Text(e["message"])}");
                }
            }
            if (invalid.Count > MaxInvalidShown) Line($"  ... and {N(invalid.Count - MaxInvalidShown)} more (--json lists them all)");
        }
        else if (outcome == "dry_run")
        {
            Line("Nothing was written (dry run).");
        }
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    /// <summary>Reports the bytes written to the request stream, for the upload bar.</summary>
    private sealed class ProgressContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly Action<long> progress;

        public ProgressContent(HttpContent inner, Action<long> progress)
        {
            this.inner = inner;
            this.progress = progress;
            foreach (var header in inner.Headers) Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = await inner.ReadAsByteArrayAsync().ConfigureAwait(false);
            const int chunk = 64 * 1024;
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                var count = Math.Min(chunk, bytes.Length - offset);
                await stream.WriteAsync(bytes.AsMemory(offset, count)).ConfigureAwait(false);
                progress(offset + count);
            }
            progress(bytes.Length);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
