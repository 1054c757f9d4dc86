// Practices table (PK practiceId; RK `practice` for settings and `secrets` for webhook secrets and API key hashes,
// kept apart so that listing or exporting settings never carries secrets) and Therapists table (PK practiceId,
// RK therapistId).
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TablePracticeStore(TableClient practicesTable, TableClient therapistsTable) : IPracticeStore
{
    internal const string PracticeRow = "practice";
    internal const string SecretsRow = "secrets";

    private readonly TableOperations _practices = new(practicesTable);
    private readonly TableOperations _therapists = new(therapistsTable);

    public async Task<Versioned<Practice>?> GetPracticeAsync(string practiceId, CancellationToken cancellationToken = default)
    {
        var row = await _practices.GetAsync(TableKeys.Checked(practiceId, "practice id"), PracticeRow, cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<Practice>(PracticeFrom(r.Entity), r.ETag) : null;
    }

    public Task<string?> CreatePracticeAsync(Practice practice, CancellationToken cancellationToken = default) =>
        _practices.CreateOrNullAsync(PracticeTo(practice), cancellationToken);

    public Task UpsertPracticeAsync(Practice practice, CancellationToken cancellationToken = default) =>
        _practices.UpsertAsync(PracticeTo(practice), cancellationToken);

    public Task<string> UpdatePracticeAsync(Practice practice, string etag, CancellationToken cancellationToken = default) =>
        _practices.ReplaceAsync(PracticeTo(practice), etag, cancellationToken);

    public async IAsyncEnumerable<Practice> ListPracticesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {PracticeRow}");
        await foreach (var entity in _practices.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return PracticeFrom(entity);
        }
    }

    public async Task<Versioned<PracticeSecrets>?> GetSecretsAsync(string practiceId, CancellationToken cancellationToken = default)
    {
        var row = await _practices.GetAsync(TableKeys.Checked(practiceId, "practice id"), SecretsRow, cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<PracticeSecrets>(SecretsFrom(r.Entity), r.ETag) : null;
    }

    public Task<string?> CreateSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) =>
        _practices.CreateOrNullAsync(SecretsTo(secrets), cancellationToken);

    public Task UpsertSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) =>
        _practices.UpsertAsync(SecretsTo(secrets), cancellationToken);

    public Task<string> UpdateSecretsAsync(PracticeSecrets secrets, string etag, CancellationToken cancellationToken = default) =>
        _practices.ReplaceAsync(SecretsTo(secrets), etag, cancellationToken);

    public async Task<Therapist?> GetTherapistAsync(string practiceId, string therapistId, CancellationToken cancellationToken = default)
    {
        var row = await _therapists.GetAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(therapistId, "therapist id"), cancellationToken).ConfigureAwait(false);
        return row is { } r ? TherapistFrom(r.Entity) : null;
    }

    public Task UpsertTherapistAsync(Therapist therapist, CancellationToken cancellationToken = default) =>
        _therapists.UpsertAsync(TherapistTo(therapist), cancellationToken);

    public async IAsyncEnumerable<Therapist> ListTherapistsAsync(string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")}");
        await foreach (var entity in _therapists.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return TherapistFrom(entity);
        }
    }

    private TableEntity PracticeTo(Practice practice) =>
        new EntityWriter(_practices.Table, TableKeys.Checked(practice.Id, "practice id"), PracticeRow)
            .Set("id", practice.Id)
            .Set("name", practice.Name)
            .Set("timeZone", practice.TimeZone)
            .SetWire("locale", practice.Locale)
            .Set("country", practice.Country)
            .Set("senderAddress", practice.SenderAddress)
            .Set("senderDisplayName", practice.SenderDisplayName)
            .Set("bookingUrl", practice.BookingUrl)
            .Set("lapseDays", practice.LapseDays)
            .Set("cooldownDays", practice.CooldownDays)
            .Set("maxTouchesPerEpisode", practice.MaxTouchesPerEpisode)
            .Set("maxTouchesPer365Days", practice.MaxTouchesPer365Days)
            .SetJson("cadenceDays", practice.CadenceDays)
            .SetJson("sendWindow", practice.SendWindow)
            .SetJson("closedDates", practice.ClosedDates)
            .SetJson("seasonalWindows", practice.SeasonalWindows)
            .Set("allowClinicalDetails", practice.AllowClinicalDetails)
            .Set("holdoutPercent", practice.HoldoutPercent)
            .SetJson("resources", practice.Resources)
            .Set("defaultTherapistId", practice.DefaultTherapistId)
            .Set("lastSeasonalWindowKey", practice.LastSeasonalWindowKey)
            .Build();

    private Practice PracticeFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _practices.Table);
        return new Practice
        {
            Id = r.String("id"),
            Name = r.String("name"),
            TimeZone = r.String("timeZone"),
            Locale = r.WireEnum<Locale>("locale"),
            Country = r.String("country"),
            SenderAddress = r.String("senderAddress"),
            SenderDisplayName = r.String("senderDisplayName"),
            BookingUrl = r.String("bookingUrl"),
            LapseDays = r.Int("lapseDays"),
            CooldownDays = r.Int("cooldownDays"),
            MaxTouchesPerEpisode = r.Int("maxTouchesPerEpisode"),
            MaxTouchesPer365Days = r.Int("maxTouchesPer365Days"),
            CadenceDays = r.Json<List<int>>("cadenceDays"),
            SendWindow = r.Json<SendWindow>("sendWindow"),
            ClosedDates = r.Json<List<DateOnly>>("closedDates"),
            SeasonalWindows = r.Json<List<SeasonalWindow>>("seasonalWindows"),
            AllowClinicalDetails = r.Bool("allowClinicalDetails"),
            HoldoutPercent = r.Int("holdoutPercent"),
            Resources = r.Json<List<PracticeResource>>("resources"),
            DefaultTherapistId = r.OptionalString("defaultTherapistId"),
            LastSeasonalWindowKey = r.OptionalString("lastSeasonalWindowKey"),
        };
    }

    private TableEntity SecretsTo(PracticeSecrets secrets) =>
        new EntityWriter(_practices.Table, TableKeys.Checked(secrets.PracticeId, "practice id"), SecretsRow)
            .Set("practiceId", secrets.PracticeId)
            .SetJson("webhooks", secrets.Webhooks)
            .SetJson("apiKeyHashes", secrets.ApiKeyHashes)
            .SetJson("apiKeys", secrets.ApiKeys)
            .SetJson("acuity", secrets.Acuity)
            .Build();

    private PracticeSecrets SecretsFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _practices.Table);
        return new PracticeSecrets
        {
            PracticeId = r.String("practiceId"),
            Webhooks = r.Json<Dictionary<WebhookSource, WebhookSecret>>("webhooks"),
            ApiKeyHashes = r.Json<List<string>>("apiKeyHashes"),
            ApiKeys = r.OptionalJson<List<ApiKeyRecord>>("apiKeys"),
            Acuity = r.OptionalJson<AcuityCredentials>("acuity"),
        };
    }

    private TableEntity TherapistTo(Therapist therapist) =>
        new EntityWriter(_therapists.Table, TableKeys.Checked(therapist.PracticeId, "practice id"), TableKeys.Checked(therapist.Id, "therapist id"))
            .Set("practiceId", therapist.PracticeId)
            .Set("id", therapist.Id)
            .Set("displayName", therapist.DisplayName)
            .Set("email", therapist.Email)
            .Set("signature", therapist.Signature)
            .SetWire("locale", therapist.Locale)
            .Set("active", therapist.Active)
            .Build();

    private Therapist TherapistFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _therapists.Table);
        return new Therapist
        {
            PracticeId = r.String("practiceId"),
            Id = r.String("id"),
            DisplayName = r.String("displayName"),
            Email = r.String("email"),
            Signature = r.String("signature"),
            Locale = r.WireEnum<Locale>("locale"),
            Active = r.Bool("active"),
        };
    }
}
