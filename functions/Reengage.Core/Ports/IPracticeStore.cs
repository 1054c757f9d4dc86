using Reengage.Core.Model;

namespace Reengage.Core.Ports;

/// <summary>One booking tool's signing secret; the previous one keeps verifying during a rotation.</summary>
public sealed record WebhookSecret(string Current, string? Previous, DateTimeOffset? RotatedAt);

/// <summary>An API key as stored: its SHA-256 (hex) only. The current key has no <see cref="NotAfter"/>.</summary>
public sealed record ApiKeyRecord(string Hash, DateTimeOffset? NotAfter);

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
}

/// <summary>Practice settings, secrets and therapists.</summary>
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
}
