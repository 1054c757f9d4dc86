using Reengage.Core.Model;

namespace Reengage.Core.Tests;

public sealed class WordingTests
{
    // Day counts below are worked out on a calendar from this instant (2027 is not a leap year).
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2027-03-01T09:00:00Z", "quelques jours", "a few days")] // 0 days
    [InlineData("2027-02-20T00:00:00Z", "quelques jours", "a few days")] // 9
    [InlineData("2027-02-15T10:00:01Z", "quelques jours", "a few days")] // 13 and a bit
    [InlineData("2027-02-15T10:00:00Z", "quelques semaines", "a few weeks")] // 14
    [InlineData("2027-01-30T10:00:00Z", "quelques semaines", "a few weeks")] // 30
    [InlineData("2027-01-16T10:00:00Z", "quelques semaines", "a few weeks")] // 44
    [InlineData("2027-01-15T10:00:00Z", "environ deux mois", "about two months")] // 45
    [InlineData("2026-12-31T00:00:00Z", "environ deux mois", "about two months")] // 60
    [InlineData("2026-12-01T00:00:00Z", "environ trois mois", "about three months")] // 90
    [InlineData("2026-11-01T00:00:00Z", "plusieurs mois", "several months")] // 120
    [InlineData("2026-03-01T00:00:00Z", "environ un an", "about a year")] // 365
    [InlineData("2025-03-01T00:00:00Z", "plus d’un an", "more than a year")] // 730
    public void Says_how_long_it_has_been_the_way_a_person_would(string lastVisitAt, string fr, string en)
    {
        var visit = DateTimeOffset.Parse(lastVisitAt, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(fr, Wording.SinceLastVisit(visit, Now, Locale.Fr));
        Assert.Equal(en, Wording.SinceLastVisit(visit, Now, Locale.En));
    }

    [Fact]
    public void Reads_an_instant_with_an_offset_as_the_same_moment()
    {
        // 11:00+01:00 is 10:00Z, exactly 30 days before Now; 45 days would be "about two months".
        Assert.Equal("a few weeks", Wording.SinceLastVisit(new DateTimeOffset(2027, 1, 30, 11, 0, 0, TimeSpan.FromHours(1)), Now, Locale.En));
        Assert.Equal("about two months", Wording.SinceLastVisit(new DateTimeOffset(2027, 1, 15, 11, 0, 0, TimeSpan.FromHours(1)), Now, Locale.En));
    }

    [Fact]
    public void Is_null_when_the_last_visit_is_unknown_or_in_the_future()
    {
        Assert.Null(Wording.SinceLastVisit(null, Now, Locale.Fr));
        Assert.Null(Wording.SinceLastVisit(Now.AddDays(4), Now, Locale.Fr));
        Assert.Null(Wording.SinceLastVisit(Now.AddSeconds(1), Now, Locale.En));
    }
}
