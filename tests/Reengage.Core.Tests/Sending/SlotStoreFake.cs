using Reengage.Core.Sending;

namespace Reengage.Core.Tests.Sending;

/// <summary>An in-memory stand-in for the slot store: rows by bucket, read when asked for, written when reserved.</summary>
internal sealed class SlotStoreFake
{
    public Dictionary<long, SlotCounts> Rows { get; } = [];

    /// <summary>The buckets read in each round trip of the last reservation, in order.</summary>
    public List<IReadOnlyList<long>> Rounds { get; } = [];

    public IReadOnlyList<DateTimeOffset> Reserve(SlotGrid grid, IReadOnlyList<SlotRequest> requests, int maxSearchDays = SendSlots.DefaultMaxSearchDays)
    {
        Rounds.Clear();
        var loaded = new Dictionary<long, SlotCounts>();
        // As a real store does: read the likely buckets together first, then whatever the reservation asks for.
        var first = SendSlots.BucketsToRead(grid, requests);
        if (first.Count > 0) Read(first, loaded);
        for (var round = 0; round < 10_000; round++)
        {
            switch (SendSlots.Reserve(grid, requests, loaded, maxSearchDays))
            {
                case BucketsNeeded needed:
                    Assert.NotEmpty(needed.Buckets);
                    Read(needed.Buckets, loaded);
                    break;
                case SlotsReserved reserved:
                    Assert.Subset(reserved.ReliedOn.ToHashSet(), reserved.Updated.Keys.ToHashSet());
                    foreach (var (bucket, counts) in reserved.Updated)
                    {
                        Assert.Equal(loaded[bucket].Plus(reserved.Added[bucket]), counts);
                        Rows[bucket] = SlotCounts.Decode(counts.Encode());
                    }
                    return reserved.Instants;
                default:
                    throw new InvalidOperationException("unknown answer");
            }
        }
        throw new InvalidOperationException("the reservation never ended");
    }

    private void Read(IReadOnlyList<long> buckets, Dictionary<long, SlotCounts> loaded)
    {
        Rounds.Add(buckets);
        foreach (var bucket in buckets)
        {
            Assert.False(loaded.ContainsKey(bucket), $"bucket {bucket} asked for twice");
            loaded[bucket] = Rows.GetValueOrDefault(bucket, SlotCounts.Empty);
        }
    }

    /// <summary>Every stored reservation, as seconds since the epoch, once per email.</summary>
    public List<long> StoredSeconds(SlotGrid grid)
    {
        var seconds = new List<long>();
        foreach (var (bucket, counts) in Rows)
        {
            for (var position = 0; position < counts.Length; position++)
            {
                var start = grid.SlotStart(grid.SlotAt(bucket, position)).ToUnixTimeSeconds();
                for (var n = 0; n < counts[position]; n++) seconds.Add(start);
            }
        }
        return seconds;
    }

    /// <summary>The most instants (whole seconds) any half-open span of <paramref name="spanSeconds"/> holds.</summary>
    public static int Busiest(IEnumerable<long> seconds, int spanSeconds)
    {
        var sorted = seconds.Order().ToArray();
        var busiest = 0;
        var j = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (j < i) j = i;
            while (j < sorted.Length && sorted[j] < sorted[i] + spanSeconds) j++;
            busiest = Math.Max(busiest, j - i);
        }
        return busiest;
    }
}
