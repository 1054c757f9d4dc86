// Admin API for booking-tool set-up: practices/{practiceId}/therapist-mapping (GET, PUT),
// practices/{practiceId}/integrations/acuity (PUT credentials) and practices/{practiceId}/integrations (GET).
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;

namespace Reengage.Functions.Functions;

public sealed class IntegrationAdminFunctions(IntegrationAdmin admin, PracticeKeyAuthorizer authorizer)
{
    [Function("getTherapistMapping")]
    public Task<IActionResult> GetTherapistMapping(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/therapist-mapping")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            var mapping = await admin.GetMappingAsync(practiceId, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, mapping, IntegrationJsonContext.Default.TherapistMappingJson);
        });

    /// <summary>Replaces every entry; answers the mapping as GET would, its unmapped list without the keys now mapped.</summary>
    [Function("putTherapistMapping")]
    public Task<IActionResult> PutTherapistMapping(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "practices/{practiceId}/therapist-mapping")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            var body = await AdminHttp.ReadJsonAsync(request, AdminHttp.MaxSettingsBytes, cancellationToken).ConfigureAwait(false);
            if (body is JsonBody.Refused refused) return refused.Answer;
            var problems = new List<FieldProblem>();
            var input = AdminBodies.ParseOrRefuse(() => TherapistMappingInput.Parse(((JsonBody.Parsed)body).Value, problems), problems);
            if (input is null) return Problems.Invalid(MappingTitle, problems);
            return await admin.PutMappingAsync(practiceId, input, cancellationToken).ConfigureAwait(false) switch
            {
                PutMappingResult.Saved saved => AdminHttp.Json(StatusCodes.Status200OK, saved.Mapping, IntegrationJsonContext.Default.TherapistMappingJson),
                PutMappingResult.Invalid invalid => Problems.Invalid(MappingTitle, invalid.Problems),
                _ => throw new InvalidOperationException("unknown mapping result"),
            };
        });

    /// <summary>201 the first time, 200 after; the answer says only that credentials are set, never them.</summary>
    [Function("putAcuityCredentials")]
    public Task<IActionResult> PutAcuityCredentials(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "practices/{practiceId}/integrations/acuity")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            var body = await AdminHttp.ReadJsonAsync(request, AcuityCredentialsInput.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (body is JsonBody.Refused refused) return refused.Answer;
            var problems = new List<FieldProblem>();
            var input = AdminBodies.ParseOrRefuse(() => AcuityCredentialsInput.Parse(((JsonBody.Parsed)body).Value, problems), problems);
            if (input is null) return Problems.Invalid("Invalid request body", problems);
            var (created, state) = await admin.PutAcuityAsync(practiceId, input, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(created ? StatusCodes.Status201Created : StatusCodes.Status200OK, state, IntegrationJsonContext.Default.AcuityStateJson);
        });

    [Function("getIntegrations")]
    public Task<IActionResult> GetIntegrations(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/integrations")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            if (await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false) is null) return PracticeKeyAuthorizer.Denied();
            var view = await admin.IntegrationsAsync(practiceId, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, view, IntegrationJsonContext.Default.IntegrationsJson);
        });

    private const string MappingTitle = "Invalid therapist mapping";
}
