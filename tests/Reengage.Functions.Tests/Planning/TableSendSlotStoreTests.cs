using Azure.Data.Tables;
using Reengage.Core.Sending;
using Reengage.Functions.Sending;
using Reengage.Functions.Tests.Storage;
using static Reengage.Functions.Tests.Planning.SlotRows;

namespace Reengage.Functions.Tests.Planning;

[Collection(AzuriteCollection.Name)]
public sealed class TableSendSlotStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private static readonly QuotaLimits Default = QuotaLimits.CustomDomainDefault;

    private static DateTimeOffset AlwaysOpen(DateTimeOffset at) => at;

    /// <summary>A toy calendar: sends only between 09:00 and 09:30 UTC, every day.</summary>
    private static DateTimeOffset NineToNineThirty(DateTimeOffset at)
    {
        var opens = new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero).AddHours(9);
        if (at < opens) return opens;
        return at < opens.AddMinutes(30) ? at : opens.AddDays(1);
    }

    private static List<SlotRequest> Requests(int count, DateTimeOffset earliest, Func<DateTimeOffset, DateTimeOffset>? calendar = null) =>
        [.. Enumerable.Range(0, count).Select(_ => new SlotRequest(earliest, calendar ?? AlwaysOpen))];

    [Fact]
    public async Task The_default_quota_spaces_sends_36_seconds_apart()
    {
        var store = new TableSendSlotStore(Clients.SendSlots);
        var first = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), Default);
        var second = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), Default);
        var third = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:01Z")), Default);
        var outside = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T14:00:00Z"), NineToNineThirty), Default);

        Assert.Equal(At("2027-01-05T09:00:00Z"), Assert.Single(first));
        Assert.Equal(At("2027-01-05T09:00:36Z"), Assert.Single(second));
        Assert.Equal(At("2027-01-05T09:01:12Z"), Assert.Single(third));
        Assert.Equal(At("2027-01-06T09:00:00Z"), Assert.Single(outside));
        var stored = await ReadAsync(Clients.SendSlots, Default);
        Assert.Equal([At("2027-01-05T09:00:00Z"), At("2027-01-05T09:00:36Z"), At("2027-01-05T09:01:12Z"), At("2027-01-06T09:00:00Z")], stored);
    }

    [Fact]
    public async Task A_raised_quota_packs_several_sends_a_second_and_keeps_every_rolling_minute_and_hour()
    {
        // 600 a minute: ten per one-second slot, but never more than 600 in any 60 s nor 3,600 in any hour.
        var raised = new QuotaLimits(600, 3_600);
        var store = new TableSendSlotStore(Clients.SendSlots);

        var instants = await store.ReserveSlotsAsync(Requests(700, At("2027-01-05T09:00:00Z")), raised);

        Assert.Equal(700, instants.Count);
        Assert.Equal(Enumerable.Repeat(At("2027-01-05T09:00:00Z"), 10), instants.Take(10));
        Assert.Equal(At("2027-01-05T09:00:01Z"), instants[10]);
        // The first minute takes 600 (ten a second for 60 s); the rest wait for the rolling minute to free up.
        Assert.Equal(At("2027-01-05T09:00:59Z"), instants[599]);
        Assert.Equal(At("2027-01-05T09:01:00Z"), instants[600]);
        Assert.Equal(instants.Order(), instants);
        AssertWithin(instants.ToList(), raised);
        Assert.Equal(instants.Order(), await ReadAsync(Clients.SendSlots, raised));
    }

    [Theory]
    [InlineData(30, 100, 150)]
    [InlineData(600, 3_600, 900)]
    public async Task Two_stores_reserving_at_once_never_exceed_the_limits(int perMinute, int perHour, int each)
    {
        var limits = new QuotaLimits(perMinute, perHour);
        var a = new TableSendSlotStore(Clients.SendSlots);
        var b = new TableSendSlotStore(Clients.SendSlots, new TableSendSlotStoreOptions { MaxRequestsPerTransaction = 97 });
        var earliest = At("2027-01-05T09:00:00Z");

        var results = await Task.WhenAll(
            Task.Run(() => a.ReserveSlotsAsync(Requests(each, earliest, NineToNineThirty), limits)),
            Task.Run(() => b.ReserveSlotsAsync(Requests(each, earliest, NineToNineThirty), limits)));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(2 * each, all.Count);
        Assert.All(all, at => Assert.Equal(at, NineToNineThirty(at)));
        foreach (var own in results) Assert.Equal(own.Order(), own);
        // What the rows hold is exactly what was handed out (no stray reservation left by a retry), within the limits.
        var stored = await ReadAsync(Clients.SendSlots, limits);
        Assert.Equal(all.Order(), stored);
        AssertWithin(stored, limits);
        if (perMinute == 30)
        {
            // A 30-minute window holds 50 slots of 36 s: 300 sends fill six days, whoever won which race.
            Assert.Equal(all.Count, all.Distinct().Count());
            var expected = Enumerable.Range(0, 6).SelectMany(day => Enumerable.Range(0, 50).Select(k => earliest.AddDays(day).AddSeconds(36 * k)));
            Assert.Equal(expected, stored);
        }
    }

    [Fact]
    public async Task The_next_reservation_starts_from_the_rows_the_store_last_wrote_without_reading_them_again()
    {
        var store = new TableSendSlotStore(Clients.SendSlots);
        await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), Default);
        Counter.Reset();

        var next = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), Default);

        Assert.Equal(At("2027-01-05T09:00:36Z"), Assert.Single(next));
        // One round trip: the transaction, which asserts the ETag the store's own first write returned.
        Assert.Equal(0, Counter.Count(Clients.SendSlots.Name, "GET"));
        Assert.Equal(1, Counter.Count("$batch"));
        Assert.Equal([At("2027-01-05T09:00:00Z"), At("2027-01-05T09:00:36Z")], await ReadAsync(Clients.SendSlots, Default));
    }

    [Fact]
    public async Task A_row_changed_since_it_was_read_makes_the_write_fail_and_the_reservation_start_over()
    {
        // One-second slots, one per slot: an hour of 3,600 is full, and the store remembers it without reading it again.
        var limits = new QuotaLimits(60, 3_600);
        var grid = SlotGrid.For(limits);
        var full = SlotGrid.BucketAt(At("2027-01-05T09:00:00Z"));
        var rowKey = SlotGrid.BucketKey(full);
        await Clients.SendSlots.AddEntityAsync(new TableEntity(grid.Key, rowKey) { ["counts"] = new SlotCounts(Enumerable.Repeat(1, 3_600)).Encode() });
        var store = new TableSendSlotStore(Clients.SendSlots);
        var first = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), limits);
        Assert.Equal(At("2027-01-05T10:00:00Z"), Assert.Single(first));

        // Another process rewrites the full hour: the remembered ETag is now stale.
        var row = (await Clients.SendSlots.GetEntityAsync<TableEntity>(grid.Key, rowKey)).Value;
        await Clients.SendSlots.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        Counter.Reset();

        var second = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), limits);

        Assert.Equal(At("2027-01-05T10:00:01Z"), Assert.Single(second));
        // The first transaction failed on the stale ETag; the second, after reading the rows again, went through.
        Assert.Equal(2, Counter.Count("$batch"));
        Assert.Equal(2, (await ReadAsync(Clients.SendSlots, limits)).Count(at => at >= At("2027-01-05T10:00:00Z")));
    }

    [Fact]
    public async Task A_call_that_fails_after_committing_part_of_its_reservations_gives_them_back()
    {
        // 100 slots an hour; the next hour's row is not slot counts, so the second transaction can never be made.
        var grid = SlotGrid.For(Default);
        var nine = SlotGrid.BucketAt(At("2027-01-05T09:00:00Z"));
        await Clients.SendSlots.AddEntityAsync(new TableEntity(grid.Key, SlotGrid.BucketKey(nine + 1)) { ["counts"] = "not slot counts!" });
        var store = new TableSendSlotStore(Clients.SendSlots, new TableSendSlotStoreOptions { MaxRequestsPerTransaction = 100 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReserveSlotsAsync(Requests(150, At("2027-01-05T09:00:00Z")), Default));

        var nineRow = (await Clients.SendSlots.GetEntityAsync<TableEntity>(grid.Key, SlotGrid.BucketKey(nine))).Value;
        Assert.Equal(0, SlotCounts.Decode(nineRow.GetString("counts")).Total);
        // The hour given back is free again, for this store too.
        var again = await store.ReserveSlotsAsync(Requests(1, At("2027-01-05T09:00:00Z")), Default);
        Assert.Equal(At("2027-01-05T09:00:00Z"), Assert.Single(again));
    }
}
