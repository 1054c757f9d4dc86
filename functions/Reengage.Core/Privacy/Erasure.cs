// GDPR erasure and retention (SPEC §9): what a ledger row keeps once its personal content is gone, and when it goes.
using System.Text;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Core.Privacy;

public static class Erasure
{
    public const string PseudonymPrefix = "erased-";

    /// <summary>The status of an email still waiting to be sent when its patient was erased: it is never sent.</summary>
    public const string SkipReason = "patient_erased";

    /// <summary>What the pseudonym's HMAC is computed over, before the patient id: it keeps this use of the key apart from any other.</summary>
    public const string PseudonymLabel = "reengage:erased-patient-id:v1|";

    /// <summary>
    /// The pseudonym that replaces a patient id on the ledger rows kept for statistics: <c>erased-</c> and the first 16
    /// bytes, in lowercase hex, of HMAC-SHA256 under the practice's <paramref name="key"/> of
    /// <see cref="PseudonymLabel"/> followed by the patient id (UTF-8). Keyed, because patient ids are often guessable
    /// (<c>pat_42</c>): an unkeyed hash of them could be recomputed for every candidate id and the erased rows linked back
    /// to the patient. Deterministic under the practice's key, which never changes, so that an erasure that died half-way
    /// finishes under the same keys and one patient's rows (and so their episodes) stay together. The TypeScript
    /// implementation still uses an unkeyed hash (<c>erased-</c> + 16 hex of SHA-256 of <c>practiceId|patientId</c>).
    /// </summary>
    public static string ErasedPatientIdOf(PseudonymKey key, string patientId)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(patientId);
        var mac = key.Mac(Encoding.UTF8.GetBytes(PseudonymLabel + patientId));
        return PseudonymPrefix + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    /// <summary>Whether a patient id is a pseudonym (a row already erased).</summary>
    public static bool IsPseudonym(string patientId) => patientId.StartsWith(PseudonymPrefix, StringComparison.Ordinal);

    /// <summary>
    /// A ledger row without its personal content: the patient id becomes the pseudonym under its practice's key (and with it the row key), the
    /// therapist goes; template, locale, status, dates, delivery, answer and rebooking remain for the practice's report.
    /// The operation id stays: it is the ACS message id that late delivery reports carry. A row still waiting to be sent
    /// is marked skipped, so it is never sent.
    /// </summary>
    public static OutreachRow ErasedRowOf(OutreachRow row, PseudonymKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row with
        {
            PatientId = ErasedPatientIdOf(key, row.PatientId),
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
