// Practices table (PK practiceId; RK `practice` for settings, `secrets` for webhook secrets, API key hashes and the pseudonym key, kept
// apart so that listing or exporting settings never carries secrets, `therapist-mapping` for booking-tool keys, and
// `template|<templateId>|<locale>` for template overrides) and Therapists table (PK practiceId, RK therapistId).
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Core.Security;

namespace Reengage.Functions.Tables;

public sealed class TablePracticeStore(TableClient practicesTable, TableClient therapistsTable) : IPracticeStore
{
    internal const string PracticeRow = "practice";
    internal const string SecretsRow = "secrets";
    internal const string TherapistMappingRow = "therapist-mapping";

    /// <summary>A template source may be longer than a table property holds (60,000 vs 32,000 characters): split it.</summary>
    private const int TemplateChunkChars = 30_000;

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

    public async Task<TemplateOverride?> GetTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default)
    {
        var row = await _practices.GetAsync(TableKeys.Checked(practiceId, "practice id"), TemplateRowKey(templateId, locale), cancellationToken).ConfigureAwait(false);
        return row is { } r ? TemplateOverrideFrom(r.Entity) : null;
    }

    public Task UpsertTemplateOverrideAsync(TemplateOverride templateOverride, CancellationToken cancellationToken = default) =>
        _practices.UpsertAsync(TemplateOverrideTo(templateOverride), cancellationToken);

    public Task DeleteTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        _practices.DeleteAsync(TableKeys.Checked(practiceId, "practice id"), TemplateRowKey(templateId, locale), cancellationToken);

    public async Task<Versioned<TherapistMapping>?> GetTherapistMappingAsync(string practiceId, CancellationToken cancellationToken = default)
    {
        var row = await _practices.GetAsync(TableKeys.Checked(practiceId, "practice id"), TherapistMappingRow, cancellationToken).ConfigureAwait(false);
        if (row is not { } r) return null;
        var reader = new EntityReader(r.Entity, _practices.Table);
        var mapping = new TherapistMapping
        {
            PracticeId = reader.String("practiceId"),
            Entries = reader.Json<List<TherapistMappingEntry>>("entries"),
            Unmapped = reader.Json<List<UnmappedTherapistKey>>("unmapped"),
        };
        return new Versioned<TherapistMapping>(mapping, r.ETag);
    }

    public Task<string> CreateTherapistMappingAsync(TherapistMapping mapping, CancellationToken cancellationToken = default) =>
        _practices.CreateAsync(TherapistMappingTo(mapping), cancellationToken);

    public Task<string> UpdateTherapistMappingAsync(TherapistMapping mapping, string etag, CancellationToken cancellationToken = default) =>
        _practices.ReplaceAsync(TherapistMappingTo(mapping), etag, cancellationToken);

    private TableEntity TherapistMappingTo(TherapistMapping mapping) =>
        new EntityWriter(_practices.Table, TableKeys.Checked(mapping.PracticeId, "practice id"), TherapistMappingRow)
            .Set("practiceId", mapping.PracticeId)
            .SetJson("entries", mapping.Entries)
            .SetJson("unmapped", mapping.Unmapped)
            .Build();

    private static string TemplateRowKey(TemplateId templateId, Locale locale) => $"template|{Wire.Name(templateId)}|{Wire.Name(locale)}";

    private TableEntity TemplateOverrideTo(TemplateOverride o)
    {
        var writer = new EntityWriter(_practices.Table, TableKeys.Checked(o.PracticeId, "practice id"), TemplateRowKey(o.TemplateId, o.Locale))
            .Set("practiceId", o.PracticeId)
            .SetWire("templateId", o.TemplateId)
            .SetWire("locale", o.Locale)
            .Set("updatedAt", o.UpdatedAt);
        foreach (var (part, source) in new[] { ("subject", o.Subject), ("html", o.Html), ("text", o.Text) })
        {
            var chunks = Math.Max(1, (source.Length + TemplateChunkChars - 1) / TemplateChunkChars);
            writer.Set(part + "Chunks", chunks);
            for (var i = 0; i < chunks; i++)
            {
                var start = i * TemplateChunkChars;
                writer.Set(part + i.ToString(System.Globalization.CultureInfo.InvariantCulture), source.Substring(start, Math.Min(TemplateChunkChars, source.Length - start)));
            }
        }
        return writer.Build();
    }

    private TemplateOverride TemplateOverrideFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _practices.Table);
        string Source(string part)
        {
            var text = new System.Text.StringBuilder();
            for (var i = 0; i < r.Int(part + "Chunks"); i++) text.Append(r.String(part + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return text.ToString();
        }
        return new TemplateOverride
        {
            PracticeId = r.String("practiceId"),
            TemplateId = r.WireEnum<TemplateId>("templateId"),
            Locale = r.WireEnum<Locale>("locale"),
            Subject = Source("subject"),
            Html = Source("html"),
            Text = Source("text"),
            UpdatedAt = r.Instant("updatedAt"),
        };
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
            .Set("pseudonymKey", secrets.PseudonymKey?.ToBase64())
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
            PseudonymKey = r.OptionalString("pseudonymKey") is { } key ? PseudonymKey.FromBase64(key) : null,
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
