// POST practices/{practiceId}/templates/{templateId}/{locale}/preview: a template as a patient would receive it, with
// sample links only (a preview never carries a working booking or unsubscribe token).
using System.Text.Json;
using System.Text.Json.Serialization;
using Reengage.Core;
using Reengage.Core.Calendar;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Outreach;
using Reengage.Functions.Templates;

namespace Reengage.Functions.Admin;

public sealed record PreviewJson(string Subject, string Html, string Text, string Source, string Data);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PreviewJson))]
public sealed partial class PreviewJsonContext : JsonSerializerContext;

/// <summary>The optional body: <c>patientId</c> (that patient's data) and <c>sources</c> (a draft, validated like a PUT).</summary>
public sealed record PreviewInput(string? PatientId, TemplateSources? Draft)
{
    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("PreviewInput", "must be a JSON object",
    [
        FieldRule.Id("patientId") with { Description = "Render with this patient's data instead of the sample's." },
        new FieldRule("sources", FieldKind.Object) { Shape = TemplateSourcesInput.Shape, Description = "A draft to render instead of the stored template, validated as a PUT would." },
    ], "Optional: an empty body previews the stored template with sample data.");

    public static PreviewInput Empty { get; } = new(null, null);

    public static PreviewInput? Parse(JsonElement body, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return null;
        var patientId = fields.Id(Shape["patientId"]);
        var draft = fields.TryGet("sources", out var sources) ? TemplateSourcesInput.Parse(sources, "sources", problems) : null;
        return problems.Count == 0 ? new PreviewInput(patientId, draft) : null;
    }
}

public abstract record PreviewResult
{
    private PreviewResult()
    {
    }

    public sealed record Rendered(PreviewJson Email) : PreviewResult;

    public sealed record Invalid(FieldProblem Problem) : PreviewResult;

    public sealed record UnknownPatient : PreviewResult;
}

public sealed class TemplatePreview(IPracticeStore practices, IPatientStore patients, ITemplateRenderer renderer, TemplateAdmin templates, TimeProvider time)
{
    /// <summary>
    /// Renders the draft, else the stored override, else the library, with the patient's data or the sample's (with the
    /// practice's name, booking URL, default therapist and first resource). Throws <see cref="ErrorCode.RenderFailed"/>
    /// when a stored template cannot be rendered with them (422).
    /// </summary>
    public async Task<PreviewResult> PreviewAsync(Practice practice, TemplateId templateId, Locale locale, PreviewInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        if (input.Draft is not null && templates.ValidationProblem(templateId, locale, input.Draft) is { } problem)
        {
            return new PreviewResult.Invalid(problem with { Field = $"sources.{problem.Field}" });
        }
        var sample = SampleContexts.Full(locale, templateId);
        RenderContext context;
        if (input.PatientId is { } patientId)
        {
            var patient = await patients.GetPatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
            if (patient is null) return new PreviewResult.UnknownPatient();
            var therapistId = patient.Value.TherapistId ?? practice.DefaultTherapistId;
            var therapist = string.IsNullOrEmpty(therapistId) ? null : await practices.GetTherapistAsync(practice.Id, therapistId, cancellationToken).ConfigureAwait(false);
            var row = PreviewRow(practice, patient.Value.Id, templateId, locale, therapistId, now);
            context = EmailComposer.BuildRenderContext(practice, therapist, patient.Value, row, sample.Links, now);
        }
        else
        {
            var therapist = string.IsNullOrEmpty(practice.DefaultTherapistId)
                ? null
                : await practices.GetTherapistAsync(practice.Id, practice.DefaultTherapistId, cancellationToken).ConfigureAwait(false);
            var resource = practice.Resources.Count > 0 ? practice.Resources[0] : null;
            context = sample with
            {
                Therapist = therapist is null ? sample.Therapist : new RenderTherapist(therapist.DisplayName, string.IsNullOrEmpty(therapist.Signature) ? null : therapist.Signature),
                Practice = new RenderPractice(practice.Name, practice.BookingUrl),
                ProgressNote = practice.AllowClinicalDetails ? sample.ProgressNote : null,
                PlanSummary = practice.AllowClinicalDetails ? sample.PlanSummary : null,
                Resource = resource is null ? sample.Resource : new RenderResource(resource.Title, resource.Url),
            };
        }
        var stored = input.Draft is null ? await practices.GetTemplateOverrideAsync(practice.Id, templateId, locale, cancellationToken).ConfigureAwait(false) : null;
        var sources = input.Draft ?? (stored is null ? null : new TemplateSources(stored.Subject, stored.Html, stored.Text));
        var rendered = sources is null ? renderer.Render(templateId, locale, context) : renderer.RenderOverride(templateId, locale, sources, context);
        var source = input.Draft is not null ? "draft" : stored is not null ? "override" : "library";
        return new PreviewResult.Rendered(new PreviewJson(rendered.Subject, rendered.Html, rendered.Text, source, input.PatientId is null ? "sample" : "patient"));
    }

    /// <summary>The ledger row a send of this template would have, as far as rendering reads it.</summary>
    private static OutreachRow PreviewRow(Practice practice, string patientId, TemplateId templateId, Locale locale, string? therapistId, DateTimeOffset now)
    {
        var episodeKey = "preview";
        if (templateId == TemplateId.Seasonal)
        {
            var window = SeasonalWindows.OpenOn(practice.SeasonalWindows, PracticeCalendar.For(practice), now)?.Id
                ?? practice.SeasonalWindows.FirstOrDefault(w => w.Enabled)?.Id
                ?? SeasonalWindowId.NewYear;
            episodeKey = SeasonalWindows.KeyOf(now.Year, window);
        }
        return new OutreachRow
        {
            PracticeId = practice.Id,
            PatientId = patientId,
            Campaign = templateId switch
            {
                TemplateId.Seasonal => Campaign.Seasonal,
                TemplateId.PlanFollowUp => Campaign.Milestone,
                _ => Campaign.Lapse,
            },
            EpisodeKey = episodeKey,
            Step = 1,
            TemplateId = templateId,
            Locale = locale,
            TherapistId = therapistId,
            Status = OutreachStatus.Planned,
            PlannedAt = now,
            NotBefore = now,
            OperationId = "preview",
        };
    }
}
