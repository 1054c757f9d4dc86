// The admin API's second factor: the practice's own API key (the function key is checked by the host).
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

/// <summary>
/// A practice's key opens that practice only. Unknown practice, missing key and wrong key answer alike (401), so the
/// API does not tell which practices exist. Keys are stored hashed; a rotated-out key works until its grace period ends.
/// </summary>
public sealed class PracticeKeyAuthorizer(IPracticeStore practices, TimeProvider time)
{
    public const string HeaderName = "x-reengage-key";

    private const int MaxKeyLength = 512;

    /// <summary>The 401 every refusal answers, whatever its reason.</summary>
    public static IActionResult Denied() =>
        Problems.Of(
            StatusCodes.Status401Unauthorized,
            "Unauthorized",
            $"A valid practice API key is required in the {HeaderName} header.",
            headers: new Dictionary<string, string> { ["WWW-Authenticate"] = $"ApiKey header=\"{HeaderName}\"" });

    /// <summary>The practice the request's key opens, or null (answer <see cref="Denied"/>).</summary>
    public async Task<Versioned<Practice>?> AuthorizeAsync(HttpRequest request, string practiceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? key = request.Headers[HeaderName];
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || !Ids.IsValid(practiceId)) return null;
        var practiceRead = practices.GetPracticeAsync(practiceId, cancellationToken);
        var secretsRead = practices.GetSecretsAsync(practiceId, cancellationToken);
        var practice = await practiceRead.ConfigureAwait(false);
        var secrets = await secretsRead.ConfigureAwait(false);
        var matched = ApiKeys.IsAccepted(key, secrets?.Value.ApiKeySet ?? ApiKeySet.Empty, time.GetUtcNow());
        return practice is not null && matched ? practice : null;
    }
}
