using NodaTime;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using static Reengage.Core.Tests.Outreach.Given;

namespace Reengage.Core.Tests.Outreach;

public sealed class CadenceTests
{
    private static readonly Practice Practice = APractice() with
    {
        Resources = [new PracticeResource("Respirer", "https://r.example/respirer", "anxiety")],
    };

    private static readonly Episode Episode = Cadence.FreshEpisode("2026-12-01", At("2026-12-30T23:00:00Z"));
    private static readonly DateTimeOffset Now = At("2026-12-31T05:00:00Z");

    // Last visit 1 Dec 2026 at 10:00 Paris.
    private static Patient Visited() => APatient() with { LastVisitAt = At("2026-12-01T09:00:00Z") };

    private static NextAction Next(Patient patient, string today, DateTimeOffset? now = null) =>
        Cadence.NextActionFor(Practice, patient, Day(today), now ?? Now);

    public static TheoryData<string, TemplateId> TemplateCases => new()
    {
        { "step 1 with a plan", TemplateId.PlanFollowUp },
        { "step 1 with a plan milestone only", TemplateId.PlanFollowUp },
        { "step 1 with a progress note", TemplateId.Progress },
        { "step 1, direct preference", TemplateId.Direct },
        { "step 1 otherwise", TemplateId.CheckIn },
        { "step 2 with a resource for the focus area", TemplateId.Resource },
        { "step 2 without one", TemplateId.NoPressure },
        { "step 3", TemplateId.Feedback },
        { "plan_completed", TemplateId.CheckIn },
    };

    private static (Patient Patient, int Step) TemplateCase(string name) => name switch
    {
        "step 1 with a plan" => (Visited() with { Plan = new TreatmentPlan("x", null) }, 1),
        "step 1 with a plan milestone only" => (Visited() with { Plan = new TreatmentPlan(null, At("2027-03-01T09:00:00Z")) }, 1),
        "step 1 with a progress note" => (Visited() with { ProgressNote = "x" }, 1),
        "step 1, direct preference" => (Visited() with { ContactPreference = ContactPreference.Direct }, 1),
        "step 1 otherwise" => (Visited(), 1),
        "step 2 with a resource for the focus area" => (Visited() with { FocusArea = " Anxiety" }, 2),
        "step 2 without one" => (Visited() with { FocusArea = "sleep" }, 2),
        "step 3" => (Visited(), 3),
        "plan_completed" => (Visited() with { CareStatus = CareStatus.PlanCompleted, ProgressNote = "x" }, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(TemplateCases))]
    public void Template_choice_follows_SPEC_5_2(string name, TemplateId expected)
    {
        var (patient, step) = TemplateCase(name);
        Assert.Equal(expected, Cadence.ChooseTemplate(Practice, patient, Episode, step));
    }

    [Fact]
    public void An_empty_plan_is_no_plan() =>
        Assert.Equal(TemplateId.CheckIn, Cadence.ChooseTemplate(Practice, Visited() with { Plan = new TreatmentPlan("", null) }, Episode, 1));

    [Fact]
    public void A_plan_already_followed_up_in_the_episode_falls_back_to_the_next_choice()
    {
        var used = Episode with { TemplatesUsed = [TemplateId.PlanFollowUp] };
        var patient = Visited() with { Plan = new TreatmentPlan("x", null), ProgressNote = "n" };
        Assert.Equal(TemplateId.Progress, Cadence.ChooseTemplate(Practice, patient, used, 1));
    }

    [Fact]
    public void A_resource_already_shared_in_the_episode_is_not_shared_again()
    {
        var used = Episode with { TemplatesUsed = [TemplateId.Resource] };
        Assert.Equal(TemplateId.NoPressure, Cadence.ChooseTemplate(Practice, Visited() with { FocusArea = "anxiety" }, used, 2));
    }

    [Fact]
    public void Nothing_before_lapseDays_waits_until_the_30th_day_after_the_last_visit() =>
        Assert.Equal(new NextAction.Wait(Day("2026-12-31")), Next(Visited(), "2026-12-30"));

    [Fact]
    public void Step_1_on_the_30th_day_opens_an_episode_keyed_by_the_last_visit_date()
    {
        var action = Assert.IsType<NextAction.Lapse>(Next(Visited(), "2026-12-31"));
        Assert.Equal(1, action.Step);
        Assert.Equal(Day("2026-12-31"), action.DueDate);
        Assert.Equal(TemplateId.CheckIn, action.TemplateId);
        Assert.Equal("2026-12-01", action.Episode.Key);
        Assert.Equal(0, action.Episode.LastStep);
        // The episode lapsed at the start of its 30th day, Paris time.
        Assert.Equal(At("2026-12-30T23:00:00Z"), action.Episode.LapsedSince);
        Assert.Empty(action.PassedOver);
    }

    [Fact]
    public void The_episode_key_is_the_practice_local_date_of_the_last_visit()
    {
        // 23:30 UTC on 1 Dec is already 2 Dec in Paris.
        var late = APatient() with { LastVisitAt = At("2026-12-01T23:30:00Z") };
        var action = Assert.IsType<NextAction.Lapse>(Next(late, "2027-01-01"));
        Assert.Equal("2026-12-02", action.Episode.Key);
        Assert.Equal(Day("2027-01-01"), action.DueDate);
    }

    [Fact]
    public void Step_2_at_60_days_and_step_3_at_120_days()
    {
        var after1 = Visited() with
        {
            Episode = Episode with { LastStep = 1 },
            TouchLog = [Touch("2026-12-31T08:30:00Z", "a", "2026-12-01")],
        };
        Assert.Equal(new NextAction.Wait(Day("2027-01-30")), Next(after1, "2027-01-05"));
        var after2 = Visited() with
        {
            Episode = Episode with { LastStep = 2 },
            TouchLog = [Touch("2027-01-30T08:30:00Z", "b", "2026-12-01")],
        };
        Assert.Equal(new NextAction.Wait(Day("2027-03-31")), Next(after2, "2027-02-01"));
    }

    [Fact]
    public void Step_2_is_due_on_the_60th_day_with_its_template()
    {
        var after1 = Visited() with
        {
            FocusArea = "anxiety",
            Episode = Episode with { LastStep = 1, TemplatesUsed = [TemplateId.CheckIn] },
            TouchLog = [Touch("2026-12-31T08:30:00Z", "a", "2026-12-01")],
        };
        var action = Assert.IsType<NextAction.Lapse>(Next(after1, "2027-01-30", At("2027-01-30T05:00:00Z")));
        Assert.Equal((2, TemplateId.Resource, Day("2027-01-30")), (action.Step, action.TemplateId, action.DueDate));
    }

    [Fact]
    public void A_practice_cadence_overrides_the_default_days()
    {
        var practice = Practice with { CadenceDays = [10, 20, 40] };
        Assert.Equal(new NextAction.Wait(Day("2026-12-11")), Cadence.NextActionFor(practice, Visited(), Day("2026-12-05"), Now));
    }

    [Fact]
    public void After_step_3_the_cadence_is_over() =>
        Assert.Equal(NextAction.Nothing.Instance, Next(Visited() with { Episode = Episode with { LastStep = 3 } }, "2027-06-01"));

    [Fact]
    public void A_future_booking_ends_the_episode_and_waits_until_that_booking_could_lapse()
    {
        var booked = Visited() with { NextBookingAt = At("2027-01-10T09:00:00Z"), Episode = Episode with { LastStep = 1 } };
        Assert.Equal(new NextAction.Wait(Day("2027-02-09")), Next(booked, "2026-12-31"));
    }

    [Fact]
    public void A_new_last_visit_starts_a_new_episode_at_step_1()
    {
        var revisited = Visited() with { LastVisitAt = At("2027-01-10T09:00:00Z"), Episode = Episode with { LastStep = 3 } };
        var action = Assert.IsType<NextAction.Lapse>(Next(revisited, "2027-02-09", At("2027-02-09T05:00:00Z")));
        Assert.Equal(1, action.Step);
        Assert.Equal("2027-01-10", action.Episode.Key);
    }

    [Fact]
    public void After_a_late_step_the_next_one_waits_out_the_cooldown_instead_of_being_skipped()
    {
        var late = Visited() with
        {
            Episode = Episode with { LastStep = 1 },
            TouchLog = [Touch("2027-01-20T08:30:00Z", "a", "2026-12-01")],
        };
        // Base due date 30 Jan; 20 Jan + 21 days = 10 Feb.
        Assert.Equal(new NextAction.Wait(Day("2027-02-10")), Next(late, "2027-01-31"));
    }

    [Fact]
    public void A_step_deferred_over_a_weekend_does_not_shift_the_next_one()
    {
        var deferred = Visited() with
        {
            Episode = Episode with { LastStep = 1 },
            TouchLog = [Touch("2027-01-04T08:30:00Z", "a", "2026-12-01")],
        };
        Assert.Equal(new NextAction.Wait(Day("2027-01-30")), Next(deferred, "2027-01-05"));
    }

    [Fact]
    public void Steps_more_than_30_days_overdue_are_passed_over()
    {
        // Imported long after lapsing: step 1 due 2026-12-31 (79 days late), step 2 due 2027-01-30 (49 days late):
        // both passed over; step 3 on 2027-03-31.
        Assert.Equal(new NextAction.Wait(Day("2027-03-31")), Next(Visited(), "2027-03-20", At("2027-03-20T05:00:00Z")));
    }

    [Fact]
    public void A_step_30_days_late_is_still_sent_and_the_passed_over_ones_are_named()
    {
        var onDay30 = Assert.IsType<NextAction.Lapse>(Next(Visited(), "2027-01-30", At("2027-01-30T05:00:00Z")));
        Assert.Equal(1, onDay30.Step);
        var action = Assert.IsType<NextAction.Lapse>(Next(Visited(), "2027-02-01", At("2027-02-01T05:00:00Z")));
        Assert.Equal(2, action.Step);
        Assert.Equal([1], action.PassedOver);
    }

    [Fact]
    public void Plan_completed_patients_get_one_check_in_at_90_days_and_nothing_else()
    {
        var done = Visited() with { CareStatus = CareStatus.PlanCompleted };
        Assert.Equal(new NextAction.Wait(Day("2027-03-01")), Next(done, "2027-01-05"));
        var due = Assert.IsType<NextAction.Lapse>(Next(done, "2027-03-01", At("2027-03-01T05:00:00Z")));
        Assert.Equal((1, TemplateId.CheckIn), (due.Step, due.TemplateId));
        Assert.Equal(NextAction.Nothing.Instance, Next(done with { Episode = Episode with { LastStep = 1 } }, "2027-04-01"));
    }

    [Fact]
    public void Plan_completed_patients_get_no_milestone_follow_up()
    {
        var done = Visited() with { CareStatus = CareStatus.PlanCompleted, Plan = new TreatmentPlan("s", At("2026-12-15T09:00:00Z")) };
        Assert.Equal(new NextAction.Wait(Day("2027-03-01")), Next(done, "2026-12-16"));
    }

    [Fact]
    public void Discharged_patients_have_nothing_due_ever() =>
        Assert.Equal(NextAction.Nothing.Instance, Next(Visited() with { CareStatus = CareStatus.Discharged }, "2026-12-31"));

    [Fact]
    public void A_patient_never_seen_has_nothing_due() => Assert.Equal(NextAction.Nothing.Instance, Next(APatient(), "2026-12-31"));

    [Fact]
    public void A_missed_milestone_is_due_the_day_after_it_before_the_lapse_step()
    {
        var planned = Visited() with { Plan = new TreatmentPlan("s", At("2026-12-15T09:00:00Z")) };
        Assert.Equal(new NextAction.Wait(Day("2026-12-16")), Next(planned, "2026-12-15"));
        var action = Assert.IsType<NextAction.Milestone>(Next(planned, "2026-12-16"));
        Assert.Equal(Day("2026-12-16"), action.DueDate);
        Assert.Equal(At("2026-12-15T09:00:00Z"), action.MilestoneAt);
        Assert.Equal("2026-12-01", action.Episode.Key);
    }

    [Fact]
    public void A_milestone_and_a_lapse_step_due_the_same_day_go_to_the_milestone()
    {
        var planned = Visited() with { Plan = new TreatmentPlan("s", At("2026-12-30T09:00:00Z")) };
        Assert.IsType<NextAction.Milestone>(Next(planned, "2026-12-31"));
    }

    [Fact]
    public void A_milestone_before_the_last_visit_is_not_a_missed_one()
    {
        var planned = Visited() with { Plan = new TreatmentPlan("s", At("2026-11-15T09:00:00Z")) };
        Assert.Equal(new NextAction.Wait(Day("2026-12-31")), Next(planned, "2026-12-16"));
    }

    [Fact]
    public void A_milestone_already_followed_up_is_not_followed_up_again()
    {
        var handled = Visited() with
        {
            Plan = new TreatmentPlan("s", At("2026-12-15T09:00:00Z")),
            Episode = Episode with { MilestoneHandled = At("2026-12-15T09:00:00Z") },
        };
        Assert.Equal(new NextAction.Wait(Day("2026-12-31")), Next(handled, "2026-12-16"));
    }

    [Fact]
    public void The_DueIndex_day_is_the_due_date_or_today_when_overdue()
    {
        Assert.Equal("20270130", Cadence.DueDayOf(new NextAction.Wait(Day("2027-01-30")), Day("2027-01-05")));
        Assert.Equal("20270105", Cadence.DueDayOf(Next(Visited(), "2027-01-05"), Day("2027-01-05")));
        Assert.Null(Cadence.DueDayOf(NextAction.Nothing.Instance, Day("2027-01-05")));
    }

    [Fact]
    public void Today_is_the_practice_date_or_the_UTC_date_when_later()
    {
        // 23:30 UTC on 5 Jan is 6 Jan in Paris; 04:00 UTC on 6 Jan is still 5 Jan in New York.
        Assert.Equal(Day("2027-01-06"), Cadence.TodayFor(Practice, At("2027-01-05T23:30:00Z")));
        Assert.Equal(Day("2027-01-06"), Cadence.TodayFor(Practice with { TimeZone = "America/New_York" }, At("2027-01-06T04:00:00Z")));
    }

    [Fact]
    public void The_DueIndex_day_of_a_patient_as_it_stands() =>
        Assert.Equal("20261231", Cadence.DueDayFor(Practice, Visited(), At("2026-12-20T05:00:00Z")));

    [Fact]
    public void DueIndex_day_keys_round_trip()
    {
        Assert.Equal("20270309", Cadence.DueDayKeyOf(new LocalDate(2027, 3, 9)));
        Assert.Equal(new LocalDate(2027, 3, 9), Cadence.ParseDueDayKey("20270309"));
        Assert.Null(Cadence.ParseDueDayKey("2027-03-09"));
    }

    [Fact]
    public void Resources_match_the_focus_area_without_regard_to_case_or_spaces()
    {
        Assert.Equal("Respirer", Cadence.ResourceFor(Practice, Visited() with { FocusArea = " ANXIETY " })?.Title);
        Assert.Null(Cadence.ResourceFor(Practice, Visited() with { FocusArea = null }));
    }

    [Fact]
    public void Default_cadence_follows_lapseDays() => Assert.Equal([45, 75, 135], Cadence.DefaultCadenceDays(45));
}
