// Admin API: POST practices/{practiceId}/keys/rotate and POST practices/{practiceId}/webhook-secrets/{source}/rotate.
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;

namespace Reengage.Functions.Functions;

// `/rotate` sub-paths rather than Google-style `keys:rotate`: `:` is the constraint separator of the host's route
// templates and is refused in paths by some front ends.
public sealed class CredentialAdminFunctions(CredentialAdmin admin, PracticeKeyAuthorizer authorizer)
{
    /// <summary>The new key is in this answer only; the one used for the call keeps working for the grace period.</summary>
    [Function("rotatePracticeKey")]
    public Task<IActionResult> RotatePracticeKey(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "practices/{practiceId}/keys/rotate")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            var rotated = await admin.RotateApiKeyAsync(practiceId, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, rotated, CredentialJsonContext.Default.RotatedApiKeyJson);
        });

    /// <summary>Body (optional): <c>{"secret": "…"}</c> to set a secret the tool issued instead of generating one.</summary>
    [Function("rotateWebhookSecret")]
    public Task<IActionResult> RotateWebhookSecret(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "practices/{practiceId}/webhook-secrets/{source}/rotate")] HttpRequest request,
        string practiceId,
        string source,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            if (!Wire.TryParse<WebhookSource>(source, out var webhookSource))
            {
                var shown = source is null ? "" : source[..Math.Min(source.Length, 40)];
                return Problems.Of(
                    StatusCodes.Status404NotFound,
                    "Unknown source",
                    $"Webhook source \"{shown}\" does not exist; use one of: {string.Join(", ", Wire.Names<WebhookSource>())}.");
            }
            var bytes = await RequestBodies.ReadBytesAsync(request, WebhookRotationInput.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (bytes is null) return Problems.TooLarge(WebhookRotationInput.MaxBytes);
            string? given = null;
            // No body (or only blanks) stands for {}: the app generates the secret.
            if (!string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(bytes)))
            {
                if (!RequestBodies.IsJson(request.ContentType)) return Problems.NotJson();
                JsonElement body;
                try
                {
                    using var document = JsonDocument.Parse(bytes);
                    body = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return Problems.InvalidJson();
                }
                var problems = new List<FieldProblem>();
                var parsed = AdminBodies.ParseOrRefuse(() => WebhookRotationInput.TryParse(body, problems, out var secret) ? new Given(secret) : null, problems);
                if (parsed is null) return Problems.Invalid("Invalid request body", problems);
                given = parsed.Secret;
            }
            var rotated = await admin.RotateWebhookSecretAsync(practiceId, webhookSource, given, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, rotated, CredentialJsonContext.Default.RotatedWebhookSecretJson);
        });

    private sealed record Given(string? Secret);
}
