using System.Security.Cryptography;

namespace Reengage.Core.Security;

/// <summary>A practice's webhook secret for one source; <see cref="Previous"/> is kept for a while after a rotation.</summary>
public sealed record WebhookSecret(string Current, string? Previous, DateTimeOffset? RotatedAt);

/// <summary>Rotation of a practice's webhook secrets: which secrets a signature may be made with, and for how long.</summary>
public static class WebhookSecrets
{
    /// <summary>How long a rotated-out webhook secret keeps working, so the booking tool can switch over.</summary>
    public static readonly TimeSpan RotationGrace = ApiKeys.RotationGrace;

    /// <summary>The prefix of every secret this app generates.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes in base64url.</summary>
    public static string NewSecret() => SecretPrefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The secrets a webhook signature may be made with at <paramref name="now"/>: the current one, and the previous one
    /// until the grace period after its rotation ends. A previous secret without a rotation time cannot be aged, so it
    /// is not trusted.
    /// </summary>
    public static IReadOnlyList<string> AcceptedSecrets(WebhookSecret secret, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Previous is { } previous && PreviousAcceptedUntil(secret) is { } until && now < until
            ? [secret.Current, previous]
            : [secret.Current];
    }

    /// <summary>When the previous secret stops being accepted, or null when there is none to accept.</summary>
    public static DateTimeOffset? PreviousAcceptedUntil(WebhookSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return string.IsNullOrEmpty(secret.Previous) || secret.RotatedAt is not { } rotatedAt ? null : rotatedAt + RotationGrace;
    }

    /// <summary>The secret after a rotation to <paramref name="next"/>: the current one becomes the previous, for the grace period.</summary>
    public static WebhookSecret Rotate(WebhookSecret? secret, string next, DateTimeOffset now) => new(next, secret?.Current, now);
}
