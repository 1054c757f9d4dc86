// Render benchmark: emails (subject + HTML + text) per second from ScribanTemplateRenderer on one thread, over the 8
// templates x 2 locales with the full sample context (BenchmarkDotNet, in-process, short job), beside baselines of the
// same run — a fresh renderer's first (cold) renders, the same renderer without its context pool, plain string
// concatenation of an email of the same size — and the TypeScript renderer's figures from the recorded baseline.
using System.Net;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Templates;
using static Reengage.Bench.Output;

namespace Reengage.Bench;

/// <summary>Each benchmark produces the 16 emails once; BenchmarkDotNet reports the time of one email.</summary>
[MemoryDiagnoser]
#pragma warning disable CA1515 // BenchmarkDotNet needs a public, unsealed class.
public class RenderBenchmarks
#pragma warning restore CA1515
{
    public const int Pairs = 16;

    private (TemplateId Template, Locale Locale, RenderContext Context)[] _pairs = [];
    private IReadOnlyDictionary<string, string> _files = new Dictionary<string, string>();
    private ScribanTemplateRenderer _warm = null!;
    private ScribanTemplateRenderer _unpooled = null!;
    private Func<RenderedEmail>[] _concatenation = [];

    [GlobalSetup]
    public void Setup()
    {
        _pairs = [.. Enum.GetValues<TemplateId>().SelectMany(t => Enum.GetValues<Locale>().Select(l => (t, l, SampleContexts.Full(l, t))))];
        _files = ScribanTemplateRenderer.LoadEmbeddedLibrary();
        _warm = new ScribanTemplateRenderer(_files, TemplateRenderLimits.Default);
        _unpooled = new ScribanTemplateRenderer(_files, TemplateRenderLimits.Default with { MaxPooledContexts = 0 });
        _concatenation = [.. _pairs.Select(p => ConcatenationOfSameSize(p.Context, _warm.Render(p.Template, p.Locale, p.Context)))];
    }

    /// <summary>The renderer as the app uses it: templates compiled once, contexts pooled.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int Warm()
    {
        var chars = 0;
        foreach (var (template, locale, context) in _pairs) chars += _warm.Render(template, locale, context).Html.Length;
        return chars;
    }

    /// <summary>Baseline: a fresh renderer per round, so every email pays its template's parsing (the files are already in memory).</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int Cold()
    {
        var fresh = new ScribanTemplateRenderer(_files, TemplateRenderLimits.Default);
        var chars = 0;
        foreach (var (template, locale, context) in _pairs) chars += fresh.Render(template, locale, context).Html.Length;
        return chars;
    }

    /// <summary>Baseline: compiled templates, but a Scriban context built for every email (no pool).</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int WarmWithoutContextPool()
    {
        var chars = 0;
        foreach (var (template, locale, context) in _pairs) chars += _unpooled.Render(template, locale, context).Html.Length;
        return chars;
    }

    /// <summary>The floor: the variable parts HTML-escaped and glued between fixed strings cut to the rendered sizes.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int Concatenation()
    {
        var chars = 0;
        foreach (var build in _concatenation) chars += build().Html.Length;
        return chars;
    }

    /// <summary>The 16 emails' average size, subject + HTML + text, in characters.</summary>
    public double AverageChars()
    {
        Setup();
        return _pairs.Average(p => _warm.Render(p.Template, p.Locale, p.Context) is var e ? e.Subject.Length + e.Html.Length + e.Text.Length : 0);
    }

    private static Func<RenderedEmail> ConcatenationOfSameSize(RenderContext context, RenderedEmail sample)
    {
        static string Filler(int size) => new('x', Math.Max(0, size));
        var first = context.Patient.FirstName ?? "";
        var subjectFixed = Filler(sample.Subject.Length - first.Length);
        var htmlFixed = Filler(sample.Html.Length / 4);
        var textFixed = Filler(sample.Text.Length / 4);
        return () =>
        {
            var name = WebUtility.HtmlEncode(first);
            var therapist = WebUtility.HtmlEncode(context.Therapist.DisplayName);
            var practice = WebUtility.HtmlEncode(context.Practice.Name);
            return new RenderedEmail(
                subjectFixed + first,
                string.Concat(htmlFixed, name, htmlFixed, WebUtility.HtmlEncode(context.Links.Book), htmlFixed, therapist, htmlFixed, practice),
                string.Concat(textFixed, first, textFixed, context.Links.Book, textFixed, textFixed));
        };
    }
}

internal static class RenderBench
{
    public const double TargetTimesTypeScript = 10;

    public static void Run(string root, TypeScriptResults? typeScript, string? typeScriptProblem, JsonObject report)
    {
        var averageChars = new RenderBenchmarks().AverageChars();
        Progress("BenchmarkDotNet, in process, short job (3 warm-up and 3 measured iterations per benchmark)");
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(new IndentedLogger())
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(root, "artifacts", "BenchmarkDotNet"))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.DisableOptimizationsValidator);
        var summary = BenchmarkRunner.Run<RenderBenchmarks>(config);
        var perSecond = new Dictionary<string, double>(StringComparer.Ordinal);
        var allocated = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var r in summary.Reports)
        {
            var name = r.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            if (r.ResultStatistics is { } stats) perSecond[name] = 1e9 / stats.Mean;
            allocated[name] = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase);
        }
        double Rate(string name) => perSecond.TryGetValue(name, out var v) ? v : double.NaN;
        var warm = Rate(nameof(RenderBenchmarks.Warm));

        var tsWarm = typeScript?.RenderWarmPerSecond;
        var tsProblem = typeScript is null
            ? typeScriptProblem ?? "no recorded TypeScript baseline"
            : tsWarm is null ? $"no render figures in {typeScript.Source}" : null;

        Line();
        Line($"{RenderBenchmarks.Pairs} template/locale pairs, full sample context, one thread; a C# email averages {Int(averageChars)} characters (subject + HTML + text)" +
            (typeScript?.RenderAverageChars is { } tsChars ? $", a TypeScript one {Int(tsChars)}" : ""));
        Line();
        Row("", "emails/s", "µs/email", "bytes/email");
        void Show(string label, string name) => Row(label, Int(Rate(name)), Fixed(1e6 / Rate(name), 2), allocated.GetValueOrDefault(name) is { } b ? Int(b) : "");
        Show("ScribanTemplateRenderer, warm", nameof(RenderBenchmarks.Warm));
        Show("baseline: first (cold) render", nameof(RenderBenchmarks.Cold));
        Show("baseline: warm, no context pool", nameof(RenderBenchmarks.WarmWithoutContextPool));
        Show("floor: string concatenation", nameof(RenderBenchmarks.Concatenation));
        if (tsWarm is { } tsWarmRate)
        {
            Row("TypeScript LiquidTemplateRenderer, warm (baseline)", Int(tsWarmRate), Fixed(1e6 / tsWarmRate, 2), "");
            if (typeScript?.RenderColdPerSecond is { } tsCold) Row("  its first (cold) render", Int(tsCold), "", "");
        }
        Line();
        Line($"warm vs cold {Ratio(warm / Rate(nameof(RenderBenchmarks.Cold)))}; the context pool gives {Ratio(warm / Rate(nameof(RenderBenchmarks.WarmWithoutContextPool)))}; " +
            $"string concatenation is {Ratio(Rate(nameof(RenderBenchmarks.Concatenation)) / warm)} faster than Scriban");
        var ratio = tsWarm is { } t ? warm / t : double.NaN;
        Line(tsWarm is null
            ? $"C# / TypeScript: not measured ({tsProblem}) — target >= {TargetTimesTypeScript}x: NOT met (no TypeScript figure to compare with)"
            : $"C# / TypeScript, warm: {Ratio(ratio)} — target >= {TargetTimesTypeScript}x: {Verdict(ratio >= TargetTimesTypeScript)}" +
              (ratio >= TargetTimesTypeScript ? "" : $" (the C# renderer spends {Fixed(1e6 / warm, 1)} µs and allocates {Int(allocated.GetValueOrDefault(nameof(RenderBenchmarks.Warm)) ?? 0)} bytes per email; " +
                  $"both are one thread; the TypeScript figure is the recorded baseline of {typeScript?.Source}, load average now {Machine.LoadText()})"));

        report["render"] = new JsonObject
        {
            ["pairs"] = RenderBenchmarks.Pairs,
            ["averageChars"] = averageChars,
            ["job"] = "BenchmarkDotNet ShortRun, InProcessEmitToolchain, one email per operation",
            ["perSecond"] = new JsonObject(perSecond.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["allocatedBytesPerEmail"] = new JsonObject(allocated.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["typeScript"] = tsWarm is null ? null : new JsonObject
            {
                ["source"] = typeScript?.Source,
                ["warm"] = new JsonObject { ["perSecond"] = tsWarm },
                ["cold"] = new JsonObject { ["perSecond"] = typeScript?.RenderColdPerSecond },
                ["averageChars"] = typeScript?.RenderAverageChars,
            },
            ["typeScriptProblem"] = tsProblem,
            ["ratioOverTypeScript"] = double.IsFinite(ratio) ? ratio : null,
            ["target"] = new JsonObject { ["timesTypeScript"] = TargetTimesTypeScript, ["met"] = double.IsFinite(ratio) && ratio >= TargetTimesTypeScript },
            ["loadAverage"] = new JsonArray([.. Machine.LoadAverage().Select(l => (JsonNode)l)]),
        };
    }

    /// <summary>BenchmarkDotNet's own log, indented under the heading; its summary table is kept, its chatter not.</summary>
    private sealed class IndentedLogger : ILogger
    {
        private bool _inSummary;
        private bool _lineStarted;

        public string Id => "indented";
        public int Priority => 0;

        public void Write(LogKind logKind, string text)
        {
            if (!_inSummary) return;
            Console.Write(_lineStarted ? text : "    " + text);
            _lineStarted = true;
        }

        public void WriteLine()
        {
            if (_inSummary) Console.WriteLine();
            _lineStarted = false;
        }

        public void WriteLine(LogKind logKind, string text)
        {
            if (text.Contains("Summary", StringComparison.Ordinal) && logKind == LogKind.Header) _inSummary = true;
            if (text.StartsWith("// * Legends", StringComparison.Ordinal) || text.StartsWith("// ***** BenchmarkRunner: End", StringComparison.Ordinal)) _inSummary = false;
            if (_inSummary) Console.WriteLine((_lineStarted ? "" : "    ") + text);
            _lineStarted = false;
        }

        public void Flush()
        {
        }
    }
}
