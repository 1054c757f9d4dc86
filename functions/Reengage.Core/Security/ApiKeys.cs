using System.Security.Cryptography;
using System.Text;

namespace Reengage.Core.Security;

/// <summary>One stored API key: its SHA-256 hex hash (the key itself is never stored) and when it stops working.</summary>
/// <param name="NotAfter">The instant after which the key is refused; null while it is the current key.</param>
public sealed record ApiKeyRecord(string Hash, DateTimeOffset? NotAfter);

/// <summary>A practice's stored API keys.</summary>
/// <param name="LegacyHashes">Hashes written before keys could expire (<c>apiKeyHashes</c>): they never expire.</param>
/// <param name="Keys">Keys that can expire (<c>apiKeys</c>): the current one, and rotated-out ones in their grace period.</param>
public sealed record ApiKeySet(IReadOnlyList<string> LegacyHashes, IReadOnlyList<ApiKeyRecord> Keys)
{
    public static ApiKeySet Empty { get; } = new([], []);
}

/// <summary>A practice's admin API keys (SPEC §9): stored hashed, rotated with a grace period for the old ones.</summary>
public static class ApiKeys
{
    /// <summary>How long a rotated-out API key keeps working, so integrations can switch over.</summary>
    public static readonly TimeSpan RotationGrace = TimeSpan.FromDays(7);

    /// <summary>Keys still in their grace period beyond this many are dropped, oldest first (rotation in a loop).</summary>
    public const int MaxApiKeys = 10;

    /// <summary>The prefix of every key this app issues.</summary>
    public const string KeyPrefix = "rk_";

    /// <summary>A new key: <c>rk_</c> and 32 random bytes in base64url. Shown once to the practice; only its hash is kept.</summary>
    public static string NewKey() => KeyPrefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of a key: SHA-256 of its UTF-8 bytes, lowercase hex.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>A set holding only <paramref name="key"/>'s hash, as the current key (a new practice).</summary>
    public static ApiKeySet FirstKey(string key) => new([], [new ApiKeyRecord(Hash(key), null)]);

    /// <summary>
    /// Hashes of the keys accepted at <paramref name="now"/>: every legacy hash, and the keys whose
    /// <see cref="ApiKeyRecord.NotAfter"/> has not passed.
    /// </summary>
    public static IReadOnlyList<string> AcceptedHashes(ApiKeySet keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return [.. keys.LegacyHashes.Concat(keys.Keys.Where(key => IsLive(key, now)).Select(key => key.Hash)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Whether <paramref name="presentedKey"/> is one of the keys accepted at <paramref name="now"/>. Every accepted hash
    /// is compared, each in constant time, so the answer's timing says nothing about which one matched.
    /// </summary>
    public static bool IsAccepted(string? presentedKey, ApiKeySet keys, DateTimeOffset now)
    {
        if (presentedKey is null) return false;
        var given = Convert.FromHexString(Hash(presentedKey));
        var matched = false;
        foreach (var stored in AcceptedHashes(keys, now))
        {
            if (!TryFromHex(stored, out var expected)) continue;
            matched |= CryptographicOperations.FixedTimeEquals(expected, given);
        }
        return matched;
    }

    /// <summary>
    /// The keys after a rotation to <paramref name="nextHash"/>: every key that still works (the legacy never-expiring
    /// ones included) keeps working until the grace period ends (or its own earlier end), then only the new one does.
    /// Expired keys are dropped, and the oldest beyond <see cref="MaxApiKeys"/> in all.
    /// </summary>
    public static ApiKeySet Rotate(ApiKeySet keys, string nextHash, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var graceEnd = now + RotationGrace;
        var retiring = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var order = new List<string>();
        void Retire(string hash, DateTimeOffset notAfter)
        {
            if (hash == nextHash) return;
            if (retiring.TryGetValue(hash, out var already))
            {
                retiring[hash] = already < notAfter ? already : notAfter;
                return;
            }
            retiring[hash] = notAfter;
            order.Add(hash);
        }
        foreach (var hash in keys.LegacyHashes) Retire(hash, graceEnd);
        foreach (var key in keys.Keys)
        {
            if (!IsLive(key, now)) continue;
            Retire(key.Hash, key.NotAfter is { } notAfter && notAfter < graceEnd ? notAfter : graceEnd);
        }
        var kept = order
            .Select(hash => new ApiKeyRecord(hash, retiring[hash]))
            .OrderByDescending(key => key.NotAfter)
            .Take(MaxApiKeys - 1);
        return new ApiKeySet([], [new ApiKeyRecord(nextHash, null), .. kept]);
    }

    /// <summary>When the keys rotated out stop working (the latest of them), or null when none is in its grace period.</summary>
    public static DateTimeOffset? PreviousKeysValidUntil(ApiKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Keys.Where(key => key.NotAfter is not null).Select(key => key.NotAfter).Max();
    }

    private static bool IsLive(ApiKeyRecord key, DateTimeOffset now) => key.NotAfter is not { } notAfter || now < notAfter;

    private static bool TryFromHex(string hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length != SHA256.HashSizeInBytes * 2) return false;
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
