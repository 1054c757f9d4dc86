using Azure.Data.Tables;
using Reengage.Core.Sending;

namespace Reengage.Functions.Tests.Planning;

/// <summary>Reads back what the SendSlots rows hold, and checks instants against the quota by counting.</summary>
internal static class SlotRows
{
    /// <summary>Every reservation stored in a grid's rows, as slot starts (one per reservation).</summary>
    public static async Task<List<DateTimeOffset>> ReadAsync(TableClient table, QuotaLimits limits)
    {
        var grid = SlotGrid.For(limits);
        var instants = new List<DateTimeOffset>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {grid.Key}")))
        {
            var bucket = SlotGrid.BucketAt(DateTimeOffset.ParseExact(row.RowKey, "yyyyMMddHH", null, System.Globalization.DateTimeStyles.AssumeUniversal));
            var counts = SlotCounts.Decode(row.GetString("counts") ?? "");
            for (var position = 0; position < counts.Length; position++)
            {
                for (var n = 0; n < counts[position]; n++) instants.Add(grid.SlotStart(grid.SlotAt(bucket, position)));
            }
        }
        instants.Sort();
        return instants;
    }

    /// <summary>The most instants in any half-open span of <paramref name="span"/> (the busiest span starts at one of them).</summary>
    public static int MostIn(IEnumerable<DateTimeOffset> instants, TimeSpan span)
    {
        var sorted = instants.Order().ToList();
        var most = 0;
        var end = 0;
        for (var start = 0; start < sorted.Count; start++)
        {
            while (end < sorted.Count && sorted[end] < sorted[start] + span) end++;
            most = Math.Max(most, end - start);
        }
        return most;
    }

    public static void AssertWithin(IReadOnlyCollection<DateTimeOffset> instants, QuotaLimits limits)
    {
        Assert.InRange(MostIn(instants, TimeSpan.FromMinutes(1)), 1, limits.PerMinute);
        Assert.InRange(MostIn(instants, TimeSpan.FromHours(1)), 1, limits.PerHour);
    }

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
