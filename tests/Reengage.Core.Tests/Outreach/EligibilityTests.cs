using Reengage.Core.Model;
using Reengage.Core.Outreach;
using static Reengage.Core.Tests.Outreach.Given;

namespace Reengage.Core.Tests.Outreach;

public sealed class EligibilityTests
{
    private static readonly DateTimeOffset SendAt = At("2027-01-05T09:30:00Z");

    private static SkipReason? ReasonFor(Patient patient, string? episodeKey = "2026-12-01", string? plannedAt = null, string? outreachId = null) =>
        Eligibility.WhyIneligible(new EligibilityQuestion
        {
            Practice = APractice(),
            Patient = patient,
            At = SendAt,
            EpisodeKey = episodeKey,
            PlannedAt = plannedAt is null ? null : At(plannedAt),
            OutreachId = outreachId,
        });

    [Fact]
    public void An_ordinary_consenting_patient_may_be_written_to() => Assert.Null(ReasonFor(APatient()));

    [Fact]
    public void No_email() => Assert.Equal(SkipReason.NoEmail, ReasonFor(APatient() with { Email = null }));

    [Fact]
    public void An_empty_email_is_no_email() => Assert.Equal(SkipReason.NoEmail, ReasonFor(APatient() with { Email = "" }));

    [Fact]
    public void No_consent() => Assert.Equal(SkipReason.NoConsent, ReasonFor(APatient() with { EmailConsent = EmailConsent.None }));

    [Fact]
    public void Suppressed() => Assert.Equal(SkipReason.Suppressed, ReasonFor(APatient() with { Suppressed = true }));

    [Fact]
    public void Discharged() => Assert.Equal(SkipReason.Discharged, ReasonFor(APatient() with { CareStatus = CareStatus.Discharged }));

    [Fact]
    public void Paused_until_later() => Assert.Equal(SkipReason.Paused, ReasonFor(APatient() with { PausedUntil = At("2027-02-01T00:00:00Z") }));

    [Fact]
    public void A_pause_that_ended_is_no_obstacle() => Assert.Null(ReasonFor(APatient() with { PausedUntil = At("2027-01-01T00:00:00Z") }));

    [Fact]
    public void Future_booking() => Assert.Equal(SkipReason.Booked, ReasonFor(APatient() with { NextBookingAt = At("2027-01-10T09:00:00Z") }));

    [Fact]
    public void Booked_since_the_email_was_planned() =>
        Assert.Equal(SkipReason.Booked, ReasonFor(APatient() with { LastBookedAt = At("2027-01-04T12:00:00Z") }, plannedAt: "2027-01-04T05:00:00Z"));

    [Fact]
    public void A_booking_before_planning_does_not_stop_it() =>
        Assert.Null(ReasonFor(APatient() with { LastBookedAt = At("2027-01-03T12:00:00Z") }, plannedAt: "2027-01-04T05:00:00Z"));

    [Fact]
    public void A_booking_since_planning_only_counts_at_send_time() =>
        Assert.Null(ReasonFor(APatient() with { LastBookedAt = At("2027-01-04T12:00:00Z") }));

    [Fact]
    public void Answered_since_the_email_was_planned() =>
        Assert.Equal(SkipReason.Answered, ReasonFor(APatient() with { LastAnsweredAt = At("2027-01-04T18:00:00Z") }, plannedAt: "2027-01-04T05:00:00Z"));

    [Fact]
    public void An_answer_before_planning_does_not_stop_it() =>
        Assert.Null(ReasonFor(APatient() with { LastAnsweredAt = At("2027-01-03T18:00:00Z") }, plannedAt: "2027-01-04T05:00:00Z"));

    [Fact]
    public void Episode_budget_spent_with_three_touches_in_the_episode()
    {
        TouchRecord[] touchLog =
        [
            Touch("2026-10-01T09:30:00Z", "o0", "2026-09-01"),
            Touch("2026-11-01T09:30:00Z", "o1", "2026-09-01"),
            Touch("2026-12-01T09:30:00Z", "o2", "2026-09-01"),
        ];
        Assert.Equal(SkipReason.EpisodeBudget, ReasonFor(APatient() with { TouchLog = touchLog }, episodeKey: "2026-09-01"));
    }

    [Fact]
    public void The_episode_budget_does_not_apply_without_an_episode()
    {
        TouchRecord[] touchLog =
        [
            Touch("2026-10-01T09:30:00Z", "o0", "2026-09-01"),
            Touch("2026-11-01T09:30:00Z", "o1", "2026-09-01"),
            Touch("2026-12-01T09:30:00Z", "o2", "2026-09-01"),
        ];
        Assert.Null(ReasonFor(APatient() with { TouchLog = touchLog }, episodeKey: null));
    }

    [Fact]
    public void Yearly_budget_spent_with_six_touches_in_365_days_across_episodes()
    {
        var touchLog = Enumerable.Range(0, 6)
            .Select(i => new TouchRecord(new DateTimeOffset(2026, 2 + i, 1, 9, 30, 0, TimeSpan.Zero), $"o{i}", $"ep{i}"))
            .ToList();
        Assert.Equal(SkipReason.YearlyBudget, ReasonFor(APatient() with { TouchLog = touchLog }));
    }

    [Fact]
    public void Touches_older_than_365_days_leave_the_yearly_budget()
    {
        var touchLog = Enumerable.Range(0, 6)
            .Select(i => new TouchRecord(new DateTimeOffset(2025, 2 + i, 1, 9, 30, 0, TimeSpan.Zero), $"o{i}", $"ep{i}"))
            .ToList();
        Assert.Null(ReasonFor(APatient() with { TouchLog = touchLog }));
    }

    [Fact]
    public void Cooldown_an_email_20_days_ago() =>
        Assert.Equal(SkipReason.Cooldown, ReasonFor(APatient() with { TouchLog = [Touch("2026-12-16T09:30:00Z", "o1", "other")] }));

    [Fact]
    public void Cooldown_over_an_email_22_days_ago() =>
        Assert.Null(ReasonFor(APatient() with { TouchLog = [Touch("2026-12-14T09:30:00Z", "o1", "other")] }));

    [Fact]
    public void Cooldown_also_looks_ahead_at_an_email_already_planned() =>
        Assert.Equal(SkipReason.Cooldown, ReasonFor(APatient() with { TouchLog = [Touch("2027-01-15T09:30:00Z", "o1", "other")] }));

    [Fact]
    public void At_send_time_the_rows_own_touch_does_not_count_against_it()
    {
        var patient = APatient() with { TouchLog = [Touch("2027-01-05T09:30:00Z", "self", "2026-12-01")] };
        Assert.Null(ReasonFor(patient, outreachId: "self"));
        Assert.Equal(SkipReason.Cooldown, ReasonFor(patient, outreachId: "another"));
    }

    [Fact]
    public void The_first_reason_in_order_wins() =>
        Assert.Equal(SkipReason.NoConsent, ReasonFor(APatient() with { EmailConsent = EmailConsent.None, Suppressed = true, CareStatus = CareStatus.Discharged }));

    [Fact]
    public void Send_time_check_uses_the_rows_planning_time_and_its_recorded_episode()
    {
        var row = ARow("pat_1|lapse|2026-09-01|3", plannedAt: "2027-01-04T05:00:00Z");
        var others = new[]
        {
            Touch("2026-10-01T09:30:00Z", "o0", "2026-09-01"),
            Touch("2026-11-01T09:30:00Z", "o1", "2026-09-01"),
        };
        var patient = APatient() with { TouchLog = [.. others, Touch("2027-01-05T09:30:00Z", row.Id, "2026-09-01")] };
        Assert.Null(Eligibility.WhyIneligibleToSend(APractice(), patient, row, SendAt));
        Assert.Equal(
            SkipReason.Answered,
            Eligibility.WhyIneligibleToSend(APractice(), patient with { LastAnsweredAt = At("2027-01-04T06:00:00Z") }, row, SendAt));
        var third = patient with { TouchLog = [.. patient.TouchLog, Touch("2026-12-01T09:30:00Z", "o2", "2026-09-01")] };
        Assert.Equal(SkipReason.EpisodeBudget, Eligibility.WhyIneligibleToSend(APractice(), third, row, SendAt));
    }

    [Fact]
    public void Skip_reasons_keep_the_wire_names_the_ledger_and_report_use()
    {
        Assert.Equal(
            ["no_email", "no_consent", "suppressed", "discharged", "paused", "booked", "answered", "episode_budget", "yearly_budget", "cooldown"],
            Eligibility.AllReasons.Select(reason => Wire.Name(reason)));
        Assert.Equal("skipped:episode_budget", Eligibility.SkippedStatusOf(SkipReason.EpisodeBudget));
    }

    internal static OutreachRow ARow(string id, string plannedAt = "2027-01-04T05:00:00Z", string status = OutreachStatus.Planned)
    {
        var key = Ids.ParseOutreachId(id)!;
        return new OutreachRow
        {
            PracticeId = "prac_1",
            PatientId = key.PatientId,
            Campaign = key.Campaign,
            EpisodeKey = key.EpisodeKey,
            Step = key.Step,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            Status = status,
            PlannedAt = At(plannedAt),
            NotBefore = At("2027-01-05T09:30:00Z"),
            OperationId = Ids.OperationIdOf("prac_1", id),
        };
    }
}
