using NodaTime;
using Reengage.Core.Model;

namespace Reengage.Core.Outreach;

/// <summary>Planned, held out (control group) or skipped, for one email.</summary>
public enum DecisionKind
{
    Planned,
    HeldOut,
    Skipped,
}

/// <summary>
/// The planner's decision for one email. <see cref="Status"/> is the ledger status to write (<c>planned</c>,
/// <c>held_out</c> or <c>skipped:&lt;reason&gt;</c>); <see cref="BudgetEpisodeKey"/> is the lapse episode whose
/// budget the email counts against (none for seasonal emails).
/// </summary>
public sealed record OutreachDecision(DecisionKind Kind, SkipReason? Reason, string? BudgetEpisodeKey)
{
    public string Status => Kind switch
    {
        DecisionKind.Planned => OutreachStatus.Planned,
        DecisionKind.HeldOut => OutreachStatus.HeldOut,
        _ => Eligibility.SkippedStatusOf(Reason ?? throw new InvalidOperationException("A skipped decision has a reason.")),
    };
}

/// <summary>One email a planner is about to decide on: what the ledger row will be, and the episode after it.</summary>
public sealed record OutreachDraft
{
    public required Campaign Campaign { get; init; }
    /// <summary>The row's episode key: the lapse episode, or the seasonal window's key (<c>2027:new-year</c>).</summary>
    public required string EpisodeKey { get; init; }
    public required int Step { get; init; }
    public required TemplateId TemplateId { get; init; }
    /// <summary>The practice-local date the email became due.</summary>
    public required LocalDate DueDate { get; init; }
    /// <summary>The lapse episode whose holdout draw the email uses (for seasonal rows: the patient's last visit date).</summary>
    public required string LapseEpisodeKey { get; init; }
    /// <summary>The patient's episode once this email is recorded; null leaves it as it is (seasonal).</summary>
    public required Episode? EpisodeAfter { get; init; }
    /// <summary>No earlier than this: the start of the due day (practice-local) or now, whichever is later.</summary>
    public required DateTimeOffset Earliest { get; init; }

    public OutreachKey KeyFor(string patientId) => new(patientId, Campaign, EpisodeKey, Step);
}

/// <summary>What a planner run does with one patient.</summary>
public abstract record PatientPlan
{
    private PatientPlan()
    {
    }

    /// <summary>Nothing is due now: save the patient, which moves its DueIndex row to <paramref name="DueDay"/> (or removes it when null).</summary>
    public sealed record NotDue(string? DueDay) : PatientPlan;

    /// <summary>Something is due, but for the other DueIndex planner (lapse vs milestone): leave the patient alone.</summary>
    public sealed record OtherPlanner(Campaign Due) : PatientPlan;

    /// <summary>Not in the seasonal planner's audience: not skipped, just not addressed.</summary>
    public sealed record NotInAudience : PatientPlan
    {
        public static NotInAudience Instance { get; } = new();
    }

    /// <summary>An email to record: planned, held out or skipped, to go at <paramref name="SendAt"/> (before quota spreading).</summary>
    public sealed record Email(OutreachDraft Draft, DateTimeOffset SendAt, OutreachDecision Decision) : PatientPlan;
}

/// <summary>The planners' decisions, shared by the planners (which write them) and GET upcoming (which only forecasts).</summary>
public static class Planning
{
    /// <summary>Touches older than this are dropped from the touch log: the budget never looks further back.</summary>
    public static readonly TimeSpan TouchLogHorizon = TimeSpan.FromDays(366);

    /// <summary>
    /// Eligible, held out (control group) or skipped, for an email that would go at <paramref name="sendAt"/>. Seasonal
    /// emails answer to the yearly budget and the cooldown, not to the lapse episode's budget: a patient whose cadence
    /// is over may still hear from the practice at a fresh start.
    /// </summary>
    public static OutreachDecision Decide(Practice practice, Patient patient, Campaign campaign, string lapseEpisodeKey, DateTimeOffset sendAt)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        var budgetEpisodeKey = campaign == Campaign.Seasonal ? null : lapseEpisodeKey;
        if (Eligibility.WhyIneligibleToPlan(practice, patient, sendAt, budgetEpisodeKey) is { } reason)
        {
            return new OutreachDecision(DecisionKind.Skipped, reason, budgetEpisodeKey);
        }
        var heldOut = Holdout.IsHeldOut(practice.Id, patient.Id, lapseEpisodeKey, practice.HoldoutPercent);
        return new OutreachDecision(heldOut ? DecisionKind.HeldOut : DecisionKind.Planned, null, budgetEpisodeKey);
    }

    /// <summary>
    /// The lapse or milestone planner's decision for one patient (DueIndex planners): <paramref name="planner"/> is
    /// <see cref="Campaign.Lapse"/> or <see cref="Campaign.Milestone"/>. <paramref name="nextAllowed"/> gives the first
    /// instant on or after its argument at which the practice sends (send window, closed days, holidays). Visits must
    /// already be derived.
    /// </summary>
    public static PatientPlan PlanFor(
        Practice practice,
        Patient patient,
        Campaign planner,
        DateTimeOffset now,
        Func<DateTimeOffset, DateTimeOffset> nextAllowed)
    {
        ArgumentNullException.ThrowIfNull(nextAllowed);
        if (planner == Campaign.Seasonal) throw new ArgumentOutOfRangeException(nameof(planner), "Seasonal emails are planned with PlanSeasonal.");
        var today = Cadence.TodayFor(practice, now);
        var action = Cadence.NextActionFor(practice, patient, today, now);
        if (action is NextAction.Nothing or NextAction.Wait) return new PatientPlan.NotDue(Cadence.DueDayOf(action, today));
        var draft = DraftOf(practice, action, now);
        if (draft.Campaign != planner) return new PatientPlan.OtherPlanner(draft.Campaign);
        var sendAt = nextAllowed(draft.Earliest);
        return new PatientPlan.Email(draft, sendAt, Decide(practice, patient, draft.Campaign, draft.LapseEpisodeKey, sendAt));
    }

    /// <summary>
    /// The seasonal planner's decision for one patient, once the window <paramref name="windowKey"/> (opened on
    /// <paramref name="windowStartsOn"/>) is open: template 3 for the lapsed patients not written to within the cooldown.
    /// </summary>
    public static PatientPlan PlanSeasonal(
        Practice practice,
        Patient patient,
        string windowKey,
        LocalDate windowStartsOn,
        DateTimeOffset now,
        Func<DateTimeOffset, DateTimeOffset> nextAllowed)
    {
        ArgumentNullException.ThrowIfNull(nextAllowed);
        if (!InSeasonalAudience(practice, patient, now)) return PatientPlan.NotInAudience.Instance;
        var draft = SeasonalDraftOf(practice, patient, windowKey, windowStartsOn, now);
        var sendAt = nextAllowed(draft.Earliest);
        return new PatientPlan.Email(draft, sendAt, Decide(practice, patient, Campaign.Seasonal, draft.LapseEpisodeKey, sendAt));
    }

    /// <summary>The email a due lapse step or missed milestone calls for, and the episode once it is recorded.</summary>
    public static OutreachDraft DraftOf(Practice practice, NextAction action, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        return action switch
        {
            NextAction.Lapse lapse => new OutreachDraft
            {
                Campaign = Campaign.Lapse,
                EpisodeKey = lapse.Episode.Key,
                Step = lapse.Step,
                TemplateId = lapse.TemplateId,
                DueDate = lapse.DueDate,
                LapseEpisodeKey = lapse.Episode.Key,
                EpisodeAfter = lapse.Episode with { LastStep = lapse.Step },
                Earliest = EarliestSendOf(practice, lapse.DueDate, now),
            },
            NextAction.Milestone milestone => new OutreachDraft
            {
                Campaign = Campaign.Milestone,
                EpisodeKey = milestone.Episode.Key,
                Step = 1,
                TemplateId = TemplateId.PlanFollowUp,
                DueDate = milestone.DueDate,
                LapseEpisodeKey = milestone.Episode.Key,
                EpisodeAfter = milestone.Episode with { MilestoneHandled = milestone.MilestoneAt },
                Earliest = EarliestSendOf(practice, milestone.DueDate, now),
            },
            _ => throw new ArgumentException("Only a due lapse step or milestone makes an email.", nameof(action)),
        };
    }

    /// <summary>The seasonal email (template 3) of a window, counted with the patient's lapse episode for the holdout draw.</summary>
    public static OutreachDraft SeasonalDraftOf(Practice practice, Patient patient, string windowKey, LocalDate windowStartsOn, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(patient);
        return new OutreachDraft
        {
            Campaign = Campaign.Seasonal,
            EpisodeKey = windowKey,
            Step = 1,
            TemplateId = TemplateId.Seasonal,
            DueDate = windowStartsOn,
            LapseEpisodeKey = Cadence.EpisodeKeyOf(practice, patient.LastVisitAt ?? now),
            EpisodeAfter = null,
            Earliest = now,
        };
    }

    /// <summary>The start of the practice-local due day, or now when that is later.</summary>
    public static DateTimeOffset EarliestSendOf(Practice practice, LocalDate dueDate, DateTimeOffset now)
    {
        var dueStart = Cadence.ZoneOf(practice).AtStartOfDay(dueDate).ToDateTimeOffset();
        return dueStart > now ? dueStart : now;
    }

    /// <summary>
    /// The patient once a ledger row exists for them: the touch counted (planned, held out or already sent) and the
    /// template marked as used in the episode. <paramref name="episode"/> null leaves the patient's episode as it is.
    /// </summary>
    public static Patient WithOutreachRecorded(Patient patient, OutreachRow row, Episode? episode, string? budgetEpisodeKey)
    {
        ArgumentNullException.ThrowIfNull(row);
        return WithOutreachRecorded(patient, row.Id, row.Status, row.NotBefore, row.TemplateId, episode, budgetEpisodeKey);
    }

    /// <inheritdoc cref="WithOutreachRecorded(Patient, OutreachRow, Episode?, string?)"/>
    public static Patient WithOutreachRecorded(
        Patient patient,
        string outreachId,
        string status,
        DateTimeOffset notBefore,
        TemplateId templateId,
        Episode? episode,
        string? budgetEpisodeKey)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var counts = status is OutreachStatus.Planned or OutreachStatus.HeldOut or OutreachStatus.Sent;
        var touchLog = patient.TouchLog.Where(touch => touch.OutreachId != outreachId).ToList();
        if (counts) touchLog.Add(new TouchRecord(notBefore, outreachId, budgetEpisodeKey));
        var updatedEpisode = patient.Episode;
        if (episode is not null)
        {
            IEnumerable<TemplateId> used = episode.TemplatesUsed;
            if (!OutreachStatus.IsSkipped(status)) used = used.Append(templateId);
            updatedEpisode = episode with { TemplatesUsed = [.. used.Distinct()] };
        }
        return patient with
        {
            Episode = updatedEpisode,
            TouchLog = touchLog,
        };
    }

    /// <summary>
    /// The seasonal planner's audience: lapsed (no future booking, last visit lapseDays ago, not discharged) and not
    /// written to within the cooldown. Patients outside it are not skipped, just not addressed.
    /// </summary>
    public static bool InSeasonalAudience(Practice practice, Patient patient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        if (patient.CareStatus == CareStatus.Discharged || patient.LastVisitAt is not { } lastVisitAt) return false;
        if (patient.NextBookingAt > now) return false;
        if (lastVisitAt + TimeSpan.FromDays(practice.LapseDays) > now) return false;
        var cooldown = TimeSpan.FromDays(practice.CooldownDays);
        return !patient.TouchLog.Any(touch => (touch.At - now).Duration() < cooldown);
    }

    /// <summary>Drops touches older than <see cref="TouchLogHorizon"/>: the budget never looks further back.</summary>
    public static Patient PruneTouches(Patient patient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var horizon = now - TouchLogHorizon;
        return patient with { TouchLog = [.. patient.TouchLog.Where(touch => touch.At > horizon)] };
    }
}
