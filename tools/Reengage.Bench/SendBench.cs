// Send benchmark: the real sendOutreach function (SendOutreachFunctions → OutreachSender → AcsEmailSender) fed from the
// outreach-send queue by 1, 4 and 16 workers at once, against the ACS stand-in answering after 0 ms (the baseline) and
// after 50 ms. The rows are planned once by the real planner; before every drain but the first they are put back as the
// planner left them, so every drain sends the same emails from the same state.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Core.Sending;
using Reengage.Functions.Acs;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Queues;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Functions.Templates;
using Reengage.Testing;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

internal static class SendBench
{
    public static readonly int[] Workers = [1, 4, 16];
    public static readonly int[] LatenciesMs = [0, 50];

    /// <summary>A quota that puts every row in the first seconds of the send window, so that the drains wait for no slot.</summary>
    public static readonly QuotaLimits RaisedQuota = new(60_000, 3_600_000);

    private const int Repetitions = 3;
    private static readonly TimeSpan RepeatWithin = TimeSpan.FromSeconds(10);

    /// <param name="Traffic">The storage requests of the drain itself (the workers' receives, the function, the deletes), taken
    /// before the rows are read back for the check.</param>
    internal sealed record Drain(TimeSpan Wall, int Sent, double PerSecond, IReadOnlyDictionary<string, int> Results, int Errors, int Accepted, int DistinctOperations, int SendAttempts, bool ExactlyOnce, Traffic Traffic);

    public static async Task<bool> RunAsync(string connectionString, int rows, JsonObject report)
    {
        using var storage = await BenchStorage.CreateAsync(connectionString, "bs");
        var clients = storage.Clients;
        await using var acs = await AcsEmailStandIn.StartAsync();
        Progress($"planning {rows} rows with the real planner (every patient due, no holdout, quota {Int(RaisedQuota.PerMinute)}/min)");
        var population = new Population(new PopulationOptions(rows, Math.Min(10, rows), PlannerBench.PlanningAt, 1, HoldoutPercent: 0));
        await Seeder.SeedAsync(clients, population);
        var planClock = new FakeTimeProvider(PlannerBench.PlanningAt);
        var world = new PlannerBench.PlannerWorld(storage, planClock, new PlannerBenchOptions(rows, population.Practices.Count, RaisedQuota, 16));
        // Queue delays collapsed: the drains below run on their own clock, set after the last slot.
        var planner = new OutreachPlanner(world.Practices, world.Patients, world.DueIndex, world.Ledger,
            new StorageQueueSendScheduler(clients.OutreachSend, planClock, TimeSpan.Zero), new Reengage.Functions.Sending.TableSendSlotStore(clients.SendSlots),
            world.Saver, new OutreachPlannerOptions(RaisedQuota, 16), storage.Telemetry, planClock, NullLogger<OutreachPlanner>.Instance);
        await planner.PlanLapsedAsync();
        var planned = (await world.LedgerRowsAsync(population)).Where(r => r.Status == OutreachStatus.Planned).ToList();
        Progress($"{planned.Count} rows planned, {rows - planned.Count} not (skipped or held out)");
        if (planned.Count == 0) throw new InvalidOperationException("The planner planned nothing to send.");

        var clock = new FakeTimeProvider(planned.Max(r => r.NotBefore).AddSeconds(1));
        var settings = new ReengageSettings
        {
            Storage = new StorageConnection.ConnectionString(connectionString),
            PublicBaseUrl = new Uri("https://reengage.example"),
            LinkSigningKeys = [new SigningKey("bench", [.. Enumerable.Range(1, 32).Select(i => (byte)i)])],
        };
        var scheduler = new StorageQueueSendScheduler(clients.OutreachSend, clock);
        var sender = new OutreachSender(world.Ledger, new CachedPracticeStore(world.Practices, clock), world.Patients, new TableMessageIndex(clients.MessageIndex),
            scheduler, new AcsEmailSender(acs.ConnectionString), new ScribanTemplateRenderer(), settings, storage.Telemetry, clock, NullLogger<OutreachSender>.Instance);
        var function = new SendOutreachFunctions(sender, NullLogger<SendOutreachFunctions>.Instance);

        var runs = new JsonArray();
        var table = new Dictionary<(int Latency, int Workers), (Drain Median, IReadOnlyList<Drain> All)>();
        var fresh = true;
        foreach (var latency in LatenciesMs)
        {
            acs.Latency = TimeSpan.FromMilliseconds(latency);
            foreach (var workers in Workers)
            {
                Progress($"{latency} ms ACS latency, {workers} in flight");
                var drains = new List<Drain>();
                var spent = TimeSpan.Zero;
                while (drains.Count < Repetitions && (drains.Count == 0 || spent < RepeatWithin))
                {
                    if (!fresh) await ReplayAsync(world, scheduler, planned, acs);
                    fresh = false;
                    var drain = await DrainOnceAsync(clients.OutreachSend, function, workers, acs, world, planned, storage.Counter);
                    spent += drain.Wall;
                    drains.Add(drain);
                }
                var median = drains.OrderBy(d => d.PerSecond).ElementAt((drains.Count - 1) / 2);
                table[(latency, workers)] = (median, drains);
                runs.Add(new JsonObject
                {
                    ["latencyMs"] = latency,
                    ["inFlight"] = workers,
                    ["rows"] = planned.Count,
                    ["perSecond"] = median.PerSecond,
                    ["seconds"] = median.Wall.TotalSeconds,
                    ["samples"] = new JsonArray([.. drains.Select(d => (JsonNode)d.PerSecond)]),
                    ["results"] = new JsonObject(median.Results.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
                    ["errors"] = drains.Sum(d => d.Errors),
                    ["accepted"] = median.Accepted,
                    ["distinctOperations"] = median.DistinctOperations,
                    ["sendAttempts"] = median.SendAttempts,
                    ["allExactlyOnce"] = drains.All(d => d.ExactlyOnce),
                    ["storageRequestsPerEmail"] = (double)median.Traffic.Total / planned.Count,
                    ["queueRequestsPerEmail"] = (double)QueueRequests(median.Traffic, clients.OutreachSend.Name) / planned.Count,
                    ["requests"] = new JsonObject(median.Traffic.Requests.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
                });
            }
        }

        Line();
        Line($"{planned.Count} planned rows per drain, real sendOutreach → AcsEmailSender → ACS stand-in, workers receiving from the queue; median of up to {Repetitions} drains");
        Line();
        Row("in flight \\ ACS latency", [.. LatenciesMs.Select(l => $"{l} ms: emails/s"), "50 / 0 ms"]);
        foreach (var workers in Workers)
        {
            var cells = LatenciesMs.Select(l => Fixed(table[(l, workers)].Median.PerSecond)).ToList();
            cells.Add(Ratio(table[(50, workers)].Median.PerSecond / table[(0, workers)].Median.PerSecond));
            Row($"  {workers}", [.. cells]);
        }
        Line();
        var allOnce = true;
        foreach (var ((latency, workers), (median, all)) in table)
        {
            var once = all.All(d => d.ExactlyOnce);
            allOnce &= once;
            Line($"{latency,3} ms, {workers,2} in flight: drains at {string.Join(", ", all.Select(d => Fixed(d.PerSecond)))} emails/s; median {median.Sent} sent in {Seconds(median.Wall)}, " +
                $"stand-in recorded {median.Accepted} emails for {planned.Count} rows ({median.DistinctOperations} distinct operation ids, {median.SendAttempts} POSTs): " +
                (once ? "exactly one each, every drain" : "NOT exactly one each") + (all.Sum(d => d.Errors) is > 0 and var e ? $", {e} function errors" : ""));
        }
        var sample = table[(50, 16)].Median.Traffic;
        var queueRequests = QueueRequests(sample, clients.OutreachSend.Name);
        Line($"storage requests per email, 16 in flight at 50 ms (the median drain's): {Fixed((double)sample.Total / planned.Count, 2)}, " +
            $"of which {Fixed((double)(sample.Total - queueRequests) / planned.Count, 2)} table requests and {Fixed((double)queueRequests / planned.Count, 2)} queue requests " +
            $"(receives, empty ones included, and deletes) — " +
            string.Join(", ", sample.Requests.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {Int(r.Value)}")));
        var at50 = table[(50, 16)].Median.PerSecond;
        Line();
        Line($"16 in flight at 50 ms: {Fixed(at50)} emails/s, {Ratio(at50 / table[(50, 1)].Median.PerSecond)} the one-at-a-time rate at 50 ms " +
            $"(for reference, the end-to-end target is >= 200 emails/s with 16 in flight: {Verdict(at50 >= EndToEndBench.TargetPerSecond)})");

        report["send"] = new JsonObject
        {
            ["rows"] = planned.Count,
            ["repetitions"] = Repetitions,
            ["runs"] = runs,
            ["allExactlyOnce"] = allOnce,
            ["loadAverage"] = new JsonArray([.. Machine.LoadAverage().Select(l => (JsonNode)l)]),
        };
        return allOnce;
    }

    /// <summary>
    /// <paramref name="workers"/> loops, each receiving one message at a time and handling it as the Functions host would:
    /// delete on success, visible again on a throw (dropped after five dequeues, and counted). A loop stops when the queue
    /// is empty and no other loop holds a message that could come back.
    /// </summary>
    private static async Task<Drain> DrainOnceAsync(QueueClient queue, SendOutreachFunctions function, int workers, AcsEmailStandIn acs, PlannerBench.PlannerWorld world, IReadOnlyList<OutreachRow> planned, StorageRequestCounter counter)
    {
        counter.Reset();
        var results = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var errors = 0;
        var holding = 0;
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(60))).Value;
                if (batch.Length == 0)
                {
                    if (Volatile.Read(ref holding) == 0) return;
                    await Task.Delay(10);
                    continue;
                }
                var message = batch[0];
                Interlocked.Increment(ref holding);
                try
                {
                    await function.SendOutreachAsync(message.Body.ToString(), CancellationToken.None);
                    results.AddOrUpdate("handled", 1, (_, n) => n + 1);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
#pragma warning disable CA1031 // The host catches everything a function throws; so does this stand-in for it.
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref errors);
                    if (message.DequeueCount >= 5) await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    else await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromMilliseconds(100));
                }
                finally
                {
                    Interlocked.Decrement(ref holding);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
        clock.Stop();
        var traffic = Traffic.Of(counter);

        var sent = 0;
        foreach (var row in planned)
        {
            var stored = await world.Ledger.GetOutreachAsync(row.PracticeId, row.Id);
            var status = stored?.Value.Status ?? "missing";
            results.AddOrUpdate("row:" + status, 1, (_, n) => n + 1);
            if (status == OutreachStatus.Sent) sent++;
        }
        var accepted = acs.Sent;
        var operations = accepted.Select(e => e.OperationId.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var expected = planned.Select(r => r.OperationId.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var exactlyOnce = accepted.Count == planned.Count && operations.SetEquals(expected) && sent == planned.Count;
        return new Drain(clock.Elapsed, sent, sent / clock.Elapsed.TotalSeconds, results, errors, accepted.Count, operations.Count, acs.SendAttempts, exactlyOnce, traffic);
    }

    private static int QueueRequests(Traffic traffic, string queue) =>
        traffic.Requests.Where(r => r.Key.EndsWith(" " + queue, StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>Puts every row back as the planner left it, re-queues it, and makes the stand-in forget its operations.</summary>
    private static async Task ReplayAsync(PlannerBench.PlannerWorld world, ISendScheduler scheduler, IReadOnlyList<OutreachRow> planned, AcsEmailStandIn acs)
    {
        acs.Reset();
        await Parallel.ForEachAsync(planned, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (row, token) =>
        {
            var current = await world.Ledger.GetOutreachAsync(row.PracticeId, row.Id, token) ?? throw new InvalidOperationException($"Ledger row {row.Id} disappeared.");
            await world.Ledger.UpdateOutreachAsync(row, current.ETag, token);
            await scheduler.ScheduleSendAsync(new SendRequest(row.PracticeId, row.Id, row.NotBefore), row.NotBefore, token);
        });
    }
}
