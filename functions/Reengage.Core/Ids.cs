using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Reengage.Core.Model;

namespace Reengage.Core;

/// <summary>Identifiers: the alphabet of ids from booking tools, ledger row keys, operation ids, log-safe hashes.</summary>
public static partial class Ids
{
    /// <summary>Ids from booking tools end up in table keys joined by <c>|</c>: they keep to a safe alphabet.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,127}\z")]
    public static partial Regex Pattern();

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    public static OutreachKey? ParseOutreachId(string id)
    {
        var parts = id.Split('|');
        if (parts.Length != 4) return null;
        if (!IsValid(parts[0]) || !Wire.TryParse<Campaign>(parts[1], out var campaign) || parts[2].Length == 0) return null;
        if (!int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step is < 1 or > 9) return null;
        return new OutreachKey(parts[0], campaign, parts[2], step);
    }

    // RFC 4122 name-based UUID (version 5, SHA-1) under a namespace of our own, so that the same ledger row always
    // yields the same ACS operation id, across workers, retries and the TypeScript implementation it replaces.
    private static readonly byte[] Namespace = Convert.FromHexString("6f0c1b523a4e4c7d9a592f1e8d7c6b5a");

    public static string OperationIdOf(string practiceId, string outreachId)
    {
        var name = Encoding.UTF8.GetBytes($"{practiceId}/{outreachId}");
        var input = new byte[Namespace.Length + name.Length];
        Namespace.CopyTo(input, 0);
        name.CopyTo(input, Namespace.Length);
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 is defined with; nothing here relies on its strength.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>A short, stable, non-reversible reference for logs (names and addresses are never logged).</summary>
    public static string HashForLog(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];

    /// <summary>The suppression list's key for an address: salted per practice, never reversible to the address.</summary>
    public static string AddressHashOf(string practiceId, string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"reengage-suppression\n{practiceId}\n{email.Trim().ToLowerInvariant()}")));
}
