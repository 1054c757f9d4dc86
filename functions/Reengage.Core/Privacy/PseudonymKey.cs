// The per-practice secret that keys the pseudonym of erased patients (SPEC §9, issue 12).
using System.Security.Cryptography;

namespace Reengage.Core.Privacy;

/// <summary>
/// A practice's pseudonym key: 32 random bytes, created once and never rotated (an erasure re-run after a crash, or a
/// later erasure of the same patient, must land on the same pseudonym). Kept with the practice's other secrets; its
/// <see cref="ToString"/> never shows it, so a record that holds it can be printed safely.
/// </summary>
public sealed class PseudonymKey : IEquatable<PseudonymKey>
{
    public const int Length = 32;

    private readonly byte[] _bytes;

    private PseudonymKey(byte[] bytes) => _bytes = bytes;

    /// <summary>A fresh key from the system's cryptographic random number generator.</summary>
    public static PseudonymKey New() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>The key stored as base64; <see cref="ErrorCode.InvalidConfiguration"/> when it is not 32 bytes of base64.</summary>
    public static PseudonymKey FromBase64(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var bytes = new byte[Length];
        if (!Convert.TryFromBase64String(stored, bytes, out var written) || written != Length)
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, $"the stored pseudonym key is not {Length} bytes of base64");
        }
        return new PseudonymKey(bytes);
    }

    /// <summary>The form it is stored in. Never log it.</summary>
    public string ToBase64() => Convert.ToBase64String(_bytes);

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this key.</summary>
    public byte[] Mac(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_bytes, data);

    public bool Equals(PseudonymKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PseudonymKey);

    public override int GetHashCode() => 0;

    public override string ToString() => "PseudonymKey(hidden)";
}
