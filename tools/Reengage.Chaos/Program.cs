// dotnet run -c Release --project tools/Reengage.Chaos [-- --runs 200 --seed 1 --concurrency 2 --outages 2 --no-sweeps --only i]
// Crash sweeps, seeded random fault runs and storage outages (Azurite on disk stopped mid-drain and restarted) of the C#
// planners and sender on private Azurites; prints a summary,
// writes artifacts/chaos-dotnet.json, and exits 1 when an invariant broke (docs/chaos.md).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Reengage.Chaos;
using Reengage.Testing;

var options = new Dictionary<string, int>(StringComparer.Ordinal) { ["runs"] = 200, ["seed"] = 1, ["concurrency"] = 2, ["outages"] = 2 };
var noSweeps = false;
int? only = null;
for (var i = 0; i < args.Length; i++)
{
    var name = args[i].TrimStart('-');
    if (name == "no-sweeps")
    {
        noSweeps = true;
        continue;
    }
    if ((options.ContainsKey(name) || name == "only") && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
    {
        if (name == "only") only = value;
        else options[name] = value;
        i++;
        continue;
    }
    await Console.Error.WriteLineAsync($"unknown or malformed option {args[i]}: --runs N --seed S --concurrency C --outages N --no-sweeps --only I (whole numbers)");
    return 2;
}
var (runs, seed, concurrency, outages) = (options["runs"], options["seed"], options["concurrency"], options["outages"]);

var clock = Stopwatch.StartNew();
var summary = new Summary();
void Mark(RunResult result)
{
    summary.Add(result);
    Console.Write(result.Check.Violations.Count == 0 ? "." : "F");
}

await using (var azurite = await Azurite.StartAsync())
{
    var connection = azurite.ConnectionString;
    if (only is { } index)
    {
        var spec = Suite.RandomSpec(seed, index);
        Console.WriteLine($"run {index} (seed {spec.Seed}): {(spec.Features.Count == 0 ? "no faults" : string.Join(", ", spec.Features))}");
        Mark(await Scenario.RunAsync(connection, spec));
    }
    else
    {
        Console.WriteLine($"Reengage chaos (C#): seed {seed}, {runs} random runs, {(noSweeps ? "no" : "three")} crash sweeps, {outages} storage outages, {concurrency} runs at a time");
        if (!noSweeps)
        {
            Console.WriteLine("planner crash sweep (crash after each call k of one planning pass, then restart)");
            await Suite.SweepAsync(connection, "planner crash sweep", seed, World.SweepKinds, sending: false, concurrency, onResult: Mark);
            Console.WriteLine("\nsend crash sweep (crash after each call k of one send, then redelivery)");
            await Suite.SweepAsync(connection, "send crash sweep", seed, World.OneSendKinds, sending: true, concurrency, onResult: Mark);
            Console.WriteLine("\ndrain crash sweep (crash after each call k of a whole drain, then restart)");
            await Suite.SweepAsync(connection, "drain crash sweep", seed, World.SweepKinds, sending: true, concurrency, onResult: Mark);
            Console.WriteLine();
        }
        Console.WriteLine("random runs");
        await Suite.PoolAsync(runs, concurrency, async i => Mark(await Scenario.RunAsync(connection, Suite.RandomSpec(seed, i))));
        Console.WriteLine();
    }
}

if (only is null && outages > 0)
{
    // One at a time, each on its own Azurite on disk: the first stopped after the first message, down 8 s, the next
    // after the second, down 12 s, and so on.
    Console.WriteLine("storage outages (Azurite on disk stopped mid-drain, restarted on the same ports and folder)");
    for (var i = 0; i < outages; i++)
    {
        Mark(await Scenario.RunStorageOutageAsync(Suite.OutageSpec(seed, i), stopAfter: 1 + i, down: TimeSpan.FromSeconds(8 + (4 * i))));
    }
    Console.WriteLine();
}

Console.WriteLine();
Console.Write(summary.Render(clock.Elapsed));
var artifacts = Path.Combine(RepositoryRoot.Find(), "artifacts");
Directory.CreateDirectory(artifacts);
await File.WriteAllTextAsync(Path.Combine(artifacts, "chaos-dotnet.json"), JsonSerializer.Serialize(summary.ToJson(clock.Elapsed), new JsonSerializerOptions { WriteIndented = true }));
return summary.Violations.Count == 0 ? 0 : 1;
