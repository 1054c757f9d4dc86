using System.Globalization;
using Reengage.Core.Calendar;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Calendar;

internal static class CalendarFixtures
{
    internal static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    internal static readonly DayOfWeek[] EveryDay = [.. Weekdays, DayOfWeek.Saturday, DayOfWeek.Sunday];

    internal static SendWindow Window(string start, string end, DayOfWeek[]? days = null) => new()
    {
        Days = days ?? Weekdays,
        Start = TimeOnly.ParseExact(start, "HH:mm", CultureInfo.InvariantCulture),
        End = TimeOnly.ParseExact(end, "HH:mm", CultureInfo.InvariantCulture),
    };

    internal static PracticeCalendar NewCalendar(
        string timeZone = "Europe/Paris", string country = "FR", SendWindow? window = null, IEnumerable<DateOnly>? closed = null) =>
        new(timeZone, country, window ?? SendWindow.Default, closed ?? []);

    internal static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    internal static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
