// InboundEvents table (webhook de-duplication): PK practiceId, RK `source|eventId`.
//
// Event ids are chosen by booking tools and may hold characters a RowKey refuses: they are escaped (TableKeys), and
// ids whose key would exceed 200 characters are replaced by their SHA-256. The original id is kept as a property.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableInboundEventStore(TableClient inboundEventsTable) : IInboundEventStore
{
    private readonly TableOperations _events = new(inboundEventsTable);

    public async Task<Versioned<InboundEventRecord>?> GetEventAsync(string practiceId, WebhookSource source, string eventId, CancellationToken cancellationToken = default)
    {
        var row = await _events.GetAsync(TableKeys.Checked(practiceId, "practice id"), RowKeyOf(source, eventId), cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<InboundEventRecord>(RecordFrom(r.Entity), r.ETag) : null;
    }

    public Task<string?> RecordIfNewAsync(InboundEventRecord record, CancellationToken cancellationToken = default) =>
        _events.CreateOrNullAsync(RecordTo(record), cancellationToken);

    public Task<string> UpdateEventAsync(InboundEventRecord record, string etag, CancellationToken cancellationToken = default) =>
        _events.ReplaceAsync(RecordTo(record), etag, cancellationToken);

    public async IAsyncEnumerable<InboundEventRecord> ListEventsReceivedBeforeAsync(string practiceId, DateTimeOffset before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Instants are stored as fixed-width UTC strings, so string order is time order.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")} and receivedAt lt {EntityCodec.FormatInstant(before)}");
        await foreach (var entity in _events.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return RecordFrom(entity);
        }
    }

    public Task DeleteEventAsync(string practiceId, WebhookSource source, string eventId, CancellationToken cancellationToken = default) =>
        _events.DeleteAsync(TableKeys.Checked(practiceId, "practice id"), RowKeyOf(source, eventId), cancellationToken);

    private static string RowKeyOf(WebhookSource source, string eventId) => $"{Wire.Name(source)}|{TableKeys.Bounded(eventId)}";

    private TableEntity RecordTo(InboundEventRecord record) =>
        new EntityWriter(_events.Table, TableKeys.Checked(record.PracticeId, "practice id"), RowKeyOf(record.Source, record.EventId))
            .Set("practiceId", record.PracticeId)
            .SetWire("source", record.Source)
            .Set("eventId", record.EventId)
            .Set("type", record.Type)
            .SetWire("status", record.Status)
            .Set("receivedAt", record.ReceivedAt)
            .Set("bodyHash", record.BodyHash)
            .Build();

    private InboundEventRecord RecordFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _events.Table);
        return new InboundEventRecord
        {
            PracticeId = r.String("practiceId"),
            Source = r.WireEnum<WebhookSource>("source"),
            EventId = r.String("eventId"),
            Type = r.String("type"),
            Status = r.WireEnum<InboundEventStatus>("status"),
            ReceivedAt = r.Instant("receivedAt"),
            BodyHash = r.String("bodyHash"),
        };
    }
}
