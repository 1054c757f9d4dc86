using Reengage.Core.Model;
using Reengage.Core.Privacy;
using Reengage.Core.Security;

namespace Reengage.Core.Ports;

/// <summary>Acuity Scheduling's API user and key; the key also signs Acuity's webhooks.</summary>
public sealed record AcuityCredentials(string UserId, string ApiKey);

/// <summary>A practice's secrets, kept in their own row so that reading or exporting settings never carries them.</summary>
public sealed record PracticeSecrets
{
    public required string PracticeId { get; init; }
    public IReadOnlyDictionary<WebhookSource, WebhookSecret> Webhooks { get; init; } = new Dictionary<WebhookSource, WebhookSecret>();
    /// <summary>SHA-256 (hex) of the practice API keys (current and, during rotation, previous).</summary>
    public IReadOnlyList<string> ApiKeyHashes { get; init; } = [];
    /// <summary>Keys that can expire; null on secrets written before rotation existed.</summary>
    public IReadOnlyList<ApiKeyRecord>? ApiKeys { get; init; }
    /// <summary>Null until Acuity Scheduling is connected.</summary>
    public AcuityCredentials? Acuity { get; init; }
    /// <summary>
    /// Keys the pseudonym of erased patients (<see cref="Erasure.ErasedPatientIdOf"/>). Created with the practice, or on
    /// first need for secrets written before it existed (null until then); never rotated, never shown.
    /// </summary>
    public PseudonymKey? PseudonymKey { get; init; }

    /// <summary>The API keys in the form <see cref="Security.ApiKeys"/> checks and rotates.</summary>
    public ApiKeySet ApiKeySet => new(ApiKeyHashes, ApiKeys ?? []);
}

/// <summary>A practice's own version of one library template in one locale (SPEC §6), validated before it is stored.</summary>
public sealed record TemplateOverride
{
    public required string PracticeId { get; init; }
    public required TemplateId TemplateId { get; init; }
    public required Locale Locale { get; init; }
    public required string Subject { get; init; }
    public required string Html { get; init; }
    public required string Text { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// A booking tool's key for a therapist, <c>&lt;source&gt;:&lt;kind&gt;:&lt;value&gt;</c> (e.g. <c>calcom:organizer:lea@cabinet.example</c>),
/// and the therapist it stands for.
/// </summary>
public sealed record TherapistMappingEntry(string Key, string TherapistId);

/// <summary>A key seen in a booking with no entry for it: the booking went to the practice's default therapist.</summary>
public sealed record UnmappedTherapistKey(string Key, DateTimeOffset FirstSeenAt);

/// <summary>Which therapist a booking tool's organizer, calendar or event type stands for; stored with the practice.</summary>
public sealed record TherapistMapping
{
    public required string PracticeId { get; init; }
    public IReadOnlyList<TherapistMappingEntry> Entries { get; init; } = [];
    /// <summary>Oldest first, at most 100; a key leaves it when an entry maps it.</summary>
    public IReadOnlyList<UnmappedTherapistKey> Unmapped { get; init; } = [];
}

/// <summary>Practice settings, secrets, therapists, template overrides and the therapist mapping.</summary>
public interface IPracticeStore
{
    Task<Versioned<Practice>?> GetPracticeAsync(string practiceId, CancellationToken cancellationToken = default);

    /// <summary>Inserts; null when the practice already exists. Returns the new ETag.</summary>
    Task<string?> CreatePracticeAsync(Practice practice, CancellationToken cancellationToken = default);

    Task UpsertPracticeAsync(Practice practice, CancellationToken cancellationToken = default);

    /// <summary>Conditional replace; <see cref="ErrorCode.PreconditionFailed"/> when the row changed. Returns the new ETag.</summary>
    Task<string> UpdatePracticeAsync(Practice practice, string etag, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Practice> ListPracticesAsync(CancellationToken cancellationToken = default);

    Task<Versioned<PracticeSecrets>?> GetSecretsAsync(string practiceId, CancellationToken cancellationToken = default);

    /// <summary>Inserts; null when the practice already has secrets (the first request to create them wins).</summary>
    Task<string?> CreateSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default);

    Task UpsertSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default);

    /// <summary>Conditional replace; <see cref="ErrorCode.PreconditionFailed"/> when the row changed. Returns the new ETag.</summary>
    Task<string> UpdateSecretsAsync(PracticeSecrets secrets, string etag, CancellationToken cancellationToken = default);

    Task<Therapist?> GetTherapistAsync(string practiceId, string therapistId, CancellationToken cancellationToken = default);

    Task UpsertTherapistAsync(Therapist therapist, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Therapist> ListTherapistsAsync(string practiceId, CancellationToken cancellationToken = default);

    Task<TemplateOverride?> GetTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default);

    Task UpsertTemplateOverrideAsync(TemplateOverride templateOverride, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone.</summary>
    Task DeleteTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default);

    /// <summary>Null if never saved.</summary>
    Task<Versioned<TherapistMapping>?> GetTherapistMappingAsync(string practiceId, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.Conflict"/> when the practice already has one. Returns the ETag.</summary>
    Task<string> CreateTherapistMappingAsync(TherapistMapping mapping, CancellationToken cancellationToken = default);

    /// <summary>Conditional replace; <see cref="ErrorCode.PreconditionFailed"/> when it changed. Returns the new ETag.</summary>
    Task<string> UpdateTherapistMappingAsync(TherapistMapping mapping, string etag, CancellationToken cancellationToken = default);
}
