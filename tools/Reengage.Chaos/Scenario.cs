// One chaos run: seed a world, plan it and send it with faults (crashed workers, duplicate and concurrent deliveries,
// concurrent planners, a flaky ACS), restart what died, drain once faults stop, then check the invariants.
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Ports;
using Reengage.Functions.Patients;

namespace Reengage.Chaos;

/// <summary>The crash plan of each new worker process, by how many of its kind were started before it in this run.</summary>
public delegate CrashPlan? CrashPicker(int attempt);

public enum Concurrency
{
    None,
    /// <summary>Two planner invocations at once on the same instance.</summary>
    SameHost,
    /// <summary>Two planner invocations at once on two instances over the same storage.</summary>
    TwoHosts,
}

public sealed record RunSpec
{
    public required string Label { get; init; }
    public string? Id { get; init; }
    public required int Seed { get; init; }
    public IReadOnlyList<PatientKind>? Kinds { get; init; }
    public CrashPicker? PlanningCrash { get; init; }
    public Concurrency Planners { get; init; }
    public bool DuplicateMessages { get; init; }
    public CrashPicker? SendingCrash { get; init; }
    public int SendingHosts { get; init; } = 1;
    public AcsChaos? AcsChaos { get; init; }
    /// <summary>Crashes allowed in the whole run; later processes run clean, so every run ends.</summary>
    public int MaxCrashes { get; init; } = int.MaxValue;
    public IReadOnlyList<string> Features { get; init; } = [];
}

public sealed record RunResult
{
    public required RunSpec Spec { get; init; }
    public required CheckResult Check { get; init; }
    public required IReadOnlyList<string> Crashes { get; init; }
    public required int PlanAttempts { get; init; }
    public required int HostAttempts { get; init; }
    public required IReadOnlyDictionary<string, int> AcsAnswers { get; init; }
    public required int Redriven { get; init; }
    public required int HostErrors { get; init; }
    public required TimeSpan Duration { get; init; }
    /// <summary>Times storage was stopped and restarted during the run (outage runs).</summary>
    public int Outages { get; init; }
    /// <summary>Queue operations of the hosts that failed while storage was down.</summary>
    public int StorageErrors { get; init; }
}

public static class Scenario
{
    public static async Task<RunResult> RunAsync(string connectionString, RunSpec spec)
    {
        await using var env = await ChaosEnv.CreateAsync(connectionString, spec.AcsChaos, World.PlanningInstant.AddDays(-400));
        return await RunInAsync(env, spec);
    }

    /// <summary>
    /// A run on its own Azurite on disk, stopped after the <paramref name="stopAfter"/>th message of the drain and
    /// started again on the same ports and folder <paramref name="down"/> later: the handlers meet storage errors
    /// meanwhile, which are retryable, so their messages are redelivered once storage is back.
    /// </summary>
    public static async Task<RunResult> RunStorageOutageAsync(RunSpec spec, int stopAfter, TimeSpan down)
    {
        await using var outage = await StorageOutage.StartAsync(stopAfter, down);
        RunResult result;
        await using (var env = await ChaosEnv.CreateAsync(outage.ConnectionString, spec.AcsChaos, World.PlanningInstant.AddDays(-400)))
        {
            result = await RunInAsync(env, spec, outage);
        }
        return result with { Outages = outage.Outages };
    }

    private static async Task<RunResult> RunInAsync(ChaosEnv env, RunSpec spec, StorageOutage? outage = null)
    {
        var started = Stopwatch.StartNew();
        var world = World.Build(spec.Seed, spec.Kinds);
        await world.SeedAsync(env.Services.GetRequiredService<IPracticeStore>(), env.Services.GetRequiredService<PatientSaver>());
        env.Clock.SetUtcNow(world.PlanAt);

        var crashes = new List<string>();
        var gate = new Lock();
        // A crash is reserved when a process that may crash starts, and given back if it survives.
        var budget = spec.MaxCrashes;
        SimulatedProcess ProcessFor(CrashPicker? picker, int attempt)
        {
            lock (gate)
            {
                var plan = budget > 0 ? picker?.Invoke(attempt) : null;
                if (plan is not null) budget--;
                return new SimulatedProcess(plan);
            }
        }
        void Ended(SimulatedProcess process)
        {
            lock (gate)
            {
                if (process.Crash is { } crash) crashes.Add(crash.Point);
                else if (process.MayCrash) budget++;
            }
        }

        // Planning: each invocation is a process; one that dies is invoked again (same day, same clock).
        var planAttempts = 0;
        async Task PlanAsync(int host)
        {
            for (var attempt = 0; ; attempt++)
            {
                Interlocked.Increment(ref planAttempts);
                var process = ProcessFor(spec.PlanningCrash, attempt);
                await QueueHost.RunPlannersAsync(env.Planner(host, process));
                Ended(process);
                if (!process.Dead) return;
            }
        }
        switch (spec.Planners)
        {
            case Concurrency.SameHost:
                await Task.WhenAll(Task.Run(() => PlanAsync(0)), Task.Run(() => PlanAsync(0)));
                break;
            case Concurrency.TwoHosts:
                var other = env.AddHost();
                await Task.WhenAll(Task.Run(() => PlanAsync(0)), Task.Run(() => PlanAsync(other)));
                break;
            default:
                await PlanAsync(0);
                break;
        }

        if (spec.DuplicateMessages) await QueueHost.DuplicateEveryMessageAsync(env.Queue);

        // Sending: each host is a worker process draining the queue; one that dies is restarted.
        var reports = new List<QueueHostReport>();
        var hostAttempts = 0;
        while (env.HostCount < spec.SendingHosts) env.AddHost();
        async Task DrainAsync(int host)
        {
            for (var attempt = 0; ; attempt++)
            {
                Interlocked.Increment(ref hostAttempts);
                var process = ProcessFor(spec.SendingCrash, attempt);
                var report = await QueueHost.DrainAsync(env, env.SendFunction(host, process), process, spec.SendingHosts > 1 ? 2 : 32, outage);
                lock (gate) reports.Add(report);
                Ended(process);
                if (report.Crash is null) return;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, spec.SendingHosts).Select(h => Task.Run(() => DrainAsync(h))));

        // Faults stop (no more crashes, storage back; ACS keeps its own): drain, and re-drive what was poisoned, until done.
        if (outage is not null) await outage.RestoredAsync();
        var redriven = 0;
        for (var round = 0; round < 20; round++)
        {
            reports.Add(await QueueHost.DrainAsync(env, env.SendFunction(0, new SimulatedProcess()), null));
            var moved = await QueueHost.RedrivePoisonAsync(env.Queue, env.Poison);
            redriven += moved;
            if (moved == 0 && await QueueHost.DepthAsync(env.Queue) == 0) break;
        }
        await env.SettleAcsAsync();

        var requests = env.Acs.Requests;
        var check = await Invariants.CheckAsync(env.Services, world, requests, env.Acs.Sent, await QueueHost.DepthAsync(env.Queue), await QueueHost.DepthAsync(env.Poison));
        return new RunResult
        {
            Spec = spec,
            Check = check,
            Crashes = crashes,
            PlanAttempts = planAttempts,
            HostAttempts = hostAttempts,
            AcsAnswers = requests.GroupBy(r => r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()),
            Redriven = redriven,
            HostErrors = reports.Sum(r => r.Errors),
            StorageErrors = reports.Sum(r => r.StorageErrors),
            Duration = started.Elapsed,
        };
    }

    /// <summary>The port calls (<c>port.Method</c>) of one clean planning pass, or of one clean drain after it: what a sweep walks.</summary>
    public static async Task<IReadOnlyList<string>> CallsOfAsync(string connectionString, RunSpec spec, bool sending)
    {
        await using var env = await ChaosEnv.CreateAsync(connectionString, null, World.PlanningInstant.AddDays(-400));
        var world = World.Build(spec.Seed, spec.Kinds);
        await world.SeedAsync(env.Services.GetRequiredService<IPracticeStore>(), env.Services.GetRequiredService<PatientSaver>());
        env.Clock.SetUtcNow(world.PlanAt);
        var planning = new SimulatedProcess();
        await QueueHost.RunPlannersAsync(env.Planner(0, planning));
        if (!sending) return planning.Trace;
        var drain = new SimulatedProcess();
        await QueueHost.DrainAsync(env, env.SendFunction(0, drain), drain);
        return drain.Trace;
    }
}
