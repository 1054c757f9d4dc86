using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

/// <summary>MessageIndex, Suppressions and Feedback: one table each, point reads and upserts.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SmallTablesTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    [Fact]
    public async Task The_message_index_maps_an_acs_message_id_back_to_its_row_and_misses_cleanly()
    {
        var index = new TableMessageIndex(Clients.MessageIndex);
        var entry = new MessageIndexEntry("0b7c1f4e-9d7a-4f1e-8c1a-3f0e9b2d6a11", "prac_1", "pat_1|lapse|2026-12-01|1");
        await index.UpsertMessageAsync(entry);
        await index.UpsertMessageAsync(entry);
        Assert.Equal(entry, await index.GetMessageAsync(entry.MessageId));
        Assert.Null(await index.GetMessageAsync("no-such-message"));
        Assert.Null(await index.GetMessageAsync(new string('m', 600)));

        var rows = await CollectAsync(Clients.MessageIndex.QueryAsync<TableEntity>(e => e.PartitionKey == entry.MessageId));
        Assert.Equal([""], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task Suppressions_round_trip_per_practice_and_a_second_upsert_replaces()
    {
        var store = new TableSuppressionStore(Clients.Suppressions);
        var practiceId = FreshPracticeId();
        var hash = Ids.AddressHashOf(practiceId, "camille@example.org");
        Assert.Null(await store.GetSuppressionAsync(practiceId, hash));
        await store.UpsertSuppressionAsync(new SuppressionEntry(practiceId, hash, SuppressionReason.Bounced, Builders.Now));
        var complained = new SuppressionEntry(practiceId, hash, SuppressionReason.Complained, Builders.Now.AddDays(1));
        await store.UpsertSuppressionAsync(complained);
        await store.UpsertSuppressionAsync(new SuppressionEntry(FreshPracticeId(), hash, SuppressionReason.Unsubscribed, Builders.Now));

        Assert.Equal(complained, await store.GetSuppressionAsync(practiceId, hash));
        Assert.Equal([complained], await CollectAsync(store.ListSuppressionsAsync(practiceId)));
    }

    [Fact]
    public async Task Feedback_round_trips_with_and_without_a_comment_lists_per_patient_and_deletes_twice()
    {
        var store = new TableFeedbackStore(Clients.Feedback);
        var practiceId = FreshPracticeId();
        var withComment = new FeedbackEntry(practiceId, "pat_1|lapse|2026-12-01|3", "pat_1", 5, "Merci, à bientôt « vraiment »", Builders.Now, Builders.Now.AddMinutes(2));
        var bare = new FeedbackEntry(practiceId, "pat_10|lapse|2026-12-01|3", "pat_10", 2, null, Builders.Now, Builders.Now);
        await store.UpsertFeedbackAsync(withComment);
        await store.UpsertFeedbackAsync(bare);

        Assert.Equal(withComment, await store.GetFeedbackAsync(practiceId, withComment.OutreachId));
        Assert.Equal(bare, await store.GetFeedbackAsync(practiceId, bare.OutreachId));
        Assert.Equal([withComment], await CollectAsync(store.ListFeedbackForPatientAsync(practiceId, "pat_1")));
        Assert.Equal(2, (await CollectAsync(store.ListFeedbackAsync(practiceId))).Count);

        await store.DeleteFeedbackAsync(practiceId, bare.OutreachId);
        await store.DeleteFeedbackAsync(practiceId, bare.OutreachId);
        Assert.Null(await store.GetFeedbackAsync(practiceId, bare.OutreachId));
    }
}
