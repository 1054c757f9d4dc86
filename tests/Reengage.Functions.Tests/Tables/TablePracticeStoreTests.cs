using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TablePracticeStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TablePracticeStore Store => new(Clients.Practices, Clients.Therapists);

    [Fact]
    public async Task A_practice_with_every_field_set_round_trips()
    {
        var practice = Builders.FullPractice(FreshPracticeId());
        Assert.Null(await Store.GetPracticeAsync(practice.Id));
        await Store.UpsertPracticeAsync(practice);
        var read = await Store.GetPracticeAsync(practice.Id);
        Assert.NotNull(read);
        Assert.Equivalent(practice, read.Value, strict: true);
        Assert.False(string.IsNullOrEmpty(read.ETag));
    }

    [Fact]
    public async Task A_practice_with_defaults_and_nulls_round_trips()
    {
        var practice = Builders.BarePractice(FreshPracticeId());
        await Store.UpsertPracticeAsync(practice);
        var read = await Store.GetPracticeAsync(practice.Id);
        Assert.NotNull(read);
        Assert.Equivalent(practice, read.Value, strict: true);
        Assert.Null(read.Value.DefaultTherapistId);
        Assert.Null(read.Value.LastSeasonalWindowKey);
    }

    [Fact]
    public async Task Two_updates_from_the_same_read_the_second_fails_and_the_first_stays()
    {
        var practice = Builders.BarePractice(FreshPracticeId());
        var created = await Store.CreatePracticeAsync(practice);
        Assert.NotNull(created);
        var read = await Store.GetPracticeAsync(practice.Id);
        var first = await Store.UpdatePracticeAsync(practice with { Name = "Cabinet (Lyon)" }, read!.ETag);
        Assert.NotEqual(read.ETag, first);
        var error = await Assert.ThrowsAsync<ReengageException>(() => Store.UpdatePracticeAsync(practice with { Name = "Old" }, read.ETag));
        Assert.Equal(ErrorCode.PreconditionFailed, error.Code);
        var after = await Store.GetPracticeAsync(practice.Id);
        Assert.Equal("Cabinet (Lyon)", after!.Value.Name);
        Assert.Equal(first, after.ETag);
    }

    [Fact]
    public async Task Creating_a_practice_twice_answers_null_and_keeps_the_first()
    {
        var practice = Builders.BarePractice(FreshPracticeId());
        Assert.NotNull(await Store.CreatePracticeAsync(practice));
        Assert.Null(await Store.CreatePracticeAsync(practice with { Name = "Second" }));
        Assert.Equal("Cabinet", (await Store.GetPracticeAsync(practice.Id))!.Value.Name);
    }

    [Fact]
    public async Task Secrets_live_in_their_own_row_readable_by_id_and_absent_from_the_practice_list()
    {
        var practiceId = FreshPracticeId();
        await Store.UpsertPracticeAsync(Builders.BarePractice(practiceId));
        var secrets = new PracticeSecrets
        {
            PracticeId = practiceId,
            Webhooks = new Dictionary<WebhookSource, WebhookSecret>
            {
                [WebhookSource.Generic] = new("whsec_new", "whsec_old", new DateTimeOffset(2027, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)),
                [WebhookSource.Calcom] = new("cal_secret", null, null),
            },
            ApiKeyHashes = [new string('a', 64), new string('b', 64)],
            ApiKeys = [new ApiKeyRecord(new string('a', 64), null), new ApiKeyRecord(new string('b', 64), new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero))],
            Acuity = new AcuityCredentials("12345", "acuity-key"),
        };
        Assert.Null(await Store.GetSecretsAsync(practiceId));
        var etag = await Store.CreateSecretsAsync(secrets);
        Assert.NotNull(etag);
        Assert.Null(await Store.CreateSecretsAsync(secrets with { ApiKeyHashes = [] }));
        var read = await Store.GetSecretsAsync(practiceId);
        Assert.Equivalent(secrets, read!.Value, strict: true);
        Assert.Equal(etag, read.ETag);

        var listed = (await CollectAsync(Store.ListPracticesAsync())).Where(p => p.Id == practiceId).ToList();
        Assert.Single(listed);
        Assert.Equal("Cabinet", listed[0].Name);
    }

    [Fact]
    public async Task Secrets_without_optional_parts_read_back_with_nulls_and_update_only_with_their_etag()
    {
        var practiceId = FreshPracticeId();
        var secrets = new PracticeSecrets { PracticeId = practiceId, ApiKeyHashes = [new string('c', 64)] };
        await Store.UpsertSecretsAsync(secrets);
        var read = await Store.GetSecretsAsync(practiceId);
        Assert.Null(read!.Value.ApiKeys);
        Assert.Null(read.Value.Acuity);
        Assert.Empty(read.Value.Webhooks);

        await Store.UpdateSecretsAsync(secrets with { Acuity = new AcuityCredentials("u", "k") }, read.ETag);
        var error = await Assert.ThrowsAsync<ReengageException>(() => Store.UpdateSecretsAsync(secrets, read.ETag));
        Assert.Equal(ErrorCode.PreconditionFailed, error.Code);
        Assert.Equal("u", (await Store.GetSecretsAsync(practiceId))!.Value.Acuity!.UserId);
    }

    [Fact]
    public async Task Therapists_are_stored_per_practice()
    {
        var practiceId = FreshPracticeId();
        var lea = new Therapist { PracticeId = practiceId, Id = "th_1", DisplayName = "Léa Martin", Email = "lea@tilleuls.example", Signature = "Léa\nPsychologue" };
        var tom = new Therapist { PracticeId = practiceId, Id = "th_2", DisplayName = "Tom Durand", Email = "tom@tilleuls.example", Locale = Locale.En, Active = false };
        await Store.UpsertTherapistAsync(lea);
        await Store.UpsertTherapistAsync(tom);
        await Store.UpsertTherapistAsync(lea with { PracticeId = FreshPracticeId() });
        Assert.Equal(tom, await Store.GetTherapistAsync(practiceId, "th_2"));
        Assert.Equal(lea, await Store.GetTherapistAsync(practiceId, "th_1"));
        Assert.Null(await Store.GetTherapistAsync(practiceId, "th_3"));
        var listed = await CollectAsync(Store.ListTherapistsAsync(practiceId));
        Assert.Equal(["th_1", "th_2"], listed.Select(t => t.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_template_override_longer_than_a_property_holds_round_trips_per_template_and_locale()
    {
        var practiceId = FreshPracticeId();
        var html = string.Concat(Enumerable.Repeat("<p>Bonjour {{ patient.first_name }} — é</p>\n", 2000));
        Assert.True(html.Length > 60_000);
        var fr = new TemplateOverride { PracticeId = practiceId, TemplateId = TemplateId.PlanFollowUp, Locale = Locale.Fr, Subject = "Des nouvelles ?", Html = html, Text = "", UpdatedAt = Builders.Now };
        await Store.UpsertPracticeAsync(Builders.BarePractice(practiceId));
        await Store.UpsertTemplateOverrideAsync(fr);
        await Store.UpsertTemplateOverrideAsync(fr with { Locale = Locale.En, Subject = "News?" });

        Assert.Equal(fr, await Store.GetTemplateOverrideAsync(practiceId, TemplateId.PlanFollowUp, Locale.Fr));
        Assert.Equal("News?", (await Store.GetTemplateOverrideAsync(practiceId, TemplateId.PlanFollowUp, Locale.En))!.Subject);
        Assert.Null(await Store.GetTemplateOverrideAsync(practiceId, TemplateId.CheckIn, Locale.Fr));
        Assert.Single(await CollectAsync(Store.ListPracticesAsync()), p => p.Id == practiceId);

        await Store.DeleteTemplateOverrideAsync(practiceId, TemplateId.PlanFollowUp, Locale.Fr);
        await Store.DeleteTemplateOverrideAsync(practiceId, TemplateId.PlanFollowUp, Locale.Fr);
        Assert.Null(await Store.GetTemplateOverrideAsync(practiceId, TemplateId.PlanFollowUp, Locale.Fr));
    }

    [Fact]
    public async Task The_therapist_mapping_is_created_once_and_updated_only_with_its_etag()
    {
        var practiceId = FreshPracticeId();
        var mapping = new TherapistMapping
        {
            PracticeId = practiceId,
            Entries = [new("calcom:organizer:lea@cabinet.example", "th_1"), new("acuity:calendar:27238", "th_2")],
            Unmapped = [new("calendly:user:https://api.calendly.com/users/AAA", Builders.Now)],
        };
        Assert.Null(await Store.GetTherapistMappingAsync(practiceId));
        var etag = await Store.CreateTherapistMappingAsync(mapping);
        var conflict = await Assert.ThrowsAsync<ReengageException>(() => Store.CreateTherapistMappingAsync(mapping));
        Assert.Equal(ErrorCode.Conflict, conflict.Code);

        var read = await Store.GetTherapistMappingAsync(practiceId);
        Assert.Equivalent(mapping, read!.Value, strict: true);
        Assert.Equal(etag, read.ETag);

        await Store.UpdateTherapistMappingAsync(mapping with { Unmapped = [] }, etag);
        var stale = await Assert.ThrowsAsync<ReengageException>(() => Store.UpdateTherapistMappingAsync(mapping, etag));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Empty((await Store.GetTherapistMappingAsync(practiceId))!.Value.Unmapped);
    }
}
