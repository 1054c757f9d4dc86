// Public holidays by country, computed for any year, so that nothing is sent on a day the patient is off.
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using NodaTime;

namespace Reengage.Core.Calendar;

/// <summary>A public holiday: the local date on which it is observed (the substitute day when it moved) and its name.</summary>
public sealed record PublicHoliday(DateOnly Date, string Name);

public static class PublicHolidays
{
    /// <summary>The Gregorian calendar (and so the computus) starts in 1583; 9999 is the last year of <see cref="DateOnly"/>.</summary>
    public const int MinYear = 1583;
    public const int MaxYear = 9999;

    /// <summary>ISO 3166 codes whose holidays are known: FR, BE, LU, CH, GB (England and Wales), IE, CA (federal).</summary>
    public static IReadOnlyList<string> SupportedCountries { get; } = ["FR", "BE", "LU", "CH", "GB", "IE", "CA"];

    private static readonly FrozenDictionary<string, Func<int, List<Rule>>> Rules =
        new Dictionary<string, Func<int, List<Rule>>>(StringComparer.Ordinal)
        {
            ["FR"] = France,
            ["BE"] = Belgium,
            ["LU"] = Luxembourg,
            ["CH"] = Switzerland,
            ["GB"] = GreatBritain,
            ["IE"] = Ireland,
            ["CA"] = Canada,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    // Holidays never change once computed; the calendars ask for the same few years over and over.
    private static readonly ConcurrentDictionary<(string Country, int Year), YearOfHolidays> Cache = new();

    /// <summary>Codes are exact: <c>FR</c>, not <c>fr</c>.</summary>
    public static bool IsSupported(string? country) => country is not null && Rules.ContainsKey(country);

    /// <summary>Easter Sunday by the Anonymous Gregorian computus (Meeus/Jones/Butcher): integer arithmetic, any Gregorian year.</summary>
    public static DateOnly EasterSunday(int year)
    {
        CheckYear(year);
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>The holidays observed in <paramref name="country"/> during <paramref name="year"/>, in date order.</summary>
    /// <exception cref="ReengageException"><see cref="ErrorCode.InvalidInput"/> for a country whose holidays are not known.</exception>
    public static IReadOnlyList<PublicHoliday> For(string country, int year) => YearOf(country, year).Holidays;

    public static bool IsPublicHoliday(string country, DateOnly date) => HolidayOn(country, date) is not null;

    /// <summary>The holiday observed on <paramref name="date"/>, or null on an ordinary day.</summary>
    public static PublicHoliday? HolidayOn(string country, DateOnly date) =>
        YearOf(country, date.Year).ByDate.GetValueOrDefault(date);

    private static YearOfHolidays YearOf(string country, int year)
    {
        if (!IsSupported(country))
        {
            throw new ReengageException(
                ErrorCode.InvalidInput,
                $"public holidays are not known for country \"{country}\" (supported: {string.Join(", ", SupportedCountries)})");
        }
        CheckYear(year);
        return Cache.GetOrAdd((country, year), static key =>
        {
            var holidays = Rules[key.Country](key.Year)
                .Select(r => new PublicHoliday(r.Date.ToDateOnly(), r.Name))
                .OrderBy(h => h.Date)
                .ToImmutableArray();
            // Two rules may name the same day (a jubilee on a bank holiday): the first, in date order, names it.
            var byDate = new Dictionary<DateOnly, PublicHoliday>();
            foreach (var holiday in holidays) byDate.TryAdd(holiday.Date, holiday);
            return new YearOfHolidays(holidays, byDate.ToFrozenDictionary());
        });
    }

    private static void CheckYear(int year)
    {
        if (year is < MinYear or > MaxYear)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, $"year must be between {MinYear} and {MaxYear}");
        }
    }

    private sealed record YearOfHolidays(ImmutableArray<PublicHoliday> Holidays, FrozenDictionary<DateOnly, PublicHoliday> ByDate);

    private sealed record Rule(LocalDate Date, string Name);

    private static LocalDate Date(int year, int month, int day) => new(year, month, day);

    private static LocalDate Easter(int year) => LocalDate.FromDateOnly(EasterSunday(year));

    /// <summary>The n-th (1-based) <paramref name="weekday"/> of a month.</summary>
    private static LocalDate NthWeekday(int year, int month, IsoDayOfWeek weekday, int n) =>
        Date(year, month, 1).With(DateAdjusters.NextOrSame(weekday)).PlusWeeks(n - 1);

    private static LocalDate LastWeekday(int year, int month, IsoDayOfWeek weekday) =>
        Date(year, month, 1).With(DateAdjusters.EndOfMonth).With(DateAdjusters.PreviousOrSame(weekday));

    private static bool IsWeekend(LocalDate day) => day.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday;

    /// <summary>
    /// Where a holiday that falls on a weekend is observed on the next weekday instead (GB, IE, CA), the substitute is
    /// the first weekday not already a holiday: that is how 25 and 26 December on a Saturday and Sunday become
    /// Monday 27 and Tuesday 28.
    /// </summary>
    private static List<Rule> WithSubstitutes(List<Rule> holidays, IReadOnlySet<string> movable)
    {
        var taken = holidays.Where(h => !IsWeekend(h.Date)).Select(h => h.Date).ToHashSet();
        var result = new List<Rule>();
        foreach (var holiday in holidays.OrderBy(h => h.Date))
        {
            if (!IsWeekend(holiday.Date) || !movable.Contains(holiday.Name))
            {
                result.Add(holiday);
                continue;
            }
            var day = holiday.Date;
            while (IsWeekend(day) || taken.Contains(day)) day = day.PlusDays(1);
            taken.Add(day);
            result.Add(new Rule(day, $"{holiday.Name} (substitute day)"));
        }
        return result;
    }

    // France: the eleven national holidays of the Code du travail (art. L3133-1). Alsace-Moselle's Good Friday and
    // 26 December are regional and not included. No substitute days.
    private static List<Rule> France(int year)
    {
        var e = Easter(year);
        return
        [
            new(Date(year, 1, 1), "Jour de l'an"),
            new(e.PlusDays(1), "Lundi de Pâques"),
            new(Date(year, 5, 1), "Fête du Travail"),
            new(Date(year, 5, 8), "Victoire 1945"),
            new(e.PlusDays(39), "Ascension"),
            new(e.PlusDays(50), "Lundi de Pentecôte"),
            new(Date(year, 7, 14), "Fête nationale"),
            new(Date(year, 8, 15), "Assomption"),
            new(Date(year, 11, 1), "Toussaint"),
            new(Date(year, 11, 11), "Armistice 1918"),
            new(Date(year, 12, 25), "Noël"),
        ];
    }

    // Belgium: the ten legal holidays. A holiday on a Sunday gives each employee a replacement day chosen at company
    // level, not a public one, so there are no substitutes here. Community holidays are not included.
    private static List<Rule> Belgium(int year)
    {
        var e = Easter(year);
        return
        [
            new(Date(year, 1, 1), "Nouvel An"),
            new(e.PlusDays(1), "Lundi de Pâques"),
            new(Date(year, 5, 1), "Fête du Travail"),
            new(e.PlusDays(39), "Ascension"),
            new(e.PlusDays(50), "Lundi de Pentecôte"),
            new(Date(year, 7, 21), "Fête nationale"),
            new(Date(year, 8, 15), "Assomption"),
            new(Date(year, 11, 1), "Toussaint"),
            new(Date(year, 11, 11), "Armistice"),
            new(Date(year, 12, 25), "Noël"),
        ];
    }

    // Luxembourg: the legal holidays; Europe Day (9 May) since 2019. Compensatory days for holidays on a Sunday are
    // taken individually, so there are no public substitutes.
    private static List<Rule> Luxembourg(int year)
    {
        var e = Easter(year);
        List<Rule> rules =
        [
            new(Date(year, 1, 1), "Nouvel An"),
            new(e.PlusDays(1), "Lundi de Pâques"),
            new(Date(year, 5, 1), "Fête du Travail"),
            new(e.PlusDays(39), "Ascension"),
            new(e.PlusDays(50), "Lundi de Pentecôte"),
            new(Date(year, 6, 23), "Fête nationale"),
            new(Date(year, 8, 15), "Assomption"),
            new(Date(year, 11, 1), "Toussaint"),
            new(Date(year, 12, 25), "Noël"),
            new(Date(year, 12, 26), "Saint-Étienne"),
        ];
        if (year >= 2019) rules.Add(new(Date(year, 5, 9), "Journée de l'Europe"));
        return rules;
    }

    // Switzerland: only 1 August is federal law; public holidays are set by each canton. This is the set common to
    // nearly all cantons. Cantonal days (2 January, Labour Day, Corpus Christi, the Jeûne genevois/fédéral, Saint
    // Joseph, ...) are NOT included; Good Friday is, though Ticino and Valais do not observe it: a day without a send
    // there costs less than a send on a holiday elsewhere.
    private static List<Rule> Switzerland(int year)
    {
        var e = Easter(year);
        return
        [
            new(Date(year, 1, 1), "Nouvel An"),
            new(e.PlusDays(-2), "Vendredi saint"),
            new(e.PlusDays(1), "Lundi de Pâques"),
            new(e.PlusDays(39), "Ascension"),
            new(e.PlusDays(50), "Lundi de Pentecôte"),
            new(Date(year, 8, 1), "Fête nationale"),
            new(Date(year, 12, 25), "Noël"),
            new(Date(year, 12, 26), "Saint-Étienne"),
        ];
    }

    // Bank holidays moved or added by royal proclamation; future ones need an entry here.
    private static readonly FrozenDictionary<LocalDate, LocalDate> GbMoved = new Dictionary<LocalDate, LocalDate>
    {
        [Date(1995, 5, 1)] = Date(1995, 5, 8),
        [Date(2002, 5, 27)] = Date(2002, 6, 4),
        [Date(2012, 5, 28)] = Date(2012, 6, 4),
        [Date(2020, 5, 4)] = Date(2020, 5, 8),
        [Date(2022, 5, 30)] = Date(2022, 6, 2),
    }.ToFrozenDictionary();

    private static readonly ImmutableArray<Rule> GbExtra =
    [
        new(Date(1999, 12, 31), "Millennium Celebrations"),
        new(Date(2002, 6, 3), "Golden Jubilee"),
        new(Date(2011, 4, 29), "Royal Wedding"),
        new(Date(2012, 6, 5), "Diamond Jubilee"),
        new(Date(2022, 6, 3), "Platinum Jubilee"),
        new(Date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        new(Date(2023, 5, 8), "Coronation of King Charles III"),
    ];

    // United Kingdom: England and Wales bank holidays (Scotland and Northern Ireland differ and are not included), with
    // substitute days for New Year, Christmas and Boxing Day.
    private static List<Rule> GreatBritain(int year)
    {
        var e = Easter(year);
        LocalDate Moved(LocalDate day) => GbMoved.GetValueOrDefault(day, day);
        List<Rule> rules =
        [
            new(Date(year, 1, 1), "New Year's Day"),
            new(e.PlusDays(-2), "Good Friday"),
            new(e.PlusDays(1), "Easter Monday"),
            new(Moved(NthWeekday(year, 5, IsoDayOfWeek.Monday, 1)), "Early May bank holiday"),
            new(Moved(LastWeekday(year, 5, IsoDayOfWeek.Monday)), "Spring bank holiday"),
            new(LastWeekday(year, 8, IsoDayOfWeek.Monday), "Summer bank holiday"),
            new(Date(year, 12, 25), "Christmas Day"),
            new(Date(year, 12, 26), "Boxing Day"),
            .. GbExtra.Where(h => h.Date.Year == year),
        ];
        return WithSubstitutes(rules, new HashSet<string>(["New Year's Day", "Christmas Day", "Boxing Day"]));
    }

    // Ireland: the public holidays of the Organisation of Working Time Act. The law gives no Monday off when one falls
    // on a weekend, but banks, schools and most employers observe the next weekday, so do we.
    private static List<Rule> Ireland(int year)
    {
        var e = Easter(year);
        List<Rule> rules =
        [
            new(Date(year, 1, 1), "New Year's Day"),
            new(Date(year, 3, 17), "Saint Patrick's Day"),
            new(e.PlusDays(1), "Easter Monday"),
            new(NthWeekday(year, 5, IsoDayOfWeek.Monday, 1), "May bank holiday"),
            new(NthWeekday(year, 6, IsoDayOfWeek.Monday, 1), "June bank holiday"),
            new(NthWeekday(year, 8, IsoDayOfWeek.Monday, 1), "August bank holiday"),
            new(LastWeekday(year, 10, IsoDayOfWeek.Monday), "October bank holiday"),
            new(Date(year, 12, 25), "Christmas Day"),
            new(Date(year, 12, 26), "Saint Stephen's Day"),
        ];
        if (year >= 2023)
        {
            // The first Monday of February, or 1 February itself when that is a Friday.
            var first = Date(year, 2, 1);
            var brigid = first.DayOfWeek == IsoDayOfWeek.Friday ? first : NthWeekday(year, 2, IsoDayOfWeek.Monday, 1);
            rules.Add(new(brigid, "Saint Brigid's Day"));
        }
        if (year == 2022) rules.Add(new(Date(2022, 3, 18), "Day of Remembrance and Recognition"));
        return WithSubstitutes(
            rules,
            new HashSet<string>(["New Year's Day", "Saint Patrick's Day", "Christmas Day", "Saint Stephen's Day"]));
    }

    // Canada: the federal general holidays of the Canada Labour Code (s. 166). Provincial holidays (Fête nationale du
    // Québec, Family Day, Civic Holiday, ...) are NOT included.
    private static List<Rule> Canada(int year)
    {
        var e = Easter(year);
        List<Rule> rules =
        [
            new(Date(year, 1, 1), "New Year's Day"),
            new(e.PlusDays(-2), "Good Friday"),
            // The Monday before 25 May.
            new(Date(year, 5, 24).With(DateAdjusters.PreviousOrSame(IsoDayOfWeek.Monday)), "Victoria Day"),
            new(Date(year, 7, 1), "Canada Day"),
            new(NthWeekday(year, 9, IsoDayOfWeek.Monday, 1), "Labour Day"),
            new(NthWeekday(year, 10, IsoDayOfWeek.Monday, 2), "Thanksgiving"),
            new(Date(year, 11, 11), "Remembrance Day"),
            new(Date(year, 12, 25), "Christmas Day"),
            new(Date(year, 12, 26), "Boxing Day"),
        ];
        if (year >= 2021) rules.Add(new(Date(year, 9, 30), "National Day for Truth and Reconciliation"));
        return WithSubstitutes(
            rules,
            new HashSet<string>([
                "New Year's Day",
                "Canada Day",
                "National Day for Truth and Reconciliation",
                "Remembrance Day",
                "Christmas Day",
                "Boxing Day",
            ]));
    }
}
