using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Reengage.Core.Outreach;

/// <summary>The control group (SPEC §5.3): a stable share of lapse episodes whose emails are recorded but never sent.</summary>
public static class Holdout
{
    /// <summary>
    /// Deterministic: the same (practice, patient, episode) always lands in the same group. The hash is the one the
    /// TypeScript implementation used (SHA-256 of <c>practice|patient|episode</c>, first 32 bits big-endian), so a
    /// practice's control group does not change with the implementation.
    /// </summary>
    public static bool IsHeldOut(string practiceId, string patientId, string episodeKey, double holdoutPercent)
    {
        if (holdoutPercent <= 0) return false;
        if (holdoutPercent >= 100) return true;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{practiceId}|{patientId}|{episodeKey}"), digest);
        // 32 bits are plenty for a percentage and keep the split uniform.
        var bucket = BinaryPrimitives.ReadUInt32BigEndian(digest) / 4_294_967_296.0 * 100;
        return bucket < holdoutPercent;
    }
}
