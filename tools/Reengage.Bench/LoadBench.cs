// Webhook load: the TypeScript mix of signed generic booking webhooks, posted over HTTP to bookingWebhook served by the
// local host (the app's own composition, AddReengage) on Azurite, --concurrency at a time; then, as the baseline and the
// reference state, the same events replayed one at a time in the order they happened into a second practice. The two
// practices' patients, appointments, DueIndex rows and InboundEvents must be equal.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.LocalHost;
using Reengage.Testing;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

internal sealed record LoadBenchOptions(int Events, int Patients, int Concurrency, int Seed = 1);

internal static class LoadBench
{
    /// <summary>Issue 14: at least this many times the TypeScript's throughput at the same concurrency.</summary>
    public const double TargetOverTypeScript = 2;

    /// <summary>Issue 14: p99 latency at most this many times p50.</summary>
    public const double TargetTail = 3;

    /// <summary>A booking tool retries an answer it did not get (5xx or a dropped connection); this many times at most.</summary>
    private const int MaxToolAttempts = 5;

    private const string Secret = "whsec_bench_load";
    private const string LoadPractice = "load-practice";
    private const string ReplayPractice = "load-replay";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static async Task<bool> RunAsync(string root, string connectionString, LoadBenchOptions options, TypeScriptResults? typeScript, JsonObject report)
    {
        var mix = LoadMix.Build(options.Events, options.Patients, options.Seed);
        var byType = mix.Sends.GroupBy(s => s.DuplicateOf is null ? s.Event.Type : "duplicate").ToDictionary(g => g.Key, g => g.Count());
        Progress($"{Int(mix.Sends.Count)} signed generic webhooks for {Int(options.Patients)} patients of one practice; " +
            $"mix: {string.Join(", ", byType.Select(t => $"{t.Key} {Int(t.Value)}"))}; {mix.Swapped} out-of-order pairs");

        // The app's storage clients carry the request counter: every table and queue request the functions make is counted.
        var counter = new StorageRequestCounter();
        var tableOptions = new TableClientOptions();
        counter.AddTo(tableOptions);
        var queueOptions = new QueueClientOptions();
        counter.AddTo(queueOptions);
        var clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(connectionString));
        await clients.EnsureCreatedAsync();
        foreach (var practiceId in new[] { LoadPractice, ReplayPractice }) await AddPracticeAsync(clients, practiceId);

        var clock = new FrozenTimeProvider(LoadMix.Now);
        var appDirectory = HostDirectory(root);
        var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            AppDirectory = appDirectory,
            Settings = SampleSettings.ForAzurite(connectionString, Path.Combine(appDirectory, "outbox"), new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
            }),
            Configure = builder =>
            {
                builder.AddReengage();
                builder.Services.AddSingleton<TimeProvider>(clock);
                builder.Services.AddReengageStorage(new StorageConnection.ConnectionString(connectionString), null, tableOptions, queueOptions);
            },
        });
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency + 4 }) { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(100) };
            // Warm-up (not counted): one request that the app refuses (unknown practice) compiles the route's path.
            using (await http.SendAsync(Signed("warm-up-practice", mix.Sends[0].Event))) { }

            Progress($"concurrency {options.Concurrency}: the {Int(mix.Sends.Count)} webhooks, duplicates and out-of-order pairs included");
            counter.Reset();
            var load = await PostAllAsync(http, LoadPractice, mix.Sends, options.Concurrency);
            var loadTraffic = Traffic.Of(counter);

            var inOrder = mix.InOrder();
            Progress($"baseline and reference: the {Int(inOrder.Count)} original events replayed one at a time in the order they happened, into a second practice");
            counter.Reset();
            var replay = await PostAllAsync(http, ReplayPractice, [.. inOrder.Select(e => new LoadSend(e, null))], 1);
            var replayTraffic = Traffic.Of(counter);

            Progress("comparing the two practices: patients, appointments, DueIndex rows, InboundEvents");
            var comparison = await CompareAsync(clients, mix);
            var problems = load.WrongAnswers.Concat(replay.WrongAnswers).Concat(comparison.Problems).ToList();

            Line();
            Row("", "webhooks/s", "p50 / p99 ms", "requests/webhook", "statuses");
            Row($"concurrency {options.Concurrency}", Fixed(load.PerSecond), $"{Fixed(load.P(50))} / {Fixed(load.P(99))}", Fixed((double)loadTraffic.Total / mix.Sends.Count, 2), load.StatusText);
            Row("baseline: in-order replay, one at a time", Fixed(replay.PerSecond), $"{Fixed(replay.P(50))} / {Fixed(replay.P(99))}", Fixed((double)replayTraffic.Total / inOrder.Count, 2), replay.StatusText);
            Line();
            Line($"concurrency {options.Concurrency}: {Int(mix.Sends.Count)} webhooks in {Seconds(load.Wall)}; latency p50 {Fixed(load.P(50))}, p90 {Fixed(load.P(90))}, p99 {Fixed(load.P(99))}, max {Fixed(load.P(100))} ms; " +
                $"booking-tool retries after a 5xx or a dropped connection: {load.ToolRetries}");
            Line($"storage requests, concurrency {options.Concurrency}: {Fixed((double)loadTraffic.Total / mix.Sends.Count, 2)} per webhook " +
                $"({Fixed((double)loadTraffic.Reads / mix.Sends.Count, 2)} reads + {Fixed((double)loadTraffic.Writes / mix.Sends.Count, 2)} writes): " +
                string.Join(", ", loadTraffic.Requests.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {Int(r.Value)}")));
            Line($"storage requests, in-order replay: {Fixed((double)replayTraffic.Total / inOrder.Count, 2)} per webhook (no duplicates, nothing out of order)");
            var throughputRatio = load.PerSecond / replay.PerSecond;
            var tail = load.P(99) / load.P(50);
            Line($"concurrency {options.Concurrency} / one at a time: {Ratio(throughputRatio)} the throughput");
            Line($"p99 / p50 at concurrency {options.Concurrency}: {Ratio(tail)} — target <= {TargetTail}x: {Verdict(tail <= TargetTail)}" +
                (tail <= TargetTail ? "" : $" (the slowest requests queue behind the others for the cores the host and Azurite share; load average {Machine.LoadText()})"));
            double? overTypeScript = null;
            if (typeScript?.LoadPerSecond is { } tsPerSecond)
            {
                overTypeScript = load.PerSecond / tsPerSecond;
                Line($"TypeScript baseline (recorded in {typeScript.Source}): {Fixed(tsPerSecond)} webhooks/s at concurrency {typeScript.LoadConcurrency?.ToString(Culture) ?? "?"}; " +
                    $"C# / TypeScript: {Ratio(overTypeScript.Value)} — target >= {TargetOverTypeScript}x: {Verdict(overTypeScript.Value >= TargetOverTypeScript)}");
            }
            else
            {
                Line($"TypeScript throughput: not in the recorded baseline ({typeScript?.Source ?? TypeScriptResults.DefaultDirectory}); target >= {TargetOverTypeScript}x not judged");
            }
            Line($"state: {Int(mix.Plans.Count)} patients and their appointments equal to the in-order replay's, each patient's visits what its appointments say, " +
                $"its dueDay no later than the true one and its DueIndex row present, {Int(inOrder.Count)} InboundEvents applied in both; {Int(mix.Duplicates)} duplicates answered 200 duplicate:true: " +
                (problems.Count == 0 ? "all correct" : $"{problems.Count} WRONG"));
            Line($"stale DueIndex rows (a row on another day than its patient's dueDay; allowed, the planner re-reads the patient): {comparison.StaleIndexRows}" +
                (comparison.StaleIndexRows == 0 ? "" : $" ({string.Join(", ", comparison.StaleExamples)})"));
            foreach (var problem in problems.Take(12)) Line($"  {problem}");

            report["load"] = new JsonObject
            {
                ["events"] = mix.Sends.Count,
                ["patients"] = options.Patients,
                ["duplicates"] = mix.Duplicates,
                ["outOfOrderPairs"] = mix.Swapped,
                ["mix"] = new JsonObject(byType.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
                ["concurrent"] = Json(load, loadTraffic, mix.Sends.Count, options.Concurrency),
                ["replay"] = Json(replay, replayTraffic, inOrder.Count, 1),
                ["ratios"] = new JsonObject { ["throughputConcurrentOverReplay"] = throughputRatio, ["p99OverP50"] = tail, ["overTypeScript"] = overTypeScript },
                ["typeScript"] = typeScript?.LoadPerSecond is { } ts ? new JsonObject { ["perSecond"] = ts, ["concurrency"] = typeScript.LoadConcurrency, ["source"] = typeScript.Source } : null,
                ["targets"] = new JsonObject
                {
                    ["tail"] = new JsonObject { ["target"] = TargetTail, ["met"] = tail <= TargetTail },
                    ["overTypeScript"] = new JsonObject { ["target"] = TargetOverTypeScript, ["met"] = overTypeScript is { } r ? r >= TargetOverTypeScript : null },
                },
                ["problems"] = problems.Count,
                ["staleIndexRows"] = comparison.StaleIndexRows,
                ["firstProblems"] = new JsonArray([.. problems.Take(20).Select(p => (JsonNode)p)]),
                ["loadAverage"] = new JsonArray([.. Machine.LoadAverage().Select(l => (JsonNode)l)]),
            };
            return problems.Count == 0;
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(appDirectory, recursive: true);
        }
    }

    private static JsonObject Json(LoadRun run, Traffic traffic, int events, int concurrency) => new()
    {
        ["concurrency"] = concurrency,
        ["webhooks"] = events,
        ["seconds"] = run.Wall.TotalSeconds,
        ["perSecond"] = run.PerSecond,
        ["latencyMs"] = new JsonObject { ["p50"] = run.P(50), ["p90"] = run.P(90), ["p99"] = run.P(99), ["max"] = run.P(100) },
        ["statuses"] = new JsonObject(run.Statuses.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
        ["toolRetries"] = run.ToolRetries,
        ["storageRequestsPerWebhook"] = (double)traffic.Total / events,
        ["readsPerWebhook"] = (double)traffic.Reads / events,
        ["writesPerWebhook"] = (double)traffic.Writes / events,
        ["requests"] = new JsonObject(traffic.Requests.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
    };

    private static async Task AddPracticeAsync(ReengageStorageClients clients, string practiceId)
    {
        var practices = new TablePracticeStore(clients.Practices, clients.Therapists);
        await practices.UpsertPracticeAsync(PracticeDefaults.NewPractice(practiceId, "Cabinet de charge", Locale.Fr, 30) with { DefaultTherapistId = "th_1" });
        await practices.UpsertTherapistAsync(new Therapist
        {
            PracticeId = practiceId,
            Id = "th_1",
            DisplayName = "Th One",
            Email = "th1@example.org",
            Signature = "Th One",
            Locale = Locale.Fr,
        });
        await practices.UpsertSecretsAsync(new PracticeSecrets
        {
            PracticeId = practiceId,
            Webhooks = new Dictionary<WebhookSource, WebhookSecret> { [WebhookSource.Generic] = new(Secret, null, null) },
        });
    }

    private static HttpRequestMessage Signed(string practiceId, LoadEvent e)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/generic/{practiceId}") { Content = new ByteArrayContent(e.Bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Reengage-Signature", WebhookSignature.HeaderValue(Secret, LoadMix.Now.ToUnixTimeSeconds(), e.Bytes));
        return request;
    }

    private sealed class LoadRun
    {
        public List<double> Latencies { get; } = [];
        public Dictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);
        public List<string> WrongAnswers { get; } = [];
        public int ToolRetries { get; set; }
        public TimeSpan Wall { get; set; }
        public int Sent { get; set; }
        public double PerSecond => Sent / Wall.TotalSeconds;
        public string StatusText => string.Join(", ", Statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} x {Int(s.Value)}"));

        private double[]? _sorted;

        /// <summary>The p-th percentile of the latencies, in ms (100 = the maximum), as the TypeScript computes it.</summary>
        public double P(double p)
        {
            _sorted ??= [.. Latencies.Order()];
            if (_sorted.Length == 0) return double.NaN;
            return _sorted[Math.Clamp((int)Math.Ceiling(p / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
        }
    }

    /// <summary>
    /// Posts every send, <paramref name="concurrency"/> at a time in list order. A duplicate is posted only once its
    /// original was answered (a booking tool re-sends after an answer, never during its first attempt); a 5xx or a
    /// dropped connection is retried, as a booking tool would, at most <see cref="MaxToolAttempts"/> times.
    /// </summary>
    private static async Task<LoadRun> PostAllAsync(HttpClient http, string practiceId, IReadOnlyList<LoadSend> sends, int concurrency)
    {
        var run = new LoadRun { Sent = sends.Count };
        var answered = sends.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < sends.Count; i = Interlocked.Increment(ref next))
            {
                var send = sends[i];
                if (send.DuplicateOf is { } original) await answered[original].Task;
                var status = "thrown";
                string body = "";
                for (var attempt = 1; attempt <= MaxToolAttempts; attempt++)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.SendAsync(Signed(practiceId, send.Event));
                        body = await response.Content.ReadAsStringAsync();
                        status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    }
                    catch (HttpRequestException)
                    {
                        status = "thrown";
                    }
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (run)
                    {
                        run.Latencies.Add(ms);
                        run.Statuses[status] = run.Statuses.GetValueOrDefault(status) + 1;
                        if (status.StartsWith('5') || status == "thrown") run.ToolRetries++;
                    }
                    if (!status.StartsWith('5') && status != "thrown") break;
                }
                var expected = send.DuplicateOf is null ? "202" : "200";
                if (status != expected || (send.DuplicateOf is not null && !body.Contains("\"duplicate\":true", StringComparison.Ordinal)))
                {
                    lock (run) run.WrongAnswers.Add($"{practiceId} {send.Event.Id} ({(send.DuplicateOf is null ? send.Event.Type : "duplicate")}): {status} {Truncate(body)}, expected {expected}");
                }
                answered[i].TrySetResult();
            }
        })).ToList();
        await Task.WhenAll(workers);
        run.Wall = clock.Elapsed;
        return run;
    }

    private static string Truncate(string text) => text.Length <= 160 ? text : text[..160] + "…";

    private sealed record Comparison(List<string> Problems, int StaleIndexRows, List<string> StaleExamples);

    /// <summary>
    /// Every difference between the loaded practice and the replayed one, practice ids and due days aside (see below); every patient whose
    /// lastVisitAt / nextBookingAt is not what its own stored appointments say; every patient's DueIndex row that is
    /// missing, or whose dueDay is later than its true due day. A DueIndex row whose patient is due another day is stale, which the design allows (PatientSaver writes
    /// the new row before the patient, so a lost race or a crash leaves one; the planner re-reads the patient): counted,
    /// not wrong.
    /// </summary>
    private static async Task<Comparison> CompareAsync(ReengageStorageClients clients, LoadMix mix)
    {
        var patients = new TablePatientStore(clients.Patients);
        var appointments = new TableAppointmentStore(clients.Appointments);
        var events = new TableInboundEventStore(clients.InboundEvents);
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        var dueDays = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        string Normal<T>(T value, string practiceId) => JsonSerializer.Serialize(value, Compact).Replace(practiceId, "(practice)", StringComparison.Ordinal);
        var sides = new[] { (Practice: LoadPractice, Name: "after the load"), (Practice: ReplayPractice, Name: "after the replay") };
        var practice = (await new TablePracticeStore(clients.Practices, clients.Therapists).GetPracticeAsync(LoadPractice))!.Value;
        await Parallel.ForEachAsync(mix.Plans, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (plan, token) =>
        {
            var stored = new List<(Patient? Patient, List<Appointment> Appointments)>();
            foreach (var (practiceId, name) in sides)
            {
                var patient = (await patients.GetPatientAsync(practiceId, plan.Id, token))?.Value;
                var list = new List<Appointment>();
                await foreach (var x in appointments.ListAppointmentsAsync(practiceId, plan.Id, token)) list.Add(x);
                list.Sort((x, y) => string.CompareOrdinal(x.Id, y.Id));
                stored.Add((patient, list));
                if (patient is null)
                {
                    problems.Add($"{plan.Id}: patient row missing {name}");
                    continue;
                }
                if (patient.DueDay is { } day) dueDays[$"{practiceId} {day} {plan.Id}"] = name;
                // The due day may be earlier than the true one (PatientSaver leaves an earlier row for the planner to
                // move, so it depends on the order of the events), never later: a later one would skip the patient.
                var trueDue = Cadence.DueDayFor(practice, patient, LoadMix.Now);
                if (trueDue is not null && (patient.DueDay is null || string.CompareOrdinal(patient.DueDay, trueDue) > 0))
                {
                    problems.Add($"{plan.Id} {name}: dueDay {patient.DueDay ?? "null"}, later than its true due day {trueDue} ({Trail(mix, plan.Id)})");
                }
                var visits = Visits.Summarize(list, LoadMix.Now);
                if (visits.LastVisitAt != patient.LastVisitAt || visits.NextBookingAt != patient.NextBookingAt)
                {
                    problems.Add($"{plan.Id} {name}: lastVisitAt {Text(patient.LastVisitAt)}, nextBookingAt {Text(patient.NextBookingAt)}; " +
                        $"its appointments say {Text(visits.LastVisitAt)}, {Text(visits.NextBookingAt)} ({Trail(mix, plan.Id)})");
                }
            }
            if (stored[0].Patient is { } loaded && stored[1].Patient is { } replayed)
            {
                var (a, b) = (Normal(loaded with { DueDay = null }, LoadPractice), Normal(replayed with { DueDay = null }, ReplayPractice));
                if (a != b) problems.Add($"{plan.Id}: patient differs: load {FirstDifference(a, b)}");
            }
            var (c, d) = (Normal(stored[0].Appointments, LoadPractice), Normal(stored[1].Appointments, ReplayPractice));
            if (c != d) problems.Add($"{plan.Id}: appointments differ: load {FirstDifference(c, d)}");
        });
        var stale = new List<string>();
        foreach (var (practiceId, name) in sides)
        {
            var rows = await DueRowsAsync(clients, practiceId);
            foreach (var needed in dueDays.Where(d => d.Value == name).Select(d => d.Key[(practiceId.Length + 1)..]))
            {
                if (!rows.Contains(needed)) problems.Add($"DueIndex {name}: no row for {needed} (the patient's dueDay)");
            }
            stale.AddRange(rows.Where(r => !dueDays.ContainsKey($"{practiceId} {r}")).Select(r => $"{r} {name}"));
        }
        var originals = mix.Sends.Where(s => s.DuplicateOf is null).Select(s => s.Event).ToList();
        await Parallel.ForEachAsync(originals, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, token) =>
        {
            var loaded = await events.GetEventAsync(LoadPractice, WebhookSource.Generic, e.Id, token);
            var replayed = await events.GetEventAsync(ReplayPractice, WebhookSource.Generic, e.Id, token);
            if (loaded?.Value.Status != InboundEventStatus.Applied) problems.Add($"{e.Id}: InboundEvents after the load {loaded?.Value.Status.ToString() ?? "missing"}, expected Applied");
            if (replayed?.Value.Status != InboundEventStatus.Applied) problems.Add($"{e.Id}: InboundEvents after the replay {replayed?.Value.Status.ToString() ?? "missing"}, expected Applied");
            if (loaded is not null && replayed is not null && Normal(loaded.Value, LoadPractice) != Normal(replayed.Value, ReplayPractice))
            {
                problems.Add($"{e.Id}: InboundEvents record differs");
            }
        });
        return new Comparison([.. problems.Order(StringComparer.Ordinal)], stale.Count, [.. stale.Order(StringComparer.Ordinal).Take(5)]);
    }

    private static string Text(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) ?? "null";

    /// <summary>A patient's events in the order the load sent them: type, occurredAt, the appointment and its startsAt.</summary>
    private static string Trail(LoadMix mix, string patientId) => "sent: " + string.Join("; ", mix.Sends
        .Where(s => s.Event.PatientId == patientId)
        .Select(s => $"{(s.DuplicateOf is null ? "" : "dup ")}{s.Event.Type.Replace("appointment.", "", StringComparison.Ordinal)} {s.Event.OccurredAt[..16]}" +
            (s.Event.Body["appointment"] is JsonObject a ? $" {a["id"]} @{a["startsAt"]!.GetValue<string>()[..16]}" : "")));

    /// <summary>The practice's DueIndex rows, as <c>day patientId</c>.</summary>
    private static async Task<HashSet<string>> DueRowsAsync(ReengageStorageClients clients, string practiceId)
    {
        var rows = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in clients.DueIndex.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"practiceId eq {practiceId}")))
        {
            rows.Add($"{row.PartitionKey} {row.GetString("patientId")}");
        }
        return rows;
    }

    private static string FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        var from = Math.Max(0, i - 40);
        return $"…{a[from..Math.Min(a.Length, i + 60)]}… replay …{b[from..Math.Min(b.Length, i + 60)]}…";
    }

    /// <summary>The app's host.json with quieter logging, in a folder of its own (the outbox goes there too).</summary>
    private static string HostDirectory(string root)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "functions", "Reengage.FunctionApp", "host.json")))!;
        json["logging"] = new JsonObject { ["logLevel"] = new JsonObject { ["default"] = "Warning" } };
        var directory = Directory.CreateTempSubdirectory("reengage-bench-load-").FullName;
        File.WriteAllText(Path.Combine(directory, "host.json"), json.ToJsonString());
        return directory;
    }

    /// <summary>
    /// The same instant for every request of both runs (so that the stored timestamps compare equal, and the signatures'
    /// timestamps are fresh); timers still run in real time.
    /// </summary>
    private sealed class FrozenTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
