using Reengage.Core.Model;

namespace Reengage.Core.Ports;

/// <summary>The three parts of one email: a single-line subject, the HTML body and its plain-text twin.</summary>
public sealed record RenderedEmail(string Subject, string Html, string Text);

/// <summary>The three template sources of one template in one locale: a practice's override, or the library's files.</summary>
public sealed record TemplateSources(string Subject, string Html, string Text)
{
    public string this[TemplatePart part] => part switch
    {
        TemplatePart.Subject => Subject,
        TemplatePart.Html => Html,
        TemplatePart.Text => Text,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };
}

public enum TemplatePart
{
    Subject,
    Html,
    Text,
}

/// <summary>The signed links of one email. <see cref="Feedback"/> is set for template 8 only.</summary>
public sealed record EmailLinks(string Book, string Later, string Unsubscribe, string? Feedback = null);

public sealed record RenderPatient(string? FirstName);

/// <summary>
/// Who signs the email. <see cref="DisplayName"/> falls back to the practice's name when the patient has no
/// known therapist; <see cref="Signature"/> may span several lines.
/// </summary>
public sealed record RenderTherapist(string DisplayName, string? Signature);

public sealed record RenderPractice(string Name, string BookingUrl);

/// <summary>A practice resource shared by template 4; only web (http/https) links are ever shown.</summary>
public sealed record RenderResource(string Title, string Url);

/// <summary>
/// Everything a template may read. Every key is always there for the template (null when unknown), so a
/// template tests for a value instead of guessing whether it exists.
/// </summary>
public sealed record RenderContext
{
    public required Locale Locale { get; init; }
    public required RenderPatient Patient { get; init; }
    public required RenderTherapist Therapist { get; init; }
    public required RenderPractice Practice { get; init; }
    /// <summary>Humane wording of the time since the last visit in the locale (see <see cref="Wording"/>), or null.</summary>
    public string? SinceLastVisit { get; init; }
    /// <summary>Health data: set only when the practice allows clinical details. Never in a subject.</summary>
    public string? ProgressNote { get; init; }
    /// <summary>Health data: set only when the practice allows clinical details. Never in a subject.</summary>
    public string? PlanSummary { get; init; }
    /// <summary>Template 4's resource for the patient's focus area, or null.</summary>
    public RenderResource? Resource { get; init; }
    /// <summary>The seasonal window of template 3, or null.</summary>
    public SeasonalWindowId? Season { get; init; }
    public required EmailLinks Links { get; init; }

    /// <summary>
    /// The context of one ledger row's email. Health data (progress note, plan summary) is passed only when the
    /// practice allows clinical details; a patient without a known therapist gets a letter signed by the practice.
    /// <paramref name="resource"/> is the practice's resource for the patient's focus area (template 4 only).
    /// </summary>
    public static RenderContext ForOutreach(
        Practice practice,
        Therapist? therapist,
        Patient patient,
        OutreachRow row,
        EmailLinks links,
        RenderResource? resource,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(row);
        var clinical = practice.AllowClinicalDetails;
        // A seasonal row's episode key is "<year>:<window id>".
        var windowId = row.EpisodeKey.Split(':') is [_, var id] ? id : null;
        return new RenderContext
        {
            Locale = row.Locale,
            Patient = new RenderPatient(patient.FirstName),
            Therapist = new RenderTherapist(
                therapist?.DisplayName ?? practice.Name,
                string.IsNullOrWhiteSpace(therapist?.Signature) ? null : therapist.Signature),
            Practice = new RenderPractice(practice.Name, practice.BookingUrl),
            SinceLastVisit = Wording.SinceLastVisit(patient.LastVisitAt, now, row.Locale),
            ProgressNote = clinical ? patient.ProgressNote : null,
            PlanSummary = clinical ? patient.Plan?.Summary : null,
            Resource = row.TemplateId == TemplateId.Resource ? resource : null,
            Season = row.Campaign == Campaign.Seasonal && Wire.TryParse<SeasonalWindowId>(windowId, out var season) ? season : null,
            Links = links,
        };
    }
}

/// <summary>
/// Renders the practice's shared template library (SPEC §6), and practices' overrides of it. Rendering is
/// CPU-bound and bounded in time and size, hence synchronous. Implementations are thread-safe.
/// </summary>
public interface ITemplateRenderer
{
    /// <summary>Renders a library template. Throws <see cref="ReengageException"/> <see cref="ErrorCode.RenderFailed"/>.</summary>
    RenderedEmail Render(TemplateId templateId, Locale locale, RenderContext context);

    /// <summary>
    /// Renders a practice's override accepted earlier by <see cref="ValidateOverride"/>. Throws
    /// <see cref="ReengageException"/> <see cref="ErrorCode.RenderFailed"/>: the caller then falls back to the library.
    /// </summary>
    RenderedEmail RenderOverride(TemplateId templateId, Locale locale, TemplateSources sources, RenderContext context);

    /// <summary>
    /// Accepts an override only if every part parses, reads only <see cref="RenderContext"/> variables, and renders
    /// against a full and a minimal sample with every required link and nothing left over. Throws
    /// <see cref="ReengageException"/> <see cref="ErrorCode.InvalidInput"/> whose message starts with the part
    /// (<c>subject: </c>, <c>html: </c>, <c>text: </c>) and says the problem.
    /// </summary>
    void ValidateOverride(TemplateId templateId, Locale locale, TemplateSources sources);

    /// <summary>The library's own sources of one template, as a starting point for an override.</summary>
    TemplateSources GetLibrarySources(TemplateId templateId, Locale locale);
}
