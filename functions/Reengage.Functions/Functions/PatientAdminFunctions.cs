// Admin API, GDPR: GET practices/{practiceId}/patients/{patientId}/export and DELETE practices/{practiceId}/patients/{patientId}.
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;
using Reengage.Functions.Privacy;

namespace Reengage.Functions.Functions;

public sealed class PatientAdminFunctions(PatientExport export, PatientErasure erasure, PracticeKeyAuthorizer authorizer)
{
    [Function("exportPatient")]
    public Task<IActionResult> ExportPatient(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/patients/{patientId}/export")] HttpRequest request,
        string practiceId,
        string patientId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var (practice, refused) = await AuthorizeAsync(request, practiceId, patientId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return refused!;
            var data = await export.ExportAsync(practice, patientId, cancellationToken).ConfigureAwait(false);
            if (data is null) return UnknownPatient();
            return AdminHttp.Json(
                StatusCodes.Status200OK,
                data,
                AdminJsonContext.Default.PatientExportJson,
                new Dictionary<string, string> { ["Content-Disposition"] = $"attachment; filename=\"patient-{patientId}.json\"" });
        });

    /// <summary>204 once erased. Nothing left to erase (never known, or already erased) is 404: the request is safe to repeat.</summary>
    [Function("erasePatient")]
    public Task<IActionResult> ErasePatient(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "practices/{practiceId}/patients/{patientId}")] HttpRequest request,
        string practiceId,
        string patientId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var (practice, refused) = await AuthorizeAsync(request, practiceId, patientId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return refused!;
            return await erasure.EraseAsync(practice, patientId, cancellationToken).ConfigureAwait(false) switch
            {
                ErasureResult.Erased => new NoContentAnswer(),
                ErasureResult.NotFound => UnknownPatient(),
                var other => throw new InvalidOperationException($"Unexpected erasure result {other}"),
            };
        });

    /// <summary>The practice the key opens and a patient id that can be one, or the answer that refuses the request.</summary>
    private async Task<(Practice? Practice, IActionResult? Refused)> AuthorizeAsync(HttpRequest request, string practiceId, string patientId, CancellationToken cancellationToken)
    {
        var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
        if (practice is null) return (null, PracticeKeyAuthorizer.Denied());
        if (!Ids.IsValid(patientId))
        {
            return (null, Problems.Of(
                StatusCodes.Status400BadRequest,
                "Invalid patient id",
                $"patientId {AdminHttp.IdHint}",
                [new FieldProblem("patientId", AdminHttp.IdHint)]));
        }
        return (practice.Value, null);
    }

    private static IActionResult UnknownPatient() =>
        Problems.Of(StatusCodes.Status404NotFound, "Unknown patient", "Nothing is held about this patient in this practice.");

    /// <summary>204 without a body; executes without the request's services (as the other admin answers do).</summary>
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
