// Admin API: PUT/GET practices/{practiceId} (settings; the first PUT creates the practice) and its therapists.
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;

namespace Reengage.Functions.Functions;

public sealed class PracticeAdminFunctions(PracticeAdmin admin, PracticeKeyAuthorizer authorizer, IPracticeStore practices, TimeProvider time)
{
    /// <summary>
    /// Creation needs only the function key (the practice has no key yet) and answers 201 with its API key and generic
    /// webhook secret, shown this once. Once created, changing it takes the practice's key.
    /// </summary>
    [Function("putPractice")]
    public Task<IActionResult> PutPractice(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "practices/{practiceId}")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!Ids.IsValid(practiceId)) return Problems.Invalid("Invalid practice id", [new FieldProblem("practiceId", AdminHttp.IdHint)]);
            var secrets = await practices.GetSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
            if (secrets is not null)
            {
                var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
                if (practice is null) return PracticeKeyAuthorizer.Denied();
                var update = await ReadSettingsAsync(request, cancellationToken).ConfigureAwait(false);
                if (update.Input is null) return update.Refusal!;
                return Answer(await admin.UpdateAsync(practice, update.Input, cancellationToken).ConfigureAwait(false), practiceId);
            }
            var body = await ReadSettingsAsync(request, cancellationToken).ConfigureAwait(false);
            if (body.Input is null) return body.Refusal!;
            return Answer(await admin.BootstrapAsync(practiceId, body.Input, cancellationToken).ConfigureAwait(false), practiceId);
        });

    [Function("getPractice")]
    public Task<IActionResult> GetPractice(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            var secrets = await practices.GetSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, AdminViews.Practice(practice.Value, secrets?.Value, time.GetUtcNow()), AdminJsonContext.Default.PracticeJson);
        });

    [Function("putTherapist")]
    public Task<IActionResult> PutTherapist(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "practices/{practiceId}/therapists/{therapistId}")] HttpRequest request,
        string practiceId,
        string therapistId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            if (!Ids.IsValid(therapistId)) return Problems.Invalid("Invalid therapist id", [new FieldProblem("therapistId", AdminHttp.IdHint)]);
            var body = await AdminHttp.ReadJsonAsync(request, AdminHttp.MaxSettingsBytes, cancellationToken).ConfigureAwait(false);
            if (body is JsonBody.Refused refused) return refused.Answer;
            var problems = new List<FieldProblem>();
            var input = AdminBodies.ParseOrRefuse(() => TherapistInput.Parse(((JsonBody.Parsed)body).Value, problems), problems);
            if (input is null) return Problems.Invalid("Invalid therapist", problems);
            return await admin.PutTherapistAsync(practice.Value, therapistId, input, cancellationToken).ConfigureAwait(false) switch
            {
                PutTherapistResult.Saved saved => AdminHttp.Json(
                    saved.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
                    AdminViews.Therapist(saved.Therapist),
                    AdminJsonContext.Default.TherapistJson),
                PutTherapistResult.Invalid invalid => Problems.Invalid("Invalid therapist", invalid.Problems),
                _ => throw new InvalidOperationException("unknown therapist result"),
            };
        });

    [Function("listTherapists")]
    public Task<IActionResult> ListTherapists(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/therapists")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            var therapists = await admin.ListTherapistsAsync(practiceId, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, new TherapistListJson([.. therapists.Select(AdminViews.Therapist)]), AdminJsonContext.Default.TherapistListJson);
        });

    private IActionResult Answer(PutPracticeResult result, string practiceId) => result switch
    {
        PutPracticeResult.Created created => AdminHttp.Json(
            StatusCodes.Status201Created,
            new CreatedPracticeJson(
                AdminViews.Practice(created.Practice, created.Secrets, time.GetUtcNow()),
                created.ApiKey,
                new WebhookSecretsJson(created.WebhookSecret)),
            AdminJsonContext.Default.CreatedPracticeJson,
            new Dictionary<string, string> { ["Location"] = $"/api/practices/{practiceId}" }),
        PutPracticeResult.Updated updated => AdminHttp.Json(
            StatusCodes.Status200OK,
            AdminViews.Practice(updated.Practice, updated.Secrets, time.GetUtcNow()),
            AdminJsonContext.Default.PracticeJson),
        PutPracticeResult.Invalid invalid => Problems.Invalid(SettingsTitle, invalid.Problems),
        PutPracticeResult.Conflict => Problems.Of(
            StatusCodes.Status409Conflict,
            "Conflict",
            "Another request created this practice at the same time; use the key it received."),
        _ => throw new InvalidOperationException("unknown practice result"),
    };

    private const string SettingsTitle = "Invalid practice settings";

    private static async Task<(PracticeSettingsInput? Input, IActionResult? Refusal)> ReadSettingsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await AdminHttp.ReadJsonAsync(request, AdminHttp.MaxSettingsBytes, cancellationToken).ConfigureAwait(false);
        if (body is JsonBody.Refused refused) return (null, refused.Answer);
        var problems = new List<FieldProblem>();
        var input = AdminBodies.ParseOrRefuse(() => PracticeSettingsInput.Parse(((JsonBody.Parsed)body).Value, problems), problems);
        return input is null ? (null, Problems.Invalid(SettingsTitle, problems)) : (input, null);
    }
}
