// `dotnet run -c Release --project tools/Reengage.Bench -- [--only planner|render|send|e2e|load] [options]` (see BenchOptions):
// starts a private Azurite, runs the benchmarks, prints each figure beside a baseline measured in the same run and the
// recorded TypeScript baseline (tools/Reengage.Bench/typescript-baseline), writes artifacts/bench-dotnet.json. Exit
// code 1 only on a wrong answer (due sets differ, an email not sent exactly once, the webhook load's state differs from
// the in-order replay); a missed target is printed as NOT met with its cause, and the run still succeeds.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reengage.Bench;
using Reengage.Core.Sending;
using Reengage.Testing;
using static Reengage.Bench.Output;

var (options, error, help) = BenchOptions.Parse(args);
if (help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var root = RepositoryRoot.Find();
// The recorded TypeScript baseline: a directory named by --ts-results must hold it; the default one may still be empty.
var (typeScript, tsError) = TypeScriptResults.Read(options.TypeScriptResults ?? Path.Combine(root, TypeScriptResults.DefaultDirectory));
if (typeScript is null && options.TypeScriptResults is not null)
{
    Console.Error.WriteLine($"--ts-results: {tsError}");
    return 2;
}

var started = Stopwatch.StartNew();
Console.WriteLine($"Reengage benchmarks (C#): {string.Join(", ", options.Only.Select(b => b.ToString().ToLowerInvariant()))} " +
    $"({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, load average {Machine.LoadText()})");
if (Machine.LoadAverage() is [var load1, ..] && load1 > Environment.ProcessorCount / 2.0)
{
    Line("note: the machine is already busy; timings will be lower and noisier than on an idle one");
}
if (typeScript is null)
{
    Line($"note: the TypeScript baseline is not shown ({tsError})");
}
#if DEBUG
Line("note: a Debug build; run with -c Release for figures worth comparing");
#endif

var report = new JsonObject
{
    ["command"] = "dotnet run -c Release --project tools/Reengage.Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : ""),
    ["startedAt"] = DateTimeOffset.UtcNow.ToString("O", Culture),
    ["machine"] = Machine.Describe(),
    ["options"] = JsonSerializer.SerializeToNode(options, new JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } }),
};
var correct = true;
var needsAzurite = options.Only.Any(b => b != Bench.Render);
// In memory, Azurite keeps every entity on its heap: a limit of 16 KiB per seeded patient (row, address pointer, DueIndex
// row, and their indexes: a 60,000-patient run reported 491 MiB resident after seeding, over 8 KiB each), at least 4 GiB.
// A limit, not an allocation.
var largestPlanner = options.Million ? Math.Max(options.Patients, Million.Patients) : options.Patients;
var heapMiB = Math.Max(4096, (int)Math.Ceiling(largestPlanner * 16 / 1024.0));
Azurite? azurite = null;
try
{
    if (needsAzurite)
    {
        azurite = await Azurite.StartAsync(new Azurite.Options { HeapMiB = heapMiB });
        Progress($"Azurite started (in memory, heap up to {Int(heapMiB)} MiB)");
    }
    if (options.Only.Contains(Bench.Planner))
    {
        Heading($"Planner: one day's planning for {Int(options.Patients)} patients — DueIndex vs a scan planner vs the writes alone");
        correct &= await PlannerBench.RunAsync(azurite!.ConnectionString,
            new PlannerBenchOptions(options.Patients, options.Practices, new QuotaLimits(options.SendsPerMinute, options.SendsPerHour), options.PlannerConcurrency,
                AzuriteProcessId: azurite.ProcessId), report);
        if (options.Million)
        {
            Heading($"Planner at {Int(Million.Patients)} patients in {Int(Million.Practices)} practices, {Int(Million.SendsPerHour)} sends/h — the same three methods");
            correct &= await PlannerBench.RunAsync(azurite.ConnectionString,
                new PlannerBenchOptions(Million.Patients, Million.Practices, new QuotaLimits(options.SendsPerMinute, Million.SendsPerHour), options.PlannerConcurrency,
                    Key: "planner1m", Prefix: "bm", AzuriteProcessId: azurite.ProcessId), report);
        }
        typeScript?.Echo(Bench.Planner);
    }
    if (options.Only.Contains(Bench.Render))
    {
        Heading("Render: ScribanTemplateRenderer, 8 templates x 2 locales (BenchmarkDotNet), beside the TypeScript renderer's recorded baseline");
        RenderBench.Run(root, typeScript, tsError, report);
        typeScript?.Echo(Bench.Render);
    }
    if (options.Only.Contains(Bench.Send))
    {
        Heading("Send: sendOutreach through AcsEmailSender to the ACS stand-in, 0 ms vs 50 ms, 1/4/16 in flight");
        correct &= await SendBench.RunAsync(azurite!.ConnectionString, options.SendRows, report);
        typeScript?.Echo(Bench.Send);
    }
    if (options.Only.Contains(Bench.E2e))
    {
        Heading($"End to end: planner timer → outreach-send → sendOutreach → ACS stand-in at 50 ms, through the local host");
        correct &= await EndToEndBench.RunAsync(root, azurite!.ConnectionString, options, report);
    }
    if (options.Only.Contains(Bench.Load))
    {
        Heading($"Load: {Int(options.Events)} signed booking webhooks over HTTP through the local host, concurrency {options.Concurrency}, beside an in-order replay one at a time");
        correct &= await LoadBench.RunAsync(root, azurite!.ConnectionString, new LoadBenchOptions(options.Events, options.LoadPatients, options.Concurrency), typeScript, report);
        typeScript?.Echo(Bench.Load);
    }
}
finally
{
    if (azurite is not null) await azurite.DisposeAsync();
}

report["totalSeconds"] = started.Elapsed.TotalSeconds;
report["loadAverageAtEnd"] = new JsonArray([.. Machine.LoadAverage().Select(l => (JsonNode)l)]);
report["memoryAtEnd"] = Machine.Memory(null);
if (typeScript is not null) report["typeScript"] = typeScript.Json();
report["correct"] = correct;
var file = Path.Combine(root, "artifacts", "bench-dotnet.json");
Directory.CreateDirectory(Path.GetDirectoryName(file)!);
await File.WriteAllTextAsync(file, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine();
Console.WriteLine($"Done in {Elapsed} (load average now {Machine.LoadText()}); report written to {Path.GetRelativePath(Directory.GetCurrentDirectory(), file)}");
if (!correct) Console.WriteLine("A WRONG ANSWER was found (see above): exit code 1.");
return correct ? 0 : 1;

/// <summary>The planner's second size with --million: the TypeScript's `--patients 1000000 --practices 1000 --sends-per-hour 1800`.</summary>
internal static class Million
{
    public const int Patients = 1_000_000;
    public const int Practices = 1_000;
    public const int SendsPerHour = 1_800;
}
