using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reengage.Core.Booking;

/// <summary>Why a <c>Reengage-Signature</c> header was or was not accepted. The HTTP layer answers 401 to all but <see cref="Valid"/>.</summary>
public enum SignatureCheck
{
    Valid,
    /// <summary>No header, or an empty one.</summary>
    Missing,
    /// <summary>No <c>t=</c> of 1–12 digits, or no <c>v1=</c> of 64 hex digits.</summary>
    Malformed,
    /// <summary>The timestamp is more than the tolerance away from now, in either direction (replays, skewed clocks).</summary>
    Expired,
    /// <summary>No <c>v1=</c> matches any accepted secret.</summary>
    Mismatch,
}

/// <summary>
/// The generic source's webhook signature (SPEC §8):
/// <c>Reengage-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>.
/// Several <c>v1=</c> may be present and several secrets accepted (current and previous, during a rotation).
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "Reengage-Signature";
    public const int ToleranceSeconds = 300;

    private const int SignatureBytes = 32;

    /// <summary>The hex HMAC of <c>"&lt;t&gt;.&lt;body&gt;"</c>: what a sender puts after <c>v1=</c>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> rawBody) =>
        Convert.ToHexStringLower(Mac(secret, timestamp, rawBody));

    public static string Sign(string secret, long timestamp, string body) => Sign(secret, timestamp, Encoding.UTF8.GetBytes(body));

    /// <summary>A complete header value with one signature, as a booking tool (or the demo) sends it.</summary>
    public static string HeaderValue(string secret, long timestamp, ReadOnlySpan<byte> rawBody) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Sign(secret, timestamp, rawBody)}";

    /// <summary>
    /// Verifies over the exact raw body bytes, before anything parses them. Every (secret, signature) pair is
    /// compared in constant time and all pairs are always compared, so timing tells nothing about which one matched.
    /// An empty <paramref name="secrets"/> list verifies nothing (<see cref="SignatureCheck.Mismatch"/>).
    /// </summary>
    public static SignatureCheck Verify(
        string? header,
        ReadOnlySpan<byte> rawBody,
        IReadOnlyList<string> secrets,
        DateTimeOffset now,
        int toleranceSeconds = ToleranceSeconds)
    {
        if (string.IsNullOrEmpty(header)) return SignatureCheck.Missing;
        if (!TryParseHeader(header, out var timestamp, out var candidates)) return SignatureCheck.Malformed;
        // Both directions: a timestamp from the future is as suspect as an old one.
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > toleranceSeconds) return SignatureCheck.Expired;
        var matched = false;
        foreach (var secret in secrets)
        {
            var expected = Mac(secret, timestamp, rawBody);
            foreach (var candidate in candidates)
            {
                matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
            }
        }
        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(rawBody);
        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Lenient about what it does not know (other schemes such as <c>v0=</c>, junk parts, spaces), strict about
    /// what it uses: the last well-formed <c>t=</c> counts, and every well-formed <c>v1=</c>.
    /// </summary>
    private static bool TryParseHeader(string header, out long timestamp, out List<byte[]> signatures)
    {
        long? t = null;
        signatures = [];
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) continue;
            var name = JsText.Trim(part[..eq]);
            var value = JsText.Trim(part[(eq + 1)..]);
            if (name == "t" && JsText.IsAsciiDigits(value, 1, 12))
            {
                t = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (name == "v1" && value.Length == SignatureBytes * 2 && IsHex(value))
            {
                signatures.Add(Convert.FromHexString(value));
            }
        }
        timestamp = t ?? 0;
        return t is not null && signatures.Count > 0;
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        return true;
    }
}
