using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;

namespace Reengage.Core.Tests.Privacy;

public sealed class ErasureTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 10, 10, 0, 0, TimeSpan.Zero);

    private static OutreachRow Row(string status) => new()
    {
        PracticeId = "prac_gdpr",
        PatientId = "pat_1",
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = status,
        PlannedAt = new DateTimeOffset(2026, 12, 31, 5, 0, 0, TimeSpan.Zero),
        NotBefore = new DateTimeOffset(2026, 12, 31, 8, 30, 0, TimeSpan.Zero),
        OperationId = "3f1c9a52-1b2c-5d3e-8f40-0123456789ab",
        Response = OutreachResponse.Book,
        RebookedAt = new DateTimeOffset(2027, 1, 3, 10, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void The_pseudonym_is_the_one_the_TypeScript_implementation_gives()
    {
        // Computed with Node's crypto: "erased-" + sha256("prac_gdpr|pat_1") in hex, first 16 characters.
        Assert.Equal("erased-71dc43c3988b9005", Erasure.ErasedPatientIdOf("prac_gdpr", "pat_1"));
    }

    [Fact]
    public void The_pseudonym_differs_by_patient_and_by_practice()
    {
        var pseudonym = Erasure.ErasedPatientIdOf("prac_gdpr", "pat_1");
        Assert.NotEqual(pseudonym, Erasure.ErasedPatientIdOf("prac_gdpr", "pat_10"));
        Assert.NotEqual(pseudonym, Erasure.ErasedPatientIdOf("prac_other", "pat_1"));
        Assert.True(Erasure.IsPseudonym(pseudonym));
        Assert.False(Erasure.IsPseudonym("pat_1"));
    }

    [Fact]
    public void An_erased_row_keeps_its_statistics_and_its_operation_id_under_the_pseudonym()
    {
        var row = Row(OutreachStatus.Delivered);

        var erased = Erasure.ErasedRowOf(row, Now);

        Assert.Equal(row with { PatientId = "erased-71dc43c3988b9005", TherapistId = null, ErasedAt = Now }, erased);
        Assert.Equal("erased-71dc43c3988b9005|lapse|2026-12-01|1", erased.Id);
    }

    [Fact]
    public void A_planned_row_is_skipped_every_other_status_stays()
    {
        Assert.Equal("skipped:patient_erased", Erasure.ErasedRowOf(Row(OutreachStatus.Planned), Now).Status);
        foreach (var status in new[] { OutreachStatus.Sent, OutreachStatus.Bounced, OutreachStatus.HeldOut, "skipped:booked", OutreachStatus.Sending })
        {
            Assert.Equal(status, Erasure.ErasedRowOf(Row(status), Now).Status);
        }
    }

    [Fact]
    public void A_kept_rating_loses_its_comment_and_the_patient_id()
    {
        var erased = Erasure.ErasedRowOf(Row(OutreachStatus.Delivered), Now);
        var entry = new FeedbackEntry("prac_gdpr", "pat_1|lapse|2026-12-01|1", "pat_1", 5, "Merci pour tout", Now, Now);

        Assert.Equal(entry with { OutreachId = erased.Id, PatientId = erased.PatientId, Comment = null }, Erasure.RatingOnlyOf(entry, erased));
    }

    [Fact]
    public void Retention_cut_offs_and_which_rows_it_erases()
    {
        Assert.Equal(Now.AddDays(-30), Retention.InboundEventsBefore(Now));
        Assert.Equal(Now.AddDays(-730), Retention.OutreachBefore(Now, 730));
        Assert.True(Retention.ShouldErase(Row(OutreachStatus.Delivered)));
        Assert.True(Retention.ShouldErase(Row("skipped:booked")));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Planned)));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Sending)));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Delivered) with { ErasedAt = Now }));
    }
}
