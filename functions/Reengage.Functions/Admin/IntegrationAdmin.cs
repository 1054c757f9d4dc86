// The admin API's booking-tool use cases: the therapist mapping (vendor keys -> therapists), the practice's Acuity API
// credentials, and the state of each integration for a set-up check.
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Admin;

public sealed record TherapistMappingJson(string PracticeId, IReadOnlyList<TherapistMappingEntry> Entries, IReadOnlyList<UnmappedTherapistKey> Unmapped);

public sealed record AcuityStateJson(string Source, bool Configured, DateTimeOffset? PreviousKeyAcceptedUntil);

public sealed record IntegrationStateJson(string WebhookUrl, string SignatureHeader, bool Configured);

public sealed record MappingCountsJson(int Entries, int Unmapped);

public sealed record IntegrationsJson(string PracticeId, IReadOnlyDictionary<string, IntegrationStateJson> Sources, MappingCountsJson TherapistMapping, string OpenApiUrl);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(TherapistMappingJson))]
[JsonSerializable(typeof(AcuityStateJson))]
[JsonSerializable(typeof(IntegrationsJson))]
[JsonSerializable(typeof(IReadOnlyList<TherapistMappingEntry>))]
public sealed partial class IntegrationJsonContext : JsonSerializerContext;

/// <summary>Where the app is reached from outside (<c>PUBLIC_BASE_URL</c>): the webhook and OpenAPI URLs are built from it.</summary>
public sealed record IntegrationLinks(Uri PublicBaseUrl)
{
    public string Base => PublicBaseUrl.AbsoluteUri.TrimEnd('/');
}

/// <summary>The body of <c>PUT practices/{practiceId}/integrations/acuity</c>.</summary>
public sealed partial record AcuityCredentialsInput(string UserId, string ApiKey)
{
    /// <summary>The body limit of credentials (4 KB, as the TypeScript app).</summary>
    public const int MaxBytes = 4096;

    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("AcuityCredentialsInput", "must be a JSON object",
    [
        new FieldRule("userId", FieldKind.String) { Required = true, MinLength = 1, MaxLength = 20, Pattern = "^[0-9]+$", Message = "must be the numeric User ID Acuity shows", Description = "Acuity's numeric User ID (Integrations > API)." },
        new FieldRule("apiKey", FieldKind.String) { Required = true, MinLength = 16, MaxLength = 512, Pattern = "^[\\x21-\\x7e]+$", Message = "must be printable ASCII without spaces", Description = "Acuity's API key: stored, never shown again.", },
    ], "The practice's Acuity API credentials (Acuity's webhooks carry only ids: the app reads the appointment back).");

    public static AcuityCredentialsInput? Parse(JsonElement body, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return null;
        var userId = Credential(fields, Shape["userId"], Numeric());
        var apiKey = Credential(fields, Shape["apiKey"], Printable());
        return problems.Count == 0 && userId is not null && apiKey is not null ? new AcuityCredentialsInput(userId, apiKey) : null;
    }

    private static string? Credential(JsonFields fields, FieldRule rule, Regex pattern)
    {
        var (name, hint, min, max) = (rule.Name, rule.Message!, rule.MinLength!.Value, rule.MaxLength!.Value);
        if (!fields.Require(name)) return null;
        fields.TryGet(name, out var value);
        if (value.ValueKind != JsonValueKind.String)
        {
            fields.Problem(name, "must be a string");
            return null;
        }
        var text = value.GetString()!.Trim();
        string? problem = text.Length < min ? $"must be at least {min} characters"
            : text.Length > max ? $"must be at most {max} characters"
            : !pattern.IsMatch(text) ? hint
            : null;
        if (problem is null) return text;
        fields.Problem(name, problem);
        return null;
    }

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Numeric();

    [GeneratedRegex("^[\x21-\x7e]+$")]
    private static partial Regex Printable();
}

public abstract record PutMappingResult
{
    private PutMappingResult()
    {
    }

    public sealed record Saved(TherapistMappingJson Mapping) : PutMappingResult;

    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : PutMappingResult;
}

public sealed partial class IntegrationAdmin(IPracticeStore practices, IntegrationLinks links, TimeProvider time, ILogger<IntegrationAdmin> logger)
{
    /// <summary>The entries are one table property (32,000 characters); keep clear of it whatever the keys are.</summary>
    private const int MaxEntriesJsonChars = 30_000;

    /// <summary>The header each tool signs its deliveries with.</summary>
    internal static readonly IReadOnlyDictionary<WebhookSource, string> SignatureHeaders = new Dictionary<WebhookSource, string>
    {
        [WebhookSource.Generic] = "Reengage-Signature",
        [WebhookSource.Calcom] = "X-Cal-Signature-256",
        [WebhookSource.Calendly] = "Calendly-Webhook-Signature",
        [WebhookSource.Acuity] = "X-Acuity-Signature",
    };

    public async Task<TherapistMappingJson> GetMappingAsync(string practiceId, CancellationToken cancellationToken)
    {
        var stored = await practices.GetTherapistMappingAsync(practiceId, cancellationToken).ConfigureAwait(false);
        return new TherapistMappingJson(practiceId, stored?.Value.Entries ?? [], stored?.Value.Unmapped ?? []);
    }

    /// <summary>
    /// Replaces the entries. Every therapist must exist; a key may appear once. The unmapped list loses the keys now
    /// mapped and keeps the others. The row is rewritten with its ETag, re-read when a booking recorded a new unmapped
    /// key meanwhile, so that neither write is lost.
    /// </summary>
    public async Task<PutMappingResult> PutMappingAsync(string practiceId, TherapistMappingInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = new List<FieldProblem>();
        if (input.PracticeId is not null && input.PracticeId != practiceId) problems.Add(new FieldProblem("practiceId", "must match the practice id in the URL"));
        var entries = input.Entries;
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (firstIndex.TryGetValue(entries[i].Key, out var earlier)) problems.Add(new FieldProblem($"entries.{i}.key", $"repeats entries.{earlier}.key"));
            else firstIndex[entries[i].Key] = i;
        }
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var therapistId in entries.Select(e => e.TherapistId).Distinct(StringComparer.Ordinal))
        {
            if (await practices.GetTherapistAsync(practiceId, therapistId, cancellationToken).ConfigureAwait(false) is null) unknown.Add(therapistId);
        }
        for (var i = 0; i < entries.Count; i++)
        {
            if (unknown.Contains(entries[i].TherapistId)) problems.Add(new FieldProblem($"entries.{i}.therapistId", "is not a therapist of this practice"));
        }
        if (JsonSerializer.Serialize(entries, IntegrationJsonContext.Default.IReadOnlyListTherapistMappingEntry).Length > MaxEntriesJsonChars)
        {
            problems.Add(new FieldProblem("entries", "are too long together: use fewer or shorter keys"));
        }
        if (problems.Count > 0) return new PutMappingResult.Invalid(problems);

        var mapped = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var saved = await PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await practices.GetTherapistMappingAsync(practiceId, cancellationToken).ConfigureAwait(false);
            var next = new TherapistMapping
            {
                PracticeId = practiceId,
                Entries = entries,
                Unmapped = [.. (current?.Value.Unmapped ?? []).Where(u => !mapped.Contains(u.Key))],
            };
            if (current is null) await practices.CreateTherapistMappingAsync(next, cancellationToken).ConfigureAwait(false);
            else await practices.UpdateTherapistMappingAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            return next;
        }).ConfigureAwait(false);
        LogMappingReplaced(logger, practiceId, entries.Count);
        return new PutMappingResult.Saved(new TherapistMappingJson(practiceId, saved.Entries, saved.Unmapped));
    }

    /// <summary>
    /// Stores the credentials with the practice's secrets, conditionally on their ETag, keeping everything else they
    /// hold. When the key changes, the previous one keeps verifying webhooks for the rotation grace period (as the acuity
    /// webhook secret's previous): deliveries Acuity signed before the change still land. The same call again changes
    /// nothing. Returns whether they were set for the first time.
    /// </summary>
    public Task<(bool Created, AcuityStateJson State)> PutAcuityAsync(string practiceId, AcuityCredentialsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var credentials = new AcuityCredentials(input.UserId, input.ApiKey);
        return PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var now = time.GetUtcNow();
            var current = await practices.GetSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false)
                ?? throw new ReengageException(ErrorCode.Conflict, "the practice's secrets changed while the request ran");
            var secrets = current.Value;
            var stored = secrets.Webhooks.GetValueOrDefault(WebhookSource.Acuity);
            var previousKey = secrets.Acuity?.ApiKey ?? stored?.Current;
            var webhook = previousKey == credentials.ApiKey ? stored ?? new WebhookSecret(credentials.ApiKey, null, null)
                : previousKey is null ? new WebhookSecret(credentials.ApiKey, null, null)
                : WebhookSecrets.Rotate(new WebhookSecret(previousKey, null, null), credentials.ApiKey, now);
            if (webhook == stored && secrets.Acuity == credentials) return (false, StateOf(secrets, now));
            var webhooks = new Dictionary<WebhookSource, WebhookSecret>(secrets.Webhooks) { [WebhookSource.Acuity] = webhook };
            var next = secrets with { Webhooks = webhooks, Acuity = credentials };
            await practices.UpdateSecretsAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            LogAcuitySet(logger, practiceId, previousKey != credentials.ApiKey);
            return (secrets.Acuity is null, StateOf(next, now));
        });
    }

    /// <summary>What an integrator checks after set-up; never a secret or a credential, only whether one is set.</summary>
    public async Task<IntegrationsJson> IntegrationsAsync(string practiceId, CancellationToken cancellationToken)
    {
        var secretsRead = practices.GetSecretsAsync(practiceId, cancellationToken);
        var mappingRead = practices.GetTherapistMappingAsync(practiceId, cancellationToken);
        var secrets = (await secretsRead.ConfigureAwait(false))?.Value;
        var mapping = (await mappingRead.ConfigureAwait(false))?.Value;
        var sources = Enum.GetValues<WebhookSource>().ToDictionary(
            Wire.Name,
            source => new IntegrationStateJson(
                $"{links.Base}/api/webhooks/{Wire.Name(source)}/{Uri.EscapeDataString(practiceId)}",
                SignatureHeaders[source],
                source == WebhookSource.Acuity ? secrets?.Acuity is not null : secrets?.Webhooks.ContainsKey(source) == true));
        return new IntegrationsJson(
            practiceId,
            sources,
            new MappingCountsJson(mapping?.Entries.Count ?? 0, mapping?.Unmapped.Count ?? 0),
            $"{links.Base}/api/openapi.json");
    }

    private static AcuityStateJson StateOf(PracticeSecrets secrets, DateTimeOffset now)
    {
        var until = secrets.Webhooks.TryGetValue(WebhookSource.Acuity, out var webhook) ? WebhookSecrets.PreviousAcceptedUntil(webhook) : null;
        return new AcuityStateJson("acuity", secrets.Acuity is not null, until is { } u && u > now ? u : null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "therapist mapping replaced {PracticeId} {Entries}")]
    private static partial void LogMappingReplaced(ILogger logger, string practiceId, int entries);

    [LoggerMessage(Level = LogLevel.Information, Message = "acuity credentials set {PracticeId} keyChanged={KeyChanged}")]
    private static partial void LogAcuitySet(ILogger logger, string practiceId, bool keyChanged);
}
