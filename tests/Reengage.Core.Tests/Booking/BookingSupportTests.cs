using System.Globalization;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Core.Tests.Booking;

public sealed class VisitsTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
    private static readonly DateTimeOffset Now = At("2026-12-06T10:00:00Z");

    private static Appointment A(string startsAt, AppointmentStatus status) => new()
    {
        PracticeId = "prac_1",
        Id = $"apt_{startsAt}_{status}",
        PatientId = "pat_1",
        StartsAt = At(startsAt),
        Status = status,
        LastEventAt = At("2026-11-01T00:00:00Z"),
    };

    [Fact]
    public void The_last_visit_is_the_latest_completed_or_passed_booking_and_the_next_booking_the_earliest_to_come()
    {
        var summary = Visits.Summarize(
        [
            A("2026-11-01T10:00:00Z", AppointmentStatus.Completed),
            A("2026-11-20T10:00:00Z", AppointmentStatus.Booked),
            A("2026-11-25T10:00:00Z", AppointmentStatus.NoShow),
            A("2026-11-28T10:00:00Z", AppointmentStatus.Cancelled),
            A("2026-12-20T10:00:00Z", AppointmentStatus.Booked),
            A("2026-12-10T10:00:00Z", AppointmentStatus.Booked),
            A("2026-12-08T10:00:00Z", AppointmentStatus.Cancelled),
        ], Now);
        Assert.Equal(new VisitSummary(At("2026-11-20T10:00:00Z"), At("2026-12-10T10:00:00Z")), summary);
    }

    [Fact]
    public void A_booking_at_this_very_moment_is_a_visit_and_no_appointments_say_nothing()
    {
        Assert.Equal(new VisitSummary(Now, null), Visits.Summarize([A("2026-12-06T10:00:00Z", AppointmentStatus.Booked)], Now));
        Assert.Equal(new VisitSummary(null, null), Visits.Summarize([], Now));
    }
}

public sealed class RebookingTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static OutreachRow Row(int step, string status, DateTimeOffset? sentAt, string notBefore = "2026-11-01T09:30:00Z") => new()
    {
        PracticeId = "prac_1",
        PatientId = "pat_1",
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-10-01",
        Step = step,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        Status = status,
        PlannedAt = At("2026-10-31T05:00:00Z"),
        NotBefore = At(notBefore),
        OperationId = $"op-{step}",
        SentAt = sentAt,
    };

    [Fact]
    public void The_latest_email_sent_within_30_days_before_the_booking_gets_it()
    {
        var rows = new[]
        {
            Row(1, OutreachStatus.Delivered, At("2026-11-01T10:00:00Z")),
            Row(2, OutreachStatus.Sent, At("2026-11-20T10:00:00Z")),
            Row(3, OutreachStatus.Sent, At("2026-12-10T10:00:00Z")),
            Row(4, OutreachStatus.Planned, null),
        };
        Assert.Equal(2, Rebooking.ChooseRow(rows, At("2026-12-01T00:00:00Z"))?.Step);
    }

    [Fact]
    public void A_held_out_step_counts_at_its_not_before_for_the_control_group() =>
        Assert.Equal(1, Rebooking.ChooseRow([Row(1, OutreachStatus.HeldOut, null, "2026-11-20T09:30:00Z")], At("2026-11-25T00:00:00Z"))?.Step);

    [Fact]
    public void Nothing_is_credited_beyond_30_days_or_before_the_email()
    {
        var sent = Row(1, OutreachStatus.Sent, At("2026-11-01T10:00:00Z"));
        Assert.NotNull(Rebooking.ChooseRow([sent], At("2026-12-01T10:00:00Z")));
        Assert.Null(Rebooking.ChooseRow([sent], At("2026-12-01T10:00:01Z")));
        Assert.Null(Rebooking.ChooseRow([sent], At("2026-11-01T09:59:59Z")));
        Assert.Null(Rebooking.ChooseRow([Row(2, OutreachStatus.Skipped("cooldown"), null)], At("2026-11-02T00:00:00Z")));
    }

    [Fact]
    public void The_first_booking_credited_stays()
    {
        var row = Row(1, OutreachStatus.Sent, At("2026-11-01T10:00:00Z"));
        var credited = Rebooking.Attribute(row, At("2026-11-05T00:00:00Z"));
        Assert.Equal(At("2026-11-05T00:00:00Z"), credited?.RebookedAt);
        Assert.Null(Rebooking.Attribute(credited!, At("2026-11-03T00:00:00Z")));
    }

    [Fact]
    public void Deleting_a_patient_skips_only_its_planned_emails()
    {
        Assert.Equal("skipped:patient_deleted", PatientDeletion.Skip(Row(1, OutreachStatus.Planned, null))?.Status);
        Assert.Null(PatientDeletion.Skip(Row(1, OutreachStatus.Sent, At("2026-11-01T10:00:00Z"))));
        Assert.Null(PatientDeletion.Skip(Row(1, OutreachStatus.HeldOut, null)));
    }
}

public sealed class PatientRecordsTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static Practice PracticeIn(string timeZone) => new()
    {
        Id = "prac_1",
        Name = "Cabinet",
        SenderDisplayName = "Cabinet",
        TimeZone = timeZone,
        CadenceDays = [30, 60, 120],
        SeasonalWindows = [],
    };

    [Theory]
    // Paris is ahead of UTC: its local date is already the next day at 23:30 UTC.
    [InlineData("Europe/Paris", "2027-01-04T23:30:00Z", "2027-01-05")]
    // Los Angeles is behind: at 05:00 UTC its local date is yesterday, and the later UTC date is used.
    [InlineData("America/Los_Angeles", "2027-01-05T05:00:00Z", "2027-01-05")]
    [InlineData("Pacific/Kiritimati", "2027-01-05T12:00:00Z", "2027-01-06")]
    public void Today_is_the_practices_date_or_the_UTC_date_when_later(string zone, string now, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, CultureInfo.InvariantCulture), Cadence.TodayFor(PracticeIn(zone), At(now)).ToDateOnly());

    [Fact]
    public void Touches_older_than_366_days_are_dropped()
    {
        var now = At("2027-01-05T00:00:00Z");
        var patient = PracticeDefaults.NewPatient("prac_1", "pat_1", now) with
        {
            TouchLog =
            [
                new TouchRecord(At("2026-01-04T00:00:00Z"), "old", null),
                new TouchRecord(At("2026-01-04T00:00:01Z"), "kept", null),
            ],
        };
        Assert.Equal(["kept"], Planning.PruneTouches(patient, now).TouchLog.Select(t => t.OutreachId));
    }

    [Fact]
    public void A_patient_whose_next_booking_has_passed_needs_its_visits_refreshed()
    {
        var now = At("2026-12-06T10:00:00Z");
        var patient = PracticeDefaults.NewPatient("prac_1", "pat_1", now) with { NextBookingAt = At("2026-12-05T09:00:00Z") };
        Assert.True(PatientRecords.NeedsVisitRefresh(patient, now));
        Assert.False(PatientRecords.NeedsVisitRefresh(patient with { NextBookingAt = At("2026-12-07T09:00:00Z") }, now));
        Assert.False(PatientRecords.NeedsVisitRefresh(patient with { NextBookingAt = null }, now));
        var booked = new Appointment
        {
            PracticeId = "prac_1",
            Id = "apt",
            PatientId = "pat_1",
            StartsAt = At("2026-12-05T09:00:00Z"),
            Status = AppointmentStatus.Booked,
            LastEventAt = At("2026-11-01T00:00:00Z"),
        };
        var refreshed = PatientRecords.RefreshVisits(patient, [booked], now);
        Assert.Equal((At("2026-12-05T09:00:00Z"), (DateTimeOffset?)null), (refreshed.LastVisitAt, refreshed.NextBookingAt));
    }

    [Fact]
    public void A_new_patient_knows_nothing_and_has_no_consent()
    {
        var now = At("2026-12-06T10:00:00Z");
        var patient = PracticeDefaults.NewPatient("prac_1", "pat_1", now);
        Assert.Equal((null, null, false, CareStatus.InCare, now, now), (patient.FirstName, patient.Email, patient.EmailConsent.Granted, patient.CareStatus, patient.CreatedAt, patient.UpdatedAt));
    }
}
