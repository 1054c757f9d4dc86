using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Core.Calendar;

/// <summary>The rules of a practice's send window, and its <c>HH:mm</c> wire form.</summary>
public static class SendWindows
{
    /// <summary>Throws <see cref="ReengageException"/> <see cref="ErrorCode.InvalidConfiguration"/> naming every problem.</summary>
    public static void Validate(SendWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var problems = new List<string>();
        if (window.Days is null || window.Days.Count == 0)
        {
            problems.Add("days must list at least one day of the week");
        }
        else if (window.Days.Any(d => !Enum.IsDefined(d)))
        {
            problems.Add($"days must be days of the week, got {string.Join(", ", window.Days.Select(d => (int)d))}");
        }
        if (window.Start.Second != 0 || window.Start.Millisecond != 0 || window.Start.Microsecond != 0 || window.Start.Nanosecond != 0
            || window.End.Second != 0 || window.End.Millisecond != 0 || window.End.Microsecond != 0 || window.End.Nanosecond != 0)
        {
            problems.Add("start and end must be whole minutes (HH:mm)");
        }
        if (window.Start >= window.End)
        {
            problems.Add($"start ({FormatTime(window.Start)}) must be before end ({FormatTime(window.End)})");
        }
        if (problems.Count > 0)
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, $"invalid send window: {string.Join("; ", problems)}");
        }
    }

    /// <summary>Parses the wire form <c>HH:mm</c> exactly: two digits each, 00:00 to 23:59.</summary>
    public static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public static string FormatTime(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}
