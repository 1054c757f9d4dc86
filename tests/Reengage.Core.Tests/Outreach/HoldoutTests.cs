using FsCheck;
using FsCheck.Xunit;
using Reengage.Core.Outreach;

namespace Reengage.Core.Tests.Outreach;

public sealed class HoldoutTests
{
    [Fact]
    public void The_same_patients_are_held_out_as_by_the_TypeScript_implementation()
    {
        // Computed with Node's crypto through the TypeScript isHeldOut, independently of this code.
        int[] expected = [2, 7, 8, 11, 16, 17, 21, 22, 23, 26, 30, 40, 41, 48, 56, 70, 74, 80, 85, 87, 95, 97];
        var held = Enumerable.Range(0, 100).Where(i => Holdout.IsHeldOut("prac_1", $"pat_{i}", "2026-12-01", 20));
        Assert.Equal(expected, held);
    }

    [Fact]
    public void The_draw_is_the_first_32_bits_of_the_hash_as_a_percentage()
    {
        // Node: bucket of prac_1|pat_1|2026-12-01 = 71.04038898833096.
        Assert.False(Holdout.IsHeldOut("prac_1", "pat_1", "2026-12-01", 71.04));
        Assert.True(Holdout.IsHeldOut("prac_1", "pat_1", "2026-12-01", 71.05));
    }

    [Fact]
    public void Holdout_is_deterministic_and_close_to_the_requested_share()
    {
        var held = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var first = Holdout.IsHeldOut("prac_1", $"pat_{i}", "2026-12-01", 20);
            Assert.Equal(first, Holdout.IsHeldOut("prac_1", $"pat_{i}", "2026-12-01", 20));
            if (first) held++;
        }
        // 20% of 10,000 = 2,000; binomial sd = 40, so ±200 is five standard deviations. Node counted 1,977.
        Assert.InRange(held, 1801, 2199);
        Assert.Equal(1977, held);
    }

    [Fact]
    public void No_share_holds_out_no_one_and_a_full_share_everyone()
    {
        Assert.False(Holdout.IsHeldOut("prac_1", "pat_2", "2026-12-01", 0));
        Assert.True(Holdout.IsHeldOut("prac_1", "pat_1", "2026-12-01", 100));
    }

    [Fact]
    public void A_new_episode_is_a_new_draw() =>
        Assert.NotEqual(
            Enumerable.Range(0, 50).Select(i => Holdout.IsHeldOut("prac_1", $"pat_{i}", "2026-12-01", 50)),
            Enumerable.Range(0, 50).Select(i => Holdout.IsHeldOut("prac_1", $"pat_{i}", "2027-03-01", 50)));

    [Property]
    public bool A_larger_share_holds_out_everyone_a_smaller_one_did(NonNull<string> patientId, byte a, byte b)
    {
        var low = a % 101;
        var high = low + (b % (101 - low));
        return !Holdout.IsHeldOut("prac_1", patientId.Get, "2026-12-01", low) || Holdout.IsHeldOut("prac_1", patientId.Get, "2026-12-01", high);
    }
}
