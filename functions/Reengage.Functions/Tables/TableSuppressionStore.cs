// Suppressions table: PK the practice id, RK the salted hash of an address never to write to again.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableSuppressionStore(TableClient suppressionsTable) : ISuppressionStore
{
    private readonly TableOperations _suppressions = new(suppressionsTable);

    public async Task<SuppressionEntry?> GetSuppressionAsync(string practiceId, string addressHash, CancellationToken cancellationToken = default)
    {
        var row = await _suppressions.GetAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(addressHash, "address hash"), cancellationToken).ConfigureAwait(false);
        return row is { } r ? EntryFrom(r.Entity) : null;
    }

    public Task UpsertSuppressionAsync(SuppressionEntry entry, CancellationToken cancellationToken = default) =>
        _suppressions.UpsertAsync(
            new EntityWriter(_suppressions.Table, TableKeys.Checked(entry.PracticeId, "practice id"), TableKeys.Checked(entry.AddressHash, "address hash"))
                .Set("practiceId", entry.PracticeId)
                .Set("addressHash", entry.AddressHash)
                .SetWire("reason", entry.Reason)
                .Set("at", entry.At)
                .Build(),
            cancellationToken);

    public async IAsyncEnumerable<SuppressionEntry> ListSuppressionsAsync(string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")}");
        await foreach (var entity in _suppressions.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return EntryFrom(entity);
        }
    }

    private SuppressionEntry EntryFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _suppressions.Table);
        return new SuppressionEntry(r.String("practiceId"), r.String("addressHash"), r.WireEnum<SuppressionReason>("reason"), r.Instant("at"));
    }
}
