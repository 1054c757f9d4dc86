using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reengage.Core.Model;
using Reengage.Core.Report;

namespace Reengage.Core.Tests.Report;

/// <summary>What the intervals promise for any counts a practice can have.</summary>
public sealed class ReportStatisticsProperties
{
    private const double Tolerance = 1e-12;

    /// <summary>x successes out of n trials, n from 1 to 5,000, with the corners (0/n, n/n) drawn often.</summary>
    private static readonly Gen<(int X, int N)> Counts =
        from n in Gen.Frequency((1, Gen.Choose(1, 10)), (2, Gen.Choose(1, 5_000)))
        from x in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(n)), (4, Gen.Choose(0, n)))
        select (x, n);

    private static readonly Gen<((int X, int N) Emailed, (int X, int N) HeldOut)> Pairs =
        from emailed in Counts
        from heldOut in Counts
        select (emailed, heldOut);

    [Property(MaxTest = 500)]
    public Property Wilson_contains_the_estimate_and_stays_within_0_and_1() =>
        Prop.ForAll(Counts.ToArbitrary(), c =>
        {
            var p = (double)c.X / c.N;
            var ci = ReportStatistics.Wilson(c.X, c.N);
            return ci.Low >= 0 && ci.High <= 1 && ci.Low <= p + Tolerance && p <= ci.High + Tolerance && ci.Low < ci.High;
        });

    [Property(MaxTest = 500)]
    public Property Newcombe_contains_the_difference_and_stays_within_minus_1_and_1() =>
        Prop.ForAll(Pairs.ToArbitrary(), pair =>
        {
            var ((x1, n1), (x0, n0)) = pair;
            var d = (double)x1 / n1 - (double)x0 / n0;
            var ci = ReportStatistics.Newcombe(x1, n1, x0, n0);
            return ci.Low >= -1 && ci.High <= 1 && ci.Low <= d + Tolerance && d <= ci.High + Tolerance && ci.Low < ci.High;
        });

    [Property(MaxTest = 300)]
    public Property Swapping_the_groups_mirrors_the_interval() =>
        Prop.ForAll(Pairs.ToArbitrary(), pair =>
        {
            var ((x1, n1), (x0, n0)) = pair;
            var ab = ReportStatistics.Newcombe(x1, n1, x0, n0);
            var ba = ReportStatistics.Newcombe(x0, n0, x1, n1);
            return Math.Abs(ab.Low + ba.High) < 1e-9 && Math.Abs(ab.High + ba.Low) < 1e-9;
        });

    [Property(MaxTest = 500)]
    public Property The_verdict_agrees_with_the_interval_it_shows() =>
        Prop.ForAll(Pairs.ToArbitrary(), pair =>
        {
            var emailed = new GroupOutcome(pair.Emailed.N, pair.Emailed.X);
            var heldOut = new GroupOutcome(pair.HeldOut.N, pair.HeldOut.X);
            var result = ReportStatistics.Compare(emailed, heldOut, 0, Locale.En);
            var ci = result.Ci95!.Value;
            var enough = ReportStatistics.HasEnoughData(emailed, heldOut);
            var consistent = result.Verdict.Code switch
            {
                VerdictCode.Helps => enough && ci.Low >= 0,
                VerdictCode.Hurts => enough && ci.High <= 0,
                VerdictCode.NoEffect => enough && ci.Low <= 0 && ci.High >= 0,
                _ => !enough,
            };
            return consistent && result.Difference >= ci.Low - 1e-4 && result.Difference <= ci.High + 1e-4;
        });
}
