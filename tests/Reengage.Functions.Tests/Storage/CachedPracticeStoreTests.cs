using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class CachedPracticeStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2027, 1, 5, 5, 0, 0, TimeSpan.Zero));

    private CachedPracticeStore NewStore() => new(new TablePracticeStore(Clients.Practices, Clients.Therapists), _time, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_second_read_within_the_time_to_live_makes_no_request()
    {
        var store = NewStore();
        var practice = Builders.FullPractice(FreshPracticeId());
        await store.UpsertPracticeAsync(practice);
        await store.UpsertSecretsAsync(new PracticeSecrets { PracticeId = practice.Id, ApiKeyHashes = ["h"] });
        Counter.Reset();

        var first = await store.GetPracticeAsync(practice.Id);
        var firstSecrets = await store.GetSecretsAsync(practice.Id);
        Assert.Equal(2, Counter.Total);
        _time.Advance(TimeSpan.FromSeconds(29));
        var second = await store.GetPracticeAsync(practice.Id);
        var secondSecrets = await store.GetSecretsAsync(practice.Id);
        Assert.Equal(2, Counter.Total);
        Assert.Equal(first, second);
        Assert.Equal(firstSecrets, secondSecrets);
    }

    [Fact]
    public async Task After_the_time_to_live_it_reads_again_and_sees_another_instances_write()
    {
        var store = NewStore();
        var other = new TablePracticeStore(Clients.Practices, Clients.Therapists);
        var practice = Builders.BarePractice(FreshPracticeId());
        await other.UpsertPracticeAsync(practice);
        Assert.Equal("Cabinet", (await store.GetPracticeAsync(practice.Id))!.Value.Name);

        await other.UpsertPracticeAsync(practice with { Name = "Renamed elsewhere" });
        Assert.Equal("Cabinet", (await store.GetPracticeAsync(practice.Id))!.Value.Name);
        _time.Advance(TimeSpan.FromSeconds(30));
        Counter.Reset();
        Assert.Equal("Renamed elsewhere", (await store.GetPracticeAsync(practice.Id))!.Value.Name);
        Assert.Equal(1, Counter.Total);
    }

    [Fact]
    public async Task It_sees_its_own_writes_at_once()
    {
        var store = NewStore();
        var practice = Builders.BarePractice(FreshPracticeId());
        await store.CreatePracticeAsync(practice);
        var read = await store.GetPracticeAsync(practice.Id);
        var etag = await store.UpdatePracticeAsync(practice with { Name = "Updated" }, read!.ETag);
        var after = await store.GetPracticeAsync(practice.Id);
        Assert.Equal("Updated", after!.Value.Name);
        Assert.Equal(etag, after.ETag);

        await store.UpsertPracticeAsync(practice with { Name = "Upserted" });
        Assert.Equal("Upserted", (await store.GetPracticeAsync(practice.Id))!.Value.Name);

        var secrets = new PracticeSecrets { PracticeId = practice.Id, ApiKeyHashes = ["one"] };
        await store.CreateSecretsAsync(secrets);
        var readSecrets = await store.GetSecretsAsync(practice.Id);
        await store.UpdateSecretsAsync(secrets with { ApiKeyHashes = ["two"] }, readSecrets!.ETag);
        Assert.Equal(["two"], (await store.GetSecretsAsync(practice.Id))!.Value.ApiKeyHashes);
    }

    [Fact]
    public async Task A_stale_cached_etag_fails_once_and_the_retry_reads_the_current_row()
    {
        var store = NewStore();
        var other = new TablePracticeStore(Clients.Practices, Clients.Therapists);
        var practice = Builders.BarePractice(FreshPracticeId());
        await other.UpsertPracticeAsync(practice);
        var cached = await store.GetPracticeAsync(practice.Id);
        await other.UpsertPracticeAsync(practice with { Name = "Changed elsewhere" });

        var error = await Assert.ThrowsAsync<ReengageException>(() => store.UpdatePracticeAsync(practice with { Name = "Mine" }, cached!.ETag));
        Assert.Equal(ErrorCode.PreconditionFailed, error.Code);
        var fresh = await store.GetPracticeAsync(practice.Id);
        Assert.Equal("Changed elsewhere", fresh!.Value.Name);
        await store.UpdatePracticeAsync(fresh.Value with { Name = "Mine" }, fresh.ETag);
        Assert.Equal("Mine", (await other.GetPracticeAsync(practice.Id))!.Value.Name);
    }

    [Fact]
    public async Task A_missing_practice_is_not_cached()
    {
        var store = NewStore();
        var practice = Builders.BarePractice(FreshPracticeId());
        Assert.Null(await store.GetPracticeAsync(practice.Id));
        await new TablePracticeStore(Clients.Practices, Clients.Therapists).UpsertPracticeAsync(practice);
        Assert.NotNull(await store.GetPracticeAsync(practice.Id));
    }
    private TemplateOverride Override(string practiceId, string subject) => new()
    {
        PracticeId = practiceId,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        Subject = subject,
        Html = "<p>{{ patient.firstName }}</p>",
        Text = "{{ patient.firstName }}",
        UpdatedAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task A_template_override_and_its_absence_are_cached_and_its_own_writes_are_seen_at_once()
    {
        var store = NewStore();
        var other = new TablePracticeStore(Clients.Practices, Clients.Therapists);
        var practiceId = FreshPracticeId();
        Counter.Reset();

        Assert.Null(await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr));
        Assert.Null(await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr));
        Assert.Equal(1, Counter.Total);

        await store.UpsertTemplateOverrideAsync(Override(practiceId, "Mine"));
        Assert.Equal("Mine", (await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr))!.Subject);
        Counter.Reset();
        Assert.Equal("Mine", (await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr))!.Subject);
        Assert.Equal(0, Counter.Total);

        await store.DeleteTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr);
        Assert.Null(await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr));

        // Another instance's override is seen once the cached absence expires, not before.
        await other.UpsertTemplateOverrideAsync(Override(practiceId, "Elsewhere"));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Elsewhere", (await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr))!.Subject);
        Assert.Null(await store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.En));
    }

    [Fact]
    public async Task A_therapist_is_cached_its_own_writes_seen_at_once_and_a_missing_one_not_cached()
    {
        var store = NewStore();
        var other = new TablePracticeStore(Clients.Practices, Clients.Therapists);
        var practiceId = FreshPracticeId();
        var therapist = new Therapist { PracticeId = practiceId, Id = "th_1", DisplayName = "Léa Martin", Email = "lea@tilleuls.example" };
        Assert.Null(await store.GetTherapistAsync(practiceId, "th_1"));
        await other.UpsertTherapistAsync(therapist);
        Assert.Equal("Léa Martin", (await store.GetTherapistAsync(practiceId, "th_1"))!.DisplayName);

        Counter.Reset();
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("Léa Martin", (await store.GetTherapistAsync(practiceId, "th_1"))!.DisplayName);
        Assert.Equal(0, Counter.Total);

        await store.UpsertTherapistAsync(therapist with { DisplayName = "Léa Martin-Roy" });
        Assert.Equal("Léa Martin-Roy", (await store.GetTherapistAsync(practiceId, "th_1"))!.DisplayName);

        await other.UpsertTherapistAsync(therapist with { DisplayName = "Changed elsewhere" });
        Assert.Equal("Léa Martin-Roy", (await store.GetTherapistAsync(practiceId, "th_1"))!.DisplayName);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("Changed elsewhere", (await store.GetTherapistAsync(practiceId, "th_1"))!.DisplayName);
    }
}
