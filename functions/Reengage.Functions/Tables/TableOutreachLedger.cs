// Outreach table (the ledger), the only writer of ledger rows: PK practiceId, RK the row id
// `patientId|campaign|episodeKey|step`, so a patient's rows are one RowKey range of their practice's partition.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableOutreachLedger(TableClient outreachTable) : IOutreachLedger
{
    private readonly TableOperations _outreach = new(outreachTable);

    public async Task<Versioned<OutreachRow>?> GetOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default)
    {
        var partitionKey = TableKeys.Of(practiceId);
        var rowKey = TableKeys.Of(outreachId);
        // No row can be stored under a key longer than the service allows: such an id (from a link) is simply not there.
        if (partitionKey.Length > TableKeys.MaxKeyLength || rowKey.Length > TableKeys.MaxKeyLength) return null;
        var row = await _outreach.GetAsync(partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<OutreachRow>(RowFrom(r.Entity), r.ETag) : null;
    }

    public Task<string?> CreateOutreachAsync(OutreachRow row, CancellationToken cancellationToken = default) =>
        _outreach.CreateOrNullAsync(RowTo(row), cancellationToken);

    public Task<string> UpdateOutreachAsync(OutreachRow row, string etag, CancellationToken cancellationToken = default) =>
        _outreach.ReplaceAsync(RowTo(row), etag, cancellationToken);

    public async IAsyncEnumerable<OutreachRow> ListOutreachForPatientAsync(string practiceId, string patientId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (from, to) = TableKeys.RangeOf(patientId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var entity in _outreach.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            var row = RowFrom(entity);
            // A patient id that itself contains `|` would share the range of a shorter one; the property is exact.
            if (row.PatientId == patientId) yield return row;
        }
    }

    public IAsyncEnumerable<OutreachRow> ListOutreachAsync(string practiceId, CancellationToken cancellationToken = default) =>
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")}"), cancellationToken);

    public IAsyncEnumerable<OutreachRow> ListOutreachPlannedBeforeAsync(string practiceId, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        // Instants are stored as fixed-width UTC strings, so string order is time order.
        QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")} and plannedAt lt {EntityCodec.FormatInstant(before)}"), cancellationToken);

    public Task DeleteOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default) =>
        _outreach.DeleteAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(outreachId, "outreach id"), cancellationToken);

    private async IAsyncEnumerable<OutreachRow> QueryAsync(string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _outreach.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return RowFrom(entity);
        }
    }

    private TableEntity RowTo(OutreachRow row) =>
        new EntityWriter(_outreach.Table, TableKeys.Checked(row.PracticeId, "practice id"), TableKeys.Checked(row.Id, "outreach id"))
            .Set("practiceId", row.PracticeId)
            .Set("id", row.Id)
            .Set("patientId", row.PatientId)
            .SetWire("campaign", row.Campaign)
            .Set("episodeKey", row.EpisodeKey)
            .Set("step", row.Step)
            .SetWire("templateId", row.TemplateId)
            .SetWire("locale", row.Locale)
            .Set("therapistId", row.TherapistId)
            .Set("status", row.Status)
            .Set("plannedAt", row.PlannedAt)
            .Set("notBefore", row.NotBefore)
            .Set("operationId", row.OperationId)
            .Set("claimedAt", row.ClaimedAt)
            .Set("sentAt", row.SentAt)
            .Set("deliveryStatus", row.DeliveryStatus)
            .Set("deliveryAt", row.DeliveryAt)
            .SetWire("response", row.Response)
            .Set("respondedAt", row.RespondedAt)
            .Set("rebookedAt", row.RebookedAt)
            .Set("failureReason", row.FailureReason)
            .Set("attempts", row.Attempts)
            .Set("lapseEpisodeKey", row.LapseEpisodeKey)
            .Set("viewedAt", row.ViewedAt)
            .Set("clickedAt", row.ClickedAt)
            .Set("scannerVisitAt", row.ScannerVisitAt)
            .Set("erasedAt", row.ErasedAt)
            .Build();

    private OutreachRow RowFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _outreach.Table);
        return new OutreachRow
        {
            PracticeId = r.String("practiceId"),
            PatientId = r.String("patientId"),
            Campaign = r.WireEnum<Campaign>("campaign"),
            EpisodeKey = r.String("episodeKey"),
            Step = r.Int("step"),
            TemplateId = r.WireEnum<TemplateId>("templateId"),
            Locale = r.WireEnum<Locale>("locale"),
            TherapistId = r.OptionalString("therapistId"),
            Status = r.String("status"),
            PlannedAt = r.Instant("plannedAt"),
            NotBefore = r.Instant("notBefore"),
            OperationId = r.String("operationId"),
            ClaimedAt = r.OptionalInstant("claimedAt"),
            SentAt = r.OptionalInstant("sentAt"),
            DeliveryStatus = r.OptionalString("deliveryStatus"),
            DeliveryAt = r.OptionalInstant("deliveryAt"),
            Response = r.OptionalWire<OutreachResponse>("response"),
            RespondedAt = r.OptionalInstant("respondedAt"),
            RebookedAt = r.OptionalInstant("rebookedAt"),
            FailureReason = r.OptionalString("failureReason"),
            Attempts = r.Int("attempts"),
            LapseEpisodeKey = r.OptionalString("lapseEpisodeKey"),
            ViewedAt = r.OptionalInstant("viewedAt"),
            ClickedAt = r.OptionalInstant("clickedAt"),
            ScannerVisitAt = r.OptionalInstant("scannerVisitAt"),
            ErasedAt = r.OptionalInstant("erasedAt"),
        };
    }
}
