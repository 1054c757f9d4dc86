// The admin API's credential rotations: the practice API key and each booking tool's webhook secret.
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

/// <summary>The answer of <c>POST practices/{practiceId}/keys/rotate</c>: the new key, shown this once.</summary>
public sealed record RotatedApiKeyJson(string ApiKey, DateTimeOffset? PreviousKeysValidUntil);

/// <summary>The answer of <c>POST practices/{practiceId}/webhook-secrets/{source}/rotate</c>: the new secret, shown this once.</summary>
public sealed record RotatedWebhookSecretJson(string Source, string Secret, DateTimeOffset? PreviousAcceptedUntil);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(RotatedApiKeyJson))]
[JsonSerializable(typeof(RotatedWebhookSecretJson))]
public sealed partial class CredentialJsonContext : JsonSerializerContext;

/// <summary>The optional body of a webhook-secret rotation: <c>{"secret": "…"}</c> for tools that issue their own.</summary>
public static class WebhookRotationInput
{
    /// <summary>The body limit of credentials (4 KB, as the TypeScript app).</summary>
    public const int MaxBytes = 4096;

    /// <summary>The body's fields, read by <see cref="TryParse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("WebhookRotationInput", "must be a JSON object",
    [
        new FieldRule("secret", FieldKind.String)
        {
            MinLength = 16, MaxLength = 512, Pattern = "^[^\\s\\x00-\\x1f\\x7f]+$",
            Description = "The secret the tool issued (Calendly, Acuity); left out, a new one is generated (generic, Cal.com).",
        },
    ], "Optional: an empty body generates the new secret.");

    /// <summary>Whether <paramref name="body"/> is a valid rotation body; <paramref name="secret"/> is the given one, if any.</summary>
    public static bool TryParse(JsonElement body, List<FieldProblem> problems, out string? secret)
    {
        ArgumentNullException.ThrowIfNull(problems);
        secret = null;
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return false;
        var rule = Shape["secret"];
        if (fields.TryGet("secret", out var value))
        {
            if (value.ValueKind != JsonValueKind.String) fields.Problem("secret", "must be a string");
            else
            {
                var text = value.GetString()!;
                if (text.Length < rule.MinLength) fields.Problem("secret", $"must be at least {rule.MinLength} characters");
                else if (text.Length > rule.MaxLength) fields.Problem("secret", $"must be at most {rule.MaxLength} characters");
                else if (!RequestBodies.IsCleanText(text) || text.Any(char.IsWhiteSpace)) fields.Problem("secret", "must not contain spaces or control characters");
                else secret = text;
            }
        }
        return problems.Count == 0;
    }
}

/// <summary>
/// Rotations keep the old credential working for the grace period (7 days). Each is one conditional write of the
/// practice's secrets row: a concurrent change of that row makes it fail (409) rather than lose the other change.
/// </summary>
public sealed partial class CredentialAdmin(IPracticeStore practices, TimeProvider time, ILogger<CredentialAdmin> logger)
{
    /// <summary>A new API key, returned once; every key that worked keeps working for the grace period.</summary>
    public async Task<RotatedApiKeyJson> RotateApiKeyAsync(string practiceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await SecretsOfAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var apiKey = ApiKeys.NewKey();
        var keys = ApiKeys.Rotate(current.Value.ApiKeySet, ApiKeys.Hash(apiKey), now);
        var next = current.Value with { ApiKeyHashes = keys.LegacyHashes, ApiKeys = keys.Keys };
        await practices.UpdateSecretsAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
        LogKeyRotated(logger, practiceId);
        return new RotatedApiKeyJson(apiKey, ApiKeys.PreviousKeysValidUntil(keys));
    }

    /// <summary>A new secret for one source (generated, or the one given), returned once; the current one is accepted for the grace period.</summary>
    public async Task<RotatedWebhookSecretJson> RotateWebhookSecretAsync(string practiceId, WebhookSource source, string? given, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await SecretsOfAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var secret = given ?? WebhookSecrets.NewSecret();
        var rotated = WebhookSecrets.Rotate(current.Value.Webhooks.GetValueOrDefault(source), secret, now);
        var webhooks = new Dictionary<WebhookSource, WebhookSecret>(current.Value.Webhooks) { [source] = rotated };
        await practices.UpdateSecretsAsync(current.Value with { Webhooks = webhooks }, current.ETag, cancellationToken).ConfigureAwait(false);
        LogSecretRotated(logger, practiceId, Wire.Name(source));
        return new RotatedWebhookSecretJson(Wire.Name(source), secret, WebhookSecrets.PreviousAcceptedUntil(rotated));
    }

    /// <summary>An authorized practice has secrets (its key hashes are there); gone since then is a concurrent change.</summary>
    private async Task<Versioned<PracticeSecrets>> SecretsOfAsync(string practiceId, CancellationToken cancellationToken) =>
        await practices.GetSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false)
        ?? throw new ReengageException(ErrorCode.Conflict, "the practice's secrets changed while the request ran");

    [LoggerMessage(Level = LogLevel.Information, Message = "practice api key rotated {PracticeId}")]
    private static partial void LogKeyRotated(ILogger logger, string practiceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook secret rotated {PracticeId} {Source}")]
    private static partial void LogSecretRotated(ILogger logger, string practiceId, string source);
}
