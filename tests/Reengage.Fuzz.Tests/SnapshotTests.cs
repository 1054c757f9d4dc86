using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Reengage.Fuzz.Tests;

/// <summary>The comparison every "changes nothing" property rests on: equal readings show no difference, any change shows.</summary>
public sealed class SnapshotTests
{
    private static Snapshot Of(Dictionary<string, string[]> tables, Dictionary<string, int> queues, string[] outbox) =>
        new(tables.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)[.. t.Value.Order(StringComparer.Ordinal)]), queues, outbox);

    [Property(MaxTest = 200)]
    public bool A_snapshot_differs_in_nothing_from_an_equal_one(Dictionary<NonEmptyString, NonEmptyString[]> tables, Dictionary<NonEmptyString, int> queues)
    {
        var t = tables.ToDictionary(e => e.Key.Get, e => e.Value.Select(v => v.Get).ToArray());
        var q = queues.ToDictionary(e => e.Key.Get, e => e.Value);
        return Of(t, q, ["a.eml"]).Differences(Of(new(t), new(q), ["a.eml"])).Count == 0;
    }

    [Property(MaxTest = 200)]
    public Property A_row_added_changed_or_removed_or_a_queue_count_changed_is_a_difference(Dictionary<NonEmptyString, NonEmptyString[]> tables, NonEmptyString row, int change)
    {
        var t = tables.ToDictionary(e => e.Key.Get, e => e.Value.Select(v => v.Get).ToArray());
        var before = Of(t, new() { ["q"] = 3 }, []);
        var added = new Dictionary<string, string[]>(t) { ["Patients"] = [.. t.GetValueOrDefault("Patients") ?? [], row.Get] };
        var withRow = Of(added, new() { ["q"] = 3 }, []);
        var otherCount = Of(t, new() { ["q"] = 3 + change }, []);
        var mail = Of(t, new() { ["q"] = 3 }, ["x.eml"]);
        return (before.Differences(withRow).Count == 1
            && withRow.Differences(before).Count == 1
            && before.Differences(mail).Count == 1
            && (change == 0) == (before.Differences(otherCount).Count == 0)
            && before.Differences(otherCount, "q").Count == 0).ToProperty();
    }
}
