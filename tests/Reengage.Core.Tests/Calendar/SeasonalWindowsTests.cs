using Reengage.Core.Calendar;
using Reengage.Core.Model;
using static Reengage.Core.Tests.Calendar.CalendarFixtures;

namespace Reengage.Core.Tests.Calendar;

public sealed class SeasonalWindowsTests
{
    private static readonly PracticeCalendar Paris = NewCalendar();
    private static readonly IReadOnlyList<SeasonalWindow> Defaults = SeasonalWindows.DefaultsFor(Locale.Fr);

    private static SeasonalWindow ById(SeasonalWindowId id) => Defaults.Single(w => w.Id == id);

    private static SeasonalWindow Edited(SeasonalWindowId id, int month, int day, int length) =>
        new() { Id = id, StartMonth = month, StartDay = day, LengthInDays = length, Enabled = true };

    [Fact]
    public void Defaults_open_new_year_on_5_January_spring_on_1_April_and_the_rentree_on_8_September_for_14_days()
    {
        SeasonalWindow[] expected =
        [
            new() { Id = SeasonalWindowId.NewYear, StartMonth = 1, StartDay = 5, LengthInDays = 14, Enabled = true },
            new() { Id = SeasonalWindowId.Spring, StartMonth = 4, StartDay = 1, LengthInDays = 14, Enabled = true },
            new() { Id = SeasonalWindowId.Rentree, StartMonth = 9, StartDay = 8, LengthInDays = 14, Enabled = true },
        ];
        Assert.Equal(expected, SeasonalWindows.DefaultsFor(Locale.Fr));
        Assert.Equal(expected, SeasonalWindows.DefaultsFor(Locale.En));
        Assert.Equal(["01-05", "04-01", "09-08"], Defaults.Select(SeasonalWindows.FormatStart));
    }

    [Theory]
    [InlineData(SeasonalWindowId.NewYear, Locale.Fr, "Nouvelle année")]
    [InlineData(SeasonalWindowId.Rentree, Locale.Fr, "Rentrée")]
    [InlineData(SeasonalWindowId.NewYear, Locale.En, "New year")]
    public void Names_the_windows_in_each_locale(SeasonalWindowId id, Locale locale, string label) =>
        Assert.Equal(label, SeasonalWindows.Label(id, locale));

    [Theory]
    [InlineData(2027, SeasonalWindowId.NewYear, "2027:new-year")]
    [InlineData(2026, SeasonalWindowId.Rentree, "2026:rentree")]
    [InlineData(2029, SeasonalWindowId.Spring, "2029:spring")]
    public void Keys_name_the_year_and_the_window(int year, SeasonalWindowId id, string key) => Assert.Equal(key, SeasonalWindows.KeyOf(year, id));

    // Opening day.

    [Theory]
    [InlineData(SeasonalWindowId.NewYear, 2027, "2027-01-05")] // a Tuesday
    [InlineData(SeasonalWindowId.NewYear, 2026, "2026-01-05")] // a Monday
    [InlineData(SeasonalWindowId.NewYear, 2030, "2030-01-07")] // 5 January a Saturday -> Monday 7
    [InlineData(SeasonalWindowId.Rentree, 2026, "2026-09-08")] // a Tuesday
    [InlineData(SeasonalWindowId.Rentree, 2029, "2029-09-10")] // a Saturday -> Monday 10
    [InlineData(SeasonalWindowId.Spring, 2024, "2024-04-02")] // 1 April 2024 was Easter Monday
    [InlineData(SeasonalWindowId.Spring, 2029, "2029-04-03")] // Easter Sunday, then Easter Monday -> Tuesday 3
    public void A_window_opens_on_the_first_working_day_on_or_after_its_start(SeasonalWindowId id, int year, string expected) =>
        Assert.Equal(D(expected), SeasonalWindows.OpeningDay(ById(id), year, Paris));

    [Fact]
    public void The_practices_closed_dates_push_it_too()
    {
        var closed = NewCalendar(closed: [D("2027-01-05"), D("2027-01-06")]);
        Assert.Equal(D("2027-01-07"), SeasonalWindows.OpeningDay(ById(SeasonalWindowId.NewYear), 2027, closed));
    }

    [Fact]
    public void Uses_the_practices_country()
    {
        // Easter Monday is off in Switzerland, not a federal holiday in Canada.
        Assert.Equal(D("2024-04-02"), SeasonalWindows.OpeningDay(ById(SeasonalWindowId.Spring), 2024, NewCalendar("Europe/Zurich", "CH")));
        Assert.Equal(D("2024-04-01"), SeasonalWindows.OpeningDay(ById(SeasonalWindowId.Spring), 2024, NewCalendar("America/Montreal", "CA")));
    }

    [Fact]
    public void The_29th_of_February_opens_on_1_March_in_a_common_year()
    {
        var leap = Edited(SeasonalWindowId.Spring, 2, 29, 7);
        Assert.Equal(D("2028-02-29"), SeasonalWindows.OpeningDay(leap, 2028, Paris)); // a Tuesday
        Assert.Equal(D("2027-03-01"), SeasonalWindows.OpeningDay(leap, 2027, Paris)); // a Monday
    }

    // The window open on a date.

    [Theory]
    [InlineData("2027-01-05T05:00:00Z")]
    [InlineData("2027-01-04T23:30:00Z")] // already 00:30 on 5 January in Paris
    [InlineData("2027-01-18T22:59:00Z")] // 23:59 in Paris: the last minute of the window
    public void New_year_is_open_from_its_first_to_its_fourteenth_day_in_local_time(string now) =>
        Assert.Equal(
            new ActiveSeasonalWindow(SeasonalWindowId.NewYear, "2027:new-year", D("2027-01-05"), D("2027-01-18")),
            SeasonalWindows.OpenOn(Defaults, Paris, At(now)));

    [Theory]
    [InlineData("2027-01-04T22:59:00Z")]
    [InlineData("2027-01-18T23:00:00Z")]
    [InlineData("2027-06-15T10:00:00Z")]
    public void No_window_is_open_before_or_after(string now) => Assert.Null(SeasonalWindows.OpenOn(Defaults, Paris, At(now)));

    [Fact]
    public void Follows_a_start_pushed_by_holidays()
    {
        Assert.Null(SeasonalWindows.OpenOn(Defaults, Paris, At("2029-04-02T10:00:00Z")));
        Assert.Equal(
            new ActiveSeasonalWindow(SeasonalWindowId.Spring, "2029:spring", D("2029-04-03"), D("2029-04-16")),
            SeasonalWindows.OpenOn(Defaults, Paris, At("2029-04-03T10:00:00Z")));
    }

    [Fact]
    public void Ignores_disabled_windows()
    {
        var disabled = Defaults.Select(w => w with { Enabled = w.Id != SeasonalWindowId.NewYear });
        Assert.Null(SeasonalWindows.OpenOn(disabled, Paris, At("2027-01-05T10:00:00Z")));
    }

    [Fact]
    public void Keeps_last_years_key_for_a_window_that_runs_into_January()
    {
        // Monday 28 December 2026 + 13 days = Sunday 10 January 2027.
        SeasonalWindow[] late = [Edited(SeasonalWindowId.NewYear, 12, 28, 14)];
        Assert.Equal(
            new ActiveSeasonalWindow(SeasonalWindowId.NewYear, "2026:new-year", D("2026-12-28"), D("2027-01-10")),
            SeasonalWindows.OpenOn(late, Paris, At("2027-01-04T10:00:00Z")));
    }

    [Fact]
    public void The_window_that_opened_last_wins_when_edited_windows_overlap()
    {
        SeasonalWindow[] overlapping =
        [
            Edited(SeasonalWindowId.NewYear, 1, 5, 14),
            Edited(SeasonalWindowId.Spring, 1, 10, 3), // 10 January 2027 is a Sunday: opens Monday 11 January
        ];
        Assert.Equal(SeasonalWindowId.NewYear, SeasonalWindows.OpenOn(overlapping, Paris, At("2027-01-08T10:00:00Z"))?.Id);
        Assert.Equal("2027:spring", SeasonalWindows.OpenOn(overlapping, Paris, At("2027-01-11T10:00:00Z"))?.Key);
        Assert.Equal(SeasonalWindowId.NewYear, SeasonalWindows.OpenOn(overlapping, Paris, At("2027-01-14T10:00:00Z"))?.Id);
    }

    // Validation of edited windows.

    [Theory]
    [InlineData(13, 1, 14)] // a month 13
    [InlineData(0, 1, 14)]
    [InlineData(2, 30, 14)] // 30 February
    [InlineData(4, 31, 14)]
    [InlineData(1, 0, 14)]
    [InlineData(1, 5, 0)] // a zero length
    [InlineData(1, 5, 367)]
    public void Refuses_a_window_whose_start_or_length_makes_no_sense(int month, int day, int length)
    {
        var window = Edited(SeasonalWindowId.NewYear, month, day, length);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => SeasonalWindows.Validate(window)).Code);
        Assert.Equal(ErrorCode.InvalidConfiguration, Assert.Throws<ReengageException>(() => SeasonalWindows.OpeningDay(window, 2027, Paris)).Code);
    }

    [Fact]
    public void Accepts_the_29th_of_February_and_a_year_long_window() => SeasonalWindows.Validate(Edited(SeasonalWindowId.Spring, 2, 29, 366));

    [Theory]
    [InlineData("01-05", 1, 5)]
    [InlineData("02-29", 2, 29)]
    [InlineData("12-31", 12, 31)]
    public void Starts_on_the_wire_are_MM_dd(string text, int month, int day)
    {
        Assert.True(SeasonalWindows.TryParseStart(text, out var m, out var d));
        Assert.Equal((month, day), (m, d));
    }

    [Theory]
    [InlineData("13-01")]
    [InlineData("02-30")]
    [InlineData("2027-01-05")] // a full date
    [InlineData("1-05")]
    [InlineData("")]
    [InlineData(null)]
    public void Refuses_starts_that_are_not_MM_dd(string? text) => Assert.False(SeasonalWindows.TryParseStart(text, out _, out _));
}
