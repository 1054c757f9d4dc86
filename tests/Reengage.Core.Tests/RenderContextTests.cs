using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Core.Tests;

public sealed class RenderContextTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly EmailLinks Links = new("https://r.test/book", "https://r.test/later", "https://r.test/unsub");
    private static readonly RenderResource Breathing = new("Respirer", "https://resources.test/respirer");

    private static readonly Practice Practice = new()
    {
        Id = "prac_1",
        Name = "Cabinet Horizon",
        SenderDisplayName = "Cabinet Horizon",
        BookingUrl = "https://booking.test/horizon",
        CadenceDays = [30, 60, 120],
        SeasonalWindows = [],
    };

    private static readonly Therapist Lea = new()
    {
        PracticeId = "prac_1",
        Id = "th_1",
        DisplayName = "Léa Moreau",
        Email = "lea@horizon.test",
        Signature = "Kinésithérapeute",
    };

    private static readonly Patient Camille = new()
    {
        PracticeId = "prac_1",
        Id = "pat_1",
        FirstName = "Camille",
        ProgressNote = "court de nouveau",
        Plan = new TreatmentPlan("dix séances", null),
        LastVisitAt = Now.AddDays(-30),
        CreatedAt = Now.AddYears(-1),
        UpdatedAt = Now.AddYears(-1),
    };

    private static OutreachRow Row(TemplateId templateId, Campaign campaign = Campaign.Lapse, string episodeKey = "2027-01-30") => new()
    {
        PracticeId = "prac_1",
        PatientId = "pat_1",
        Campaign = campaign,
        EpisodeKey = episodeKey,
        Step = 1,
        TemplateId = templateId,
        Locale = Locale.Fr,
        Status = OutreachStatus.Planned,
        PlannedAt = Now,
        NotBefore = Now,
        OperationId = "00000000-0000-0000-0000-000000000001",
    };

    [Fact]
    public void Passes_health_data_only_when_the_practice_allows_clinical_details()
    {
        var withheld = RenderContext.ForOutreach(Practice, Lea, Camille, Row(TemplateId.Progress), Links, null, Now);
        Assert.Null(withheld.ProgressNote);
        Assert.Null(withheld.PlanSummary);

        var allowed = RenderContext.ForOutreach(Practice with { AllowClinicalDetails = true }, Lea, Camille, Row(TemplateId.Progress), Links, null, Now);
        Assert.Equal("court de nouveau", allowed.ProgressNote);
        Assert.Equal("dix séances", allowed.PlanSummary);
    }

    [Fact]
    public void Fills_in_the_patient_the_therapist_the_practice_and_the_time_since_the_last_visit()
    {
        var context = RenderContext.ForOutreach(Practice, Lea, Camille, Row(TemplateId.CheckIn), Links, Breathing, Now);
        Assert.Equal(Locale.Fr, context.Locale);
        Assert.Equal(new RenderPatient("Camille"), context.Patient);
        Assert.Equal(new RenderTherapist("Léa Moreau", "Kinésithérapeute"), context.Therapist);
        Assert.Equal(new RenderPractice("Cabinet Horizon", "https://booking.test/horizon"), context.Practice);
        Assert.Equal("quelques semaines", context.SinceLastVisit);
        Assert.Null(context.Resource);
        Assert.Null(context.Season);
        Assert.Same(Links, context.Links);
    }

    [Fact]
    public void Signs_with_the_practice_when_the_patient_has_no_known_therapist()
    {
        var context = RenderContext.ForOutreach(Practice, null, Camille, Row(TemplateId.CheckIn), Links, null, Now);
        Assert.Equal(new RenderTherapist("Cabinet Horizon", null), context.Therapist);
        var blankSignature = RenderContext.ForOutreach(Practice, Lea with { Signature = "  " }, Camille, Row(TemplateId.CheckIn), Links, null, Now);
        Assert.Null(blankSignature.Therapist.Signature);
    }

    [Fact]
    public void Offers_the_resource_in_template_4_only()
    {
        Assert.Equal(Breathing, RenderContext.ForOutreach(Practice, Lea, Camille, Row(TemplateId.Resource), Links, Breathing, Now).Resource);
        Assert.Null(RenderContext.ForOutreach(Practice, Lea, Camille, Row(TemplateId.NoPressure), Links, Breathing, Now).Resource);
    }

    [Theory]
    [InlineData("2027:rentree", SeasonalWindowId.Rentree)]
    [InlineData("2027:new-year", SeasonalWindowId.NewYear)]
    [InlineData("2027:halloween", null)]
    [InlineData("2027", null)]
    public void Reads_the_season_from_a_seasonal_row(string episodeKey, SeasonalWindowId? season)
    {
        var context = RenderContext.ForOutreach(Practice, Lea, Camille, Row(TemplateId.Seasonal, Campaign.Seasonal, episodeKey), Links, null, Now);
        Assert.Equal(season, context.Season);
    }
}
