using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TableOutreachLedgerTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TableOutreachLedger Ledger => new(Clients.Outreach);

    [Fact]
    public async Task A_row_with_every_field_set_is_created_once_and_round_trips()
    {
        var practiceId = FreshPracticeId();
        var row = Builders.FullRow(practiceId, "pat_1");
        var etag = await Ledger.CreateOutreachAsync(row);
        Assert.NotNull(etag);
        Assert.Null(await Ledger.CreateOutreachAsync(row with { TemplateId = TemplateId.Feedback }));
        var read = await Ledger.GetOutreachAsync(practiceId, "pat_1|seasonal|2027:new-year|1");
        Assert.Equal(row, read!.Value);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task A_row_with_nulls_round_trips()
    {
        var practiceId = FreshPracticeId();
        var row = Builders.ARow(practiceId, "pat_1", 2);
        await Ledger.CreateOutreachAsync(row);
        var read = await Ledger.GetOutreachAsync(practiceId, row.Id);
        Assert.Equal(row, read!.Value);
        Assert.Null(read.Value.LapseEpisodeKey);
        Assert.Null(read.Value.Response);
    }

    [Fact]
    public async Task Keeps_a_skipped_status_and_refuses_the_second_of_two_updates_from_one_read()
    {
        var practiceId = FreshPracticeId();
        var row = Builders.ARow(practiceId, "pat_1", 2);
        var etag = await Ledger.CreateOutreachAsync(row);
        await Ledger.UpdateOutreachAsync(row with { Status = OutreachStatus.Skipped("booked"), FailureReason = "booked" }, etag!);
        var stale = await Assert.ThrowsAsync<ReengageException>(() => Ledger.UpdateOutreachAsync(row with { Status = OutreachStatus.Sending }, etag!));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Equal("skipped:booked", (await Ledger.GetOutreachAsync(practiceId, row.Id))!.Value.Status);
    }

    [Fact]
    public async Task An_id_too_long_to_be_a_key_is_simply_missing()
    {
        Assert.Null(await Ledger.GetOutreachAsync(FreshPracticeId(), new string('x', 600)));
    }

    [Fact]
    public async Task Lists_one_patients_rows_next_to_pat_10_and_the_whole_practice()
    {
        var practiceId = FreshPracticeId();
        OutreachRow[] rows = [Builders.ARow(practiceId, "pat_1", 1), Builders.ARow(practiceId, "pat_1", 2), Builders.ARow(practiceId, "pat_10", 1), Builders.ARow(practiceId, "pat_1}", 1), Builders.ARow(practiceId, "pat_", 1)];
        foreach (var row in rows) await Ledger.CreateOutreachAsync(row);
        await Ledger.CreateOutreachAsync(Builders.ARow(FreshPracticeId(), "pat_1", 3));

        Assert.Equal(["pat_1|lapse|2026-12-01|1", "pat_1|lapse|2026-12-01|2"], (await CollectAsync(Ledger.ListOutreachForPatientAsync(practiceId, "pat_1"))).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["pat_10|lapse|2026-12-01|1"], (await CollectAsync(Ledger.ListOutreachForPatientAsync(practiceId, "pat_10"))).Select(r => r.Id));
        Assert.Empty(await CollectAsync(Ledger.ListOutreachForPatientAsync(practiceId, "pat_2")));
        Assert.Equal(5, (await CollectAsync(Ledger.ListOutreachAsync(practiceId))).Count);
    }

    [Fact]
    public async Task Lists_the_rows_planned_strictly_before_an_instant_and_deletes_twice()
    {
        var practiceId = FreshPracticeId();
        var old = Builders.ARow(practiceId, "pat_1", 1) with { PlannedAt = new DateTimeOffset(2026, 1, 1, 0, 59, 59, TimeSpan.FromHours(1)) };
        var edge = Builders.ARow(practiceId, "pat_1", 2) with { PlannedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var recent = Builders.ARow(practiceId, "pat_1", 3) with { PlannedAt = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        foreach (var row in new[] { old, edge, recent }) await Ledger.CreateOutreachAsync(row);

        var before = await CollectAsync(Ledger.ListOutreachPlannedBeforeAsync(practiceId, new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal([old.Id], before.Select(r => r.Id));

        await Ledger.DeleteOutreachAsync(practiceId, old.Id);
        await Ledger.DeleteOutreachAsync(practiceId, old.Id);
        Assert.Null(await Ledger.GetOutreachAsync(practiceId, old.Id));
    }
}
