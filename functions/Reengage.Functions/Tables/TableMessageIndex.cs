// MessageIndex table: PK the ACS message id, RK empty; maps a delivery report back to its Outreach row.
using Azure.Data.Tables;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableMessageIndex(TableClient messageIndexTable) : IMessageIndex
{
    private const string Row = "";

    private readonly TableOperations _messages = new(messageIndexTable);

    public Task UpsertMessageAsync(MessageIndexEntry entry, CancellationToken cancellationToken = default) =>
        _messages.UpsertAsync(
            new EntityWriter(_messages.Table, TableKeys.Checked(entry.MessageId, "message id"), Row)
                .Set("messageId", entry.MessageId)
                .Set("practiceId", entry.PracticeId)
                .Set("outreachId", entry.OutreachId)
                .Build(),
            cancellationToken);

    public async Task<MessageIndexEntry?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        var key = TableKeys.Of(messageId);
        // A delivery report names any id it likes: one too long to be a key was never stored.
        if (key.Length > TableKeys.MaxKeyLength) return null;
        var row = await _messages.GetAsync(key, Row, cancellationToken).ConfigureAwait(false);
        if (row is not { } found) return null;
        var r = new EntityReader(found.Entity, _messages.Table);
        return new MessageIndexEntry(r.String("messageId"), r.String("practiceId"), r.String("outreachId"));
    }
}
