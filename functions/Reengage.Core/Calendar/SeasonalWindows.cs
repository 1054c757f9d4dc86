// Seasonal windows (SPEC §5.4): when in the year a "new start" email makes sense, and which window is open today.
using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Core.Calendar;

/// <summary>A seasonal window open on a given day.</summary>
/// <param name="Key"><c>&lt;nominal year&gt;:&lt;id&gt;</c>, e.g. <c>2027:new-year</c>: one seasonal campaign per window and year.</param>
/// <param name="StartsOn">First local date of the window: the first working day on or after its nominal start.</param>
/// <param name="EndsOn">Last local date of the window (inclusive): <paramref name="StartsOn"/> + length - 1.</param>
public sealed record ActiveSeasonalWindow(SeasonalWindowId Id, string Key, DateOnly StartsOn, DateOnly EndsOn);

public static class SeasonalWindows
{
    public const int DefaultLengthInDays = 14;
    public const int MaxLengthInDays = 366;

    /// <summary>The windows a new practice starts with, in calendar order.</summary>
    public static IReadOnlyList<SeasonalWindow> DefaultsFor(Locale locale) => locale switch
    {
        // Both locales share the same dates today: the French school and fiscal rhythm the product was designed
        // around also fits the English-speaking practices it serves. Kept per locale so they can diverge.
        Locale.Fr or Locale.En =>
        [
            Window(SeasonalWindowId.NewYear, 1, 5),
            Window(SeasonalWindowId.Spring, 4, 1),
            Window(SeasonalWindowId.Rentree, 9, 8),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(locale), locale, "unknown locale"),
    };

    /// <summary>A human name for a window, for the admin API and previews.</summary>
    public static string Label(SeasonalWindowId id, Locale locale) => (locale, id) switch
    {
        (Locale.Fr, SeasonalWindowId.NewYear) => "Nouvelle année",
        (Locale.Fr, SeasonalWindowId.Spring) => "Printemps (après les fêtes)",
        (Locale.Fr, SeasonalWindowId.Rentree) => "Rentrée",
        (Locale.En, SeasonalWindowId.NewYear) => "New year",
        (Locale.En, SeasonalWindowId.Spring) => "Spring",
        (Locale.En, SeasonalWindowId.Rentree) => "Back to routine (September)",
        _ => throw new ArgumentOutOfRangeException(nameof(id), $"no label for {id} in {locale}"),
    };

    /// <summary>The key of a window's campaign in a year: <c>2027:new-year</c>.</summary>
    public static string KeyOf(int year, SeasonalWindowId id) =>
        string.Create(CultureInfo.InvariantCulture, $"{year}:{Wire.Name(id)}");

    /// <summary>Throws <see cref="ReengageException"/> <see cref="ErrorCode.InvalidConfiguration"/> when a window's
    /// start or length makes no sense (a practice edits them).</summary>
    public static void Validate(SeasonalWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!Enum.IsDefined(window.Id))
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, $"seasonal window id {(int)window.Id} is unknown");
        }
        // 2024, a leap year, accepts 29 February: it opens on 1 March in common years.
        if (window.StartMonth is < 1 or > 12 || window.StartDay < 1 || window.StartDay > DateTime.DaysInMonth(2024, window.StartMonth))
        {
            throw new ReengageException(
                ErrorCode.InvalidConfiguration,
                $"seasonal window {Wire.Name(window.Id)}: start {window.StartMonth}/{window.StartDay} is not a day of the year (month 1-12, day of that month)");
        }
        if (window.LengthInDays is < 1 or > MaxLengthInDays)
        {
            throw new ReengageException(
                ErrorCode.InvalidConfiguration,
                $"seasonal window {Wire.Name(window.Id)}: length must be from 1 to {MaxLengthInDays} days, got {window.LengthInDays}");
        }
    }

    /// <summary>
    /// The local date on which <paramref name="window"/> opens in <paramref name="year"/>: the first working day of
    /// the practice on or after its start (29 February counts as 1 March in a common year).
    /// </summary>
    public static DateOnly OpeningDay(SeasonalWindow window, int year, PracticeCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        Validate(window);
        var nominal = window.StartDay <= DateTime.DaysInMonth(year, window.StartMonth)
            ? new DateOnly(year, window.StartMonth, window.StartDay)
            : new DateOnly(year, 3, 1);
        return calendar.NextWorkingDay(nominal);
    }

    /// <summary>
    /// The enabled window whose dates contain the practice-local date of <paramref name="now"/>, or null. When edited
    /// windows overlap, the one that opened last wins, so each window is the open one at least on its first day.
    /// </summary>
    public static ActiveSeasonalWindow? OpenOn(IEnumerable<SeasonalWindow> windows, PracticeCalendar calendar, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(calendar);
        var today = calendar.LocalDateOf(now);
        ActiveSeasonalWindow? best = null;
        foreach (var window in windows)
        {
            if (!window.Enabled) continue;
            // Last year's window can still be open (a late-December start, or a long window).
            foreach (var year in (ReadOnlySpan<int>)[today.Year - 1, today.Year])
            {
                var startsOn = OpeningDay(window, year, calendar);
                var endsOn = startsOn.AddDays(window.LengthInDays - 1);
                if (startsOn <= today && today <= endsOn && (best is null || startsOn > best.StartsOn))
                {
                    best = new ActiveSeasonalWindow(window.Id, KeyOf(year, window.Id), startsOn, endsOn);
                }
            }
        }
        return best;
    }

    /// <summary>Parses the wire form of a window's start, <c>MM-dd</c> (e.g. <c>01-05</c>); 02-29 is accepted.</summary>
    public static bool TryParseStart(string? text, out int month, out int day)
    {
        month = day = 0;
        if (text is null || !DateTime.TryParseExact($"2024-{text}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || text.Length != 5)
        {
            return false;
        }
        (month, day) = (date.Month, date.Day);
        return true;
    }

    public static string FormatStart(SeasonalWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return string.Create(CultureInfo.InvariantCulture, $"{window.StartMonth:00}-{window.StartDay:00}");
    }

    private static SeasonalWindow Window(SeasonalWindowId id, int month, int day) => new()
    {
        Id = id,
        StartMonth = month,
        StartDay = day,
        LengthInDays = DefaultLengthInDays,
        Enabled = true,
    };
}
