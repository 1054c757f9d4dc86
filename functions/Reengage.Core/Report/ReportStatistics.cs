// The holdout comparison's statistics: Wilson and Newcombe intervals, when there is enough data, the verdict in words.
using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Core.Report;

/// <summary>A closed interval; for a difference of proportions both ends lie in [-1, 1].</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>A group of episodes of the holdout comparison: how many, and how many were followed by a booking.</summary>
public readonly record struct GroupOutcome(int Episodes, int Rebooked);

public enum VerdictCode
{
    [WireName("insufficient_data")] InsufficientData,
    [WireName("helps")] Helps,
    [WireName("no_effect")] NoEffect,
    [WireName("hurts")] Hurts,
}

public sealed record Verdict(VerdictCode Code, string Text);

/// <summary>One side of the comparison as reported: the counts and the rate (4 decimals; null without episodes).</summary>
public sealed record OutcomeFigures(int Episodes, int Rebooked, double? Rate);

/// <summary>Emailed against held-out episodes: the rates, their difference with its 95% interval, and the verdict.</summary>
public sealed record HoldoutComparison(
    OutcomeFigures Emailed,
    OutcomeFigures HeldOut,
    int ExcludedMixed,
    double? Difference,
    Interval? Ci95,
    string Method,
    Verdict Verdict);

public static class ReportStatistics
{
    /// <summary>z for a two-sided 95% interval (the 0.975 quantile of the standard normal).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Below this many episodes in either group, the comparison is not attempted.</summary>
    public const int MinEpisodesPerGroup = 30;

    /// <summary>
    /// Below this many expected rebookings (or non-rebookings) in either group under the pooled rate, a difference of a
    /// few episodes swings the result: the classical rule of thumb before comparing two proportions.
    /// </summary>
    public const int MinExpectedPerCell = 5;

    public const string Method = "Newcombe hybrid score interval (method 10), 95%";

    /// <summary>
    /// Wilson score interval for x/n without continuity correction (E. B. Wilson, 1927; method 3 of Newcombe, Statistics
    /// in Medicine 1998;17:857-872). Unlike the Wald interval it stays inside [0, 1] and does not collapse at 0/n or n/n.
    /// </summary>
    public static Interval Wilson(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        var n = (double)trials;
        var p = successes / n;
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / denominator;
        var halfWidth = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        return new Interval(Math.Max(0, centre - halfWidth), Math.Min(1, centre + halfWidth));
    }

    /// <summary>
    /// Interval for p1 - p0 of two independent proportions by Newcombe's hybrid score method (method 10 of R. G. Newcombe,
    /// Interval estimation for the difference between independent proportions: comparison of eleven methods, Statistics
    /// in Medicine 1998;17:873-890): each proportion gets its Wilson interval (l, u), and the distances from each
    /// estimate to its limits are combined in quadrature. Its coverage stays close to nominal with the small, lopsided
    /// groups a practice has, where the textbook Wald interval is far too narrow.
    /// </summary>
    public static Interval Newcombe(int x1, int n1, int x0, int n0, double z = Z95)
    {
        var w1 = Wilson(x1, n1, z);
        var w0 = Wilson(x0, n0, z);
        var p1 = (double)x1 / n1;
        var p0 = (double)x0 / n0;
        var d = p1 - p0;
        return new Interval(
            Math.Max(-1, d - Math.Sqrt(Square(p1 - w1.Low) + Square(w0.High - p0))),
            Math.Min(1, d + Math.Sqrt(Square(w1.High - p1) + Square(p0 - w0.Low))));
    }

    /// <summary>
    /// At least 30 episodes in each group, and under the pooled rate p = (x1 + x0) / (n1 + n0) at least 5 expected
    /// rebookings and 5 expected non-rebookings in each (n·p ≥ 5 and n·(1 − p) ≥ 5).
    /// </summary>
    public static bool HasEnoughData(GroupOutcome emailed, GroupOutcome heldOut)
    {
        var n1 = emailed.Episodes;
        var n0 = heldOut.Episodes;
        if (n1 < MinEpisodesPerGroup || n0 < MinEpisodesPerGroup) return false;
        var pooled = (double)(emailed.Rebooked + heldOut.Rebooked) / (n1 + n0);
        var smallestExpected = new[] { n1 * pooled, n0 * pooled, n1 * (1 - pooled), n0 * (1 - pooled) }.Min();
        return smallestExpected >= MinExpectedPerCell;
    }

    public static HoldoutComparison Compare(GroupOutcome emailed, GroupOutcome heldOut, int excludedMixed, Locale language)
    {
        double? p1 = emailed.Episodes > 0 ? (double)emailed.Rebooked / emailed.Episodes : null;
        double? p0 = heldOut.Episodes > 0 ? (double)heldOut.Rebooked / heldOut.Episodes : null;
        Interval? ci = null;
        double? difference = null;
        var code = VerdictCode.InsufficientData;
        if (p1 is { } rate1 && p0 is { } rate0)
        {
            var interval = Newcombe(emailed.Rebooked, emailed.Episodes, heldOut.Rebooked, heldOut.Episodes);
            ci = interval;
            difference = rate1 - rate0;
            if (HasEnoughData(emailed, heldOut))
            {
                code = interval.Low > 0 ? VerdictCode.Helps : interval.High < 0 ? VerdictCode.Hurts : VerdictCode.NoEffect;
            }
        }
        return new HoldoutComparison(
            new OutcomeFigures(emailed.Episodes, emailed.Rebooked, Round(p1, 4)),
            new OutcomeFigures(heldOut.Episodes, heldOut.Rebooked, Round(p0, 4)),
            excludedMixed,
            Round(difference, 4),
            ci is { } c ? new Interval(Round(c.Low, 4), Round(c.High, 4)) : null,
            Method,
            new Verdict(code, VerdictText(code, language, emailed, heldOut, difference ?? 0, ci ?? default)));
    }

    /// <summary>
    /// Rounds half up (towards +∞) as JavaScript's <c>Math.round</c> does, so both implementations print the same figures,
    /// and never answers −0.
    /// </summary>
    public static double Round(double value, int decimals)
    {
        var factor = Math.Pow(10, decimals);
        var rounded = Math.Floor(value * factor + 0.5) / factor;
        return rounded == 0 ? 0 : rounded;
    }

    public static double? Round(double? value, int decimals) => value is { } v ? Round(v, decimals) : null;

    private static double Square(double value) => value * value;

    private static string VerdictText(VerdictCode code, Locale language, GroupOutcome emailed, GroupOutcome heldOut, double difference, Interval ci)
    {
        var fr = language == Locale.Fr;
        if (code == VerdictCode.InsufficientData)
        {
            if (heldOut.Episodes == 0)
            {
                return fr
                    ? "Pas encore assez de données : aucun épisode témoin (sans e-mail) pour l’instant. Réglez un pourcentage témoin (holdoutPercent) pour mesurer l’effet des e-mails."
                    : "Not enough data yet: there are no held-out episodes so far. Set a holdout percentage (holdoutPercent) to measure what the emails do.";
            }
            return fr
                ? $"Pas encore assez de données : {emailed.Episodes} épisodes avec e-mail et {heldOut.Episodes} épisodes témoins pour l’instant. Une comparaison fiable demande au moins {MinEpisodesPerGroup} épisodes par groupe et assez de reprises de rendez-vous dans chacun."
                : $"Not enough data yet: {emailed.Episodes} emailed and {heldOut.Episodes} held-out episodes so far. A fair comparison needs at least {MinEpisodesPerGroup} episodes in each group and enough rebookings in each.";
        }
        var figures = fr
            ? $"{Points(difference, ',')} points (IC à 95 % : {Points(ci.Low, ',')} à {Points(ci.High, ',')})"
            : $"{Points(difference, '.')} points (95% CI {Points(ci.Low, '.')} to {Points(ci.High, '.')})";
        return (code, fr) switch
        {
            (VerdictCode.Helps, true) => $"Les e-mails semblent aider : {figures}.",
            (VerdictCode.Helps, false) => $"Emails seem to help: {figures}.",
            (VerdictCode.Hurts, true) => $"Le groupe qui reçoit les e-mails reprend moins rendez-vous : {figures}.",
            (VerdictCode.Hurts, false) => $"The emailed group rebooks less: {figures}.",
            (_, true) => $"Pas d’effet mesurable pour l’instant : {figures}.",
            (_, false) => $"No measurable effect yet: {figures}.",
        };
    }

    /// <summary>A difference of proportions as signed percentage points with one decimal: 0.275 → "+27.5".</summary>
    private static string Points(double value, char decimalSeparator)
    {
        var rounded = Math.Floor(value * 1000 + 0.5) / 10;
        var text = Math.Abs(rounded).ToString("F1", CultureInfo.InvariantCulture).Replace('.', decimalSeparator);
        return (rounded < 0 ? "-" : "+") + text;
    }
}
