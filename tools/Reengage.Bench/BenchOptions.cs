// The command line of the benchmarks program; a bad option is refused with its name and the usage.
using System.Globalization;

namespace Reengage.Bench;

internal enum Bench
{
    Planner,
    Render,
    Send,
    E2e,
    Load,
}

internal sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project tools/Reengage.Bench -- [options]
          --only planner|render|send|e2e|load   the benchmarks to run (repeat or comma-separate; all five by default)
          --ts-results DIR   the recorded TypeScript baseline, shown beside the C# figures: the text output (*.txt) of the
                             TypeScript benchmarks before their removal (tools/Reengage.Bench/typescript-baseline)
          --help             this text
          planner: --patients N (100000)  --practices N (100)
                   --million                then again at 1,000,000 patients in 1,000 practices, 1,800 sends/h
                   --sends-per-minute N (30)  --sends-per-hour N (100)   the ACS quota (the app's defaults)
                   --planner-concurrency N (16, PLANNER_CONCURRENCY)
          send:    --send-rows N (300)
          e2e:     --e2e-patients N (2000)  --e2e-sends-per-minute N (60000)  --e2e-in-flight N (16)
          load:    --events N (5000)  --concurrency N (50)  --load-patients N (1500)
        """;

    public IReadOnlyList<Bench> Only { get; init; } = Enum.GetValues<Bench>();
    public int Patients { get; init; } = 100_000;
    public int Practices { get; init; } = 100;
    public int SendsPerMinute { get; init; } = 30;
    public int SendsPerHour { get; init; } = 100;
    public int PlannerConcurrency { get; init; } = 16;
    public int SendRows { get; init; } = 300;
    public int EndToEndPatients { get; init; } = 2_000;
    public int EndToEndSendsPerMinute { get; init; } = 60_000;
    public int EndToEndInFlight { get; init; } = 16;
    public bool Million { get; init; }
    /// <summary>The recorded TypeScript baseline's directory; tools/Reengage.Bench/typescript-baseline when null.</summary>
    public string? TypeScriptResults { get; init; }
    public int Events { get; init; } = 5_000;
    public int Concurrency { get; init; } = 50;
    public int LoadPatients { get; init; } = 1_500;

    /// <summary>The options that take a value (the flags are --million and --help).</summary>
    private static readonly HashSet<string> ValueOptions =
    [
        "--only", "--ts-results", "--patients", "--practices", "--sends-per-minute", "--sends-per-hour", "--planner-concurrency",
        "--send-rows", "--e2e-patients", "--e2e-sends-per-minute", "--e2e-in-flight", "--events", "--concurrency", "--load-patients",
    ];

    /// <summary>The options, or the reason they are refused (null options).</summary>
    public static (BenchOptions? Options, string? Error, bool Help) Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        List<Bench>? only = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h") return (null, null, true);
            if (name == "--million")
            {
                options = options with { Million = true };
                continue;
            }
            if (!name.StartsWith("--", StringComparison.Ordinal)) return (null, $"unexpected argument \"{name}\"", false);
            if (!ValueOptions.Contains(name)) return (null, $"unknown option {name}", false);
            if (i + 1 >= args.Count) return (null, $"{name} needs a value", false);
            var value = args[++i];
            if (name == "--only")
            {
                only ??= [];
                foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!Enum.TryParse<Bench>(part, ignoreCase: true, out var bench) || !Enum.IsDefined(bench) || int.TryParse(part, out _))
                    {
                        return (null, $"--only must be planner, render, send, e2e or load, not \"{part}\"", false);
                    }
                    if (!only.Contains(bench)) only.Add(bench);
                }
                continue;
            }
            if (name == "--ts-results")
            {
                options = options with { TypeScriptResults = value };
                continue;
            }
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return (null, $"{name} must be a positive whole number, not \"{value}\"", false);
            }
            switch (name)
            {
                case "--patients": options = options with { Patients = n }; break;
                case "--practices": options = options with { Practices = n }; break;
                case "--sends-per-minute": options = options with { SendsPerMinute = n }; break;
                case "--sends-per-hour": options = options with { SendsPerHour = n }; break;
                case "--planner-concurrency": options = options with { PlannerConcurrency = n }; break;
                case "--send-rows": options = options with { SendRows = n }; break;
                case "--e2e-patients": options = options with { EndToEndPatients = n }; break;
                case "--e2e-sends-per-minute": options = options with { EndToEndSendsPerMinute = n }; break;
                case "--e2e-in-flight": options = options with { EndToEndInFlight = n }; break;
                case "--events": options = options with { Events = n }; break;
                case "--concurrency": options = options with { Concurrency = n }; break;
                case "--load-patients": options = options with { LoadPatients = n }; break;
                default: return (null, $"unknown option {name}", false);
            }
        }
        if (options.Practices > options.Patients) return (null, "--practices cannot exceed --patients", false);
        if (options.LoadPatients * 2 > options.Events) return (null, "--events must be at least twice --load-patients (each patient is upserted, then booked)", false);
        return (only is null ? options : options with { Only = only }, null, false);
    }
}
