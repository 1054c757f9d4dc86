using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Templates;

/// <summary>Sample render contexts: what overrides are validated against, and what previews show.</summary>
public static class SampleContexts
{
    /// <summary>
    /// Distinctive health-data stand-ins: if they show up in a subject, an override leaks health data. The same
    /// in every locale, so that the check does not depend on translation.
    /// </summary>
    public const string ProgressNote = "Sample progress note: sleeps through the night again";
    public const string PlanSummary = "Sample plan summary: six sessions, then a review";

    /// <summary>Sample links: never a working token.</summary>
    public static EmailLinks Links { get; } = new(
        Book: "https://reengage.example/api/r/sample-book-token",
        Later: "https://reengage.example/api/r/sample-later-token",
        Unsubscribe: "https://reengage.example/api/unsubscribe/sample-unsubscribe-token",
        Feedback: "https://reengage.example/api/r/sample-feedback-token");

    /// <summary>Every optional value filled in, as when the practice allows clinical details.</summary>
    public static RenderContext Full(Locale locale, TemplateId templateId) => new()
    {
        Locale = locale,
        Patient = new RenderPatient("Camille"),
        Therapist = new RenderTherapist(
            "Claire Dubois",
            locale == Locale.Fr ? "Psychologue clinicienne\n01 23 45 67 89" : "Clinical psychologist\n+44 20 7946 0000"),
        Practice = new RenderPractice("Cabinet des Tilleuls", "https://booking.example/cabinet-des-tilleuls"),
        SinceLastVisit = locale == Locale.Fr ? "quelques semaines" : "a few weeks",
        ProgressNote = ProgressNote,
        PlanSummary = PlanSummary,
        Resource = new RenderResource(
            locale == Locale.Fr ? "Cinq minutes pour souffler\u00a0: un exercice de respiration" : "Five minutes to breathe: a short exercise",
            "https://resources.example/respiration"),
        Season = templateId == TemplateId.Seasonal ? SeasonalWindowId.NewYear : null,
        Links = Links,
    };

    /// <summary>Every optional value missing: the wording must still read naturally.</summary>
    public static RenderContext Minimal(Locale locale, TemplateId templateId)
    {
        var full = Full(locale, templateId);
        return full with
        {
            Patient = new RenderPatient(null),
            Therapist = full.Therapist with { Signature = null },
            SinceLastVisit = null,
            ProgressNote = null,
            PlanSummary = null,
            Resource = null,
            Season = null,
            Links = Links with { Feedback = templateId == TemplateId.Feedback ? Links.Feedback : null },
        };
    }
}
