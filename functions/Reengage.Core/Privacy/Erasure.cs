// GDPR erasure and retention (SPEC §9): what a ledger row keeps once its personal content is gone, and when it goes.
using System.Security.Cryptography;
using System.Text;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Core.Privacy;

public static class Erasure
{
    public const string PseudonymPrefix = "erased-";

    /// <summary>The status of an email still waiting to be sent when its patient was erased: it is never sent.</summary>
    public const string SkipReason = "patient_erased";

    /// <summary>
    /// The pseudonym that replaces a patient id on the ledger rows kept for statistics: a hash of the patient id keyed by
    /// its practice, the same as the TypeScript implementation's, so rows erased by either land under one key.
    /// Deterministic, so that an erasure that died half-way finishes under the same keys and one patient's rows (and so
    /// their episodes) stay together.
    /// </summary>
    public static string ErasedPatientIdOf(string practiceId, string patientId) =>
        PseudonymPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{practiceId}|{patientId}")))[..16];

    /// <summary>Whether a patient id is a pseudonym (a row already erased).</summary>
    public static bool IsPseudonym(string patientId) => patientId.StartsWith(PseudonymPrefix, StringComparison.Ordinal);

    /// <summary>
    /// A ledger row without its personal content: the patient id becomes the pseudonym (and with it the row key), the
    /// therapist goes; template, locale, status, dates, delivery, answer and rebooking remain for the practice's report.
    /// The operation id stays: it is the ACS message id that late delivery reports carry. A row still waiting to be sent
    /// is marked skipped, so it is never sent.
    /// </summary>
    public static OutreachRow ErasedRowOf(OutreachRow row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row with
        {
            PatientId = ErasedPatientIdOf(row.PracticeId, row.PatientId),
            TherapistId = null,
            Status = row.Status == OutreachStatus.Planned ? OutreachStatus.Skipped(SkipReason) : row.Status,
            ErasedAt = now,
        };
    }

    /// <summary>A feedback kept for the report after retention: its rating only, under the erased row's key.</summary>
    public static FeedbackEntry RatingOnlyOf(FeedbackEntry entry, OutreachRow erased)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(erased);
        return entry with { OutreachId = erased.Id, PatientId = erased.PatientId, Comment = null };
    }
}

/// <summary>What happens to a feedback when its ledger row's content is erased.</summary>
public enum FeedbackOnErasure
{
    /// <summary>GDPR erasure: the patient's feedback goes entirely.</summary>
    Delete,
    /// <summary>Retention: the rating stays for the report, without the comment or the patient id.</summary>
    KeepRating,
}

/// <summary>The retention rules of the weekly sweep (docs/operations.md).</summary>
public static class Retention
{
    /// <summary>Long enough to catch a booking tool re-sending old events; they hold no personal data anyway.</summary>
    public const int InboundEventRetentionDays = 30;

    /// <summary>Booking-tool event records received strictly before this instant are deleted.</summary>
    public static DateTimeOffset InboundEventsBefore(DateTimeOffset now) => now.AddDays(-InboundEventRetentionDays);

    /// <summary>Ledger rows planned strictly before this instant lose their personal content.</summary>
    public static DateTimeOffset OutreachBefore(DateTimeOffset now, int retentionDays) => now.AddDays(-retentionDays);

    /// <summary>
    /// Whether the sweep erases this row (already listed as planned before the cut-off): not one already erased, and not
    /// one still waiting to be sent or being sent (its fate is not known yet).
    /// </summary>
    public static bool ShouldErase(OutreachRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.ErasedAt is null && row.Status is not (OutreachStatus.Planned or OutreachStatus.Sending);
    }
}
