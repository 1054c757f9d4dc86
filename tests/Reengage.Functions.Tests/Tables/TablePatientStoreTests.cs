using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TablePatientStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TablePatientStore Store => new(Clients.Patients);

    [Fact]
    public async Task A_patient_with_every_field_set_round_trips_instants_included()
    {
        var patient = Builders.FullPatient(FreshPracticeId(), "pat_full");
        var etag = await Store.CreatePatientAsync(patient);
        var read = await Store.GetPatientAsync(patient.PracticeId, patient.Id);
        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equivalent(patient, read.Value, strict: true);
        // Sub-millisecond precision survives.
        Assert.Equal(patient.ProfileEventAt!.Value.UtcTicks, read.Value.ProfileEventAt!.Value.UtcTicks);
    }

    [Fact]
    public async Task Nulls_are_omitted_from_the_row_and_read_back_as_null_and_the_row_carries_its_schema_version()
    {
        var practiceId = FreshPracticeId();
        var bare = Builders.BarePatient(practiceId, "pat_bare");
        await Store.CreatePatientAsync(bare);
        var read = await Store.GetPatientAsync(practiceId, "pat_bare");
        Assert.Equivalent(bare, read!.Value, strict: true);

        var raw = (await Clients.Patients.GetEntityAsync<TableEntity>(practiceId, "pat_bare")).Value;
        Assert.False(raw.ContainsKey("firstName"));
        Assert.False(raw.ContainsKey("plan"));
        Assert.False(raw.ContainsKey("episode"));
        Assert.Equal(1, raw.GetInt32("schemaVersion"));
        Assert.Equal("2027-01-05T05:00:00.0000000Z", raw.GetString("createdAt"));
        Assert.Equal("in_care", raw.GetString("careStatus"));
    }

    [Fact]
    public async Task Creating_twice_is_a_conflict_and_leaves_the_first_row()
    {
        var practiceId = FreshPracticeId();
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1") with { FirstName = "Camille" });
        var error = await Assert.ThrowsAsync<ReengageException>(() => Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1") with { FirstName = "Other" }));
        Assert.Equal(ErrorCode.Conflict, error.Code);
        // With an address, the create is a transaction with its index entry: still a conflict.
        var withEmail = await Assert.ThrowsAsync<ReengageException>(() => Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1", "x@example.org")));
        Assert.Equal(ErrorCode.Conflict, withEmail.Code);
        Assert.Equal("Camille", (await Store.GetPatientAsync(practiceId, "pat_1"))!.Value.FirstName);
        Assert.Null(await Store.FindPatientIdByEmailAsync(practiceId, "x@example.org"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("camille@example.org")]
    public async Task Two_updates_from_the_same_read_the_second_fails_precondition(string? email)
    {
        var practiceId = FreshPracticeId();
        var patient = Builders.BarePatient(practiceId, "pat_1", email) with { FirstName = "Camille" };
        await Store.CreatePatientAsync(patient);
        var read = await Store.GetPatientAsync(practiceId, "pat_1");
        var second = await Store.UpdatePatientAsync(read!.Value with { Suppressed = true }, read.ETag);
        var error = await Assert.ThrowsAsync<ReengageException>(() => Store.UpdatePatientAsync(read.Value with { FirstName = "Late" }, read.ETag));
        Assert.Equal(ErrorCode.PreconditionFailed, error.Code);
        var after = await Store.GetPatientAsync(practiceId, "pat_1");
        Assert.True(after!.Value.Suppressed);
        Assert.Equal("Camille", after.Value.FirstName);
        Assert.Equal(second, after.ETag);
    }

    [Fact]
    public async Task Deleting_twice_succeeds_and_the_patient_is_gone_from_the_index_too()
    {
        var practiceId = FreshPracticeId();
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1", "a@example.org"));
        await Store.DeletePatientAsync(practiceId, "pat_1");
        await Store.DeletePatientAsync(practiceId, "pat_1");
        Assert.Null(await Store.GetPatientAsync(practiceId, "pat_1"));
        Assert.Null(await Store.FindPatientIdByEmailAsync(practiceId, "a@example.org"));
        var left = await CollectAsync(Clients.Patients.QueryAsync<TableEntity>(e => e.PartitionKey == practiceId));
        Assert.Empty(left);
    }

    [Fact]
    public async Task Listing_gives_the_patients_of_one_practice_and_never_index_entries()
    {
        var practiceId = FreshPracticeId();
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1", "one@example.org"));
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_2", "two@example.org"));
        await Store.CreatePatientAsync(Builders.BarePatient(FreshPracticeId(), "pat_3"));
        var ids = (await CollectAsync(Store.ListPatientsAsync(practiceId))).Select(p => p.Id).Order(StringComparer.Ordinal);
        Assert.Equal(["pat_1", "pat_2"], ids);
    }

    [Fact]
    public async Task Finding_by_email_ignores_case_and_spaces_and_picks_the_earliest_created()
    {
        var practiceId = FreshPracticeId();
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_late", "Camille@Example.org", Builders.Now));
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_early", "  camille@example.ORG ", Builders.Now.AddDays(-3)));
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_other", "someone@example.org", Builders.Now.AddDays(-9)));
        await Store.CreatePatientAsync(Builders.BarePatient(FreshPracticeId(), "pat_elsewhere", "camille@example.org", Builders.Now.AddDays(-30)));

        Assert.Equal("pat_early", await Store.FindPatientIdByEmailAsync(practiceId, "CAMILLE@example.org  "));
        Assert.Equal("pat_other", await Store.FindPatientIdByEmailAsync(practiceId, "someone@example.org"));
        Assert.Null(await Store.FindPatientIdByEmailAsync(practiceId, "nobody@example.org"));
        Assert.Null(await Store.FindPatientIdByEmailAsync(practiceId, "   "));
    }

    [Fact]
    public async Task Finding_by_email_follows_an_address_change_and_skips_the_old_address()
    {
        var practiceId = FreshPracticeId();
        await Store.CreatePatientAsync(Builders.BarePatient(practiceId, "pat_1", "old@example.org"));
        var read = await Store.GetPatientAsync(practiceId, "pat_1");
        await Store.UpdatePatientAsync(read!.Value with { Email = "new@example.org" }, read.ETag);
        Assert.Equal("pat_1", await Store.FindPatientIdByEmailAsync(practiceId, "new@example.org"));
        Assert.Null(await Store.FindPatientIdByEmailAsync(practiceId, "old@example.org"));
    }

    [Fact]
    public async Task Finding_by_email_reads_the_index_range_not_the_partition()
    {
        var practiceId = FreshPracticeId();
        for (var i = 0; i < 5; i++) await Store.CreatePatientAsync(Builders.BarePatient(practiceId, $"pat_{i}", $"p{i}@example.org"));
        Counter.Reset();
        Assert.Equal("pat_3", await Store.FindPatientIdByEmailAsync(practiceId, "p3@example.org"));
        // One range query over the pointers of that address, one point read of the patient it names.
        Assert.Equal(2, Counter.Total);
    }

    [Fact]
    public async Task A_touch_log_that_outgrows_a_table_property_is_refused_with_its_name_and_nothing_is_written()
    {
        var practiceId = FreshPracticeId();
        var touch = new TouchRecord(Builders.Now, "pat_1|lapse|2026-12-01|1", "2026-12-01");
        var huge = Builders.BarePatient(practiceId, "pat_1") with { TouchLog = Enumerable.Repeat(touch, 1000).ToList() };
        var error = await Assert.ThrowsAsync<ReengageException>(() => Store.CreatePatientAsync(huge));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.Contains("touchLog", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetPatientAsync(practiceId, "pat_1"));
    }
}
