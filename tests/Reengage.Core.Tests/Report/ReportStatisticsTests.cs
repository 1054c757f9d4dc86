using Reengage.Core.Model;
using Reengage.Core.Report;

namespace Reengage.Core.Tests.Report;

public sealed class ReportStatisticsTests
{
    private const int Decimals = 4;

    // R. G. Newcombe, Two-sided confidence intervals for the single proportion: comparison of seven methods, Statistics in
    // Medicine 1998;17:857-872, Table I, method 3 (Wilson's score interval without continuity correction), 95%.
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void Wilson_gives_the_published_intervals(int x, int n, double low, double high)
    {
        var ci = ReportStatistics.Wilson(x, n);
        Assert.Equal(low, ci.Low, Decimals);
        Assert.Equal(high, ci.High, Decimals);
    }

    // The same interval derived another way: the roots in p of (x/n - p)^2 = z^2 p (1 - p) / n.
    [Theory]
    [InlineData(4, 10)]
    [InlineData(1, 8)]
    [InlineData(0, 12)]
    [InlineData(12, 12)]
    [InlineData(37, 250)]
    public void Wilson_agrees_with_the_quadratic_roots(int x, int n)
    {
        const double z = 1.959963984540054;
        var p = (double)x / n;
        var a = 1 + z * z / n;
        var b = -(2 * p + z * z / n);
        var root = Math.Sqrt(b * b - 4 * a * p * p);
        var ci = ReportStatistics.Wilson(x, n);
        Assert.Equal(Math.Max(0, (-b - root) / (2 * a)), ci.Low, 12);
        Assert.Equal(Math.Min(1, (-b + root) / (2 * a)), ci.High, 12);
    }

    [Fact]
    public void Wilson_does_not_collapse_at_0_of_n()
    {
        // At x = 0 the upper limit is (z²/n) / (1 + z²/n) = 0.38415 / 1.38415 = 0.2775 for n = 10.
        var ci = ReportStatistics.Wilson(0, 10);
        Assert.Equal(0, ci.Low);
        Assert.Equal(0.2775, ci.High, Decimals);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(5, 4)]
    [InlineData(-1, 4)]
    public void Wilson_refuses_impossible_counts(int x, int n) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ReportStatistics.Wilson(x, n));

    // R. G. Newcombe, Interval estimation for the difference between independent proportions: comparison of eleven
    // methods, Statistics in Medicine 1998;17:873-890, Table II, method 10 (hybrid score interval), examples (a), (b), (d),
    // (e), (f) and (h). (a) and (b) are also the regression values of the R package propint's tests.
    [Theory]
    [InlineData(56, 70, 48, 80, 0.0524, 0.3339)]
    [InlineData(9, 10, 3, 10, 0.1705, 0.8090)]
    [InlineData(5, 56, 0, 29, -0.0381, 0.1926)]
    [InlineData(0, 10, 0, 20, -0.1611, 0.2775)]
    [InlineData(0, 10, 0, 10, -0.2775, 0.2775)]
    [InlineData(10, 10, 0, 10, 0.6075, 1.0000)]
    public void Newcombe_gives_the_published_intervals(int x1, int n1, int x0, int n0, double low, double high)
    {
        var ci = ReportStatistics.Newcombe(x1, n1, x0, n0);
        Assert.Equal(low, ci.Low, Decimals);
        Assert.Equal(high, ci.High, Decimals);
    }

    [Fact]
    public void Newcombe_is_the_mirror_image_when_the_groups_are_swapped()
    {
        var ab = ReportStatistics.Newcombe(4, 10, 1, 8);
        var ba = ReportStatistics.Newcombe(1, 8, 4, 10);
        Assert.Equal(-ab.High, ba.Low, 12);
        Assert.Equal(-ab.Low, ba.High, 12);
    }

    [Fact]
    public void Emails_help_when_the_interval_lies_above_0()
    {
        // docs/report.md's example: p1 = 40/100, p0 = 10/80, d = 0.275. Wilson 40/100 = (0.3094, 0.4980), 10/80 =
        // (0.0693, 0.2150): low = 0.275 - √(0.0906² + 0.0900²) = 0.1473, high = 0.275 + √(0.0980² + 0.0557²) = 0.3877.
        var result = ReportStatistics.Compare(new(100, 40), new(80, 10), 0, Locale.En);
        Assert.Equal(new OutcomeFigures(100, 40, 0.4), result.Emailed);
        Assert.Equal(new OutcomeFigures(80, 10, 0.125), result.HeldOut);
        Assert.Equal(0.275, result.Difference);
        Assert.Equal(0.1473, result.Ci95!.Value.Low, 3);
        Assert.Equal(0.3877, result.Ci95!.Value.High, 3);
        Assert.Equal("Newcombe hybrid score interval (method 10), 95%", result.Method);
        Assert.Equal(new Verdict(VerdictCode.Helps, "Emails seem to help: +27.5 points (95% CI +14.7 to +38.8)."), result.Verdict);
    }

    [Fact]
    public void The_verdict_is_said_in_French_with_lang_fr()
    {
        var result = ReportStatistics.Compare(new(100, 40), new(80, 10), 0, Locale.Fr);
        Assert.Equal("Les e-mails semblent aider : +27,5 points (IC à 95 % : +14,7 à +38,8).", result.Verdict.Text);
    }

    [Fact]
    public void No_measurable_effect_when_the_interval_contains_0()
    {
        // Pooled rate 10/60 = 1/6: 30/6 = 5 expected rebookings per group, exactly the threshold (≥ 5 passes).
        var en = ReportStatistics.Compare(new(30, 5), new(30, 5), 0, Locale.En);
        Assert.Equal(0, en.Difference);
        Assert.Equal(VerdictCode.NoEffect, en.Verdict.Code);
        Assert.StartsWith("No measurable effect yet: +0.0 points (95% CI -", en.Verdict.Text, StringComparison.Ordinal);
        var fr = ReportStatistics.Compare(new(30, 5), new(30, 5), 0, Locale.Fr);
        Assert.StartsWith("Pas d’effet mesurable pour l’instant : +0,0 points (IC à 95 % : -", fr.Verdict.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_emailed_group_rebooks_less_when_the_interval_lies_below_0()
    {
        var en = ReportStatistics.Compare(new(100, 5), new(100, 30), 0, Locale.En);
        Assert.Equal(-0.25, en.Difference);
        Assert.True(en.Ci95!.Value.High < 0);
        Assert.Equal(VerdictCode.Hurts, en.Verdict.Code);
        Assert.StartsWith("The emailed group rebooks less: -25.0 points (95% CI -", en.Verdict.Text, StringComparison.Ordinal);
        var fr = ReportStatistics.Compare(new(100, 5), new(100, 30), 0, Locale.Fr);
        Assert.StartsWith("Le groupe qui reçoit les e-mails reprend moins rendez-vous : -25,0 points (IC à 95 % : -", fr.Verdict.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, int, int, int> TooLittle => new()
    {
        { "29 emailed episodes", 29, 10, 100, 10 },
        { "29 held-out episodes", 100, 40, 29, 3 },
        // pooled 4/60: 30 × 0.0667 = 2 expected rebookings per group, below 5.
        { "too few expected rebookings", 30, 2, 30, 2 },
        // pooled 55/60: 30 × 0.0833 = 2.5 expected non-rebookings per group, below 5.
        { "too few expected non-rebookings", 30, 28, 30, 27 },
    };

    [Theory]
    [MemberData(nameof(TooLittle))]
    public void Not_enough_data_still_shows_the_interval(string why, int n1, int x1, int n0, int x0)
    {
        Assert.False(ReportStatistics.HasEnoughData(new(n1, x1), new(n0, x0)), why);
        var result = ReportStatistics.Compare(new(n1, x1), new(n0, x0), 0, Locale.En);
        Assert.Equal(VerdictCode.InsufficientData, result.Verdict.Code);
        Assert.Equal(
            $"Not enough data yet: {n1} emailed and {n0} held-out episodes so far. A fair comparison needs at least 30 episodes in each group and enough rebookings in each.",
            result.Verdict.Text);
        Assert.NotNull(result.Ci95);
        var fr = ReportStatistics.Compare(new(n1, x1), new(n0, x0), 0, Locale.Fr);
        Assert.Equal(
            $"Pas encore assez de données : {n1} épisodes avec e-mail et {n0} épisodes témoins pour l’instant. Une comparaison fiable demande au moins 30 épisodes par groupe et assez de reprises de rendez-vous dans chacun.",
            fr.Verdict.Text);
    }

    [Fact]
    public void Without_a_held_out_group_it_says_how_to_get_one()
    {
        var fr = ReportStatistics.Compare(new(200, 50), new(0, 0), 0, Locale.Fr);
        Assert.Null(fr.HeldOut.Rate);
        Assert.Null(fr.Difference);
        Assert.Null(fr.Ci95);
        Assert.Equal(
            new Verdict(VerdictCode.InsufficientData, "Pas encore assez de données : aucun épisode témoin (sans e-mail) pour l’instant. Réglez un pourcentage témoin (holdoutPercent) pour mesurer l’effet des e-mails."),
            fr.Verdict);
        var en = ReportStatistics.Compare(new(200, 50), new(0, 0), 3, Locale.En);
        Assert.Equal(3, en.ExcludedMixed);
        Assert.Equal(0.25, en.Emailed.Rate);
        Assert.Equal(
            "Not enough data yet: there are no held-out episodes so far. Set a holdout percentage (holdoutPercent) to measure what the emails do.",
            en.Verdict.Text);
    }

    [Theory]
    [InlineData(0.12345, 4, 0.1235)]
    [InlineData(0.33333, 4, 0.3333)]
    [InlineData(0.125, 2, 0.13)]
    [InlineData(-0.125, 2, -0.12)]
    [InlineData(-0.00001, 4, 0)]
    [InlineData(-0.25, 4, -0.25)]
    public void Rounding_is_half_up_like_JavaScript_and_never_negative_zero(double value, int decimals, double expected)
    {
        var rounded = ReportStatistics.Round(value, decimals);
        Assert.Equal(expected, rounded);
        Assert.False(double.IsNegative(rounded) && rounded == 0);
    }
}
