using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;

namespace Reengage.Core.Tests.Sending;

/// <summary>What each ACS report does to a ledger row, in any order and any number of times.</summary>
public sealed class EmailReportsTests
{
    private const string MessageId = "5f0c2a54-8e1b-5c3d-9a7f-0b1c2d3e4f50";
    private const string Recipient = "camille@example.org";
    private static readonly DateTimeOffset SentAt = new(2027, 1, 5, 9, 30, 2, TimeSpan.Zero);
    private static readonly DateTimeOffset Attempt = new(2027, 1, 5, 9, 31, 0, TimeSpan.Zero);

    private static readonly OutreachRow Sent = new()
    {
        PracticeId = "prac_1",
        PatientId = "pat_1",
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = OutreachStatus.Sent,
        PlannedAt = new DateTimeOffset(2026, 12, 31, 5, 0, 0, TimeSpan.Zero),
        NotBefore = new DateTimeOffset(2027, 1, 5, 9, 30, 0, TimeSpan.Zero),
        OperationId = MessageId,
        SentAt = SentAt,
        Attempts = 1,
    };

    private static DeliveryReport Report(DeliveryStatus status, DateTimeOffset at) => new("e", MessageId, status, Recipient, at);

    private static EngagementReport Engagement(EngagementKind kind, DateTimeOffset at) => new("e", MessageId, kind, at);

    [Theory]
    [InlineData(DeliveryStatus.Delivered, "delivered", "Delivered")]
    [InlineData(DeliveryStatus.Bounced, "bounced", "Bounced")]
    [InlineData(DeliveryStatus.Suppressed, "bounced", "Suppressed")]
    [InlineData(DeliveryStatus.Failed, "failed", "Failed")]
    [InlineData(DeliveryStatus.FilteredSpam, "failed", "FilteredSpam")]
    [InlineData(DeliveryStatus.Quarantined, "failed", "Quarantined")]
    [InlineData(DeliveryStatus.Expanded, "sent", "Expanded")]
    public void Each_status_sets_the_row_status_and_records_the_ACS_status_and_attempt_time(DeliveryStatus status, string rowStatus, string recorded)
    {
        Assert.Equal(
            Sent with { Status = rowStatus, DeliveryStatus = recorded, DeliveryAt = Attempt },
            EmailReports.WithDeliveryReport(Sent, Report(status, Attempt)));
    }

    [Fact]
    public void Only_Bounced_and_Suppressed_suppress_the_address()
    {
        var reasons = Enum.GetValues<DeliveryStatus>().ToDictionary(s => s, EmailReports.SuppressionReasonOf);
        Assert.Equal(SuppressionReason.Bounced, reasons[DeliveryStatus.Bounced]);
        Assert.Equal(SuppressionReason.Suppressed, reasons[DeliveryStatus.Suppressed]);
        Assert.Equal(2, reasons.Values.Count(r => r is not null));
    }

    [Fact]
    public void Reports_only_move_forward_the_same_report_again_or_an_older_one_changes_nothing()
    {
        var bounced = EmailReports.WithDeliveryReport(Sent, Report(DeliveryStatus.Bounced, Attempt))!;

        Assert.Null(EmailReports.WithDeliveryReport(bounced, Report(DeliveryStatus.Bounced, Attempt)));
        Assert.Null(EmailReports.WithDeliveryReport(bounced, Report(DeliveryStatus.Delivered, Attempt.AddSeconds(-1))));
        var later = EmailReports.WithDeliveryReport(bounced, Report(DeliveryStatus.Delivered, Attempt.AddMinutes(14)))!;
        Assert.Equal((OutreachStatus.Delivered, Attempt.AddMinutes(14)), (later.Status, later.DeliveryAt));
    }

    [Fact]
    public void Any_order_of_the_same_reports_ends_in_the_row_of_the_latest()
    {
        DeliveryReport[] reports =
        [
            Report(DeliveryStatus.Expanded, Attempt),
            Report(DeliveryStatus.Delivered, Attempt.AddSeconds(5)),
            Report(DeliveryStatus.Bounced, Attempt.AddMinutes(3)),
        ];
        var expected = Sent with { Status = OutreachStatus.Bounced, DeliveryStatus = "Bounced", DeliveryAt = Attempt.AddMinutes(3) };
        foreach (var order in new[] { new[] { 0, 1, 2 }, [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [2, 2, 0, 1, 1] })
        {
            var row = order.Aggregate(Sent, (current, i) => EmailReports.WithDeliveryReport(current, reports[i]) ?? current);
            Assert.Equal(expected, row);
        }
    }

    [Theory]
    [InlineData(OutreachStatus.Sending)]
    [InlineData(OutreachStatus.Planned)]
    public void A_row_still_claimed_is_settled_the_report_proves_ACS_took_the_email(string status)
    {
        var claimedAt = SentAt.AddSeconds(-1);
        var claimed = Sent with { Status = status, SentAt = null, ClaimedAt = claimedAt };

        var expanded = EmailReports.WithDeliveryReport(claimed, Report(DeliveryStatus.Expanded, Attempt))!;
        Assert.Equal((OutreachStatus.Sent, claimedAt, (DateTimeOffset?)null), (expanded.Status, expanded.SentAt, expanded.ClaimedAt));

        var unclaimed = EmailReports.WithDeliveryReport(claimed with { ClaimedAt = null }, Report(DeliveryStatus.Delivered, Attempt))!;
        Assert.Equal((OutreachStatus.Delivered, Attempt), (unclaimed.Status, unclaimed.SentAt));
    }

    [Theory]
    [InlineData(OutreachStatus.HeldOut)]
    [InlineData("skipped:booked")]
    public void Held_out_and_skipped_rows_were_never_sent_and_stay_as_they_are(string status)
    {
        var row = Sent with { Status = status, SentAt = null };
        Assert.Null(EmailReports.WithDeliveryReport(row, Report(DeliveryStatus.Delivered, Attempt)));
        Assert.Null(EmailReports.WithDeliveryReport(row, Report(DeliveryStatus.Bounced, Attempt)));
        Assert.Null(EmailReports.WithEngagementReport(row, Engagement(EngagementKind.Click, Attempt)));
    }

    [Fact]
    public void Engagement_keeps_the_first_open_and_the_first_click_whatever_order_they_arrive_in()
    {
        var day2 = new DateTimeOffset(2027, 1, 6, 18, 0, 0, TimeSpan.Zero);
        var day1 = day2.AddHours(-30);

        var later = EmailReports.WithEngagementReport(Sent, Engagement(EngagementKind.View, day2))!;
        Assert.Equal(day2, later.ViewedAt);
        var earlier = EmailReports.WithEngagementReport(later, Engagement(EngagementKind.View, day1))!;
        Assert.Equal(day1, earlier.ViewedAt);
        Assert.Null(EmailReports.WithEngagementReport(earlier, Engagement(EngagementKind.View, day1)));
        Assert.Null(EmailReports.WithEngagementReport(earlier, Engagement(EngagementKind.View, day2.AddDays(1))));
        var clicked = EmailReports.WithEngagementReport(earlier, Engagement(EngagementKind.Click, day2.AddDays(1)))!;
        Assert.Equal((day1, day2.AddDays(1)), (clicked.ViewedAt!.Value, clicked.ClickedAt!.Value));
        Assert.Equal(OutreachStatus.Sent, clicked.Status);
    }
}
