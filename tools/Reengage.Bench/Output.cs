// Console output of the benchmarks: headings, progress lines, aligned rows, ratios and verdicts.
using System.Diagnostics;
using System.Globalization;

namespace Reengage.Bench;

internal static class Output
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static CultureInfo Culture { get; } = CultureInfo.GetCultureInfo("en-GB");

    public static string Elapsed => $"{Clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s";

    public static void Heading(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('─', title.Length));
    }

    public static void Progress(string message) => Console.WriteLine($"  · {message} ({Elapsed})");

    private static int _lastPercent = -10;

    /// <summary>One line every ~10%.</summary>
    public static void Progress(string message, int done, int total)
    {
        var percent = (int)(done * 100L / Math.Max(1, total));
        if (percent < _lastPercent + 10 && done != total) return;
        _lastPercent = done == total ? -10 : percent;
        Console.WriteLine($"  · {message}: {Int(done)}/{Int(total)} ({percent}%, {Elapsed})");
    }

    public static void Line(string text = "") => Console.WriteLine(text.Length == 0 ? "" : "  " + text);

    public static void Row(string label, params string[] cells) =>
        Console.WriteLine("  " + label.PadRight(40) + string.Concat(cells.Select(c => c.PadLeft(17))));

    public static string Int(double n) => Math.Round(n).ToString("N0", Culture);

    public static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s";

    public static string Fixed(double n, int digits = 1) => n.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Ratio(double n) =>
        double.IsFinite(n) ? (n >= 100 ? n.ToString("F0", CultureInfo.InvariantCulture) : n.ToString("F2", CultureInfo.InvariantCulture)) + "x" : "n/a";

    public static string Verdict(bool met) => met ? "met" : "NOT met";
}
