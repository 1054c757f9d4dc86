// DueIndex table: PK the due day `yyyyMMdd`, RK `practiceId|patientId`, so a timer reads one partition per day and
// one practice's entries of a day are a RowKey range.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableDueIndex(TableClient dueIndexTable) : IDueIndex
{
    private readonly TableOperations _due = new(dueIndexTable);

    public Task UpsertDueAsync(DueEntry entry, CancellationToken cancellationToken = default) =>
        _due.UpsertAsync(
            new EntityWriter(_due.Table, PartitionOf(entry.Day), RowKeyOf(entry))
                .Set("day", entry.Day)
                .Set("practiceId", entry.PracticeId)
                .Set("patientId", entry.PatientId)
                .Build(),
            cancellationToken);

    public Task DeleteDueAsync(DueEntry entry, CancellationToken cancellationToken = default) =>
        _due.DeleteAsync(PartitionOf(entry.Day), RowKeyOf(entry), cancellationToken);

    public IAsyncEnumerable<DueEntry> ListDueAsync(string day, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(day)}"), null, cancellationToken);

    public IAsyncEnumerable<DueEntry> ListDueForPracticeAsync(string day, string practiceId, CancellationToken cancellationToken = default)
    {
        var (from, to) = TableKeys.RangeOf(practiceId);
        return QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(day)} and RowKey ge {from} and RowKey lt {to}"), practiceId, cancellationToken);
    }

    private async IAsyncEnumerable<DueEntry> QueryAsync(string filter, string? practiceId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _due.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            var r = new EntityReader(entity, _due.Table);
            var entry = new DueEntry(r.String("day"), r.String("practiceId"), r.String("patientId"));
            // A practice id that itself contains `|` would share the range of a shorter one; the property is exact.
            if (practiceId is null || entry.PracticeId == practiceId) yield return entry;
        }
    }

    private static string PartitionOf(string day) =>
        day.Length == 8 && day.All(char.IsAsciiDigit) ? day : throw new ArgumentException($"A due day is yyyyMMdd, got \"{day}\".", nameof(day));

    private static string RowKeyOf(DueEntry entry) => TableKeys.Checked($"{entry.PracticeId}|{entry.PatientId}", "due entry key");
}
