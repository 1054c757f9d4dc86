using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reengage.Core.Model;

namespace Reengage.Core.Security;

/// <summary>What a link in an email lets the patient do.</summary>
public enum LinkAction
{
    [WireName("book")] Book,
    [WireName("later")] Later,
    [WireName("feedback")] Feedback,
    [WireName("unsubscribe")] Unsubscribe,
}

/// <summary>A link-signing key; <see cref="Id"/> travels in every token so that keys can be rotated.</summary>
public sealed record SigningKey(string Id, byte[] Secret);

/// <summary>What a token says: one practice, one ledger row (by its opaque operation id), one action, an expiry.</summary>
public sealed record LinkToken(string PracticeId, string OutreachRef, LinkAction Action, DateTimeOffset ExpiresAt);

/// <summary>Why a token was refused.</summary>
public enum TokenFailure
{
    [WireName("malformed")] Malformed,
    [WireName("unknown_key")] UnknownKey,
    [WireName("bad_signature")] BadSignature,
    /// <summary>Genuine but past its expiry: <see cref="TokenCheck.Token"/> is still given (an old unsubscribe link still works).</summary>
    [WireName("expired")] Expired,
}

/// <summary>
/// The outcome of a verification. <see cref="Token"/> is set when the token is valid, and when it is genuine but
/// expired; never when it is malformed, tampered with or signed with an unknown key.
/// </summary>
public sealed record TokenCheck(TokenFailure? Failure, LinkToken? Token)
{
    public bool IsValid => Failure is null;
}

/// <summary>
/// Signed, expiring link tokens bound to one practice and one ledger row (SPEC §9). The format is the TypeScript
/// implementation's, so links already in patients' mailboxes keep working: <c>base64url(JSON {k,p,o,a,e}) "."
/// base64url(HMAC-SHA256(secret, the first part as ASCII))</c>, e in Unix seconds.
/// </summary>
public static partial class LinkTokens
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan UnsubscribeLifetime = TimeSpan.FromDays(365);

    /// <summary>Longer input is refused before any decoding.</summary>
    public const int MaxLength = 1024;

    public static TimeSpan LifetimeOf(LinkAction action) => action == LinkAction.Unsubscribe ? UnsubscribeLifetime : LinkLifetime;

    /// <summary>A token for <paramref name="action"/> on the row <paramref name="outreachRef"/>, signed with <paramref name="key"/>.</summary>
    public static string Issue(string practiceId, string outreachRef, LinkAction action, SigningKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practiceId);
        ArgumentNullException.ThrowIfNull(outreachRef);
        ArgumentNullException.ThrowIfNull(key);
        var expiresAt = now.ToUnixTimeSeconds() + (long)LifetimeOf(action).TotalSeconds;
        // Written by hand, in the key order and escaping of JavaScript's JSON.stringify, so that a token issued here
        // is byte for byte the one the TypeScript implementation issued.
        var json = new StringBuilder()
            .Append("{\"k\":").AppendJsString(key.Id)
            .Append(",\"p\":").AppendJsString(practiceId)
            .Append(",\"o\":").AppendJsString(outreachRef)
            .Append(",\"a\":").AppendJsString(Wire.Name(action))
            .Append(",\"e\":").Append(expiresAt.ToString(CultureInfo.InvariantCulture))
            .Append('}')
            .ToString();
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return payload + "." + MacOf(key, payload);
    }

    /// <summary>Accepts a token signed by any known key id (rotation), then checks its expiry.</summary>
    public static TokenCheck Verify(string? raw, IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var malformed = new TokenCheck(TokenFailure.Malformed, null);
        if (raw is null || raw.Length > MaxLength || !Shape().IsMatch(raw)) return malformed;
        var dot = raw.IndexOf('.', StringComparison.Ordinal);
        var payload = raw[..dot];
        var signature = raw[(dot + 1)..];
        if (!TryReadPayload(payload, out var keyId, out var token)) return malformed;
        var key = keys.FirstOrDefault(k => k.Id == keyId);
        if (key is null) return new TokenCheck(TokenFailure.UnknownKey, null);
        // Compared as canonical base64url text, in constant time. Another spelling of the right MAC (spare low bits in
        // the last character, which Node's decoder ignored) is refused: the TypeScript implementation never issued one.
        var expected = Encoding.ASCII.GetBytes(MacOf(key, payload));
        var given = Encoding.ASCII.GetBytes(signature);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return new TokenCheck(TokenFailure.BadSignature, null);
        return token.ExpiresAt <= now ? new TokenCheck(TokenFailure.Expired, token) : new TokenCheck(null, token);
    }

    // \z, not $: in .NET $ also matches before a final newline.
    [GeneratedRegex("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\z")]
    private static partial Regex Shape();

    private static string MacOf(SigningKey key, string payload) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes(payload)));

    private static bool TryReadPayload(string payload, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out LinkToken? token)
    {
        keyId = null;
        token = null;
        string json;
        try
        {
            json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload));
        }
        catch (FormatException)
        {
            return false;
        }
        string? k = null, p = null, o = null, a = null;
        long? e = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return false;
            // A repeated member: the last one counts, as with JSON.parse.
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var value = member.Value;
                switch (member.Name)
                {
                    case "k": k = StringOrNull(value); break;
                    case "p": p = StringOrNull(value); break;
                    case "o": o = StringOrNull(value); break;
                    case "a": a = StringOrNull(value); break;
                    case "e": e = IntegerOrNull(value); break;
                    default: break;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string holding a lone surrogate: no token this app issues has one.
            return false;
        }
        if (k is null || p is null || o is null || e is null || !Wire.TryParse<LinkAction>(a, out var action)) return false;
        if (e < UnixSecondsMin || e > UnixSecondsMax) return false;
        keyId = k;
        token = new LinkToken(p, o, action, DateTimeOffset.FromUnixTimeSeconds(e.Value));
        return true;
    }

    private static readonly long UnixSecondsMin = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long UnixSecondsMax = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static string? StringOrNull(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? IntegerOrNull(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number) return null;
        if (value.TryGetInt64(out var whole)) return whole;
        // JSON.parse reads 1.8e9 or 1800000000.0 as an integer too.
        return value.TryGetDouble(out var number) && double.IsFinite(number) && Math.Floor(number) == number
            && Math.Abs(number) < 9.2e18
            ? (long)number
            : null;
    }

    /// <summary>Appends <paramref name="value"/> as JavaScript's JSON.stringify writes a string.</summary>
    private static StringBuilder AppendJsString(this StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    var lonelySurrogate = char.IsHighSurrogate(c)
                        ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])
                        : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
                    if (c < ' ' || lonelySurrogate)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        return builder.Append('"');
    }
}

/// <summary>The <c>LINK_SIGNING_KEYS</c> setting: <c>kid1:base64secret,kid2:base64secret</c>; the first signs, all verify.</summary>
public static partial class LinkSigningKeys
{
    /// <summary>A secret shorter than this is refused.</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Parses the setting; on failure <paramref name="error"/> says what is wrong, without the secret.</summary>
    public static bool TryParse(string? raw, out IReadOnlyList<SigningKey> keys, out string? error)
    {
        keys = [];
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = "must list at least one key, as \"<kid>:<base64 secret>\"";
            return false;
        }
        var parsed = new List<SigningKey>();
        foreach (var part in raw.Trim().Split(','))
        {
            var fields = part.Split(':');
            if (fields.Length < 2 || fields[1].Length == 0 || !KeyId().IsMatch(fields[0]))
            {
                error = "each key must look like \"<kid>:<base64 secret>\"";
                return false;
            }
            var secret = DecodeBase64(fields[1]);
            if (secret is null || secret.Length < MinSecretBytes)
            {
                error = $"key \"{fields[0]}\" must be at least {MinSecretBytes} bytes of base64";
                return false;
            }
            parsed.Add(new SigningKey(fields[0], secret));
        }
        keys = parsed;
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}\\z")]
    private static partial Regex KeyId();

    // Node's Buffer.from(…, 'base64') also took the URL-safe alphabet and missing padding: so does this.
    private static byte[]? DecodeBase64(string text)
    {
        var standard = text.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        if (standard.Length % 4 == 1) return null;
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(standard);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
