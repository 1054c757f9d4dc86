using Reengage.Core.Calendar;
using Reengage.Core.Model;
using static Reengage.Core.Tests.Calendar.CalendarFixtures;

namespace Reengage.Core.Tests.Calendar;

public sealed class PracticeCalendarTests
{
    private static readonly DayOfWeek[] EveryDay = CalendarFixtures.EveryDay;

    private static readonly PracticeCalendar Paris = NewCalendar();

    private static void NextIs(PracticeCalendar calendar, string from, string expected)
    {
        var next = calendar.NextAllowed(At(from));
        Assert.Equal(At(expected), next);
        Assert.Equal(TimeSpan.Zero, next.Offset);
    }

    // Europe/Paris, Monday to Friday 09:30-17:30.

    [Fact]
    public void Returns_the_instant_itself_inside_the_window_to_the_tick()
    {
        // Friday 9 January 2026, 11:00:00.1234567 in Paris (UTC+1).
        var inside = new DateTimeOffset(2026, 1, 9, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        Assert.Equal(inside, Paris.NextAllowed(inside));
        Assert.True(Paris.IsAllowed(inside));
    }

    [Fact]
    public void An_instant_with_another_offset_is_the_same_instant()
    {
        // 11:00+01:00 is 10:00Z, inside the window.
        var local = new DateTimeOffset(2026, 1, 9, 11, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(At("2026-01-09T10:00:00Z"), Paris.NextAllowed(local));
        Assert.Equal(TimeSpan.Zero, Paris.NextAllowed(local).Offset);
    }

    [Fact]
    public void The_start_is_inside_and_the_end_outside()
    {
        NextIs(Paris, "2026-01-09T08:30:00Z", "2026-01-09T08:30:00Z");
        Assert.True(Paris.IsAllowed(At("2026-01-09T16:29:59.999Z")));
        Assert.False(Paris.IsAllowed(At("2026-01-09T16:30:00Z")));
    }

    [Fact]
    public void An_early_morning_moves_to_09_30_the_same_day() => NextIs(Paris, "2026-01-09T05:00:00Z", "2026-01-09T08:30:00Z");

    [Theory]
    [InlineData("2026-01-09T16:45:00Z")] // Friday 17:45 CET
    [InlineData("2026-01-09T16:30:00Z")] // Friday 17:30, the end itself
    [InlineData("2026-01-10T12:00:00Z")] // Saturday
    public void The_weekend_is_skipped_to_monday_09_30(string from) => NextIs(Paris, from, "2026-01-12T08:30:00Z");

    [Fact]
    public void Easter_monday_2027_is_skipped()
    {
        // Monday 29 March 2027 is Easter Monday; Tuesday 30 March 09:30 CEST = 07:30Z.
        NextIs(Paris, "2027-03-29T08:00:00Z", "2027-03-30T07:30:00Z");
        Assert.False(Paris.IsWorkingDay(D("2027-03-29")));
        Assert.True(Paris.IsWorkingDay(D("2027-03-30")));
    }

    [Fact]
    public void Bastille_day_2026_a_tuesday_is_skipped() => NextIs(Paris, "2026-07-14T08:00:00Z", "2026-07-15T07:30:00Z");

    // Daylight saving time in Europe/Paris.

    [Fact]
    public void Spring_2026_moves_09_30_from_08_30Z_to_07_30Z_across_the_weekend()
    {
        NextIs(Paris, "2026-03-27T07:00:00Z", "2026-03-27T08:30:00Z"); // Friday, CET
        NextIs(Paris, "2026-03-27T16:45:00Z", "2026-03-30T07:30:00Z"); // Monday, CEST
    }

    [Fact]
    public void Autumn_2026_moves_09_30_from_07_30Z_to_08_30Z_and_the_end_follows()
    {
        NextIs(Paris, "2026-10-23T06:00:00Z", "2026-10-23T07:30:00Z"); // Friday, CEST
        NextIs(Paris, "2026-10-23T15:45:00Z", "2026-10-26T08:30:00Z"); // Monday, CET
        Assert.True(Paris.IsAllowed(At("2026-10-23T15:29:00Z")));
        Assert.False(Paris.IsAllowed(At("2026-10-23T15:30:00Z"))); // 17:30 CEST
    }

    [Fact]
    public void On_the_change_days_themselves_for_a_practice_open_every_day()
    {
        var daily = NewCalendar(window: Window("09:30", "17:30", EveryDay));
        // Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
        NextIs(daily, "2027-03-27T00:00:00Z", "2027-03-27T08:30:00Z");
        NextIs(daily, "2027-03-28T00:00:00Z", "2027-03-28T07:30:00Z");
        NextIs(daily, "2027-10-30T00:00:00Z", "2027-10-30T07:30:00Z");
        NextIs(daily, "2027-10-31T00:00:00Z", "2027-10-31T08:30:00Z");
        // Sunday 31 October 2027 is 25 hours long; the window is still 8 hours.
        Assert.Equal(new OpenWindow(At("2027-10-31T08:30:00Z"), At("2027-10-31T16:30:00Z")), daily.WindowOn(D("2027-10-31")));
    }

    [Fact]
    public void Weekends_across_the_2027_changes_land_after_Easter_monday_and_All_Saints()
    {
        // Friday 26 March 17:45 CET -> Monday 29 is Easter Monday -> Tuesday 30 March 09:30 CEST.
        NextIs(Paris, "2027-03-26T16:45:00Z", "2027-03-30T07:30:00Z");
        // Friday 29 October 17:45 CEST -> Monday 1 November is a holiday -> Tuesday 2 November 09:30 CET.
        NextIs(Paris, "2027-10-29T15:45:00Z", "2027-11-02T08:30:00Z");
    }

    [Fact]
    public void A_window_start_inside_the_spring_forward_gap_opens_when_the_clocks_jump()
    {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z), so 02:30 never happens; the first moment the clock
        // reads 02:30 or later is 03:00 CEST = 01:00Z. The day before, 02:30 CET = 01:30Z.
        var night = NewCalendar(window: Window("02:30", "05:00", EveryDay));
        NextIs(night, "2026-03-28T00:00:00Z", "2026-03-28T01:30:00Z");
        NextIs(night, "2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z");
        Assert.Equal(new OpenWindow(At("2026-03-29T01:00:00Z"), At("2026-03-29T03:00:00Z")), night.WindowOn(D("2026-03-29")));
        NextIs(night, "2026-03-29T04:00:00Z", "2026-03-30T00:30:00Z");
    }

    [Fact]
    public void A_window_entirely_inside_the_gap_closes_that_day()
    {
        var gap = NewCalendar(window: Window("02:10", "02:50", EveryDay));
        Assert.False(gap.IsWorkingDay(D("2026-03-29")));
        Assert.Null(gap.WindowOn(D("2026-03-29")));
        Assert.Equal(new DayClosure(ClosureReason.WindowSkippedByClockChange), gap.ClosureOn(D("2026-03-29")));
        // 00:00 CET on the 29th -> Monday 30 March 02:10 CEST = 00:10Z.
        NextIs(gap, "2026-03-28T23:00:00Z", "2026-03-30T00:10:00Z");
    }

    [Fact]
    public void A_window_start_repeated_by_the_autumn_change_opens_at_its_first_occurrence()
    {
        // 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
        var night = NewCalendar(window: Window("02:30", "06:00", EveryDay));
        NextIs(night, "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z");
        Assert.Equal(new OpenWindow(At("2026-10-25T00:30:00Z"), At("2026-10-25T05:00:00Z")), night.WindowOn(D("2026-10-25")));
    }

    // Closed dates.

    [Fact]
    public void Closed_dates_are_skipped_like_holidays()
    {
        var calendar = NewCalendar(closed: [D("2026-01-12"), D("2026-01-13")]);
        NextIs(calendar, "2026-01-09T16:45:00Z", "2026-01-14T08:30:00Z");
        Assert.False(calendar.IsWorkingDay(D("2026-01-12")));
        Assert.Equal(D("2026-01-14"), calendar.NextWorkingDay(D("2026-01-10")));
    }

    [Fact]
    public void A_calendar_never_open_fails_after_a_bounded_search()
    {
        var everything = Enumerable.Range(0, PracticeCalendar.MaxSearchDays + 2).Select(i => D("2026-01-01").AddDays(i));
        var calendar = NewCalendar(closed: everything);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => calendar.NextAllowed(At("2026-01-01T10:00:00Z"))).Code);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => calendar.NextWorkingDay(D("2026-01-01"))).Code);
    }

    // Another zone: America/Montreal with Canadian federal holidays, 09:00-17:00.

    private static readonly PracticeCalendar Montreal = NewCalendar("America/Montreal", "CA", Window("09:00", "17:00"));

    [Fact]
    public void Montreal_uses_local_time_on_both_sides_of_the_March_change()
    {
        // Friday 6 March 2026 17:30 EST = 22:30Z; DST starts Sunday 8 March; Monday 09:00 EDT = 13:00Z.
        NextIs(Montreal, "2026-03-06T22:30:00Z", "2026-03-09T13:00:00Z");
        NextIs(Montreal, "2026-03-06T12:00:00Z", "2026-03-06T14:00:00Z");
    }

    [Fact]
    public void Montreal_reads_the_local_date_not_the_UTC_one()
    {
        // 03:00Z on 10 March is still 23:00 on Monday 9 March in Montreal.
        Assert.Equal(D("2026-03-09"), Montreal.LocalDateOf(At("2026-03-10T03:00:00Z")));
        NextIs(Montreal, "2026-03-10T03:00:00Z", "2026-03-10T13:00:00Z");
    }

    [Fact]
    public void Montreal_skips_Canada_day_but_not_French_holidays()
    {
        NextIs(Montreal, "2026-07-01T14:00:00Z", "2026-07-02T13:00:00Z");
        Assert.True(Montreal.IsWorkingDay(D("2026-07-14")));
    }

    // Local dates, working days and why a day is closed.

    [Fact]
    public void The_Paris_date_of_an_instant_near_midnight()
    {
        Assert.Equal(D("2026-07-01"), Paris.LocalDateOf(At("2026-06-30T22:30:00Z")));
        Assert.Equal(D("2026-01-01"), Paris.LocalDateOf(At("2026-01-01T22:30:00Z")));
    }

    [Theory]
    [InlineData("2026-01-10", false)] // Saturday
    [InlineData("2026-05-01", false)] // Friday, Labour Day
    [InlineData("2026-05-04", true)]
    public void Knows_weekends_holidays_and_ordinary_days(string date, bool working) => Assert.Equal(working, Paris.IsWorkingDay(D(date)));

    [Fact]
    public void Says_why_a_day_is_closed()
    {
        var calendar = NewCalendar(closed: [D("2027-01-06")]);
        Assert.Equal(new DayClosure(ClosureReason.PublicHoliday, "Jour de l'an"), calendar.ClosureOn(D("2027-01-01")));
        Assert.Equal(new DayClosure(ClosureReason.NotASendDay), calendar.ClosureOn(D("2027-01-02")));
        Assert.Equal(new DayClosure(ClosureReason.ClosedDate), calendar.ClosureOn(D("2027-01-06")));
        Assert.Null(calendar.ClosureOn(D("2027-01-04")));
        // A holiday on a weekend is reported as the holiday: Toussaint 2026 is a Sunday.
        Assert.Equal(new DayClosure(ClosureReason.PublicHoliday, "Toussaint"), calendar.ClosureOn(D("2026-11-01")));
        Assert.Equal(D("2027-01-04"), calendar.NextWorkingDay(D("2027-01-01")));
    }

    [Fact]
    public void For_a_practice_reads_its_zone_country_window_and_closed_dates()
    {
        var practice = PracticeDefaults.NewPractice("p1", "Cabinet") with
        {
            TimeZone = "America/Montreal",
            Country = "CA",
            SendWindow = Window("09:00", "17:00"),
            ClosedDates = [D("2026-03-09")],
        };
        var calendar = PracticeCalendar.For(practice);
        Assert.Equal("America/Montreal", calendar.TimeZone);
        NextIs(calendar, "2026-03-06T22:30:00Z", "2026-03-10T13:00:00Z");
    }

    // Validation.

    public static TheoryData<string, SendWindow> InvalidWindows => new()
    {
        { "start equal to end", Window("10:00", "10:00") },
        { "start after end", Window("18:00", "09:00") },
        { "no day at all", Window("09:30", "17:30", []) },
        { "a day that is not a day of the week", Window("09:30", "17:30", [(DayOfWeek)7]) },
        { "seconds in a time", Window("09:30", "17:30") with { Start = new TimeOnly(9, 30, 15) } },
    };

    [Theory]
    [MemberData(nameof(InvalidWindows))]
    public void Refuses_an_invalid_window(string what, SendWindow window)
    {
        Assert.NotEmpty(what);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => SendWindows.Validate(window)).Code);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => NewCalendar(window: window)).Code);
    }

    [Fact]
    public void Accepts_a_valid_window() => SendWindows.Validate(Window("00:00", "23:59", [DayOfWeek.Monday]));

    [Theory]
    [InlineData("Mars/Olympus_Mons", "FR")]
    [InlineData("", "FR")]
    [InlineData("Europe/Paris", "DE")]
    [InlineData("Europe/Paris", "fr")]
    public void Refuses_an_unknown_zone_or_a_country_without_holidays(string zone, string country) =>
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => NewCalendar(zone, country)).Code);

    [Theory]
    [InlineData("09:30", true)]
    [InlineData("00:00", true)]
    [InlineData("23:59", true)]
    [InlineData("9:30", false)] // no leading zero
    [InlineData("24:00", false)]
    [InlineData("09:60", false)]
    [InlineData("09:30:00", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Window_times_on_the_wire_are_exactly_HH_mm(string? text, bool valid)
    {
        Assert.Equal(valid, SendWindows.TryParseTime(text, out var time));
        if (valid) Assert.Equal(text, SendWindows.FormatTime(time));
    }
}
