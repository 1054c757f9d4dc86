using Reengage.Core.Calendar;

namespace Reengage.Core.Tests.Calendar;

/// <summary>Every expected date here was written by hand from the countries' official calendars, not computed.</summary>
public sealed class PublicHolidaysTests
{
    private static string[] Dates(string country, int year) =>
        [.. PublicHolidays.For(country, year).Select(h => h.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))];

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1818, "1818-03-22")] // earliest possible date
    [InlineData(1943, "1943-04-25")] // latest possible date
    [InlineData(2000, "2000-04-23")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2028, "2028-04-16")]
    [InlineData(2029, "2029-04-01")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2285, "2285-03-22")]
    public void Easter_sunday(int year, string expected) => Assert.Equal(D(expected), PublicHolidays.EasterSunday(year));

    [Theory]
    [InlineData(1500)]
    [InlineData(10000)]
    public void Years_outside_the_Gregorian_calendar_are_refused(int year)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PublicHolidays.EasterSunday(year));
        Assert.Throws<ArgumentOutOfRangeException>(() => PublicHolidays.For("FR", year));
    }

    public static TheoryData<string, int, string[]> Official => new()
    {
        // France. Easter Monday = Easter + 1, Ascension = + 39, Whit Monday = + 50, counted by hand:
        // 2026: Easter 5 Apr -> 6 Apr, 14 May, 25 May. 2027: 28 Mar -> 29 Mar, 6 May, 17 May. 2028: 16 Apr -> 17 Apr, 25 May, 5 Jun.
        { "FR", 2026, ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"] },
        { "FR", 2027, ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"] },
        { "FR", 2028, ["2028-01-01", "2028-04-17", "2028-05-01", "2028-05-08", "2028-05-25", "2028-06-05", "2028-07-14", "2028-08-15", "2028-11-01", "2028-11-11", "2028-12-25"] },
        // Belgium: no 8 May, no Good Friday, national day 21 July, Armistice 11 November; no substitutes.
        { "BE", 2026, ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-07-21", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"] },
        { "BE", 2027, ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-17", "2027-07-21", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"] },
        { "BE", 2028, ["2028-01-01", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05", "2028-07-21", "2028-08-15", "2028-11-01", "2028-11-11", "2028-12-25"] },
        // Luxembourg: Europe Day 9 May, national day 23 June, 26 December; no substitutes.
        { "LU", 2026, ["2026-01-01", "2026-04-06", "2026-05-01", "2026-05-09", "2026-05-14", "2026-05-25", "2026-06-23", "2026-08-15", "2026-11-01", "2026-12-25", "2026-12-26"] },
        { "LU", 2027, ["2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-09", "2027-05-17", "2027-06-23", "2027-08-15", "2027-11-01", "2027-12-25", "2027-12-26"] },
        { "LU", 2028, ["2028-01-01", "2028-04-17", "2028-05-01", "2028-05-09", "2028-05-25", "2028-06-05", "2028-06-23", "2028-08-15", "2028-11-01", "2028-12-25", "2028-12-26"] },
        // Switzerland, the set common to the cantons: Good Friday, Easter Monday, Ascension, Whit Monday, 1 August, 25-26 December.
        { "CH", 2026, ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2026-08-01", "2026-12-25", "2026-12-26"] },
        { "CH", 2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17", "2027-08-01", "2027-12-25", "2027-12-26"] },
        { "CH", 2028, ["2028-01-01", "2028-04-14", "2028-04-17", "2028-05-25", "2028-06-05", "2028-08-01", "2028-12-25", "2028-12-26"] },
        // England and Wales (gov.uk). 2026: Boxing Day on a Saturday -> Monday 28. 2027: Christmas Saturday, Boxing
        // Day Sunday -> 27 and 28. 2028: 1 January a Saturday -> Monday 3 January.
        { "GB", 2026, ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"] },
        { "GB", 2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"] },
        { "GB", 2028, ["2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26"] },
        // Ireland (citizensinformation.ie): Saint Brigid's Day on the first Monday of February; weekend days observed on the next weekday.
        { "IE", 2026, ["2026-01-01", "2026-02-02", "2026-03-17", "2026-04-06", "2026-05-04", "2026-06-01", "2026-08-03", "2026-10-26", "2026-12-25", "2026-12-28"] },
        { "IE", 2027, ["2027-01-01", "2027-02-01", "2027-03-17", "2027-03-29", "2027-05-03", "2027-06-07", "2027-08-02", "2027-10-25", "2027-12-27", "2027-12-28"] },
        { "IE", 2028, ["2028-01-03", "2028-02-07", "2028-03-17", "2028-04-17", "2028-05-01", "2028-06-05", "2028-08-07", "2028-10-30", "2028-12-25", "2028-12-26"] },
        // Canada, federal general holidays (canada.ca). 2028: Canada Day, 30 September and Remembrance Day on Saturdays move to Monday.
        { "CA", 2026, ["2026-01-01", "2026-04-03", "2026-05-18", "2026-07-01", "2026-09-07", "2026-09-30", "2026-10-12", "2026-11-11", "2026-12-25", "2026-12-28"] },
        { "CA", 2027, ["2027-01-01", "2027-03-26", "2027-05-24", "2027-07-01", "2027-09-06", "2027-09-30", "2027-10-11", "2027-11-11", "2027-12-27", "2027-12-28"] },
        { "CA", 2028, ["2028-01-03", "2028-04-14", "2028-05-22", "2028-07-03", "2028-09-04", "2028-10-02", "2028-10-09", "2028-11-13", "2028-12-25", "2028-12-26"] },
    };

    [Theory]
    [MemberData(nameof(Official))]
    public void Holidays_of_2026_to_2028_match_the_official_calendars_in_date_order(string country, int year, string[] expected) =>
        Assert.Equal(expected, Dates(country, year));

    [Fact]
    public void France_names_the_movable_feasts()
    {
        var byDate = PublicHolidays.For("FR", 2027).ToDictionary(h => h.Date, h => h.Name);
        Assert.Equal("Lundi de Pâques", byDate[D("2027-03-29")]);
        Assert.Equal("Ascension", byDate[D("2027-05-06")]);
        Assert.Equal("Lundi de Pentecôte", byDate[D("2027-05-17")]);
        Assert.Equal("Jour de l'an", PublicHolidays.HolidayOn("FR", D("2027-01-01"))?.Name);
        Assert.Null(PublicHolidays.HolidayOn("FR", D("2027-01-04")));
    }

    [Theory]
    [InlineData("FR", "2027-03-29", true)]
    [InlineData("FR", "2026-07-14", true)]
    [InlineData("FR", "2026-04-05", false)] // Easter Sunday itself is not listed
    [InlineData("FR", "2026-04-03", false)] // Good Friday: Alsace-Moselle only
    [InlineData("FR", "2026-12-26", false)]
    [InlineData("FR", "2026-07-15", false)]
    [InlineData("FR", "2026-11-01", true)] // a Sunday; France has no substitute day
    [InlineData("FR", "2026-11-02", false)]
    [InlineData("BE", "2026-05-08", false)]
    [InlineData("BE", "2026-04-03", false)]
    [InlineData("LU", "2026-06-23", true)]
    [InlineData("LU", "2026-12-26", true)]
    [InlineData("LU", "2026-05-09", true)]
    [InlineData("LU", "2018-05-09", false)] // Europe Day only since 2019
    [InlineData("CH", "2027-01-02", false)] // Berchtoldstag: cantonal
    [InlineData("GB", "2027-12-25", false)] // a Saturday: observed on Monday 27
    [InlineData("GB", "2020-05-08", true)] // early May holiday moved for VE Day
    [InlineData("GB", "2020-05-04", false)]
    [InlineData("GB", "2023-05-08", true)] // coronation
    [InlineData("IE", "2030-02-01", true)] // Saint Brigid's Day on a Friday stays
    [InlineData("IE", "2030-02-04", false)]
    [InlineData("IE", "2029-03-19", true)] // Saint Patrick's Day on a Saturday moves to Monday
    [InlineData("CA", "2026-06-24", false)] // Fête nationale du Québec: provincial
    public void Is_public_holiday(string country, string date, bool expected) =>
        Assert.Equal(expected, PublicHolidays.IsPublicHoliday(country, D(date)));

    [Fact]
    public void Luxembourg_has_eleven_holidays_since_Europe_Day()
    {
        Assert.Equal(11, PublicHolidays.For("LU", 2026).Count);
        Assert.Equal(10, PublicHolidays.For("LU", 2018).Count);
    }

    [Fact]
    public void Great_Britain_2022_new_year_substitute_moved_spring_holiday_jubilee_funeral_and_christmas_on_a_sunday() =>
        Assert.Equal(
            ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"],
            Dates("GB", 2022));

    [Fact]
    public void Substitute_days_say_so()
    {
        Assert.Equal("Boxing Day (substitute day)", PublicHolidays.HolidayOn("GB", D("2026-12-28"))?.Name);
        Assert.Equal("Christmas Day (substitute day)", PublicHolidays.HolidayOn("GB", D("2027-12-27"))?.Name);
    }

    [Fact]
    public void The_list_cannot_be_changed_by_a_caller()
    {
        var list = (IList<PublicHoliday>)PublicHolidays.For("FR", 2026);
        Assert.Throws<NotSupportedException>(() => list[0] = new PublicHoliday(D("2026-06-01"), "changed"));
        Assert.Equal(new PublicHoliday(D("2026-01-01"), "Jour de l'an"), PublicHolidays.For("FR", 2026)[0]);
    }

    [Fact]
    public void Lists_the_supported_countries() =>
        Assert.Equal(["BE", "CA", "CH", "FR", "GB", "IE", "LU"], PublicHolidays.SupportedCountries.Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("DE")]
    [InlineData("fr")]
    [InlineData("")]
    public void An_unknown_country_is_invalid_input(string country)
    {
        var error = Assert.Throws<ReengageException>(() => PublicHolidays.IsPublicHoliday(country, D("2026-01-01")));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.False(error.Retryable);
        var listing = Assert.Throws<ReengageException>(() => PublicHolidays.For(country, 2026));
        Assert.Contains("not known", listing.Message, StringComparison.Ordinal);
        Assert.False(PublicHolidays.IsSupported(country));
    }
}
