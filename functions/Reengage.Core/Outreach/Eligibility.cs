using Reengage.Core.Model;

namespace Reengage.Core.Outreach;

/// <summary>
/// Why a patient may not be written to. The wire names are stored in the ledger (<c>skipped:&lt;reason&gt;</c>) and
/// counted by the report: they never change.
/// </summary>
public enum SkipReason
{
    [WireName("no_email")] NoEmail,
    [WireName("no_consent")] NoConsent,
    [WireName("suppressed")] Suppressed,
    [WireName("discharged")] Discharged,
    [WireName("paused")] Paused,
    [WireName("booked")] Booked,
    [WireName("answered")] Answered,
    [WireName("episode_budget")] EpisodeBudget,
    [WireName("yearly_budget")] YearlyBudget,
    [WireName("cooldown")] Cooldown,
}

/// <summary>One eligibility check: may this patient be written to at <see cref="At"/>?</summary>
public sealed record EligibilityQuestion
{
    public required Practice Practice { get; init; }
    public required Patient Patient { get; init; }
    /// <summary>When the email would go out.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>The lapse episode the email counts against (budget per episode); null for none (seasonal).</summary>
    public required string? EpisodeKey { get; init; }
    /// <summary>At send time: when the row was planned (a booking or answer since then stops it).</summary>
    public DateTimeOffset? PlannedAt { get; init; }
    /// <summary>At send time: the row being sent, whose own touch must not count against it.</summary>
    public string? OutreachId { get; init; }
}

/// <summary>Who may be written to, checked when planning and again right before sending (SPEC §5.1).</summary>
public static class Eligibility
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    /// <summary>Every reason, in the order they are checked.</summary>
    public static IReadOnlyList<SkipReason> AllReasons { get; } = Enum.GetValues<SkipReason>();

    /// <summary>The ledger status of a row skipped for <paramref name="reason"/>: <c>skipped:cooldown</c>.</summary>
    public static string SkippedStatusOf(SkipReason reason) => OutreachStatus.Skipped(Wire.Name(reason));

    /// <summary>Why the patient must not be written to, or null when the email may go.</summary>
    public static SkipReason? WhyIneligible(EligibilityQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var (practice, patient, at) = (question.Practice, question.Patient, question.At);
        if (string.IsNullOrEmpty(patient.Email)) return SkipReason.NoEmail;
        if (!patient.EmailConsent.Granted) return SkipReason.NoConsent;
        if (patient.Suppressed) return SkipReason.Suppressed;
        if (patient.CareStatus == CareStatus.Discharged) return SkipReason.Discharged;
        if (patient.PausedUntil > at) return SkipReason.Paused;
        if (patient.NextBookingAt > at) return SkipReason.Booked;
        if (question.PlannedAt is { } plannedAt)
        {
            if (patient.LastBookedAt > plannedAt) return SkipReason.Booked;
            if (patient.LastAnsweredAt > plannedAt) return SkipReason.Answered;
        }
        var others = patient.TouchLog.Where(touch => touch.OutreachId != question.OutreachId).ToList();
        if (question.EpisodeKey is { } episodeKey
            && others.Count(touch => touch.EpisodeKey == episodeKey) >= practice.MaxTouchesPerEpisode)
        {
            return SkipReason.EpisodeBudget;
        }
        if (others.Count(touch => touch.At > at - Year) >= practice.MaxTouchesPer365Days) return SkipReason.YearlyBudget;
        // Touches planned for later count too: the cooldown is a distance between emails, in either direction.
        var cooldown = TimeSpan.FromDays(practice.CooldownDays);
        if (others.Any(touch => (touch.At - at).Duration() < cooldown)) return SkipReason.Cooldown;
        return null;
    }

    /// <summary>The check made when planning an email that would go at <paramref name="sendAt"/>.</summary>
    public static SkipReason? WhyIneligibleToPlan(Practice practice, Patient patient, DateTimeOffset sendAt, string? budgetEpisodeKey) =>
        WhyIneligible(new EligibilityQuestion { Practice = practice, Patient = patient, At = sendAt, EpisodeKey = budgetEpisodeKey });

    /// <summary>
    /// The check made right before sending <paramref name="row"/> at <paramref name="at"/>: the row's own touch does
    /// not count, and a booking or an answer since it was planned stops it. The budget episode is the one the
    /// planner recorded with the row's touch (none for seasonal rows).
    /// </summary>
    public static SkipReason? WhyIneligibleToSend(Practice practice, Patient patient, OutreachRow row, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(row);
        var rowId = row.Id;
        var episodeKey = patient.TouchLog.FirstOrDefault(touch => touch.OutreachId == rowId)?.EpisodeKey;
        return WhyIneligible(new EligibilityQuestion
        {
            Practice = practice,
            Patient = patient,
            At = at,
            EpisodeKey = episodeKey,
            PlannedAt = row.PlannedAt,
            OutreachId = rowId,
        });
    }
}
