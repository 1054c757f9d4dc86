using Reengage.Core.Model;
using Reengage.Core.Outreach;
using static Reengage.Core.Tests.Outreach.Given;

namespace Reengage.Core.Tests.Outreach;

public sealed class PlanningTests
{
    private static readonly DateTimeOffset SendAt = At("2027-01-05T09:30:00Z");

    private static Patient Visited() => APatient() with { LastVisitAt = At("2026-12-01T09:00:00Z") };

    // Stands in for the practice calendar: the next 09:30 UTC on or after the instant.
    private static DateTimeOffset NineThirty(DateTimeOffset at)
    {
        var day = new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero).AddHours(9.5);
        return day >= at ? day : day.AddDays(1);
    }

    [Fact]
    public void An_eligible_patient_is_planned_against_the_lapse_episode_budget()
    {
        var decision = Planning.Decide(APractice(), APatient(), Campaign.Lapse, "2026-12-01", SendAt);
        Assert.Equal(new OutreachDecision(DecisionKind.Planned, null, "2026-12-01"), decision);
        Assert.Equal("planned", decision.Status);
    }

    [Fact]
    public void An_ineligible_patient_is_skipped_with_the_reason_in_the_status()
    {
        var decision = Planning.Decide(APractice(), APatient() with { Suppressed = true }, Campaign.Milestone, "2026-12-01", SendAt);
        Assert.Equal((DecisionKind.Skipped, SkipReason.Suppressed, "skipped:suppressed"), (decision.Kind, decision.Reason, decision.Status));
    }

    [Fact]
    public void Skipping_comes_before_the_holdout_draw()
    {
        var practice = APractice() with { HoldoutPercent = 100 };
        Assert.Equal(DecisionKind.Skipped, Planning.Decide(practice, APatient() with { Email = null }, Campaign.Lapse, "2026-12-01", SendAt).Kind);
    }

    [Fact]
    public void The_control_group_is_recorded_as_held_out()
    {
        // pat_2 is in the 20% control group of episode 2026-12-01 and pat_1 is not (HoldoutTests, from Node).
        var practice = APractice() with { HoldoutPercent = 20 };
        var held = Planning.Decide(practice, APatient() with { Id = "pat_2" }, Campaign.Lapse, "2026-12-01", SendAt);
        Assert.Equal((DecisionKind.HeldOut, "held_out"), (held.Kind, held.Status));
        Assert.Equal(DecisionKind.Planned, Planning.Decide(practice, APatient(), Campaign.Lapse, "2026-12-01", SendAt).Kind);
    }

    [Fact]
    public void Seasonal_emails_answer_to_the_yearly_budget_and_cooldown_not_the_episode_budget()
    {
        TouchRecord[] spent =
        [
            Touch("2026-09-01T09:30:00Z", "o0", "2026-08-01"),
            Touch("2026-10-01T09:30:00Z", "o1", "2026-08-01"),
            Touch("2026-11-01T09:30:00Z", "o2", "2026-08-01"),
        ];
        var patient = APatient() with { TouchLog = spent };
        Assert.Equal(SkipReason.EpisodeBudget, Planning.Decide(APractice(), patient, Campaign.Lapse, "2026-08-01", SendAt).Reason);
        var seasonal = Planning.Decide(APractice(), patient, Campaign.Seasonal, "2026-08-01", SendAt);
        Assert.Equal(new OutreachDecision(DecisionKind.Planned, null, null), seasonal);
    }

    [Fact]
    public void A_recorded_row_counts_as_a_touch_and_marks_its_template_used()
    {
        var row = EligibilityTests.ARow("pat_1|lapse|2026-12-01|1") with { TemplateId = TemplateId.Progress };
        var episode = Cadence.FreshEpisode("2026-12-01", At("2026-12-30T23:00:00Z")) with { LastStep = 1 };
        var updated = Planning.WithOutreachRecorded(APatient(), row, episode, "2026-12-01");
        Assert.Equal([new TouchRecord(row.NotBefore, row.Id, "2026-12-01")], updated.TouchLog);
        Assert.Equal([TemplateId.Progress], updated.Episode!.TemplatesUsed);
        Assert.Equal(1, updated.Episode.LastStep);
    }

    [Theory]
    [InlineData(OutreachStatus.Planned, true)]
    [InlineData(OutreachStatus.HeldOut, true)]
    [InlineData(OutreachStatus.Sent, true)]
    [InlineData("skipped:cooldown", false)]
    [InlineData(OutreachStatus.Failed, false)]
    public void Planned_held_out_and_sent_rows_count_against_the_budget(string status, bool counts)
    {
        var row = EligibilityTests.ARow("pat_1|lapse|2026-12-01|1", status: status);
        var updated = Planning.WithOutreachRecorded(APatient(), row, null, "2026-12-01");
        Assert.Equal(counts ? 1 : 0, updated.TouchLog.Count);
    }

    [Fact]
    public void A_skipped_row_uses_no_template_but_still_moves_the_episode_on()
    {
        var row = EligibilityTests.ARow("pat_1|lapse|2026-12-01|2", status: "skipped:cooldown") with { TemplateId = TemplateId.Resource };
        var episode = Cadence.FreshEpisode("2026-12-01", At("2026-12-30T23:00:00Z")) with { LastStep = 2, TemplatesUsed = [TemplateId.CheckIn] };
        var updated = Planning.WithOutreachRecorded(APatient(), row, episode, "2026-12-01");
        Assert.Equal([TemplateId.CheckIn], updated.Episode!.TemplatesUsed);
        Assert.Equal(2, updated.Episode.LastStep);
        Assert.Empty(updated.TouchLog);
    }

    [Fact]
    public void Recording_the_same_row_again_replaces_its_touch_and_never_repeats_a_template()
    {
        var row = EligibilityTests.ARow("pat_1|lapse|2026-12-01|1");
        var episode = Cadence.FreshEpisode("2026-12-01", At("2026-12-30T23:00:00Z")) with { TemplatesUsed = [TemplateId.CheckIn] };
        var patient = APatient() with
        {
            TouchLog = [Touch("2026-10-01T09:30:00Z", "older", "2026-08-01"), Touch("2027-01-04T09:30:00Z", row.Id, "2026-12-01")],
        };
        var updated = Planning.WithOutreachRecorded(patient, row, episode, "2026-12-01");
        Assert.Equal(["older", row.Id], updated.TouchLog.Select(touch => touch.OutreachId));
        Assert.Equal(row.NotBefore, updated.TouchLog[1].At);
        Assert.Equal([TemplateId.CheckIn], updated.Episode!.TemplatesUsed);
    }

    [Fact]
    public void Without_an_episode_the_patients_own_is_left_as_it_is()
    {
        var own = Cadence.FreshEpisode("2026-12-01", At("2026-12-30T23:00:00Z")) with { LastStep = 3 };
        var row = EligibilityTests.ARow("pat_1|seasonal|2027:new-year|1") with { TemplateId = TemplateId.Seasonal };
        var updated = Planning.WithOutreachRecorded(APatient() with { Episode = own }, row, null, null);
        Assert.Same(own, updated.Episode);
        Assert.Null(Assert.Single(updated.TouchLog).EpisodeKey);
    }

    [Fact]
    public void The_seasonal_audience_is_lapsed_patients_not_written_to_within_the_cooldown()
    {
        var practice = APractice();
        var now = At("2027-01-05T05:30:00Z");
        Assert.True(Planning.InSeasonalAudience(practice, Visited(), now));
        Assert.False(Planning.InSeasonalAudience(practice, Visited() with { CareStatus = CareStatus.Discharged }, now));
        Assert.False(Planning.InSeasonalAudience(practice, APatient(), now));
        Assert.False(Planning.InSeasonalAudience(practice, Visited() with { NextBookingAt = At("2027-01-20T09:00:00Z") }, now));
        Assert.False(Planning.InSeasonalAudience(practice, Visited() with { LastVisitAt = At("2026-12-10T09:00:00Z") }, now));
        Assert.False(Planning.InSeasonalAudience(practice, Visited() with { TouchLog = [Touch("2026-12-20T09:30:00Z", "o", "2026-12-01")] }, now));
        Assert.True(Planning.InSeasonalAudience(practice, Visited() with { TouchLog = [Touch("2026-12-10T09:30:00Z", "o", "2026-12-01")] }, now));
    }

    [Fact]
    public void A_patient_not_due_yet_moves_to_the_DueIndex_day_of_the_next_step() =>
        Assert.Equal(
            new PatientPlan.NotDue("20261231"),
            Planning.PlanFor(APractice(), Visited(), Campaign.Lapse, At("2026-12-20T05:00:00Z"), NineThirty));

    [Fact]
    public void A_patient_with_nothing_ever_due_leaves_the_DueIndex() =>
        Assert.Equal(
            new PatientPlan.NotDue(null),
            Planning.PlanFor(APractice(), Visited() with { CareStatus = CareStatus.Discharged }, Campaign.Lapse, At("2026-12-31T05:00:00Z"), NineThirty));

    [Fact]
    public void A_due_lapse_step_is_planned_at_the_next_allowed_instant()
    {
        var now = At("2026-12-31T05:00:00Z");
        var asked = new List<DateTimeOffset>();
        var plan = Planning.PlanFor(APractice(), Visited(), Campaign.Lapse, now, at => { asked.Add(at); return NineThirty(at); });
        var email = Assert.IsType<PatientPlan.Email>(plan);
        // The due day began at 23:00 UTC the day before, in Paris: the earliest instant is now.
        Assert.Equal([now], asked);
        Assert.Equal(At("2026-12-31T09:30:00Z"), email.SendAt);
        Assert.Equal(DecisionKind.Planned, email.Decision.Kind);
        var draft = email.Draft;
        Assert.Equal((Campaign.Lapse, "2026-12-01", 1, TemplateId.CheckIn), (draft.Campaign, draft.EpisodeKey, draft.Step, draft.TemplateId));
        Assert.Equal("2026-12-01", draft.LapseEpisodeKey);
        Assert.Equal(1, draft.EpisodeAfter!.LastStep);
        Assert.Equal("pat_1|lapse|2026-12-01|1", draft.KeyFor("pat_1").Id);
    }

    [Fact]
    public void The_eligibility_check_is_made_at_the_send_instant()
    {
        // A pause that ends at 08:00 is over by the 09:30 send.
        var paused = Visited() with { PausedUntil = At("2026-12-31T08:00:00Z") };
        var email = Assert.IsType<PatientPlan.Email>(Planning.PlanFor(APractice(), paused, Campaign.Lapse, At("2026-12-31T05:00:00Z"), NineThirty));
        Assert.Equal(DecisionKind.Planned, email.Decision.Kind);
        var longer = Visited() with { PausedUntil = At("2026-12-31T10:00:00Z") };
        var skipped = Assert.IsType<PatientPlan.Email>(Planning.PlanFor(APractice(), longer, Campaign.Lapse, At("2026-12-31T05:00:00Z"), NineThirty));
        Assert.Equal("skipped:paused", skipped.Decision.Status);
    }

    [Fact]
    public void A_missed_milestone_is_the_milestone_planners_and_not_the_lapse_planners()
    {
        var planned = Visited() with { Plan = new TreatmentPlan("s", At("2026-12-15T09:00:00Z")) };
        var now = At("2026-12-16T05:00:00Z");
        Assert.Equal(new PatientPlan.OtherPlanner(Campaign.Milestone), Planning.PlanFor(APractice(), planned, Campaign.Lapse, now, NineThirty));
        var email = Assert.IsType<PatientPlan.Email>(Planning.PlanFor(APractice(), planned, Campaign.Milestone, now, NineThirty));
        var draft = email.Draft;
        Assert.Equal((Campaign.Milestone, 1, TemplateId.PlanFollowUp), (draft.Campaign, draft.Step, draft.TemplateId));
        Assert.Equal(At("2026-12-15T09:00:00Z"), draft.EpisodeAfter!.MilestoneHandled);
        Assert.Equal(0, draft.EpisodeAfter.LastStep);
        // Counted as a touch of the episode.
        Assert.Equal("2026-12-01", email.Decision.BudgetEpisodeKey);
    }

    [Fact]
    public void Seasonal_planning_is_not_asked_of_the_DueIndex_planner() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Planning.PlanFor(APractice(), Visited(), Campaign.Seasonal, At("2026-12-31T05:00:00Z"), NineThirty));

    [Fact]
    public void The_earliest_send_is_the_start_of_the_practice_local_due_day_when_that_is_later_than_now()
    {
        var newYork = APractice() with { TimeZone = "America/New_York" };
        // 04:00 UTC on 31 Dec is 23:00 on 30 Dec in New York: the planner's today (the UTC date) is ahead of it.
        Assert.Equal(At("2026-12-31T05:00:00Z"), Planning.EarliestSendOf(newYork, Day("2026-12-31"), At("2026-12-31T04:00:00Z")));
        Assert.Equal(At("2026-12-31T06:00:00Z"), Planning.EarliestSendOf(newYork, Day("2026-12-31"), At("2026-12-31T06:00:00Z")));
    }

    [Fact]
    public void A_seasonal_email_draws_the_holdout_with_the_lapse_episode_but_counts_against_no_episode()
    {
        var now = At("2027-01-05T05:30:00Z");
        var email = Assert.IsType<PatientPlan.Email>(
            Planning.PlanSeasonal(APractice(), Visited(), "2027:new-year", Day("2027-01-05"), now, NineThirty));
        var draft = email.Draft;
        Assert.Equal((Campaign.Seasonal, "2027:new-year", 1, TemplateId.Seasonal), (draft.Campaign, draft.EpisodeKey, draft.Step, draft.TemplateId));
        Assert.Equal("2026-12-01", draft.LapseEpisodeKey);
        Assert.Null(draft.EpisodeAfter);
        Assert.Equal(At("2027-01-05T09:30:00Z"), email.SendAt);
        Assert.Equal(new OutreachDecision(DecisionKind.Planned, null, null), email.Decision);
    }

    [Fact]
    public void Patients_outside_the_seasonal_audience_are_not_addressed() =>
        Assert.Same(
            PatientPlan.NotInAudience.Instance,
            Planning.PlanSeasonal(APractice(), APatient(), "2027:new-year", Day("2027-01-05"), At("2027-01-05T05:30:00Z"), NineThirty));

    [Fact]
    public void Touches_older_than_366_days_are_pruned()
    {
        var patient = APatient() with
        {
            TouchLog = [Touch("2026-01-03T09:30:00Z", "old", null), Touch("2026-01-05T09:30:00Z", "recent", null)],
        };
        var pruned = Planning.PruneTouches(patient, At("2027-01-05T05:00:00Z"));
        Assert.Equal(["recent"], pruned.TouchLog.Select(touch => touch.OutreachId));
    }
}
