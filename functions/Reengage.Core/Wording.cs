using Reengage.Core.Model;

namespace Reengage.Core;

/// <summary>Humane wording for emails, in the patient's language.</summary>
public static class Wording
{
    // Upper bounds (exclusive, whole days), rounded the way a person says it: 50 days is "about two months",
    // 200 days "several months". Each phrase fits both "remonte à …" and "It's been … since".
    private static readonly (int BelowDays, string Fr, string En)[] SinceLastVisitBuckets =
    [
        (14, "quelques jours", "a few days"),
        (45, "quelques semaines", "a few weeks"),
        (76, "environ deux mois", "about two months"),
        (106, "environ trois mois", "about three months"),
        (320, "plusieurs mois", "several months"),
        (500, "environ un an", "about a year"),
        (int.MaxValue, "plus d’un an", "more than a year"),
    ];

    /// <summary>
    /// "quelques semaines" / "about two months" for the time from <paramref name="lastVisitAt"/> to
    /// <paramref name="now"/>; null when the last visit is unknown or in the future, so that templates use
    /// their sentence without a duration.
    /// </summary>
    public static string? SinceLastVisit(DateTimeOffset? lastVisitAt, DateTimeOffset now, Locale locale)
    {
        if (lastVisitAt is not { } visit || visit > now)
        {
            return null;
        }
        var days = (now - visit).TotalDays;
        foreach (var (belowDays, fr, en) in SinceLastVisitBuckets)
        {
            if (days < belowDays)
            {
                return locale switch
                {
                    Locale.Fr => fr,
                    Locale.En => en,
                    _ => throw new ArgumentOutOfRangeException(nameof(locale), locale, null),
                };
            }
        }
        return null;
    }
}
