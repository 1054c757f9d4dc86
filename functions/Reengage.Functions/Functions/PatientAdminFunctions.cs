// Admin API, GDPR: GET practices/{practiceId}/patients/{patientId}/export.
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;

namespace Reengage.Functions.Functions;

public sealed class PatientAdminFunctions(PatientExport export, PracticeKeyAuthorizer authorizer)
{
    [Function("exportPatient")]
    public Task<IActionResult> ExportPatient(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/patients/{patientId}/export")] HttpRequest request,
        string practiceId,
        string patientId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            if (!Ids.IsValid(patientId))
            {
                return Problems.Of(
                    StatusCodes.Status400BadRequest,
                    "Invalid patient id",
                    $"patientId {AdminHttp.IdHint}",
                    [new FieldProblem("patientId", AdminHttp.IdHint)]);
            }
            var data = await export.ExportAsync(practice.Value, patientId, cancellationToken).ConfigureAwait(false);
            if (data is null)
            {
                return Problems.Of(StatusCodes.Status404NotFound, "Unknown patient", "Nothing is held about this patient in this practice.");
            }
            return AdminHttp.Json(
                StatusCodes.Status200OK,
                data,
                AdminJsonContext.Default.PatientExportJson,
                new Dictionary<string, string> { ["Content-Disposition"] = $"attachment; filename=\"patient-{patientId}.json\"" });
        });
}
