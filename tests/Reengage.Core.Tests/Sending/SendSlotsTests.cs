using Reengage.Core.Calendar;
using Reengage.Core.Sending;
using static Reengage.Core.Tests.Calendar.CalendarFixtures;

namespace Reengage.Core.Tests.Sending;

public sealed class SendSlotsTests
{
    private static readonly PracticeCalendar Paris = NewCalendar();
    private static readonly PracticeCalendar Montreal = NewCalendar("America/Montreal", "CA", Window("09:00", "17:00"));
    private static readonly SlotGrid Default = SlotGrid.For(QuotaLimits.CustomDomainDefault);
    private static readonly Func<DateTimeOffset, DateTimeOffset> AlwaysOpen = at => at;

    private static SlotRequest[] Requests(int count, string earliest, Func<DateTimeOffset, DateTimeOffset> nextAllowed) =>
        [.. Enumerable.Range(0, count).Select(_ => new SlotRequest(At(earliest), nextAllowed))];

    private static SlotsReserved Reserved(SlotReservation answer) => Assert.IsType<SlotsReserved>(answer);

    private static Dictionary<long, SlotCounts> Stored(params (long Bucket, SlotCounts Counts)[] rows) => rows.ToDictionary(r => r.Bucket, r => r.Counts);

    private static SlotCounts Ones(params int[] positions)
    {
        var counts = new int[positions.Length == 0 ? 0 : positions.Max() + 1];
        foreach (var p in positions) counts[p] = 1;
        return new SlotCounts(counts);
    }

    private static SlotCounts Full(int count, int each = 1) => new(Enumerable.Repeat(each, count));

    // The grid of a pair of limits.

    [Theory]
    [InlineData(30, 100, 36, 1, "36s")] // max(ceil(60/30)=2, ceil(3600/100)=36)
    [InlineData(5, 10, 360, 1, "360s")] // max(12, 360)
    [InlineData(60, 3600, 1, 1, "1s")]
    [InlineData(1, 1000, 60, 1, "60s")] // max(60, ceil(3.6)=4)
    [InlineData(7, 100, 36, 1, "36s")] // max(ceil(8.57)=9, 36)
    [InlineData(13, 1000, 5, 1, "5s")] // max(ceil(4.62)=5, 4)
    [InlineData(2, 7, 515, 1, "515s")] // max(30, ceil(514.3)=515)
    [InlineData(1800, 100_000, 1, 30, "1s")] // 1,800 a minute is 30 a second
    [InlineData(90, 100_000, 1, 2, "1s")] // ceil(1.5)
    [InlineData(600_000, 36_000_000, 1, 10_000, "1s")]
    public void The_grid_of_a_pair_of_limits(int perMinute, int perHour, int slotSeconds, int capacity, string key)
    {
        var grid = SlotGrid.For(new QuotaLimits(perMinute, perHour));
        Assert.Equal((slotSeconds, capacity, key), (grid.SlotSeconds, grid.Capacity, grid.Key));
    }

    [Theory]
    [InlineData(30, 100, false)]
    [InlineData(5, 10, false)]
    [InlineData(2, 7, false)]
    [InlineData(60, 3600, true)]
    [InlineData(1800, 100_000, true)]
    public void One_second_grids_count_rolling_windows_and_longer_ones_keep_the_limits_by_their_spacing(int perMinute, int perHour, bool counts) =>
        Assert.Equal(counts, SlotGrid.For(new QuotaLimits(perMinute, perHour)).ChecksRollingWindows);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(30, -1)]
    [InlineData(30, 0)]
    public void Refuses_limits_below_one(int perMinute, int perHour) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SlotGrid.For(new QuotaLimits(perMinute, perHour)));

    public static TheoryData<int, int> GridsThatKeepTheLimits => new()
    {
        { 30, 100 }, { 5, 10 }, { 60, 3600 }, { 7, 100 }, { 13, 1000 }, { 2, 7 }, { 45, 500 }, { 1800, 108_000 },
    };

    [Theory]
    [MemberData(nameof(GridsThatKeepTheLimits))]
    public void Every_slot_at_capacity_for_six_hours_keeps_every_rolling_minute_and_hour_within_the_limits(int perMinute, int perHour)
    {
        var grid = SlotGrid.For(new QuotaLimits(perMinute, perHour));
        // An arbitrary start, not on a slot boundary, on a DST change day (UTC slots do not care).
        var from = At("2026-03-29T00:00:17Z");
        var seconds = new List<long>();
        for (var slot = grid.SlotIndexOf(from); grid.SlotStart(slot) < from.AddHours(6); slot++)
        {
            for (var n = 0; n < grid.Capacity; n++) seconds.Add(grid.SlotStart(slot).ToUnixTimeSeconds());
        }
        Assert.True(SlotStoreFake.Busiest(seconds, 60) <= perMinute);
        Assert.True(SlotStoreFake.Busiest(seconds, 3600) <= perHour);
    }

    [Theory]
    [InlineData(30, 100)]
    [InlineData(5, 10)]
    [InlineData(7, 100)]
    [InlineData(13, 1000)]
    [InlineData(2, 7)]
    [InlineData(45, 500)]
    public void One_second_shorter_slots_would_break_a_limit(int perMinute, int perHour)
    {
        var shorter = SlotGrid.For(new QuotaLimits(perMinute, perHour)).SlotSeconds - 1;
        var from = At("2026-03-29T00:00:17Z").ToUnixTimeSeconds();
        var seconds = new List<long>();
        for (var s = ((from / shorter) + 1) * shorter; s < from + 86_400; s += shorter) seconds.Add(s);
        Assert.True(SlotStoreFake.Busiest(seconds, 60) > perMinute || SlotStoreFake.Busiest(seconds, 3600) > perHour);
    }

    [Fact]
    public void At_30_a_minute_and_100_an_hour_every_UTC_hour_holds_exactly_100_slots()
    {
        var first = Default.FirstSlotOf(491_000);
        Assert.Equal(100, Default.SlotsInBucket(491_000));
        Assert.Equal(100, SlotStoreFake.Busiest(Enumerable.Range(0, 1000).Select(i => Default.SlotStart(first + i).ToUnixTimeSeconds()), 3600));
    }

    // Slot and bucket arithmetic. 2026-01-05T08:30:00Z is 1 767 601 800 s after the epoch = 49 100 050 x 36 s = 491 000.5 h.

    [Fact]
    public void A_slot_index_rounds_up_to_the_next_slot_boundary()
    {
        Assert.Equal(49_100_050, Default.SlotIndexOf(At("2026-01-05T08:30:00.000Z")));
        Assert.Equal(49_100_051, Default.SlotIndexOf(At("2026-01-05T08:30:00.000Z").AddTicks(1)));
        Assert.Equal(49_100_049, Default.SlotIndexOf(At("2026-01-05T08:29:24Z")));
        Assert.Throws<ArgumentOutOfRangeException>(() => Default.SlotIndexOf(At("1969-12-31T23:59:59Z")));
    }

    [Fact]
    public void A_slot_start_is_the_inverse_on_boundaries()
    {
        Assert.Equal(At("2026-01-05T08:30:36Z"), Default.SlotStart(49_100_051));
        Assert.Equal(DateTimeOffset.UnixEpoch, Default.SlotStart(0));
        Assert.Equal(TimeSpan.Zero, Default.SlotStart(49_100_051).Offset);
    }

    [Fact]
    public void A_bucket_is_the_UTC_hour_a_slot_starts_in_and_a_position_its_rank_in_that_hour()
    {
        Assert.Equal(491_000, Default.BucketOf(49_100_050));
        Assert.Equal(At("2026-01-05T08:00:00Z"), SlotGrid.BucketStart(491_000));
        Assert.Equal(491_000, SlotGrid.BucketAt(At("2026-01-05T08:59:59Z")));
        Assert.Equal("2026010508", SlotGrid.BucketKey(491_000));
        Assert.Equal(49_100_000, Default.FirstSlotOf(491_000));
        Assert.Equal(50, Default.PositionOf(49_100_050)); // 30 minutes / 36 s
        Assert.Equal(49_100_050, Default.SlotAt(491_000, 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Default.SlotAt(491_000, 100));
    }

    [Fact]
    public void With_a_slot_length_that_does_not_divide_the_hour_buckets_hold_6_or_7_slots_and_positions_round_trip()
    {
        var grid = SlotGrid.For(new QuotaLimits(2, 7));
        // 515 s: slots 0..6 start in hour 0 (6 x 515 = 3090 < 3600 <= 7 x 515 = 3605).
        Assert.Equal(7, grid.SlotsInBucket(0));
        Assert.Equal(1, grid.BucketOf(7));
        Assert.Equal(0, grid.PositionOf(7));
        var first = grid.SlotIndexOf(At("2026-01-01T00:00:00Z"));
        for (var slot = first; slot < first + 5000; slot++)
        {
            var bucket = grid.BucketOf(slot);
            Assert.Equal(slot, grid.SlotAt(bucket, grid.PositionOf(slot)));
            Assert.InRange(grid.SlotsInBucket(bucket), 6, 7);
            Assert.InRange(grid.SlotStart(slot), SlotGrid.BucketStart(bucket), SlotGrid.BucketStart(bucket + 1).AddTicks(-1));
        }
    }

    // The counts codec.

    [Fact]
    public void Counts_encode_as_base64_of_one_LEB128_number_per_position()
    {
        // 3, 0, 200: bytes 0x03, 0x00, then 200 = 0b1_1001000 -> 0xC8 0x01.
        Assert.Equal("AwDIAQ==", new SlotCounts([3, 0, 200]).Encode());
        Assert.Equal(new SlotCounts([3, 0, 200]), SlotCounts.Decode("AwDIAQ=="));
    }

    [Fact]
    public void Counts_round_trip_empty_sparse_and_a_full_hour_of_one_second_slots()
    {
        Assert.Equal("", SlotCounts.Empty.Encode());
        Assert.Equal("", new SlotCounts([0, 0, 0]).Encode()); // trailing zeros are not kept
        Assert.Equal(SlotCounts.Empty, SlotCounts.Decode(""));
        var full = Full(3600, 30);
        var encoded = full.Encode();
        Assert.Equal(4800, encoded.Length);
        Assert.Equal(full, SlotCounts.Decode(encoded));
        Assert.Equal(108_000, SlotCounts.Decode(encoded).Total);
        var sparse = new SlotCounts([0, 0, 0, 1, 0, 17, 0, 0, 99_999]);
        Assert.Equal(sparse, SlotCounts.Decode(sparse.Encode()));
    }

    [Fact]
    public void Counts_refuse_negative_numbers_and_text_that_is_not_theirs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlotCounts([1, -1]));
        Assert.Throws<FormatException>(() => SlotCounts.Decode("not base64!"));
        Assert.Throws<FormatException>(() => SlotCounts.Decode("gA==")); // 0x80: a number that never ends
    }

    [Fact]
    public void Counts_add_and_give_back()
    {
        var stored = new SlotCounts([1, 0, 2]);
        var added = new SlotCounts([0, 1, 0, 1]);
        Assert.Equal(new SlotCounts([1, 1, 2, 1]), stored.Plus(added));
        Assert.Equal(stored, stored.Plus(added).Minus(added));
        Assert.Throws<InvalidOperationException>(() => stored.Minus(added));
    }

    // Reserving at the default quota: the TypeScript spacing, exactly.

    [Fact]
    public void Requests_with_the_same_earliest_instant_get_consecutive_slots()
    {
        var result = Reserved(SendSlots.Reserve(Default, Requests(3, "2026-01-05T08:30:00Z", Paris.NextAllowed), Stored((491_000, SlotCounts.Empty))));
        Assert.Equal([At("2026-01-05T08:30:00Z"), At("2026-01-05T08:30:36Z"), At("2026-01-05T08:31:12Z")], result.Instants);
        Assert.Equal(Ones(50, 51, 52), result.Added[491_000]);
        Assert.Equal(Ones(50, 51, 52), result.Updated[491_000]);
        Assert.Equal([491_000], result.ReliedOn);
    }

    [Fact]
    public void Slots_already_taken_by_other_planners_and_practices_are_honoured()
    {
        var result = Reserved(SendSlots.Reserve(Default, Requests(2, "2026-01-05T08:30:00Z", Paris.NextAllowed), Stored((491_000, Ones(50, 51, 53)))));
        Assert.Equal([At("2026-01-05T08:31:12Z"), At("2026-01-05T08:32:24Z")], result.Instants); // positions 52 and 54
        Assert.Equal(Ones(52, 54), result.Added[491_000]);
        Assert.Equal(Ones(50, 51, 52, 53, 54), result.Updated[491_000]);
    }

    [Fact]
    public void Only_slots_starting_inside_the_practices_window_are_handed_out()
    {
        var store = new SlotStoreFake();
        // Saturday 10 January 2026 -> Monday 12 January 09:30 CET = 08:30Z, a slot boundary.
        Assert.Equal([At("2026-01-12T08:30:00Z")], new SlotStoreFake().Reserve(Default, Requests(1, "2026-01-10T10:00:00Z", Paris.NextAllowed)));
        // A window opening at 09:31 (08:31Z) between two boundaries gets the next one, 08:31:12Z.
        var late = NewCalendar(window: Window("09:31", "17:30"));
        Assert.Equal([At("2026-01-12T08:31:12Z")], new SlotStoreFake().Reserve(Default, Requests(1, "2026-01-12T06:00:00Z", late.NextAllowed)));
        // The last slot of a window starts before its end: Friday 17:29:24 CET, then Monday.
        var friday = store.Reserve(Default, Requests(3, "2026-01-09T16:28:48Z", Paris.NextAllowed));
        Assert.Equal([At("2026-01-09T16:28:48Z"), At("2026-01-09T16:29:24Z"), At("2026-01-12T08:30:00Z")], friday);
    }

    [Fact]
    public void The_buckets_of_nights_and_weekends_jumped_over_are_not_asked_for()
    {
        // Saturday 10 January 2026 -> Monday 12 January 08:30Z, in the bucket of 08:00Z: 491 000 + 7 x 24.
        var answer = SendSlots.Reserve(Default, Requests(1, "2026-01-10T10:00:00Z", Paris.NextAllowed), Stored());
        Assert.Equal([491_168], Assert.IsType<BucketsNeeded>(answer).Buckets);
        Assert.Equal([491_168], SendSlots.BucketsToRead(Default, Requests(1, "2026-01-10T10:00:00Z", Paris.NextAllowed)));
    }

    [Fact]
    public void Three_hundred_requests_at_5_a_minute_and_10_an_hour_spread_over_four_working_days()
    {
        // 360 s slots: 10 an hour, 80 in an 08:30Z-16:30Z window. Earliest: Monday 11 January 2027 00:00 in Paris.
        var instants = new SlotStoreFake().Reserve(SlotGrid.For(QuotaLimits.AzureManagedDomainDefault), Requests(300, "2027-01-10T23:00:00Z", Paris.NextAllowed));
        var perDay = instants.GroupBy(Paris.LocalDateOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<DateOnly, int> { [D("2027-01-11")] = 80, [D("2027-01-12")] = 80, [D("2027-01-13")] = 80, [D("2027-01-14")] = 60 }, perDay);
        Assert.Equal(At("2027-01-11T08:30:00Z"), instants[0]);
        Assert.Equal(At("2027-01-11T16:24:00Z"), instants[79]);
        Assert.Equal(At("2027-01-12T08:30:00Z"), instants[80]);
        Assert.Equal(At("2027-01-14T14:24:00Z"), instants[299]); // 08:30 + 59 x 6 min
        Assert.Equal(300, instants.Distinct().Count());
        Assert.All(instants, i => Assert.True(Paris.IsAllowed(i)));
    }

    [Fact]
    public void Three_hundred_requests_at_30_a_minute_and_100_an_hour_from_a_Friday_afternoon_go_over_the_weekend()
    {
        // Friday 8 January 2027 17:00 CET (16:00Z): 50 slots of 36 s before 17:30, then 250 from Monday 08:30Z.
        var instants = new SlotStoreFake().Reserve(Default, Requests(300, "2027-01-08T16:00:00Z", Paris.NextAllowed));
        Assert.Equal(At("2027-01-08T16:29:24Z"), instants[49]);
        Assert.Equal(At("2027-01-11T08:30:00Z"), instants[50]);
        Assert.Equal(At("2027-01-11T10:59:24Z"), instants[299]); // 08:30 + 249 x 36 s
    }

    [Fact]
    public void Two_practices_and_two_calls_never_share_a_slot_and_keep_every_rolling_minute_and_hour_within_the_quota()
    {
        // Paris (08:30Z-16:30Z in winter) and Montreal (14:00Z-22:00Z) share one subscription's quota.
        var mixed = Enumerable.Range(0, 200)
            .Select(i => new SlotRequest(At(i % 3 == 0 ? "2027-01-11T06:00:00Z" : "2027-01-11T14:00:00Z"), i % 2 == 0 ? Paris.NextAllowed : Montreal.NextAllowed))
            .ToArray();
        var store = new SlotStoreFake();
        // A second planner run sees what the first one stored.
        IReadOnlyList<DateTimeOffset> instants = [.. store.Reserve(Default, mixed[..120]), .. store.Reserve(Default, mixed[120..])];

        Assert.Equal(200, instants.Distinct().Count());
        for (var i = 0; i < instants.Count; i++) Assert.True((i % 2 == 0 ? Paris : Montreal).IsAllowed(instants[i]));
        var seconds = instants.Select(i => i.ToUnixTimeSeconds()).ToList();
        Assert.True(SlotStoreFake.Busiest(seconds, 60) <= 30);
        Assert.True(SlotStoreFake.Busiest(seconds, 3600) <= 100);
        Assert.Equal(200, store.Rows.Values.Sum(c => c.Total));
    }

    [Fact]
    public void Buckets_are_asked_for_once_each_as_the_search_reaches_them()
    {
        // What storage holds: the first 90 slots of 08:00Z and all of 09:00Z on Monday 5 January 2026.
        var store = new SlotStoreFake();
        store.Rows[491_000] = Full(90);
        store.Rows[491_001] = Full(100);
        var instants = store.Reserve(Default, Requests(15, "2026-01-05T08:00:00Z", Paris.NextAllowed));
        // 08:30Z-08:54Z holds positions 50-89, all taken; 90-99 (08:54:00-08:59:24Z) are free, 09:00Z is full, so the
        // last five go to 10:00Z (bucket 491 002).
        Assert.Equal(At("2026-01-05T08:54:00Z"), instants[0]);
        Assert.Equal(At("2026-01-05T08:59:24Z"), instants[9]);
        Assert.Equal(At("2026-01-05T10:00:00Z"), instants[10]);
        Assert.Equal(At("2026-01-05T10:02:24Z"), instants[14]);
        Assert.Equal([[491_000], [491_001], [491_002]], store.Rounds);
    }

    [Fact]
    public void A_large_batch_reads_the_hours_it_will_fill_together_not_one_round_trip_per_hour()
    {
        // 1,000 emails from Monday 5 January 2026 08:30Z at 100 an hour: 800 in Monday's window, 200 from Tuesday 08:30Z.
        var store = new SlotStoreFake();
        var instants = store.Reserve(Default, Requests(1000, "2026-01-05T08:30:00Z", Paris.NextAllowed));
        Assert.Equal(At("2026-01-05T16:29:24Z"), instants[799]);
        Assert.Equal(At("2026-01-06T08:30:00Z"), instants[800]);
        Assert.Equal(At("2026-01-06T10:29:24Z"), instants[999]); // 08:30 + 199 x 36 s
        // The first read, then Monday's next ten hours at once (950 emails left, 100 an hour), then Tuesday's.
        Assert.InRange(store.Rounds.Count, 2, 4);
        Assert.Contains(491_010L, store.Rounds[1]);
    }

    [Fact]
    public void No_free_slot_within_the_search_horizon_is_a_retryable_throttled_error()
    {
        var full = Enumerable.Range(0, 24 * 5).ToDictionary(h => 491_000L + h, h => Full(Default.SlotsInBucket(491_000 + h)));
        var error = Assert.Throws<ReengageException>(() => SendSlots.Reserve(Default, Requests(1, "2026-01-05T08:30:00Z", Paris.NextAllowed), full, maxSearchDays: 3));
        Assert.Equal(ErrorCode.Throttled, error.Code);
        Assert.True(error.Retryable);
    }

    [Fact]
    public void The_error_of_a_calendar_with_no_open_day_passes_through()
    {
        var closed = NewCalendar(closed: Enumerable.Range(0, 500).Select(i => D("2026-01-01").AddDays(i)));
        var error = Assert.Throws<ReengageException>(() => SendSlots.Reserve(Default, Requests(1, "2026-01-05T08:30:00Z", closed.NextAllowed), Stored()));
        Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
    }

    [Fact]
    public void A_calendar_that_goes_back_in_time_is_refused_rather_than_looped_on()
    {
        SlotRequest[] backwards = [new(At("2026-01-05T08:30:00Z"), _ => At("2026-01-01T00:00:00Z"))];
        Assert.Throws<InvalidOperationException>(() => SendSlots.Reserve(Default, backwards, Stored()));
    }

    [Fact]
    public void Counts_longer_than_their_bucket_are_refused_rather_than_misread()
    {
        // A 36 s bucket has 100 slots; a row with 101 counts was written under another grid.
        var answer = () => SendSlots.Reserve(Default, Requests(1, "2026-01-05T08:30:00Z", AlwaysOpen), Stored((491_000, Full(101))));
        Assert.Throws<ArgumentException>(answer);
    }

    [Fact]
    public void No_request_reserves_nothing_and_needs_no_bucket()
    {
        var result = Reserved(SendSlots.Reserve(Default, [], Stored()));
        Assert.Empty(result.Instants);
        Assert.Empty(result.Updated);
        Assert.Empty(result.ReliedOn);
    }

    // Reserving at a raised quota: slots with capacity, every rolling window counted.

    [Fact]
    public void At_1800_a_minute_1000_requests_with_the_same_earliest_instant_fit_in_34_seconds()
    {
        var grid = SlotGrid.For(new QuotaLimits(1800, 100_000));
        var earliest = At("2026-01-05T08:30:00Z");
        var store = new SlotStoreFake();
        var instants = store.Reserve(grid, Requests(1000, "2026-01-05T08:30:00Z", Paris.NextAllowed));
        Assert.Equal(earliest, instants[0]);
        Assert.Equal(earliest, instants[29]);
        Assert.Equal(earliest.AddSeconds(1), instants[30]);
        Assert.Equal(earliest.AddSeconds(33), instants[999]); // 33 slots of 30, then 10
        Assert.Equal(34, instants.Distinct().Count());
        // The first round reads the hour of the slot and the hours either side: windows reach an hour both ways.
        Assert.Equal([491_000 - 1, 491_000, 491_000 + 1], store.Rounds[0]);
    }

    [Fact]
    public void A_raised_quota_relies_on_the_hours_either_side_and_writes_only_its_own()
    {
        var grid = SlotGrid.For(new QuotaLimits(1800, 100_000));
        var stored = Stored((490_999, SlotCounts.Empty), (491_000, SlotCounts.Empty), (491_001, SlotCounts.Empty));
        var result = Reserved(SendSlots.Reserve(grid, Requests(3, "2026-01-05T08:30:00Z", AlwaysOpen), stored));
        Assert.Equal([490_999, 491_000, 491_001], result.ReliedOn.Order());
        Assert.Equal([491_000], result.Updated.Keys);
        var expected = new int[1801];
        expected[1800] = 3; // 08:30:00Z is second 1800 of the 08:00Z hour
        Assert.Equal(new SlotCounts(expected), result.Updated[491_000]);
    }

    [Fact]
    public void When_the_hour_limit_is_reached_the_next_email_waits_until_the_first_one_leaves_the_rolling_hour()
    {
        // 600 a minute and 3,600 an hour: 10 a second for 360 s fills the hour; the 3,601st email may go when the
        // rolling hour no longer holds the first second's ten, 3,600 s after the start; then 10 a second again.
        var grid = SlotGrid.For(new QuotaLimits(600, 3600));
        var earliest = At("2026-01-05T08:30:00Z");
        var instants = new SlotStoreFake().Reserve(grid, Requests(4000, "2026-01-05T08:30:00Z", AlwaysOpen));
        Assert.Equal(earliest.AddSeconds(359), instants[3599]);
        Assert.Equal(earliest.AddSeconds(3600), instants[3600]);
        Assert.Equal(earliest.AddSeconds(3639), instants[3999]);
    }

    [Fact]
    public void When_the_minute_limit_is_reached_the_next_email_waits_for_the_rolling_minute()
    {
        // 90 a minute: 2 a second for 45 s, then the minute is full until second 60, when the first second leaves it.
        var grid = SlotGrid.For(new QuotaLimits(90, 100_000));
        var earliest = At("2026-01-05T08:30:00Z");
        var instants = new SlotStoreFake().Reserve(grid, Requests(94, "2026-01-05T08:30:00Z", AlwaysOpen));
        Assert.Equal(earliest.AddSeconds(44), instants[89]);
        Assert.Equal(earliest.AddSeconds(60), instants[90]);
        Assert.Equal(earliest.AddSeconds(60), instants[91]);
        Assert.Equal(earliest.AddSeconds(61), instants[92]);
    }

    [Fact]
    public void Reservations_made_under_other_limits_on_the_one_second_grid_count_against_the_limits_in_force()
    {
        // Under 3,000 a minute (50 a second), 1,800 emails went into 08:30:00-08:30:35Z. At 1,800 a minute that fills
        // every rolling minute holding them all; the first slot whose minutes miss 08:30:00Z is 08:31:00Z.
        var store = new SlotStoreFake();
        var counts = new int[1836];
        for (var second = 1800; second < 1836; second++) counts[second] = 50;
        store.Rows[491_000] = new SlotCounts(counts);
        var raised = SlotGrid.For(new QuotaLimits(1800, 100_000));
        Assert.Equal(SlotGrid.For(new QuotaLimits(3000, 100_000)).Key, raised.Key);
        Assert.Equal([At("2026-01-05T08:31:00Z")], store.Reserve(raised, Requests(1, "2026-01-05T08:30:00Z", AlwaysOpen)));
    }

    [Fact]
    public void Reservations_stored_later_by_another_planner_count_in_the_rolling_hour()
    {
        // 3,600 emails already in the first 360 s of 10:00Z fill every rolling hour that contains them all. A request
        // at 09:50Z (second 3000 of 09:00Z) would complete such an hour, and so would every slot up to 11:00:00Z,
        // the first one whose rolling hours miss 10:00:00Z.
        var grid = SlotGrid.For(new QuotaLimits(600, 3600));
        var store = new SlotStoreFake();
        store.Rows[491_002] = Full(360, 10);
        var instants = store.Reserve(grid, Requests(1, "2026-01-05T09:50:00Z", AlwaysOpen));
        Assert.Equal([At("2026-01-05T11:00:00Z")], instants);
        // And at 08:00Z, more than an hour before them, nothing is in the way.
        Assert.Equal([At("2026-01-05T08:00:00Z")], store.Reserve(grid, Requests(1, "2026-01-05T08:00:00Z", AlwaysOpen)));
    }
}
