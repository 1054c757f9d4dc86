// A practice's sending calendar: which local days are open, and when, in the practice's own time zone.
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using NodaTime;
using NodaTime.Extensions;
using Reengage.Core.Model;

namespace Reengage.Core.Calendar;

/// <summary>The open part of one local day: <see cref="Start"/> inclusive, <see cref="End"/> exclusive, both UTC.</summary>
public sealed record OpenWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>Why a local date is not open for sending, from the most to the least telling.</summary>
public enum ClosureReason
{
    /// <summary>A public holiday of the practice's country (<see cref="DayClosure.HolidayName"/> names it).</summary>
    PublicHoliday,
    /// <summary>One of the practice's own closed dates.</summary>
    ClosedDate,
    /// <summary>Not one of the send window's days: a weekend, for the default window.</summary>
    NotASendDay,
    /// <summary>The whole window falls in the hour the clocks skip that day.</summary>
    WindowSkippedByClockChange,
}

public sealed record DayClosure(ClosureReason Reason, string? HolidayName = null);

/// <summary>
/// The practice's send window in its IANA time zone: the first instant at or after another inside an open window,
/// working days, and why a day is closed. Pure and deterministic; safe to share between threads.
/// </summary>
public sealed class PracticeCalendar
{
    /// <summary>How far ahead an open day is looked for before the practice is declared to have none.</summary>
    public const int MaxSearchDays = 400;

    private readonly DateTimeZone _zone;
    private readonly string _country;
    private readonly FrozenSet<IsoDayOfWeek> _days;
    private readonly FrozenSet<LocalDate> _closed;
    private readonly LocalTime _start;
    private readonly LocalTime _end;
    // The slot allocator asks about the same few days thousands of times; a day's window never changes.
    private readonly ConcurrentDictionary<LocalDate, DayState> _dayStates = new();

    /// <exception cref="ReengageException"><see cref="ErrorCode.InvalidConfiguration"/> naming the unknown zone or
    /// country, or what is wrong with the send window.</exception>
    public PracticeCalendar(string timeZone, string country, SendWindow sendWindow, IEnumerable<DateOnly> closedDates)
    {
        ArgumentNullException.ThrowIfNull(sendWindow);
        ArgumentNullException.ThrowIfNull(closedDates);
        _zone = (timeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone))
            ?? throw new ReengageException(ErrorCode.InvalidConfiguration, $"unknown time zone \"{timeZone}\"");
        if (!PublicHolidays.IsSupported(country))
        {
            throw new ReengageException(
                ErrorCode.InvalidConfiguration,
                $"public holidays are not known for country \"{country}\" (supported: {string.Join(", ", PublicHolidays.SupportedCountries)})");
        }
        SendWindows.Validate(sendWindow);
        TimeZone = timeZone!;
        _country = country;
        _days = sendWindow.Days.Select(d => d.ToIsoDayOfWeek()).ToFrozenSet();
        _closed = closedDates.Select(LocalDate.FromDateOnly).ToFrozenSet();
        _start = LocalTime.FromTimeOnly(sendWindow.Start);
        _end = LocalTime.FromTimeOnly(sendWindow.End);
    }

    public static PracticeCalendar For(Practice practice)
    {
        ArgumentNullException.ThrowIfNull(practice);
        return new PracticeCalendar(practice.TimeZone, practice.Country, practice.SendWindow, practice.ClosedDates);
    }

    /// <summary>The IANA id of the practice's zone.</summary>
    public string TimeZone { get; }

    /// <summary><paramref name="at"/> itself (in UTC) when it lies inside an open window, else the start of the next one.</summary>
    /// <exception cref="ReengageException"><see cref="ErrorCode.InvalidConfiguration"/> when no day is open within
    /// <see cref="MaxSearchDays"/> days.</exception>
    public DateTimeOffset NextAllowed(DateTimeOffset at)
    {
        var instant = Instant.FromDateTimeOffset(at);
        var first = instant.InZone(_zone).Date;
        for (var i = 0; i <= MaxSearchDays; i++)
        {
            var window = StateOf(first.PlusDays(i)).Window;
            if (window is null || instant >= window.Value.End) continue;
            return (instant > window.Value.Start ? instant : window.Value.Start).ToDateTimeOffset();
        }
        throw NoOpenDay(first);
    }

    public bool IsAllowed(DateTimeOffset at)
    {
        var instant = Instant.FromDateTimeOffset(at);
        var window = StateOf(instant.InZone(_zone).Date).Window;
        return window is { } w && instant >= w.Start && instant < w.End;
    }

    /// <summary>Open for sending: a window day, not closed, not a public holiday, and its window is not empty.</summary>
    public bool IsWorkingDay(DateOnly localDate) => StateOf(LocalDate.FromDateOnly(localDate)).Window is not null;

    /// <summary>Why <paramref name="localDate"/> is not a working day, or null when it is one.</summary>
    public DayClosure? ClosureOn(DateOnly localDate) => StateOf(LocalDate.FromDateOnly(localDate)).Closure;

    /// <summary>The first working day on or after <paramref name="localDate"/>.</summary>
    public DateOnly NextWorkingDay(DateOnly localDate)
    {
        var first = LocalDate.FromDateOnly(localDate);
        for (var i = 0; i <= MaxSearchDays; i++)
        {
            var day = first.PlusDays(i);
            if (StateOf(day).Window is not null) return day.ToDateOnly();
        }
        throw NoOpenDay(first);
    }

    /// <summary>The practice-local date of an instant.</summary>
    public DateOnly LocalDateOf(DateTimeOffset at) => Instant.FromDateTimeOffset(at).InZone(_zone).Date.ToDateOnly();

    /// <summary>The send window of a local date, or null when the day is not open.</summary>
    public OpenWindow? WindowOn(DateOnly localDate) =>
        StateOf(LocalDate.FromDateOnly(localDate)).Window is { } w
            ? new OpenWindow(w.Start.ToDateTimeOffset(), w.End.ToDateTimeOffset())
            : null;

    private DayState StateOf(LocalDate day) => _dayStates.GetOrAdd(day, Compute);

    private DayState Compute(LocalDate day)
    {
        var holiday = PublicHolidays.HolidayOn(_country, day.ToDateOnly());
        if (holiday is not null) return DayState.Closed(new DayClosure(ClosureReason.PublicHoliday, holiday.Name));
        if (_closed.Contains(day)) return DayState.Closed(new DayClosure(ClosureReason.ClosedDate));
        if (!_days.Contains(day.DayOfWeek)) return DayState.Closed(new DayClosure(ClosureReason.NotASendDay));
        var start = FirstInstantAtOrAfter(day, _start);
        var end = FirstInstantAtOrAfter(day, _end);
        // Both ends in the gap the clocks jump over: the window is squeezed to nothing, so the day is closed.
        return start < end
            ? new DayState((start, end), null)
            : DayState.Closed(new DayClosure(ClosureReason.WindowSkippedByClockChange));
    }

    /// <summary>
    /// The first instant at which the wall clock of <paramref name="day"/> reads <paramref name="time"/> or later.
    /// A time repeated when the clocks go back is taken at its first occurrence; a time skipped when they go forward
    /// becomes the instant of the jump, the first moment the clock reads "at least" that late.
    /// </summary>
    private Instant FirstInstantAtOrAfter(LocalDate day, LocalTime time)
    {
        var mapping = _zone.MapLocal(day.At(time));
        return mapping.Count == 0 ? mapping.LateInterval.Start : mapping.First().ToInstant();
    }

    private ReengageException NoOpenDay(LocalDate from) => new(
        ErrorCode.InvalidConfiguration,
        $"no open sending day within {MaxSearchDays} days of {from.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)} " +
        "(check the send window days, closed dates and country)");

    private readonly record struct DayState((Instant Start, Instant End)? Window, DayClosure? Closure)
    {
        public static DayState Closed(DayClosure closure) => new(null, closure);
    }
}
