using Reengage.Core.Model;
using Reengage.Core.Ports;
using static Reengage.Functions.Tests.Templates.TemplateCases;

namespace Reengage.Functions.Tests.Templates;

/// <summary>From a patient's record to the email: health data appears only where the practice allows it, never in a subject.</summary>
public sealed class ClinicalDetailsTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly Patient Camille = new()
    {
        PracticeId = "prac_1",
        Id = "pat_1",
        FirstName = "Camille",
        ProgressNote = ProgressNote(Locale.Fr),
        Plan = new TreatmentPlan(PlanSummary(Locale.Fr), Now.AddDays(-2)),
        LastVisitAt = Now.AddDays(-50),
        CreatedAt = Now.AddYears(-1),
        UpdatedAt = Now.AddYears(-1),
    };

    private static RenderedEmail Send(TemplateId templateId, bool allowClinicalDetails)
    {
        var practice = new Practice
        {
            Id = "prac_1",
            Name = PracticeName,
            SenderDisplayName = PracticeName,
            CadenceDays = [30, 60, 120],
            SeasonalWindows = [],
            AllowClinicalDetails = allowClinicalDetails,
        };
        var row = new OutreachRow
        {
            PracticeId = "prac_1",
            PatientId = "pat_1",
            Campaign = Campaign.Lapse,
            EpisodeKey = "2027-01-10",
            Step = 1,
            TemplateId = templateId,
            Locale = Locale.Fr,
            Status = OutreachStatus.Sending,
            PlannedAt = Now,
            NotBefore = Now,
            OperationId = "00000000-0000-0000-0000-000000000002",
        };
        var context = RenderContext.ForOutreach(practice, null, Camille, row, Links(templateId), null, Now);
        return Renderer.Render(templateId, Locale.Fr, context);
    }

    [Theory]
    [InlineData(TemplateId.Progress)]
    [InlineData(TemplateId.PlanFollowUp)]
    public void Shows_clinical_details_only_when_the_practice_allows_them(TemplateId templateId)
    {
        var secret = templateId == TemplateId.Progress ? ProgressNote(Locale.Fr) : PlanSummary(Locale.Fr);
        var allowed = Send(templateId, allowClinicalDetails: true);
        Assert.Contains(secret, allowed.Text, StringComparison.Ordinal);
        Assert.Contains(secret, allowed.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, allowed.Subject, StringComparison.Ordinal);

        var withheld = Send(templateId, allowClinicalDetails: false);
        Assert.DoesNotContain(secret, withheld.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, withheld.Html, StringComparison.Ordinal);
        Assert.Contains("Notre dernière séance remonte à environ deux mois.", withheld.Text, StringComparison.Ordinal);
    }
}
