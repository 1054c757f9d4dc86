// The runs `dotnet run --project tools/Reengage.Chaos` makes: crash sweeps over every call of a planning pass, a send
// and a drain, then seeded random runs, with a summary in the shape of the TypeScript suite's (the recorded baseline of
// docs/chaos.md).
using System.Globalization;
using System.Text;

namespace Reengage.Chaos;

public static class Suite
{
    /// <summary>A random run's faults, drawn from the suite's seed and the run's index (the shares of docs/chaos.md).</summary>
    public static RunSpec RandomSpec(int seed, int index)
    {
        var runSeed = unchecked((seed * 1_000_003) + index);
#pragma warning disable CA5394 // Seeded on purpose: `--only i` replays run i.
        var random = new Random(runSeed);
        var features = new List<string>();
        CrashPicker? Picker(double share, int maxCall, string feature)
        {
            if (random.NextDouble() >= share) return null;
            features.Add(feature);
            var pickSeed = random.Next();
            return attempt =>
            {
                var pick = new Random(unchecked(pickSeed + attempt));
                return new CrashPlan(1 + pick.Next(maxCall), pick.NextDouble() < 0.5 ? CrashWhen.Before : CrashWhen.After);
            };
        }
        var planning = Picker(0.6, 160, "planner crashes");
        var draw = random.NextDouble();
        var planners = draw < 0.15 ? Concurrency.SameHost : draw < 0.30 ? Concurrency.TwoHosts : Concurrency.None;
        if (planners == Concurrency.SameHost) features.Add("two planners at once (same deps)");
        if (planners == Concurrency.TwoHosts) features.Add("two planners at once (two hosts)");
        var duplicates = random.NextDouble() < 0.3;
        if (duplicates) features.Add("every message delivered twice");
        var sending = Picker(0.7, 140, "send worker crashes");
        var hosts = random.NextDouble() < 0.3 ? 2 : 1;
        if (hosts == 2) features.Add("two hosts sending at once");
        AcsChaos? acs = null;
        if (random.NextDouble() < 0.5)
        {
            acs = new AcsChaos(random.Next(), 0.10 + (0.25 * random.NextDouble()));
            features.Add("ACS 429/500/503/slow/timeouts");
        }
#pragma warning restore CA5394
        return new RunSpec
        {
            Label = "random",
            Id = $"random #{index}",
            Seed = runSeed,
            PlanningCrash = planning,
            Planners = planners,
            DuplicateMessages = duplicates,
            SendingCrash = sending,
            SendingHosts = hosts,
            AcsChaos = acs,
            MaxCrashes = 3,
            Features = features,
        };
    }

    /// <summary>
    /// Outage run <paramref name="index"/>: the faults of a random run (drawn apart from the random runs'), without the
    /// planner faults (storage goes away while sending).
    /// </summary>
    public static RunSpec OutageSpec(int seed, int index)
    {
        var random = RandomSpec(seed, 1_000_000 + index);
        return random with
        {
            Label = "storage outage",
            Id = $"storage outage #{index}",
            PlanningCrash = null,
            Planners = Concurrency.None,
            Features = [.. random.Features.Where(f => !f.Contains("planner", StringComparison.Ordinal)), "storage outage"],
        };
    }

    /// <summary>
    /// One clean run records its port calls; then one run per call k crashes right after call k (plus one before call
    /// 1), restarts, and drains. Every such run must end with the fault-free statuses and pass the invariants.
    /// </summary>
    public static async Task<IReadOnlyList<RunResult>> SweepAsync(string connectionString, string label, int seed, IReadOnlyList<PatientKind> kinds, bool sending, int concurrency, Func<int, bool>? only = null, Action<RunResult>? onResult = null)
    {
        var baseSpec = new RunSpec { Label = label + " baseline", Seed = seed, Kinds = kinds };
        var baseline = await Scenario.RunAsync(connectionString, baseSpec);
        onResult?.Invoke(baseline);
        var calls = await Scenario.CallsOfAsync(connectionString, baseSpec, sending);
        var specs = Enumerable.Range(0, calls.Count + 1).Where(k => only?.Invoke(k) ?? true).Select(k =>
        {
            var plan = k == 0 ? new CrashPlan(1, CrashWhen.Before) : new CrashPlan(k, CrashWhen.After);
            CrashPicker picker = attempt => attempt == 0 ? plan : null;
            return new RunSpec
            {
                Label = label,
                Id = $"{label} k={k} ({(k == 0 ? calls[0] + ":before" : calls[k - 1] + ":after")})",
                Seed = seed,
                Kinds = kinds,
                PlanningCrash = sending ? null : picker,
                SendingCrash = sending ? picker : null,
                Features = ["crash sweep"],
            };
        }).ToList();
        var results = new RunResult[specs.Count];
        await PoolAsync(specs.Count, concurrency, async i =>
        {
            var result = await Scenario.RunAsync(connectionString, specs[i]);
            var differences = Differences(baseline.Check.Statuses, result.Check.Statuses);
            if (differences.Count > 0)
            {
                result = result with { Check = result.Check with { Violations = [.. result.Check.Violations, .. differences] } };
            }
            results[i] = result;
            onResult?.Invoke(result);
        });
        return [baseline, .. results];
    }

    public static async Task PoolAsync(int count, int concurrency, Func<int, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next)) await work(i);
        })));
    }

    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        var out_ = new List<string>();
        foreach (var (id, status) in expected)
        {
            var found = actual.GetValueOrDefault(id);
            if (found != status) out_.Add($"row {id} ended {found ?? "missing"} (without faults: {status})");
        }
        out_.AddRange(actual.Where(a => !expected.ContainsKey(a.Key)).Select(a => $"row {a.Key} ({a.Value}) exists only with faults"));
        return out_;
    }
}

/// <summary>The counts of a suite, printed as the TypeScript suite prints them and written as JSON.</summary>
public sealed class Summary
{
    private readonly Lock _gate = new();
    private readonly List<RunResult> _results = [];

    public void Add(RunResult result)
    {
        lock (_gate) _results.Add(result);
    }

    public IReadOnlyList<RunResult> Results
    {
        get
        {
            lock (_gate) return [.. _results];
        }
    }

    public IReadOnlyList<(string Run, string Violation)> Violations =>
        [.. Results.SelectMany(r => r.Check.Violations.Select(v => (r.Spec.Id ?? r.Spec.Label, v)))];

    public object ToJson(TimeSpan elapsed)
    {
        var results = Results;
        return new
        {
            runs = results.Count,
            runsByKind = Counts(results.Select(r => r.Spec.Label)),
            features = Counts(results.SelectMany(r => r.Spec.Features.Where(_ => r.Crashes.Count > 0 || !r.Spec.Features.Contains("crash sweep")))),
            planners = results.Sum(r => r.PlanAttempts),
            sendWorkers = results.Sum(r => r.HostAttempts),
            crashesInjected = results.Sum(r => r.Crashes.Count),
            crashPoints = Counts(results.SelectMany(r => r.Crashes)),
            acsAnswers = Counts(results.SelectMany(r => r.AcsAnswers.SelectMany(a => Enumerable.Repeat(a.Key, a.Value)))),
            storageOutages = results.Sum(r => r.Outages),
            queueOperationsFailedDuringOutages = results.Sum(r => r.StorageErrors),
            handlerFailuresRedelivered = results.Sum(r => r.HostErrors),
            handlerFailuresRedeliveredInOutageRuns = results.Where(r => r.Outages > 0).Sum(r => r.HostErrors),
            poisonedRedriven = results.Sum(r => r.Redriven),
            emails = results.Sum(r => r.Check.Emails),
            duplicates = results.Sum(r => r.Check.Duplicates),
            rowsByStatus = Counts(results.SelectMany(r => r.Check.RowsByStatus.SelectMany(s => Enumerable.Repeat(s.Key, s.Value)))),
            leftovers = results.SelectMany(r => r.Check.Leftovers).ToList(),
            violations = Violations.Select(v => new { run = v.Run, violation = v.Violation }).ToList(),
            seconds = Math.Round(elapsed.TotalSeconds),
        };
    }

    public string Render(TimeSpan elapsed)
    {
        var results = Results;
        var text = new StringBuilder();
        void Line(string label, object value) => text.Append(CultureInfo.InvariantCulture, $"{label,-40} {value}\n");
        var byKind = Counts(results.Select(r => r.Spec.Label));
        Line("runs", $"{results.Count} ({string.Join(", ", byKind.Select(k => $"{k.Key} {k.Value}"))})");
        foreach (var (feature, count) in Counts(results.Where(r => !r.Spec.Features.Contains("crash sweep") || r.Crashes.Count > 0).SelectMany(r => r.Spec.Features)))
        {
            Line($"  with {feature}", count);
        }
        Line("processes started (planners, send workers)", $"{results.Sum(r => r.PlanAttempts)}, {results.Sum(r => r.HostAttempts)}");
        var points = results.SelectMany(r => r.Crashes).Where(p => p != "dead").Select(p => p.Split(':')).GroupBy(p => p[0]).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Line("injected crashes", $"{results.Sum(r => r.Crashes.Count)} at {points.Count} points");
        foreach (var point in points)
        {
            Line($"  {point.Key}", $"before {point.Count(p => p[1] == "before"),4}   after {point.Count(p => p[1] == "after"),4}");
        }
        Line("ACS answers by status", string.Join(", ", Counts(results.SelectMany(r => r.AcsAnswers.SelectMany(a => Enumerable.Repeat(a.Key == "0" ? "no answer" : a.Key, a.Value))))
            .Select(a => $"{a.Key} {a.Value}")));
        Line("storage outages (Azurite restarted)", results.Sum(r => r.Outages));
        Line("queue operations failed during outages", results.Sum(r => r.StorageErrors));
        Line("handler failures redelivered", $"{results.Sum(r => r.HostErrors)} ({results.Where(r => r.Outages > 0).Sum(r => r.HostErrors)} in outage runs)");
        Line("poisoned messages re-driven", results.Sum(r => r.Redriven));
        Line("emails sent (taken by ACS)", results.Sum(r => r.Check.Emails));
        Line("duplicates (must be 0)", results.Sum(r => r.Check.Duplicates));
        Line("rows by final status", string.Join(", ", Counts(results.SelectMany(r => r.Check.RowsByStatus.SelectMany(s => Enumerable.Repeat(s.Key, s.Value)))).Select(s => $"{s.Key} {s.Value}")));
        Line("leftovers (planned/sending at the end)", results.Sum(r => r.Check.Leftovers.Count));
        Line("invariant violations", Violations.Count);
        foreach (var (run, violation) in Violations.Take(40)) text.Append(CultureInfo.InvariantCulture, $"  {run}: {violation}\n");
        Line("time", $"{(int)elapsed.TotalMinutes}m{elapsed.Seconds}s");
        return text.ToString();
    }

    private static List<KeyValuePair<string, int>> Counts(IEnumerable<string> items) =>
        [.. items.GroupBy(i => i, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, g.Count())).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
}
