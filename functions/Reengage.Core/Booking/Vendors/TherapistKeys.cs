using Reengage.Core.Ports;

namespace Reengage.Core.Booking.Vendors;

/// <summary>
/// Which Reengage therapist a booking tool's organizer, calendar or event type stands for, and which keys nobody mapped yet.
/// Keys are <c>&lt;source&gt;:&lt;kind&gt;:&lt;value&gt;</c>; a booking offers its keys most specific first, the first mapped one wins.
/// </summary>
public static class TherapistKeys
{
    /// <summary>Kept short enough for the practice row, long enough for a Calendly URI.</summary>
    public const int MaxKeyLength = 300;

    /// <summary>50 keys of up to 300 characters stay well under the 32,000 characters of one table property.</summary>
    public const int MaxUnmapped = 50;

    /// <summary><c>&lt;source&gt;:&lt;kind&gt;:&lt;value&gt;</c>; organizer addresses are compared in lower case.</summary>
    public static string Key(string source, string kind, string value) =>
        $"{source}:{kind}:{(kind == "organizer" ? value.Trim().ToLowerInvariant() : value.Trim())}";

    /// <summary>The therapist of the first key that has an entry, or null.</summary>
    public static string? Resolve(TherapistMapping? mapping, IEnumerable<string> keys)
    {
        if (mapping is null) return null;
        foreach (var key in keys)
        {
            if (mapping.Entries.FirstOrDefault(e => e.Key == key) is { } entry) return entry.TherapistId;
        }
        return null;
    }

    /// <summary>Records keys seen without an entry; null when there is nothing new to write (the common case).</summary>
    public static TherapistMapping? WithUnmapped(TherapistMapping mapping, IReadOnlyList<string> keys, DateTimeOffset seenAt)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(keys);
        var known = mapping.Entries.Select(e => e.Key).Concat(mapping.Unmapped.Select(u => u.Key)).ToHashSet(StringComparer.Ordinal);
        var fresh = keys.Distinct(StringComparer.Ordinal)
            .Where(k => !known.Contains(k))
            .Select(k => new UnmappedTherapistKey(k.Length > MaxKeyLength ? k[..MaxKeyLength] : k, seenAt))
            .ToList();
        if (fresh.Count == 0) return null;
        var all = mapping.Unmapped.Concat(fresh).ToList();
        return mapping with { Unmapped = all.Skip(Math.Max(0, all.Count - MaxUnmapped)).ToList() };
    }
}
