using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TableInboundEventStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TableInboundEventStore Events => new(Clients.InboundEvents);

    private static InboundEventRecord AnEvent(string practiceId, string eventId) => new()
    {
        PracticeId = practiceId,
        Source = WebhookSource.Calendly,
        EventId = eventId,
        Type = "appointment.booked",
        Status = InboundEventStatus.Received,
        ReceivedAt = Builders.Now,
        BodyHash = new string('b', 64),
    };

    [Fact]
    public async Task Recording_a_new_event_is_one_insert_and_a_seen_one_is_one_request_answered_null()
    {
        var practiceId = FreshPracticeId();
        var record = AnEvent(practiceId, "evt_01H/42");

        var etag = await Events.RecordIfNewAsync(record);
        Assert.NotNull(etag);
        Assert.Equal(1, Counter.Total);
        Assert.Equal(1, Counter.Count(Clients.Names.InboundEvents, "POST"));

        Counter.Reset();
        Assert.Null(await Events.RecordIfNewAsync(record with { Type = "appointment.cancelled" }));
        Assert.Equal(1, Counter.Total);

        var read = await Events.GetEventAsync(practiceId, WebhookSource.Calendly, "evt_01H/42");
        Assert.Equal(record, read!.Value);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task Updates_the_status_with_the_etag_and_refuses_a_stale_one()
    {
        var practiceId = FreshPracticeId();
        var record = AnEvent(practiceId, "evt_1");
        var etag = await Events.RecordIfNewAsync(record);
        await Events.UpdateEventAsync(record with { Status = InboundEventStatus.Applied }, etag!);
        var stale = await Assert.ThrowsAsync<ReengageException>(() => Events.UpdateEventAsync(record, etag!));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Equal(InboundEventStatus.Applied, (await Events.GetEventAsync(practiceId, WebhookSource.Calendly, "evt_1"))!.Value.Status);
    }

    [Fact]
    public async Task The_same_id_from_another_source_is_another_event()
    {
        var practiceId = FreshPracticeId();
        await Events.RecordIfNewAsync(AnEvent(practiceId, "evt_1"));
        Assert.NotNull(await Events.RecordIfNewAsync(AnEvent(practiceId, "evt_1") with { Source = WebhookSource.Generic }));
        Assert.Null(await Events.GetEventAsync(practiceId, WebhookSource.Acuity, "evt_1"));
    }

    private static readonly string[] AwkwardIdList =
    [
        "https://api.calendly.com/scheduled_events/ABC/invitees/DEF?x=1#frag",
        "a\\b",
        "tab\there\u0001\u007f\u0085",
        "100%",
        "100~25",
        "o'brien",
        "%41",
        "\ud800lone",
        "lone\udc00",
        "👋🏽 émoji",
        "Zoé Ørsted Łódź",
        new string('x', 1000),
        new string('x', 999) + "y",
    ];

    // By index: xunit would replace a lone surrogate in a theory argument when it serializes it.
    public static TheoryData<int> AwkwardIds => new(Enumerable.Range(0, AwkwardIdList.Length));

    [Theory]
    [MemberData(nameof(AwkwardIds))]
    public async Task Event_ids_with_characters_a_key_refuses_round_trip(int index)
    {
        var eventId = AwkwardIdList[index];
        var practiceId = FreshPracticeId();
        Assert.NotNull(await Events.RecordIfNewAsync(AnEvent(practiceId, eventId)));
        Assert.Null(await Events.RecordIfNewAsync(AnEvent(practiceId, eventId)));
        Assert.Equal(eventId, (await Events.GetEventAsync(practiceId, WebhookSource.Calendly, eventId))!.Value.EventId);
    }

    [Fact]
    public async Task Awkward_ids_each_get_their_own_row_and_list_back()
    {
        var practiceId = FreshPracticeId();
        var ids = AwkwardIdList;
        foreach (var id in ids) await Events.RecordIfNewAsync(AnEvent(practiceId, id));
        var listed = await CollectAsync(Events.ListEventsReceivedBeforeAsync(practiceId, Builders.Now.AddTicks(1)));
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(e => e.EventId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lists_the_events_received_strictly_before_an_instant_and_deletes_twice()
    {
        var practiceId = FreshPracticeId();
        await Events.RecordIfNewAsync(AnEvent(practiceId, "old") with { ReceivedAt = Builders.Now.AddDays(-31) });
        await Events.RecordIfNewAsync(AnEvent(practiceId, "edge") with { ReceivedAt = Builders.Now.AddDays(-30) });
        await Events.RecordIfNewAsync(AnEvent(practiceId, "new"));
        var before = await CollectAsync(Events.ListEventsReceivedBeforeAsync(practiceId, Builders.Now.AddDays(-30)));
        Assert.Equal(["old"], before.Select(e => e.EventId));

        await Events.DeleteEventAsync(practiceId, WebhookSource.Calendly, "old");
        await Events.DeleteEventAsync(practiceId, WebhookSource.Calendly, "old");
        Assert.Null(await Events.GetEventAsync(practiceId, WebhookSource.Calendly, "old"));
    }
}
