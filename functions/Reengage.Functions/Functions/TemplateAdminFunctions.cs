// Admin API: a practice's template overrides per locale, practices/{practiceId}/templates/{templateId}/{locale}.
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;

namespace Reengage.Functions.Functions;

public sealed class TemplateAdminFunctions(TemplateAdmin admin, TemplatePreview preview, PracticeKeyAuthorizer authorizer)
{
    private const string Route = "practices/{practiceId}/templates/{templateId}/{locale}";

    /// <summary>201 (new) or 200 (replaced) once the renderer accepted it; 400 "Template refused" naming the part otherwise.</summary>
    [Function("putTemplateOverride")]
    public Task<IActionResult> PutTemplateOverride(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = Route)] HttpRequest request,
        string practiceId,
        string templateId,
        string locale,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            if (!TemplateAdmin.TryTarget(templateId, locale, out var template, out var language)) return UnknownTemplate();
            var body = await AdminHttp.ReadJsonAsync(request, TemplateSourcesInput.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (body is JsonBody.Refused refused) return refused.Answer;
            var problems = new List<FieldProblem>();
            var sources = AdminBodies.ParseOrRefuse(() => TemplateSourcesInput.Parse(((JsonBody.Parsed)body).Value, "", problems), problems);
            if (sources is null) return Problems.Invalid("Invalid request body", problems);
            return await admin.PutAsync(practiceId, template, language, sources, cancellationToken).ConfigureAwait(false) switch
            {
                PutTemplateResult.Saved saved => AdminHttp.Json(
                    saved.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
                    new StoredTemplateJson(Wire.Name(template), Wire.Name(language), "override", saved.Override.UpdatedAt),
                    TemplateJsonContext.Default.StoredTemplateJson),
                PutTemplateResult.Refused refusal => Refused(refusal.Problem),
                _ => throw new InvalidOperationException("unknown template result"),
            };
        });

    /// <summary>The sources a send would use: the override, or the library's (a starting point for one).</summary>
    [Function("getTemplate")]
    public Task<IActionResult> GetTemplate(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Route)] HttpRequest request,
        string practiceId,
        string templateId,
        string locale,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            if (!TemplateAdmin.TryTarget(templateId, locale, out var template, out var language)) return UnknownTemplate();
            var view = await admin.GetAsync(practiceId, template, language, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, view, TemplateJsonContext.Default.TemplateViewJson);
        });

    /// <summary>Reverts to the library; 204 whether or not there was an override (safe to repeat).</summary>
    [Function("deleteTemplateOverride")]
    public Task<IActionResult> DeleteTemplateOverride(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Route)] HttpRequest request,
        string practiceId,
        string templateId,
        string locale,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            if (!TemplateAdmin.TryTarget(templateId, locale, out var template, out var language)) return UnknownTemplate();
            await admin.DeleteAsync(practiceId, template, language, cancellationToken).ConfigureAwait(false);
            return new NoContentAnswer();
        });

    /// <summary>
    /// A template as a patient would receive it: sample data, or a patient's (<c>patientId</c>, 404 if unknown), and the
    /// stored sources or a draft (<c>sources</c>, validated like a PUT). 422 when a stored template cannot be rendered.
    /// </summary>
    [Function("previewTemplate")]
    public Task<IActionResult> PreviewTemplate(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Route + "/preview")] HttpRequest request,
        string practiceId,
        string templateId,
        string locale,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            if (!TemplateAdmin.TryTarget(templateId, locale, out var template, out var language)) return UnknownTemplate();
            var body = await AdminBodies.ReadOptionalJsonAsync(request, TemplateSourcesInput.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (body is JsonBody.Refused refused) return refused.Answer;
            var input = PreviewInput.Empty;
            if (body is JsonBody.Parsed parsed)
            {
                var problems = new List<FieldProblem>();
                input = AdminBodies.ParseOrRefuse(() => PreviewInput.Parse(parsed.Value, problems), problems);
                if (input is null) return Problems.Invalid("Invalid request body", problems);
            }
            try
            {
                return await preview.PreviewAsync(practice.Value, template, language, input, cancellationToken).ConfigureAwait(false) switch
                {
                    PreviewResult.Rendered rendered => AdminHttp.Json(StatusCodes.Status200OK, rendered.Email, PreviewJsonContext.Default.PreviewJson),
                    PreviewResult.Invalid invalid => Problems.Invalid("Template refused", [invalid.Problem]),
                    PreviewResult.UnknownPatient => Problems.Of(StatusCodes.Status404NotFound, "Unknown patient", "Nothing is held about this patient in this practice."),
                    _ => throw new InvalidOperationException("unknown preview result"),
                };
            }
            catch (ReengageException error) when (error.Code == ErrorCode.RenderFailed)
            {
                return Problems.Of(StatusCodes.Status422UnprocessableEntity, "Template cannot be rendered", error.Message);
            }
        });

    /// <summary>The renderer's refusal: <c>detail</c> is the first problem as <c>part: message</c>.</summary>
    public static IActionResult Refused(FieldProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Problems.Of(StatusCodes.Status400BadRequest, "Template refused", $"{problem.Field}: {problem.Message}", [problem]);
    }

    private static IActionResult UnknownTemplate() => Problems.Of(StatusCodes.Status404NotFound, "Unknown template", TemplateAdmin.UnknownDetail);

    /// <summary>204 without a body, never kept by a cache.</summary>
    private sealed class NoContentAnswer : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status204NoContent;
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }
    }
}
