namespace Reengage.Core.Model;

/// <summary>What identifies one planned email: the ledger's row key is <c>patientId|campaign|episodeKey|step</c>.</summary>
public sealed record OutreachKey(string PatientId, Campaign Campaign, string EpisodeKey, int Step)
{
    public string Id => $"{PatientId}|{Wire.Name(Campaign)}|{EpisodeKey}|{Step}";
}

/// <summary>Ledger statuses. <c>skipped:&lt;reason&gt;</c> carries the reason after the colon.</summary>
public static class OutreachStatus
{
    public const string Planned = "planned";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Bounced = "bounced";
    public const string Failed = "failed";
    public const string HeldOut = "held_out";
    public const string SkippedPrefix = "skipped:";

    public static string Skipped(string reason) => SkippedPrefix + reason;
    public static bool IsSkipped(string status) => status.StartsWith(SkippedPrefix, StringComparison.Ordinal);
}

/// <summary>One row of the ledger: one planned (or held-out, or skipped) email.</summary>
public sealed record OutreachRow
{
    public required string PracticeId { get; init; }
    public required string PatientId { get; init; }
    public required Campaign Campaign { get; init; }
    /// <summary>Episode key for lapse and milestone; window key (<c>2027:new-year</c>) for seasonal.</summary>
    public required string EpisodeKey { get; init; }
    public required int Step { get; init; }
    public required TemplateId TemplateId { get; init; }
    public required Locale Locale { get; init; }
    public string? TherapistId { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset PlannedAt { get; init; }
    public required DateTimeOffset NotBefore { get; init; }
    /// <summary>Deterministic UUID derived from the key: the ACS operation id and the opaque id in headers.</summary>
    public required string OperationId { get; init; }
    public DateTimeOffset? ClaimedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? DeliveryStatus { get; init; }
    public DateTimeOffset? DeliveryAt { get; init; }
    public OutreachResponse? Response { get; init; }
    public DateTimeOffset? RespondedAt { get; init; }
    public DateTimeOffset? RebookedAt { get; init; }
    public string? FailureReason { get; init; }
    public int Attempts { get; init; }
    /// <summary>Seasonal rows only: the lapse episode whose holdout draw and budget the row used.</summary>
    public string? LapseEpisodeKey { get; init; }
    public DateTimeOffset? ViewedAt { get; init; }
    public DateTimeOffset? ClickedAt { get; init; }
    /// <summary>
    /// First visit of the email's book link judged to be a mail scanner's rather than the patient's (see docs/answers.md):
    /// kept apart from <see cref="Response"/> so the report can count both without mistaking a scanner for an intention.
    /// </summary>
    public DateTimeOffset? ScannerVisitAt { get; init; }
    /// <summary>When the row's personal content was erased (GDPR erasure or retention).</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    public OutreachKey Key => new(PatientId, Campaign, EpisodeKey, Step);
    public string Id => Key.Id;
}

/// <summary>One DueIndex row: the patient's next outreach becomes due on <see cref="Day"/> (<c>yyyyMMdd</c>).</summary>
public sealed record DueEntry(string Day, string PracticeId, string PatientId);
