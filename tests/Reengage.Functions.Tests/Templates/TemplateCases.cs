using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Templates;

namespace Reengage.Functions.Tests.Templates;

/// <summary>The contexts the template tests render with, and the values they look for in the output.</summary>
internal static class TemplateCases
{
    public const string Nbsp = "\u00a0"; // before « : » and inside guillemets
    public const string Nnbsp = "\u202f"; // before « ? ! ; »

    public const string Book = "https://reengage.test/api/r/tok-book-7f3a";
    public const string Later = "https://reengage.test/api/r/tok-later-91c2";
    public const string Unsubscribe = "https://reengage.test/api/unsubscribe/tok-unsub-44d0";
    public const string FeedbackLink = "https://reengage.test/api/r/tok-feedback-5be8";
    public static string ProgressNote(Locale locale) => locale == Locale.Fr
        ? "vous avez retrouvé le goût de courir le dimanche"
        : "you are enjoying your Sunday runs again";

    public static string PlanSummary(Locale locale) => locale == Locale.Fr
        ? "dix séances de rééducation du genou, puis un bilan"
        : "ten sessions of knee rehabilitation, then a review";
    public const string TherapistName = "Léa Moreau";
    public const string PracticeName = "Cabinet Horizon";

    /// <summary>One renderer for the whole test run, as in the app: its pool and caches are shared by every test.</summary>
    public static ScribanTemplateRenderer Renderer { get; } = new();

    public static EmailLinks Links(TemplateId templateId) =>
        new(Book, Later, Unsubscribe, templateId == TemplateId.Feedback ? FeedbackLink : null);

    /// <summary>Every optional value present, clinical details allowed.</summary>
    public static RenderContext Full(Locale locale, TemplateId templateId) => new()
    {
        Locale = locale,
        Patient = new RenderPatient("Camille"),
        Therapist = new RenderTherapist(
            TherapistName,
            locale == Locale.Fr ? "Kinésithérapeute\n06 12 34 56 78" : "Physiotherapist\n+44 7700 900123"),
        Practice = new RenderPractice(PracticeName, "https://booking.test/horizon"),
        SinceLastVisit = locale == Locale.Fr ? "quelques semaines" : "a few weeks",
        ProgressNote = ProgressNote(locale),
        PlanSummary = PlanSummary(locale),
        Resource = locale == Locale.Fr
            ? new RenderResource("Trois étirements pour le matin", "https://resources.test/etirements")
            : new RenderResource("Three morning stretches", "https://resources.test/stretches"),
        Season = templateId == TemplateId.Seasonal ? SeasonalWindowId.NewYear : null,
        Links = Links(templateId),
    };

    /// <summary>Every optional value missing, as for a patient imported with an address and nothing else.</summary>
    public static RenderContext Minimal(Locale locale, TemplateId templateId) => new()
    {
        Locale = locale,
        Patient = new RenderPatient(null),
        Therapist = new RenderTherapist(TherapistName, null),
        Practice = new RenderPractice(PracticeName, "https://booking.test/horizon"),
        Links = Links(templateId),
    };

    public static IEnumerable<(TemplateId TemplateId, Locale Locale)> All() =>
        from templateId in Enum.GetValues<TemplateId>()
        from locale in Enum.GetValues<Locale>()
        select (templateId, locale);

    public static TheoryData<TemplateId, Locale> TemplatesAndLocales()
    {
        var data = new TheoryData<TemplateId, Locale>();
        foreach (var (templateId, locale) in All())
        {
            data.Add(templateId, locale);
        }
        return data;
    }

    public static TheoryData<TemplateId, Locale, bool> TemplatesLocalesAndFullness()
    {
        var data = new TheoryData<TemplateId, Locale, bool>();
        foreach (var (templateId, locale) in All())
        {
            data.Add(templateId, locale, true);
            data.Add(templateId, locale, false);
        }
        return data;
    }

    public static RenderContext Context(TemplateId templateId, Locale locale, bool full) =>
        full ? Full(locale, templateId) : Minimal(locale, templateId);
}
