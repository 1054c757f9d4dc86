using Reengage.Core.Model;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TableDueIndexTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TableDueIndex Due => new(Clients.DueIndex);

    [Fact]
    public async Task Lists_one_day_keeps_one_row_per_upsert_and_deletes_twice()
    {
        var a = new DueEntry("20310106", "prac_a", "pat_1");
        var b = new DueEntry("20310106", "prac_b", "pat_1");
        var otherDay = new DueEntry("20310107", "prac_a", "pat_2");
        foreach (var entry in new[] { a, a, b, otherDay }) await Due.UpsertDueAsync(entry);

        Assert.Equal([a, b], (await CollectAsync(Due.ListDueAsync("20310106"))).OrderBy(e => e.PracticeId, StringComparer.Ordinal));
        Assert.Equal([otherDay], await CollectAsync(Due.ListDueAsync("20310107")));

        await Due.DeleteDueAsync(a);
        await Due.DeleteDueAsync(a);
        Assert.Equal([b], await CollectAsync(Due.ListDueAsync("20310106")));
    }

    [Fact]
    public async Task Lists_one_practices_entries_of_a_day_without_leaking_a_practice_whose_id_extends_it()
    {
        DueEntry[] entries =
        [
            new("20310106", "prac_1", "pat_1"),
            new("20310106", "prac_1", "pat_2"),
            new("20310106", "prac_10", "pat_3"),
            new("20310106", "prac_1}", "pat_4"),
            new("20310106", "prac_", "pat_5"),
            new("20310106", "prac_1|x", "pat_6"),
            new("20310107", "prac_1", "pat_7"),
        ];
        foreach (var entry in entries) await Due.UpsertDueAsync(entry);

        Assert.Equal(["pat_1", "pat_2"], (await CollectAsync(Due.ListDueForPracticeAsync("20310106", "prac_1"))).Select(e => e.PatientId).Order(StringComparer.Ordinal));
        Assert.Equal(["pat_3"], (await CollectAsync(Due.ListDueForPracticeAsync("20310106", "prac_10"))).Select(e => e.PatientId));
        Assert.Equal(["pat_6"], (await CollectAsync(Due.ListDueForPracticeAsync("20310106", "prac_1|x"))).Select(e => e.PatientId));
        Assert.Empty(await CollectAsync(Due.ListDueForPracticeAsync("20310108", "prac_1")));
    }

    [Fact]
    public async Task A_practice_listing_is_one_range_query()
    {
        for (var i = 0; i < 3; i++) await Due.UpsertDueAsync(new DueEntry("20310106", "prac_1", $"pat_{i}"));
        await Due.UpsertDueAsync(new DueEntry("20310106", "prac_2", "pat_x"));
        Counter.Reset();
        Assert.Equal(3, (await CollectAsync(Due.ListDueForPracticeAsync("20310106", "prac_1"))).Count);
        Assert.Equal(1, Counter.Count(Clients.Names.DueIndex, "GET"));
        Assert.Equal(1, Counter.Total);
    }

    [Theory]
    [InlineData("2031-01-06")]
    [InlineData("2031016")]
    [InlineData("")]
    public async Task Refuses_a_day_that_is_not_yyyyMMdd(string day)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => CollectAsync(Due.ListDueAsync(day)));
        await Assert.ThrowsAsync<ArgumentException>(() => Due.UpsertDueAsync(new DueEntry(day, "prac_1", "pat_1")));
    }
}
