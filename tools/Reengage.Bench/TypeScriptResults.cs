// The recorded TypeScript baseline: the text output of the TypeScript implementation's benchmarks (its bench, the planner
// at a million patients, its chaos suite, saved as *.txt) on this machine before its removal, in
// tools/Reengage.Bench/typescript-baseline/ unless --ts-results names another directory. Their figures are shown beside
// the C# ones (prefixed "ts │") and kept whole in the JSON; the renderer's emails per second and the webhook load's
// throughput are read from them for the C# / TypeScript ratios.
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
                if (RenderAverageLine().Match(line) is { Success: true } average)
                {
                    RenderAverageChars = Number(average.Groups["chars"].Value);
                }
                if (RenderWarmLine().Match(line) is { Success: true } warm)
                {
                    RenderWarmPerSecond = Number(warm.Groups["rate"].Value);
                }
                if (RenderColdLine().Match(line) is { Success: true } cold)
                {
                    RenderColdPerSecond = Number(cold.Groups["rate"].Value);
                }
                if (LoadLine().Match(line) is { Success: true } m
                    && int.Parse(m.Groups["concurrency"].Value, CultureInfo.InvariantCulture) is var concurrency
                    && concurrency > (LoadConcurrency ?? 0))
                {
                    LoadConcurrency = concurrency;
                    LoadPerSecond = Number(m.Groups["rate"].Value);
                }
            }
        }
    }

    /// <summary>Where the baseline is, relative to the repository's top, unless --ts-results names another directory.</summary>
    public static readonly string DefaultDirectory = Path.Combine("tools", "Reengage.Bench", "typescript-baseline");

    /// <summary>The directory read, for the output.</summary>
    public string Source { get; }

    /// <summary>Webhooks per second of the TypeScript load benchmark at its highest concurrency, if found.</summary>
    public double? LoadPerSecond { get; private set; }

    public int? LoadConcurrency { get; private set; }

    /// <summary>Emails per second of the TypeScript renderer, warm, on one thread, if found.</summary>
    public double? RenderWarmPerSecond { get; private set; }

    /// <summary>Emails per second of the TypeScript renderer's first (cold) renders, if found.</summary>
    public double? RenderColdPerSecond { get; private set; }

    /// <summary>The TypeScript emails' average size, subject + HTML + text, in characters, if found.</summary>
    public double? RenderAverageChars { get; private set; }

    /// <summary>The *.txt files of <paramref name="directory"/>, or the reason they cannot be read.</summary>
    public static (TypeScriptResults? Results, string? Error) Read(string directory)
    {
        if (!Directory.Exists(directory)) return (null, $"no directory {directory}");
        var files = Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllLines(f))).ToList();
        if (files.Count == 0) return (null, $"no *.txt file in {directory}");
        return (new TypeScriptResults(directory, files), null);
    }

    /// <summary>Prints the lines of the TypeScript output that carry the figures of one benchmark.</summary>
    public void Echo(Bench bench)
    {
        var pattern = bench switch
        {
            Bench.Planner => PlannerLines(),
            Bench.Render => RenderLines(),
            Bench.Send => SendLines(),
            Bench.Load => LoadLines(),
            _ => null,
        };
        if (pattern is null) return;
        foreach (var (file, lines) in _files)
        {
            var matching = lines.Where(l => pattern.IsMatch(l)).ToList();
            if (matching.Count == 0) continue;
            Line($"TypeScript baseline, {file} (recorded before its removal):");
            foreach (var line in matching) Console.WriteLine($"  ts │ {line.TrimEnd()}");
        }
    }

    public JsonObject Json() => new()
    {
        ["source"] = Source,
        ["loadPerSecond"] = LoadPerSecond,
        ["loadConcurrency"] = LoadConcurrency,
        ["renderWarmPerSecond"] = RenderWarmPerSecond,
        ["renderColdPerSecond"] = RenderColdPerSecond,
        ["renderAverageChars"] = RenderAverageChars,
        ["files"] = new JsonObject(_files.Select(f => KeyValuePair.Create(f.File, (JsonNode?)string.Join('\n', f.Lines)))),
    };

    private static double Number(string text) => double.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    // "  16 template/locale pairs, 9,488 renders over 3.01 s on one thread; an email averages 5,358 characters (subject + HTML + text)"
    [GeneratedRegex(@"template/locale pairs, [\d,]+ renders .*an email averages (?<chars>[\d,]+) characters")]
    private static partial Regex RenderAverageLine();

    // "  LiquidTemplateRenderer, warm                 3,155           0.317"
    [GeneratedRegex(@"^\s*LiquidTemplateRenderer, warm\s+(?<rate>[\d,]+(?:\.\d+)?)\s")]
    private static partial Regex RenderWarmLine();

    // "  baseline: first (cold) render                1,027           0.974" (the TypeScript render section's own row)
    [GeneratedRegex(@"^\s*baseline: first \(cold\) render\s+(?<rate>[\d,]+(?:\.\d+)?)\s")]
    private static partial Regex RenderColdLine();

    // "  concurrency 50: 5,000 events in 32.10 s = 155.6 events/s; latency ms p50 …"
    [GeneratedRegex(@"concurrency\s+(?<concurrency>\d+): [\d,]+ events in [\d.,]+ s = (?<rate>[\d.,]+) events/s")]
    private static partial Regex LoadLine();

    [GeneratedRegex(@"patients in [\d,]+ practices, seeded|planLapsedOutreach \(DueIndex\)|its read path alone|baseline: scan|partitions in flight|entities read  |wall time  |same due patient ids|second run on the same day|entities read by the planner")]
    private static partial Regex PlannerLines();

    [GeneratedRegex(@"template/locale pairs, [\d,]+ renders|LiquidTemplateRenderer, warm|baseline: first \(cold\) render|baseline: string concatenation|warm vs cold:")]
    private static partial Regex RenderLines();

    [GeneratedRegex(@"^\s+\d+ workers?\s|ms,\s+\d+ workers?: drains")]
    private static partial Regex SendLines();

    [GeneratedRegex(@"signed generic webhooks|^\s+mix:|concurrency\s+\d+: [\d,]+ events|statuses:|concurrency \d+ vs 1|all events|check, concurrency")]
    private static partial Regex LoadLines();
}
