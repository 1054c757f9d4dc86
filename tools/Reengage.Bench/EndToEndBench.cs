// End to end through the local host: the planLapsedOutreach timer function plans the day, its messages go on the
// outreach-send queue, the host's queue listener runs sendOutreach with the host.json concurrency, and the real
// AcsEmailSender sends to the ACS stand-in answering after 50 ms. Emails per second from the first email to the last.
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Functions;
using Reengage.LocalHost;
using Reengage.Testing;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

internal static class EndToEndBench
{
    public const double TargetPerSecond = 200;

    /// <summary>Tuesday 9 March 2027 at 10:00 UTC: the send window is open in Paris, Brussels and London.</summary>
    public static readonly DateTimeOffset At = new(2027, 3, 9, 10, 0, 0, TimeSpan.Zero);

    private const int LatencyMs = 50;
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(60);

    public static async Task<bool> RunAsync(string root, string connectionString, BenchOptions options, JsonObject report)
    {
        // The app's own table and queue names: the queue trigger binds to outreach-send.
        using var storage = await BenchStorage.CreateAsync(connectionString, "");
        var clients = storage.Clients;
        var clock = new ShiftedTimeProvider(At);
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { Latency = TimeSpan.FromMilliseconds(LatencyMs), TimeProvider = clock });
        var population = new Population(new PopulationOptions(options.EndToEndPatients, Math.Min(10, options.EndToEndPatients), At, 1, HoldoutPercent: 0));
        Progress($"seeding {Int(options.EndToEndPatients)} patients, every one due, in {population.Practices.Count} practices");
        await Seeder.SeedAsync(clients, population);

        var (batchSize, threshold, appDirectory) = HostDirectory(root, options.EndToEndInFlight);
        Progress($"local host: host.json queues batchSize {batchSize} + newBatchThreshold {threshold} = at most {batchSize + threshold} sendOutreach in flight; " +
            $"ACS quota {Int(options.EndToEndSendsPerMinute)}/min; stand-in at {LatencyMs} ms");
        var completed = 0;
        var failed = 0;
        var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            AppDirectory = appDirectory,
            Settings = new Dictionary<string, string?>
            {
                ["ReengageStorage"] = connectionString,
                ["AzureWebJobsStorage"] = connectionString,
                ["PUBLIC_BASE_URL"] = "https://reengage.example",
                ["LINK_SIGNING_KEYS"] = "bench1:" + Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]),
                ["EMAIL_TRANSPORT"] = "acs",
                ["ACS_CONNECTION_STRING"] = acs.ConnectionString,
                ["ACS_SENDS_PER_MINUTE"] = options.EndToEndSendsPerMinute.ToString(Culture),
                ["ACS_SENDS_PER_HOUR"] = ((long)options.EndToEndSendsPerMinute * 60).ToString(Culture),
                ["LAPSED_SCAN_SCHEDULE"] = "0 0 5 * * *",
                ["MILESTONE_SCAN_SCHEDULE"] = "0 15 5 * * *",
                ["SEASONAL_SCAN_SCHEDULE"] = "0 30 5 * * *",
                ["RETENTION_SWEEP_SCHEDULE"] = "0 0 3 * * 0",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            Configure = builder =>
            {
                builder.AddReengage();
                builder.Services.AddSingleton<TimeProvider>(clock);
            },
            OnInvocationCompleted = invocation =>
            {
                if (invocation.FunctionName != "sendOutreach") return;
                if (invocation.Error is null) Interlocked.Increment(ref completed);
                else Interlocked.Increment(ref failed);
            },
        });
        try
        {
            var total = Stopwatch.StartNew();
            Progress("planLapsedOutreach (the timer function), then the queue drains through sendOutreach");
            await host.InvokeAsync("planLapsedOutreach");
            var planning = total.Elapsed;
            var rows = await RowsAsync(storage, population);
            var planned = rows.Where(r => r.Status is OutreachStatus.Planned or OutreachStatus.Sending or OutreachStatus.Sent).ToList();
            var lastProgress = Stopwatch.StartNew();
            var seen = 0;
            while (acs.Sent.Count < planned.Count && lastProgress.Elapsed < Stalled)
            {
                await Task.Delay(20);
                var now = acs.Sent.Count;
                if (now != seen)
                {
                    seen = now;
                    lastProgress.Restart();
                }
            }
            // Let whatever is still in flight finish (a duplicate would show here), then read the outcome.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var drained = total.Elapsed;
            var sentEmails = acs.Sent;
            rows = await RowsAsync(storage, population);
            var sentRows = rows.Count(r => r.Status == OutreachStatus.Sent);
            var operations = sentEmails.Select(e => e.OperationId.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            var expected = planned.Select(r => r.OperationId.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            var exactlyOnce = sentEmails.Count == planned.Count && operations.SetEquals(expected) && sentRows == planned.Count;
            var first = sentEmails.Count > 0 ? sentEmails.Min(e => e.ReceivedAt) : default;
            var last = sentEmails.Count > 0 ? sentEmails.Max(e => e.ReceivedAt) : default;
            var span = last - first;
            var perSecond = sentEmails.Count > 1 ? (sentEmails.Count - 1) / span.TotalSeconds : double.NaN;
            var overall = sentEmails.Count / (drained - TimeSpan.FromSeconds(1)).TotalSeconds;

            Line();
            Line($"{Int(planned.Count)} emails planned by planLapsedOutreach in {Seconds(planning)}; the stand-in accepted {Int(sentEmails.Count)} " +
                $"({Int(operations.Count)} distinct operation ids, {Int(acs.SendAttempts)} POSTs); {Int(sentRows)} rows sent; sendOutreach ran {Int(completed)} times, {Int(failed)} threw");
            Line($"first email to last: {Int(sentEmails.Count)} in {Seconds(span)} = {Fixed(perSecond)} emails/s " +
                $"(from the planner's start: {Fixed(overall)} emails/s, the planning and the queue listener's first poll included)");
            Line($"exactly one email per row: {(exactlyOnce ? "yes" : "NO")}");
            var met = perSecond >= TargetPerSecond;
            Line($"target >= {TargetPerSecond} emails/s with {batchSize + threshold} in flight at {LatencyMs} ms: {Verdict(met)}" +
                (met ? "" : $" (the emails cannot go faster than they are planned: the planner planned {Fixed(planned.Count / planning.TotalSeconds)}/s while the queue drained behind it; " +
                    $"at {LatencyMs} ms, {batchSize + threshold} in flight allow at most {Fixed((batchSize + threshold) * 1000.0 / LatencyMs, 0)}/s, the rest of each send being " +
                    $"storage requests served by Azurite on the same cores — see the send benchmark and the load average, {Machine.LoadText()})"));
            report["endToEnd"] = new JsonObject
            {
                ["patients"] = options.EndToEndPatients,
                ["planned"] = planned.Count,
                ["accepted"] = sentEmails.Count,
                ["distinctOperations"] = operations.Count,
                ["sendAttempts"] = acs.SendAttempts,
                ["rowsSent"] = sentRows,
                ["functionRuns"] = completed,
                ["functionErrors"] = failed,
                ["exactlyOnce"] = exactlyOnce,
                ["latencyMs"] = LatencyMs,
                ["quotaPerMinute"] = options.EndToEndSendsPerMinute,
                ["batchSize"] = batchSize,
                ["newBatchThreshold"] = threshold,
                ["maxInFlight"] = batchSize + threshold,
                ["planningSeconds"] = planning.TotalSeconds,
                ["firstToLastSeconds"] = span.TotalSeconds,
                ["perSecond"] = double.IsFinite(perSecond) ? perSecond : null,
                ["perSecondFromPlannerStart"] = overall,
                ["target"] = new JsonObject { ["perSecond"] = TargetPerSecond, ["met"] = met },
                ["loadAverage"] = new JsonArray([.. Machine.LoadAverage().Select(l => (JsonNode)l)]),
            };
            return exactlyOnce;
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(appDirectory, recursive: true);
        }
    }

    private static async Task<List<OutreachRow>> RowsAsync(BenchStorage storage, Population population)
    {
        var rows = new List<OutreachRow>();
        var ledger = new Reengage.Functions.Tables.TableOutreachLedger(storage.Clients.Outreach);
        foreach (var practice in population.Practices)
        {
            await foreach (var row in ledger.ListOutreachAsync(practice.Practice.Id)) rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// The app's host.json with its queue concurrency set to <paramref name="inFlight"/> (batchSize + newBatchThreshold,
    /// as the Functions host counts them) and a 2-second longest poll, in a folder of its own.
    /// </summary>
    private static (int BatchSize, int Threshold, string Directory) HostDirectory(string root, int inFlight)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "functions", "Reengage.FunctionApp", "host.json")))!;
        var batchSize = Math.Min(32, (inFlight + 1) / 2);
        var threshold = inFlight - batchSize;
        var queues = json["extensions"]!["queues"]!;
        queues["batchSize"] = batchSize;
        queues["newBatchThreshold"] = threshold;
        queues["maxPollingInterval"] = "00:00:02";
        json["logging"] = new JsonObject { ["logLevel"] = new JsonObject { ["default"] = "Warning" } };
        var directory = Directory.CreateTempSubdirectory("reengage-bench-host-").FullName;
        File.WriteAllText(Path.Combine(directory, "host.json"), json.ToJsonString());
        return (batchSize, threshold, directory);
    }

    /// <summary>Real time moved to <c>start</c>: queue visibility and the stand-in's timestamps keep their real pace.</summary>
    private sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private readonly TimeSpan _offset = start - DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    }
}
