using Reengage.Core.Answers;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Answers;

public sealed class ScannerVisitsTests
{
    private static readonly DateTimeOffset SentAt = new(2027, 1, 5, 10, 0, 0, TimeSpan.Zero);

    private static readonly OutreachRow Sent = new()
    {
        PracticeId = "prac_1",
        PatientId = "pat_1",
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-05",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        Status = OutreachStatus.Sent,
        PlannedAt = SentAt.AddDays(-1),
        NotBefore = SentAt,
        OperationId = "0b6f9d7e-2b1c-5c3d-8e4f-112233445566",
        SentAt = SentAt,
    };

    [Theory]
    [InlineData(0, true)]
    [InlineData(59, true)]
    [InlineData(60, false)]
    [InlineData(3600, false)]
    public void A_visit_within_a_minute_of_sending_is_a_scanners(int secondsAfter, bool scanner) =>
        Assert.Equal(scanner, ScannerVisits.IsScanner(Sent, new LinkVisit(SentAt.AddSeconds(secondsAfter), IsHead: false)));

    [Fact]
    public void The_minute_runs_from_delivery_when_the_report_came_later() =>
        Assert.True(ScannerVisits.IsScanner(Sent with { DeliveryAt = SentAt.AddMinutes(5) }, new LinkVisit(SentAt.AddMinutes(5).AddSeconds(30), false)));

    [Fact]
    public void A_HEAD_is_a_scanners_whenever_it_comes() =>
        Assert.True(ScannerVisits.IsScanner(Sent, new LinkVisit(SentAt.AddDays(3), IsHead: true)));

    [Fact]
    public void A_visit_in_the_same_burst_as_a_recorded_scanner_visit_is_a_scanners_and_a_later_one_is_the_patients()
    {
        var scanned = Sent with { ScannerVisitAt = SentAt.AddHours(2) };
        Assert.True(ScannerVisits.IsScanner(scanned, new LinkVisit(SentAt.AddHours(2).AddMilliseconds(1500), false)));
        Assert.False(ScannerVisits.IsScanner(scanned, new LinkVisit(SentAt.AddHours(2).AddSeconds(2), false)));
        Assert.False(ScannerVisits.IsScanner(scanned, new LinkVisit(SentAt.AddHours(5), false)));
    }

    [Fact]
    public void A_row_claimed_but_not_yet_recorded_as_sent_counts_from_its_claim() =>
        Assert.True(ScannerVisits.IsScanner(Sent with { SentAt = null, ClaimedAt = SentAt }, new LinkVisit(SentAt.AddSeconds(10), false)));
}
