// --ts-results <dir>: the text output of the TypeScript benchmarks run in the same session (npm run bench, the planner at
// a million patients, npm run chaos, saved as *.txt). Their figures are shown beside the C# ones (prefixed "ts │") and kept
// whole in the JSON; the webhook load's throughput is read from them for the C# / TypeScript ratio.
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

internal sealed partial class TypeScriptResults
{
    private readonly IReadOnlyList<(string File, string[] Lines)> _files;

    private TypeScriptResults(string source, IReadOnlyList<(string File, string[] Lines)> files)
    {
        Source = source;
        _files = files;
        foreach (var (_, lines) in files)
        {
            foreach (var line in lines)
            {
                if (LoadLine().Match(line) is { Success: true } m
                    && int.Parse(m.Groups["concurrency"].Value, CultureInfo.InvariantCulture) is var concurrency
                    && concurrency > (LoadConcurrency ?? 0))
                {
                    LoadConcurrency = concurrency;
                    LoadPerSecond = double.Parse(m.Groups["rate"].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                }
            }
        }
    }

    /// <summary>The directory read, for the output.</summary>
    public string Source { get; }

    /// <summary>Webhooks per second of the TypeScript load benchmark at its highest concurrency, if found.</summary>
    public double? LoadPerSecond { get; private set; }

    public int? LoadConcurrency { get; private set; }

    /// <summary>The *.txt files of <paramref name="directory"/>, or the reason they cannot be read.</summary>
    public static (TypeScriptResults? Results, string? Error) Read(string directory)
    {
        if (!Directory.Exists(directory)) return (null, $"--ts-results: no directory {directory}");
        var files = Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllLines(f))).ToList();
        if (files.Count == 0) return (null, $"--ts-results: no *.txt file in {directory}");
        return (new TypeScriptResults(directory, files), null);
    }

    /// <summary>Prints the lines of the TypeScript output that carry the figures of one benchmark.</summary>
    public void Echo(Bench bench)
    {
        var pattern = bench switch
        {
            Bench.Planner => PlannerLines(),
            Bench.Send => SendLines(),
            Bench.Load => LoadLines(),
            _ => null,
        };
        if (pattern is null) return;
        foreach (var (file, lines) in _files)
        {
            var matching = lines.Where(l => pattern.IsMatch(l)).ToList();
            if (matching.Count == 0) continue;
            Line($"TypeScript, {file} (from --ts-results):");
            foreach (var line in matching) Console.WriteLine($"  ts │ {line.TrimEnd()}");
        }
    }

    public JsonObject Json() => new()
    {
        ["source"] = Source,
        ["loadPerSecond"] = LoadPerSecond,
        ["loadConcurrency"] = LoadConcurrency,
        ["files"] = new JsonObject(_files.Select(f => KeyValuePair.Create(f.File, (JsonNode?)string.Join('\n', f.Lines)))),
    };

    // "  concurrency 50: 5,000 events in 32.10 s = 155.6 events/s; latency ms p50 …"
    [GeneratedRegex(@"concurrency\s+(?<concurrency>\d+): [\d,]+ events in [\d.,]+ s = (?<rate>[\d.,]+) events/s")]
    private static partial Regex LoadLine();

    [GeneratedRegex(@"patients in [\d,]+ practices, seeded|planLapsedOutreach \(DueIndex\)|its read path alone|baseline: scan|partitions in flight|entities read  |wall time  |same due patient ids|second run on the same day|entities read by the planner")]
    private static partial Regex PlannerLines();

    [GeneratedRegex(@"^\s+\d+ workers?\s|ms,\s+\d+ workers?: drains")]
    private static partial Regex SendLines();

    [GeneratedRegex(@"signed generic webhooks|^\s+mix:|concurrency\s+\d+: [\d,]+ events|statuses:|concurrency \d+ vs 1|all events|check, concurrency")]
    private static partial Regex LoadLines();
}
