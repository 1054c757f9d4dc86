// Planner benchmark: one day's planLapsedOutreach for N patients (1% due) through the DueIndex, against a planner that
// scans every patient partition and makes the same writes, and against those writes alone (the floor), in one run.
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Sending;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

/// <param name="Key">The report's key (planner, planner1m) and the letters of the run's table names.</param>
/// <param name="AzuriteProcessId">Azurite's process, whose memory is reported after seeding.</param>
internal sealed record PlannerBenchOptions(int Patients, int Practices, QuotaLimits Quota, int Concurrency, string Key = "planner", string Prefix = "bp", int? AzuriteProcessId = null);

internal static class PlannerBench
{
    /// <summary>A Tuesday: the lapse timer fires at its default time, 05:00 UTC.</summary>
    public static readonly DateTimeOffset PlanningAt = new(2027, 3, 9, 5, 0, 0, TimeSpan.Zero);

    public const double TargetFewerEntities = 40;
    public const double TargetOfFloor = 1.5;

    /// <summary>Runs the planner benchmark; returns false when the methods disagree (a wrong answer).</summary>
    public static async Task<bool> RunAsync(string connectionString, PlannerBenchOptions options, JsonObject report)
    {
        using var storage = await BenchStorage.CreateAsync(connectionString, options.Prefix);
        try
        {
            return await RunAsync(storage, options, report);
        }
        finally
        {
            // Azurite keeps every row in memory: a second planner run (--million) starts without this one's.
            await storage.Clients.DeleteAllAsync();
        }
    }

    private static async Task<bool> RunAsync(BenchStorage storage, PlannerBenchOptions options, JsonObject report)
    {
        var clients = storage.Clients;
        var population = new Population(new PopulationOptions(options.Patients, options.Practices, PlanningAt, 0.01));
        Progress($"seeding {Int(options.Patients)} patients in {population.Practices.Count} practices");
        var seed = await Seeder.SeedAsync(clients, population, (done, total) => Output.Progress("patients written", done, total));
        var memoryAfterSeeding = Machine.Memory(options.AzuriteProcessId);
        Progress($"memory after seeding: {Machine.MemoryText(options.AzuriteProcessId)}");
        var clock = new FakeTimeProvider(PlanningAt);
        var world = new PlannerWorld(storage, clock, options);
        await world.WarmUpAsync(population);

        Progress("planLapsedOutreach, the real planner (DueIndex)");
        var real = await storage.MeasureAsync(() => world.Planner(null).PlanLapsedAsync());
        var realRows = await world.LedgerRowsAsync(population);
        Progress("planLapsedOutreach again, the same day (must plan nothing new)");
        var rerun = await storage.MeasureAsync(() => world.Planner(null).PlanLapsedAsync());
        var writes = await world.WritesOfAsync(realRows, seed);
        await world.ResetAsync(seed, population);

        Progress("baseline: the same planner fed by a scan of every patient partition");
        var scanIndex = new ScanDueIndex(world, clock, options.Concurrency);
        var scan = await storage.MeasureAsync(() => world.Planner(scanIndex).PlanLapsedAsync());
        var scanRows = await world.LedgerRowsAsync(population);
        await world.ResetAsync(seed, population);

        Progress("floor: the real planner's writes alone, the same concurrency");
        var floor = await storage.MeasureAsync(() => world.WriteAsync(writes));
        await world.ResetAsync(seed, population);

        var expected = seed.DueOnPlanningDay;
        var realIds = KeysOf(realRows);
        var scanIds = KeysOf(scanRows);
        var sameDue = realIds.SetEquals(expected) && scanIds.SetEquals(expected) && scanIndex.Found.SetEquals(expected);
        var newlyPlanned = rerun.Result.Planned + rerun.Result.HeldOut + rerun.Result.Skipped;

        var rows = realRows.Count;
        var planned = real.Result.Planned;
        Line();
        Line($"{Int(options.Patients)} patients in {population.Practices.Count} practices, seeded in {Seconds(seed.Elapsed)} " +
            $"({Int(seed.Transactions)} transactions, {Int(seed.DueIndexRows)} DueIndex rows); planning on {PlanningAt:yyyy-MM-dd HH:mm} UTC " +
            $"under an ACS quota of {Int(options.Quota.PerMinute)}/min, {Int(options.Quota.PerHour)}/h, PLANNER_CONCURRENCY {options.Concurrency}");
        Line();
        Row("", "entities read", "reads/writes", "wall time", "due found");
        Row("planLapsedOutreach (DueIndex)", Int(real.Traffic.EntitiesRead), $"{Int(real.Traffic.Reads)}r/{Int(real.Traffic.Writes)}w", Seconds(real.Wall), Int(realIds.Count));
        Row("baseline: scan planner, same writes", Int(scan.Traffic.EntitiesRead), $"{Int(scan.Traffic.Reads)}r/{Int(scan.Traffic.Writes)}w", Seconds(scan.Wall), Int(scanIds.Count));
        Row("floor: the writes alone", Int(floor.Traffic.EntitiesRead), $"{Int(floor.Traffic.Reads)}r/{Int(floor.Traffic.Writes)}w", Seconds(floor.Wall), "");
        Line();
        Line($"entities read by the planner, per table: {string.Join(", ", real.Traffic.EntitiesReadByTable.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key[2..]} {Int(t.Value)}"))}");
        Line($"planner requests: {string.Join(", ", real.Traffic.Requests.OrderByDescending(r => r.Value).Select(r => $"{Strip(r.Key)} {Int(r.Value)}"))}");
        Line($"floor requests:   {string.Join(", ", floor.Traffic.Requests.OrderByDescending(r => r.Value).Select(r => $"{Strip(r.Key)} {Int(r.Value)}"))}");
        Line($"outcomes: {planned} planned, {real.Result.HeldOut} held out, {real.Result.Skipped} skipped, {real.Result.StaleIndexRows} stale index rows; " +
            $"{Fixed((double)real.Traffic.Total / Math.Max(1, rows), 2)} storage requests per ledger row ({Fixed((double)real.Traffic.Total / Math.Max(1, planned), 2)} per planned email; the floor {Fixed((double)floor.Traffic.Total / Math.Max(1, rows), 2)})");
        Line($"same due patient ids (seeded = planner = scan planner = scan's own decisions): {(sameDue ? "yes" : "NO")}, {Int(expected.Count)} patients" +
            (sameDue ? "" : $" (planner {realIds.Count}, scan planner {scanIds.Count}, scan decisions {scanIndex.Found.Count})"));
        Line($"second run on the same day: {rerun.Result.EntriesRead} DueIndex rows read, {newlyPlanned} newly planned ({Seconds(rerun.Wall)})");

        var readRatio = (double)scan.Traffic.EntitiesRead / Math.Max(1, real.Traffic.EntitiesRead);
        var ofFloor = real.Wall / floor.Wall;
        var scanOfFloor = scan.Wall / floor.Wall;
        Line();
        Line($"entities read, scan / DueIndex: {Ratio(readRatio)} — target >= {TargetFewerEntities}x: {Verdict(readRatio >= TargetFewerEntities)}" +
            (readRatio >= TargetFewerEntities ? "" : " (see the planner's per-table reads above: what it reads besides the due patients)"));
        Line($"wall time, planner / writes alone: {Ratio(ofFloor)} (the scan planner {Ratio(scanOfFloor)}; scan / DueIndex {Ratio(scan.Wall / real.Wall)}) — target <= {TargetOfFloor}x: {Verdict(ofFloor <= TargetOfFloor)}" +
            (ofFloor <= TargetOfFloor ? "" : $" (the planner makes {Int(real.Traffic.Reads)} reads the floor does not, {Int(real.Traffic.Writes - floor.Traffic.Writes)} more writes, and waits on each read before its writes)"));

        report[options.Key] = new JsonObject
        {
            ["memoryAfterSeeding"] = memoryAfterSeeding,
            ["memoryAtEnd"] = Machine.Memory(options.AzuriteProcessId),
            ["patients"] = options.Patients,
            ["practices"] = population.Practices.Count,
            ["planningAt"] = PlanningAt.ToString("O", Culture),
            ["quota"] = new JsonObject { ["perMinute"] = options.Quota.PerMinute, ["perHour"] = options.Quota.PerHour },
            ["concurrency"] = options.Concurrency,
            ["seed"] = new JsonObject
            {
                ["seconds"] = seed.Elapsed.TotalSeconds,
                ["transactions"] = seed.Transactions,
                ["dueIndexRows"] = seed.DueIndexRows,
                ["dueOnPlanningDay"] = expected.Count,
                ["byKind"] = new JsonObject(seed.ByKind.Select(k => KeyValuePair.Create(k.Key.ToString(), (JsonNode?)k.Value))),
            },
            ["planner"] = Json(real, realIds.Count, new JsonObject
            {
                ["planned"] = planned,
                ["heldOut"] = real.Result.HeldOut,
                ["skipped"] = real.Result.Skipped,
                ["entriesRead"] = real.Result.EntriesRead,
                ["staleIndexRows"] = real.Result.StaleIndexRows,
            }),
            ["scanPlanner"] = Json(scan, scanIds.Count, new JsonObject { ["planned"] = scan.Result.Planned, ["heldOut"] = scan.Result.HeldOut }),
            ["floor"] = Json(floor, 0, []),
            ["requestsPerLedgerRow"] = (double)real.Traffic.Total / Math.Max(1, rows),
            ["requestsPerPlannedEmail"] = (double)real.Traffic.Total / Math.Max(1, planned),
            ["floorRequestsPerLedgerRow"] = (double)floor.Traffic.Total / Math.Max(1, rows),
            ["sameDuePatients"] = sameDue,
            ["rerun"] = new JsonObject { ["entriesRead"] = rerun.Result.EntriesRead, ["newlyPlanned"] = newlyPlanned, ["seconds"] = rerun.Wall.TotalSeconds },
            ["ratios"] = new JsonObject { ["entitiesReadScanOverIndex"] = readRatio, ["wallPlannerOverFloor"] = ofFloor, ["wallScanOverFloor"] = scanOfFloor, ["wallScanOverIndex"] = scan.Wall / real.Wall },
            ["targets"] = new JsonObject
            {
                ["fewerEntitiesRead"] = new JsonObject { ["target"] = TargetFewerEntities, ["met"] = readRatio >= TargetFewerEntities },
                ["withinFloor"] = new JsonObject { ["target"] = TargetOfFloor, ["met"] = ofFloor <= TargetOfFloor },
            },
        };
        return sameDue && newlyPlanned == 0;
    }

    private static string Strip(string key)
    {
        // "POST bpOutreach" (or bm, the --million run) → "POST Outreach"; the queue keeps its name.
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var resource = key[(space + 1)..];
        return resource.Length > 2 && resource[..2] is "bp" or "bm" && char.IsUpper(resource[2]) ? key[..(space + 1)] + resource[2..] : key;
    }

    private static JsonObject Json<T>(Measured<T> m, int dueFound, JsonObject extra)
    {
        var o = new JsonObject
        {
            ["seconds"] = m.Wall.TotalSeconds,
            ["entitiesRead"] = m.Traffic.EntitiesRead,
            ["reads"] = m.Traffic.Reads,
            ["writes"] = m.Traffic.Writes,
            ["entitiesReadByTable"] = new JsonObject(m.Traffic.EntitiesReadByTable.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["requests"] = new JsonObject(m.Traffic.Requests.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["dueFound"] = dueFound,
        };
        foreach (var (key, value) in extra.ToList())
        {
            extra.Remove(key);
            o[key] = value;
        }
        return o;
    }

    private static HashSet<string> KeysOf(IEnumerable<OutreachRow> rows) => [.. rows.Select(r => $"{r.PracticeId}|{r.PatientId}")];

    /// <summary>One ledger row with the patient as the planner left it: the writes of one due patient.</summary>
    internal sealed record PatientWrites(OutreachRow Row, Patient After, string DueDayBefore);

    internal sealed record PlannerWrites(IReadOnlyList<PatientWrites> Patients, IReadOnlyList<TableEntity> SlotRows);

    /// <summary>The adapters of the planner over the benchmark's tables, built afresh for every run (no cache carries over).</summary>
    internal sealed class PlannerWorld(BenchStorage storage, FakeTimeProvider clock, PlannerBenchOptions options)
    {
        private ReengageStorageClients Clients => storage.Clients;

        public TablePracticeStore Practices => new(Clients.Practices, Clients.Therapists);
        public TablePatientStore Patients => new(Clients.Patients);
        public TableDueIndex DueIndex => new(Clients.DueIndex);
        public TableOutreachLedger Ledger => new(Clients.Outreach);
        public PatientSaver Saver => new(Patients, DueIndex, new TableAppointmentStore(Clients.Appointments));

        /// <param name="readIndex">Where the planner reads its entries from; the DueIndex when null.</param>
        public OutreachPlanner Planner(IDueIndex? readIndex) => new(
            new CachedPracticeStore(Practices, clock),
            Patients,
            readIndex ?? DueIndex,
            Ledger,
            new StorageQueueSendScheduler(Clients.OutreachSend, clock),
            new TableSendSlotStore(Clients.SendSlots),
            Saver,
            new OutreachPlannerOptions(options.Quota, options.Concurrency),
            storage.Telemetry,
            clock,
            NullLogger<OutreachPlanner>.Instance);

        /// <summary>
        /// A few requests on every table and the planner's code on an empty day, so that connection set-up and the JIT's
        /// first compilations are charged to none of the measured runs.
        /// </summary>
        public async Task WarmUpAsync(Population population)
        {
            var later = new FakeTimeProvider(PlanningAt.AddDays(200));
            var planner = new OutreachPlanner(Practices, Patients, DueIndex, Ledger, new StorageQueueSendScheduler(Clients.OutreachSend, later),
                new TableSendSlotStore(Clients.SendSlots), Saver, new OutreachPlannerOptions(options.Quota, options.Concurrency), storage.Telemetry, later, NullLogger<OutreachPlanner>.Instance);
            await planner.PlanLapsedAsync();
            var smallest = population.Practices.MinBy(p => p.PatientCount)!.Practice.Id;
            await foreach (var patient in Patients.ListPatientsAsync(smallest))
            {
                await Patients.GetPatientAsync(smallest, patient.Id);
            }
            await Ledger.GetOutreachAsync(smallest, "none|lapse|2027-01-01|1");
            await Clients.OutreachSend.GetPropertiesAsync();
            await Clients.SendSlots.GetEntityIfExistsAsync<TableEntity>("none", "none");
        }

        public async Task<List<OutreachRow>> LedgerRowsAsync(Population population)
        {
            var rows = new ConcurrentBag<OutreachRow>();
            await Parallel.ForEachAsync(population.Practices, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (p, token) =>
            {
                await foreach (var row in Ledger.ListOutreachAsync(p.Practice.Id, token)) rows.Add(row);
            });
            return [.. rows];
        }

        /// <summary>What the real planner wrote, read back (not timed): ledger rows, patients, send-slot rows.</summary>
        public async Task<PlannerWrites> WritesOfAsync(IReadOnlyList<OutreachRow> rows, SeedResult seed)
        {
            var before = seed.DuePatients.ToDictionary(p => (p.PracticeId, p.Id));
            var writes = new ConcurrentBag<PatientWrites>();
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (row, token) =>
            {
                var after = await Patients.GetPatientAsync(row.PracticeId, row.PatientId, token) ?? throw new InvalidOperationException($"Patient {row.PatientId} is gone.");
                writes.Add(new PatientWrites(row, after.Value, before[(row.PracticeId, row.PatientId)].DueDay!));
            });
            var slots = new List<TableEntity>();
            await foreach (var slot in Clients.SendSlots.QueryAsync<TableEntity>())
            {
                slots.Add(new TableEntity(slot.Where(p => p.Key is not ("odata.etag" or "Timestamp")).ToDictionary()));
            }
            return new PlannerWrites([.. writes], slots);
        }

        /// <summary>
        /// The floor: the requests with which the planner wrote what it wrote — ledger row, queue message, new index row,
        /// patient (with its address pointer, one transaction), old index row deleted; each send-slot row once — with no
        /// read and no decision, <c>PLANNER_CONCURRENCY</c> patients at a time.
        /// </summary>
        public async Task<int> WriteAsync(PlannerWrites writes)
        {
            var ledger = Ledger;
            var patients = Patients;
            var due = DueIndex;
            var scheduler = new StorageQueueSendScheduler(Clients.OutreachSend, clock);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency };
            await Parallel.ForEachAsync(writes.SlotRows, parallel, async (slot, token) =>
                await Clients.SendSlots.UpsertEntityAsync(slot, TableUpdateMode.Replace, token));
            await Parallel.ForEachAsync(writes.Patients, parallel, async (w, token) =>
            {
                await ledger.CreateOutreachAsync(w.Row, token);
                if (w.Row.Status == OutreachStatus.Planned)
                {
                    await scheduler.ScheduleSendAsync(new SendRequest(w.Row.PracticeId, w.Row.Id, w.Row.NotBefore), w.Row.NotBefore, token);
                }
                if (w.After.DueDay is { } day && day != w.DueDayBefore)
                {
                    await due.UpsertDueAsync(new DueEntry(day, w.Row.PracticeId, w.Row.PatientId), token);
                }
                await patients.UpdatePatientAsync(w.After, ETag.All.ToString(), token);
                if (w.After.DueDay != w.DueDayBefore)
                {
                    await due.DeleteDueAsync(new DueEntry(w.DueDayBefore, w.Row.PracticeId, w.Row.PatientId), token);
                }
            });
            return writes.Patients.Count;
        }

        /// <summary>
        /// Puts the tables back as seeded (not timed): the due patients and their index rows rewritten, the index rows a run
        /// added removed, the ledger, the send slots and the queue emptied.
        /// </summary>
        public async Task ResetAsync(SeedResult seed, Population population)
        {
            var added = new ConcurrentBag<(string Day, string RowKey)>();
            await Parallel.ForEachAsync(seed.DuePatients, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (p, token) =>
            {
                var now = await Patients.GetPatientAsync(p.PracticeId, p.Id, token);
                if (now?.Value.DueDay is { } day && day != population.PlanningDay) added.Add((day, TableKeys.Checked($"{p.PracticeId}|{p.Id}", "due entry key")));
            });
            var deletes = added.GroupBy(a => a.Day).SelectMany(g => g.Chunk(Seeder.MaxBatch)).ToList();
            await Parallel.ForEachAsync(deletes, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (chunk, token) =>
                await Clients.DueIndex.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(a.Day, a.RowKey), ETag.All)), token));
            await Seeder.RestoreAsync(Clients, seed.DuePatients);
            await Seeder.ClearTableAsync(Clients.Outreach);
            await Seeder.ClearTableAsync(Clients.SendSlots);
            await Clients.OutreachSend.ClearMessagesAsync();
        }
    }

    /// <summary>
    /// What a planner without the index reads: every patient of every practice, decided in memory with the planner's own
    /// rule (Cadence). The patients found due are handed to the real planner as if they were index entries, so the scan
    /// planner makes exactly the real planner's writes; index writes go to the real DueIndex.
    /// </summary>
    internal sealed class ScanDueIndex(PlannerWorld world, TimeProvider clock, int concurrency) : IDueIndex
    {
        private readonly TableDueIndex _index = world.DueIndex;
        private Task<Dictionary<string, List<DueEntry>>>? _scan;

        public HashSet<string> Found { get; } = new(StringComparer.Ordinal);

        public async IAsyncEnumerable<DueEntry> ListDueAsync(string day, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            _scan ??= ScanAsync(cancellationToken);
            var byDay = await _scan;
            if (!byDay.TryGetValue(day, out var entries)) yield break;
            foreach (var entry in entries) yield return entry;
        }

        public IAsyncEnumerable<DueEntry> ListDueForPracticeAsync(string day, string practiceId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The lapse planner reads whole days.");

        public Task UpsertDueAsync(DueEntry entry, CancellationToken cancellationToken = default) => _index.UpsertDueAsync(entry, cancellationToken);

        public Task DeleteDueAsync(DueEntry entry, CancellationToken cancellationToken = default) => _index.DeleteDueAsync(entry, cancellationToken);

        private async Task<Dictionary<string, List<DueEntry>>> ScanAsync(CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var practices = new List<Practice>();
            await foreach (var practice in world.Practices.ListPracticesAsync(cancellationToken)) practices.Add(practice);
            var byDay = new Dictionary<string, List<DueEntry>>(StringComparer.Ordinal);
            var saver = world.Saver;
            var patients = world.Patients;
            await Parallel.ForEachAsync(practices, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (practice, token) =>
            {
                var today = Cadence.TodayFor(practice, now);
                await foreach (var stored in patients.ListPatientsAsync(practice.Id, token))
                {
                    var patient = await saver.RefreshVisitsAsync(stored, now, token);
                    var action = Cadence.NextActionFor(practice, patient, today, now);
                    if (action is not NextAction.Lapse || Cadence.DueDayOf(action, today) is not { } day) continue;
                    lock (byDay)
                    {
                        if (!byDay.TryGetValue(day, out var list)) byDay[day] = list = [];
                        list.Add(new DueEntry(day, practice.Id, patient.Id));
                        Found.Add($"{practice.Id}|{patient.Id}");
                    }
                }
            });
            return byDay;
        }

    }
}
