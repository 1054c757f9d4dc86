using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Reengage.Fuzz.Tests;

/// <summary>
/// Everything the app keeps, read back: every entity of every table (all properties, sorted), every queue's message
/// count and the emails in the outbox. Two equal snapshots mean nothing was changed in between.
/// </summary>
public sealed class StorageSnapshots(string connectionString, string outboxDirectory)
{
    private readonly TableServiceClient _tables = new(connectionString);
    private readonly QueueServiceClient _queues = new(connectionString);

    public async Task<Snapshot> TakeAsync()
    {
        var tableNames = new List<string>();
        await foreach (var table in _tables.QueryAsync()) tableNames.Add(table.Name);
        var queueNames = new List<string>();
        await foreach (var queue in _queues.GetQueuesAsync()) queueNames.Add(queue.Name);

        var tables = await Task.WhenAll(tableNames.Select(async name =>
        {
            var rows = new List<string>();
            await foreach (var entity in _tables.GetTableClient(name).QueryAsync<TableEntity>()) rows.Add(Describe(entity));
            rows.Sort(StringComparer.Ordinal);
            return (name, rows);
        }));
        var queues = await Task.WhenAll(queueNames.Select(async name =>
            (name, (await _queues.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount)));
        var outbox = Directory.Exists(outboxDirectory)
            ? Directory.EnumerateFiles(outboxDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        return new Snapshot(
            tables.ToDictionary(t => t.name, t => (IReadOnlyList<string>)t.rows, StringComparer.Ordinal),
            queues.ToDictionary(q => q.name, q => q.ApproximateMessagesCount, StringComparer.Ordinal),
            outbox);
    }

    private static string Describe(TableEntity entity)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in entity.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name is "odata.etag" or "Timestamp") continue;
            text.Append(name).Append('=').Append(value switch
            {
                byte[] bytes => Convert.ToBase64String(bytes),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value?.ToString(),
            }).Append(';');
        }
        return text.ToString();
    }
}

/// <summary>One reading of <see cref="StorageSnapshots"/>.</summary>
public sealed record Snapshot(
    IReadOnlyDictionary<string, IReadOnlyList<string>> Tables,
    IReadOnlyDictionary<string, int> Queues,
    IReadOnlyList<string> Outbox)
{
    /// <summary>What differs from <paramref name="other"/>, one line per table, queue or outbox; empty when nothing does.</summary>
    public List<string> Differences(Snapshot other, params string[] ignoredQueues)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        foreach (var name in Tables.Keys.Union(other.Tables.Keys).Order(StringComparer.Ordinal))
        {
            var before = Tables.GetValueOrDefault(name) ?? [];
            var after = other.Tables.GetValueOrDefault(name) ?? [];
            if (before.SequenceEqual(after)) continue;
            var removed = before.Except(after).Take(2).Select(r => "- " + Shorten(r));
            var added = after.Except(before).Take(2).Select(r => "+ " + Shorten(r));
            differences.Add($"table {name}: {before.Count} -> {after.Count} rows {string.Join(" ", removed.Concat(added))}");
        }
        foreach (var name in Queues.Keys.Union(other.Queues.Keys).Except(ignoredQueues).Order(StringComparer.Ordinal))
        {
            var before = Queues.GetValueOrDefault(name);
            var after = other.Queues.GetValueOrDefault(name);
            if (before != after) differences.Add($"queue {name}: {before} -> {after} messages");
        }
        if (!Outbox.SequenceEqual(other.Outbox)) differences.Add($"outbox: {Outbox.Count} -> {other.Outbox.Count} files");
        return differences;
    }

    private static string Shorten(string row) => row.Length > 300 ? row[..300] + "…" : row;
}
