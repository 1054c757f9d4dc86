// Writes a Population straight into the tables with entity-group transactions (one partition, at most 100 rows each),
// many at a time: seeding 100,000 patients through the webhook would take far too long. The rows are the adapters' own.
using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Bench;

internal sealed record SeedResult
{
    public required int Patients { get; init; }
    public required int DueIndexRows { get; init; }
    public required int Transactions { get; init; }
    /// <summary><c>practiceId|patientId</c> of every patient due on the planning date, by construction.</summary>
    public required IReadOnlySet<string> DueOnPlanningDay { get; init; }
    /// <summary>The due patients as seeded: what a reset writes back.</summary>
    public required IReadOnlyList<Patient> DuePatients { get; init; }
    public required IReadOnlyDictionary<PatientKind, int> ByKind { get; init; }
    public required TimeSpan Elapsed { get; init; }
}

internal static class Seeder
{
    /// <summary>An entity-group transaction holds at most 100 operations.</summary>
    public const int MaxBatch = 100;

    public static async Task<SeedResult> SeedAsync(ReengageStorageClients clients, Population population, Action<int, int>? progress = null, int concurrency = 16, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var practices = new TablePracticeStore(clients.Practices, clients.Therapists);
        await Parallel.ForEachAsync(population.Practices, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (setup, token) =>
        {
            await practices.CreatePracticeAsync(setup.Practice, token);
            foreach (var therapist in setup.Therapists) await practices.UpsertTherapistAsync(therapist, token);
        });

        var patientStore = new TablePatientStore(clients.Patients);
        var window = population.PlannerWindow();
        var due = new HashSet<string>(StringComparer.Ordinal);
        var duePatients = new List<Patient>();
        var byKind = Enum.GetValues<PatientKind>().ToDictionary(k => k, _ => 0);
        var dueRows = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        var batches = new BlockingCollection<(TableClient Table, List<TableEntity> Rows, int Patients)>(boundedCapacity: concurrency * 2);
        var written = 0;
        var transactions = 0;
        var dueIndexRows = 0;
        var writers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            foreach (var (table, rows, patients) in batches.GetConsumingEnumerable(cancellationToken))
            {
                await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
                Interlocked.Increment(ref transactions);
                if (patients > 0) progress?.Invoke(Interlocked.Add(ref written, patients), population.PatientCount);
            }
        }, cancellationToken)).ToList();

        try
        {
            for (var p = 0; p < population.Practices.Count; p++)
            {
                var batch = new List<TableEntity>();
                var inBatch = 0;
                foreach (var (patient, kind) in population.PatientsOf(p))
                {
                    byKind[kind]++;
                    var key = $"{patient.PracticeId}|{patient.Id}";
                    var inWindow = patient.DueDay is { } d && string.CompareOrdinal(d, window.From) >= 0 && string.CompareOrdinal(d, window.To) <= 0;
                    if (kind == PatientKind.Due)
                    {
                        if (patient.DueDay != population.PlanningDay)
                        {
                            throw new InvalidOperationException($"Seeding bug: due patient {key} has dueDay {patient.DueDay}, not {population.PlanningDay}.");
                        }
                        due.Add(key);
                        duePatients.Add(patient);
                    }
                    else if (inWindow)
                    {
                        throw new InvalidOperationException($"Seeding bug: {kind} patient {key} has dueDay {patient.DueDay}, inside the planner's window.");
                    }
                    var entities = patientStore.EntitiesOf(patient).ToList();
                    if (batch.Count + entities.Count > MaxBatch)
                    {
                        batches.Add((clients.Patients, batch, inBatch), cancellationToken);
                        batch = [];
                        inBatch = 0;
                    }
                    batch.AddRange(entities);
                    inBatch++;
                    if (patient.DueDay is { } day)
                    {
                        if (!dueRows.TryGetValue(day, out var rows)) dueRows[day] = rows = [];
                        rows.Add(DueIndexRow(clients, patient));
                        if (rows.Count == MaxBatch)
                        {
                            dueRows.Remove(day);
                            dueIndexRows += rows.Count;
                            batches.Add((clients.DueIndex, rows, 0), cancellationToken);
                        }
                    }
                }
                if (batch.Count > 0) batches.Add((clients.Patients, batch, inBatch), cancellationToken);
            }
            foreach (var rows in dueRows.Values)
            {
                dueIndexRows += rows.Count;
                batches.Add((clients.DueIndex, rows, 0), cancellationToken);
            }
        }
        finally
        {
            batches.CompleteAdding();
        }
        await Task.WhenAll(writers);
        return new SeedResult
        {
            Patients = population.PatientCount,
            DueIndexRows = dueIndexRows,
            Transactions = transactions,
            DueOnPlanningDay = due,
            DuePatients = duePatients,
            ByKind = byKind,
            Elapsed = started.Elapsed,
        };
    }

    /// <summary>The DueIndex row of a patient's <see cref="Patient.DueDay"/>, as TableDueIndex writes it.</summary>
    public static TableEntity DueIndexRow(ReengageStorageClients clients, Patient patient) =>
        new EntityWriter(clients.Names.DueIndex, patient.DueDay!, TableKeys.Checked($"{patient.PracticeId}|{patient.Id}", "due entry key"))
            .Set("day", patient.DueDay)
            .Set("practiceId", patient.PracticeId)
            .Set("patientId", patient.Id)
            .Build();

    /// <summary>
    /// Puts the due patients back as seeded (patient rows and their DueIndex rows), in transactions: what a benchmark
    /// run changed on them is undone, so that the next run starts from the same state.
    /// </summary>
    public static async Task RestoreAsync(ReengageStorageClients clients, IReadOnlyList<Patient> patients, CancellationToken cancellationToken = default)
    {
        var store = new TablePatientStore(clients.Patients);
        var work = new List<(TableClient Table, List<TableEntity> Rows)>();
        foreach (var practice in patients.GroupBy(p => p.PracticeId))
        {
            var batch = new List<TableEntity>();
            foreach (var patient in practice)
            {
                var entities = store.EntitiesOf(patient).ToList();
                if (batch.Count + entities.Count > MaxBatch)
                {
                    work.Add((clients.Patients, batch));
                    batch = [];
                }
                batch.AddRange(entities);
            }
            if (batch.Count > 0) work.Add((clients.Patients, batch));
        }
        foreach (var day in patients.GroupBy(p => p.DueDay!))
        {
            work.AddRange(day.Chunk(MaxBatch).Select(chunk => (clients.DueIndex, chunk.Select(p => DueIndexRow(clients, p)).ToList())));
        }
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (item, token) =>
            await item.Table.SubmitTransactionAsync(item.Rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), token));
    }

    /// <summary>Deletes every row of a table, a partition's rows 100 to a transaction.</summary>
    public static async Task ClearTableAsync(TableClient table, CancellationToken cancellationToken = default)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        var work = rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(MaxBatch)).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (chunk, token) =>
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r)), token));
    }
}
