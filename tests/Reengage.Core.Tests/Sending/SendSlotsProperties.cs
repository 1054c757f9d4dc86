using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reengage.Core.Calendar;
using Reengage.Core.Sending;
using static Reengage.Core.Tests.Calendar.CalendarFixtures;

namespace Reengage.Core.Tests.Sending;

public sealed class SendSlotsProperties
{
    private static readonly PracticeCalendar Paris = NewCalendar();
    private static readonly PracticeCalendar Montreal = NewCalendar("America/Montreal", "CA", Window("09:00", "17:00"));

    /// <summary>The calendars requests are drawn from: always open, two practices' windows, and a clock-based one
    /// that opens only the first 20 seconds of every minute (off the slot grid for most slot lengths).</summary>
    private static readonly Func<DateTimeOffset, DateTimeOffset>[] Calendars =
    [
        at => at,
        Paris.NextAllowed,
        Montreal.NextAllowed,
        at =>
        {
            var intoMinute = at.UtcTicks % TimeSpan.TicksPerMinute;
            return intoMinute < 20 * TimeSpan.TicksPerSecond ? at : at.AddTicks(TimeSpan.TicksPerMinute - intoMinute);
        },
    ];

    private static readonly DateTimeOffset[] Starts =
    [
        At("2026-01-05T06:00:00Z"), // a Monday morning before the Paris window
        At("2026-01-09T15:10:00Z"), // a Friday afternoon: Paris closes within the hour
        At("2026-03-29T00:00:00Z"), // the Sunday the clocks go forward
    ];

    public sealed record Planned(int OffsetSeconds, int Ticks, int Calendar);

    public sealed record Scenario(QuotaLimits Limits, DateTimeOffset Start, Planned[] Requests, int[] Batches)
    {
        public override string ToString() =>
            $"{Limits.PerMinute}/min {Limits.PerHour}/h from {Start:O}, batches [{string.Join(",", Batches)}], requests " +
            string.Join(" ", Requests.GroupBy(r => r).Select(g => $"{g.Count()}x+{g.Key.OffsetSeconds}s{g.Key.Ticks}t@{g.Key.Calendar}"));
    }

    /// <summary>
    /// The limits of the brief (perMinute 1-5,000, perHour from perMinute to 300,000), with more weight on the two kinds
    /// of grid whose limits a scenario can actually reach: even spacing (perMinute up to 60), and one-second slots with
    /// capacity under an hour limit that a few thousand emails fill.
    /// </summary>
    private static Gen<QuotaLimits> Limits() =>
        Gen.Frequency(
            (1, from perMinute in Gen.Choose(1, 5000) from perHour in Gen.Choose(perMinute, 300_000) select new QuotaLimits(perMinute, perHour)),
            (1, from perMinute in Gen.Choose(1, 60) from perHour in Gen.Choose(perMinute, 5000) select new QuotaLimits(perMinute, perHour)),
            (2, from perMinute in Gen.Choose(60, 3000) from perHour in Gen.Choose(Math.Max(perMinute, 3600), 6000) select new QuotaLimits(perMinute, perHour)));

    private static Gen<Planned> Spread() =>
        from offset in Gen.Choose(0, 7200)
        from ticks in Gen.Choose(0, (int)TimeSpan.TicksPerSecond - 1)
        from calendar in Gen.Choose(0, Calendars.Length - 1)
        select new Planned(offset, ticks, calendar);

    /// <summary>Some requests spread over two hours, and a burst due at one instant, big enough to reach the limits:
    /// up to the hour's quota and a few hundred more.</summary>
    private static Arbitrary<Scenario> Scenarios() =>
        (from limits in Limits()
         from start in Gen.Elements(Starts)
         from spread in Gen.Choose(0, 120).SelectMany(n => Gen.ArrayOf(Spread(), n))
         from burstSize in Gen.Choose(0, Math.Min(limits.PerHour + 300, 6300))
         from burstAt in Spread()
         from requests in Gen.Shuffle([.. spread, .. Enumerable.Repeat(burstAt, burstSize)])
         let count = requests.Length
         from cut1 in Gen.Choose(0, count)
         from cut2 in Gen.Choose(cut1, count)
         select new Scenario(limits, start, requests, [cut1, cut2 - cut1, count - cut2]))
        .ToArbitrary();

    [Property(MaxTest = 100)]
    public Property Every_rolling_minute_and_hour_stays_within_the_limits_and_every_slot_is_allowed() =>
        Prop.ForAll(Scenarios(), scenario =>
        {
            var grid = SlotGrid.For(scenario.Limits);
            var store = new SlotStoreFake();
            var taken = 0;
            // Each batch is another planner run, reserving against what the earlier ones stored.
            foreach (var size in scenario.Batches)
            {
                var planned = scenario.Requests[taken..(taken + size)];
                taken += size;
                var requests = planned
                    .Select(p => new SlotRequest(scenario.Start.AddSeconds(p.OffsetSeconds).AddTicks(p.Ticks), Calendars[p.Calendar]))
                    .ToArray();
                var instants = store.Reserve(grid, requests);
                Assert.Equal(requests.Length, instants.Count);
                for (var i = 0; i < requests.Length; i++)
                {
                    Assert.True(instants[i] >= requests[i].Earliest, $"request {i} went out before its earliest instant");
                    Assert.Equal(instants[i], requests[i].NextAllowed(instants[i]));
                    Assert.Equal(0, instants[i].ToUnixTimeMilliseconds() % (grid.SlotSeconds * 1000L));
                }
            }
            var stored = store.StoredSeconds(grid);
            Assert.Equal(scenario.Requests.Length, stored.Count);
            Assert.All(store.Rows.Values, counts => Assert.InRange(Enumerable.Range(0, counts.Length).Max(p => (int?)counts[p]) ?? 0, 0, grid.Capacity));
            Assert.InRange(SlotStoreFake.Busiest(stored, 60), 0, scenario.Limits.PerMinute);
            Assert.InRange(SlotStoreFake.Busiest(stored, 3600), 0, scenario.Limits.PerHour);
            return true;
        });

    [Property(MaxTest = 15)]
    public Property At_1800_a_minute_and_100000_an_hour_1000_emails_due_together_go_out_within_34_seconds() =>
        Prop.ForAll(
            (from seconds in Gen.Choose(0, 86_400 * 365) from ticks in Gen.Choose(0, (int)TimeSpan.TicksPerSecond - 1) select (seconds, ticks)).ToArbitrary(),
            drawn =>
            {
                var grid = SlotGrid.For(new QuotaLimits(1800, 100_000));
                var earliest = At("2026-01-01T00:00:00Z").AddSeconds(drawn.seconds).AddTicks(drawn.ticks);
                var requests = Enumerable.Range(0, 1000).Select(_ => new SlotRequest(earliest, at => at)).ToArray();
                var instants = new SlotStoreFake().Reserve(grid, requests);
                Assert.True(instants.Max() - earliest < TimeSpan.FromSeconds(34), $"the last email went out at {instants.Max():O}");
                Assert.All(instants.GroupBy(i => i), second => Assert.InRange(second.Count(), 1, 30));
                Assert.InRange(SlotStoreFake.Busiest(instants.Select(i => i.ToUnixTimeSeconds()), 60), 1000, 1000);
                return true;
            });
}
