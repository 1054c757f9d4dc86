using Reengage.Core.Model;
using Reengage.Core.Report;

namespace Reengage.Core.Tests.Report;

public sealed class ReportQueryTests
{
    private static readonly DateOnly June15 = new(2027, 6, 15);

    private static ReportQueryParse Parse(params (string Name, string Value)[] parameters) => ParseOn(June15, parameters);

    private static ReportQueryParse ParseOn(DateOnly today, params (string Name, string Value)[] parameters) =>
        ReportQuery.Parse(name => parameters.Where(p => p.Name == name).Select(p => p.Value).FirstOrDefault(), today);

    private static IEnumerable<string> Fields(ReportQueryParse parsed)
    {
        Assert.Null(parsed.Query);
        return parsed.Problems.Select(p => p.Field);
    }

    [Fact]
    public void Defaults_are_the_90_days_ending_today_by_template_in_English()
    {
        // today 15 June -> to = 16 June (exclusive); 16 June - 90 days: -30 = 17 May, -60 = 17 April, -90 = 18 March.
        var parsed = Parse();
        Assert.Equal(new ReportQuery(new(2027, 3, 18), new(2027, 6, 16), ReportGroupBy.Template, Locale.En), parsed.Query);
        Assert.Empty(parsed.Problems);
    }

    [Fact]
    public void Empty_values_count_as_absent()
    {
        var parsed = Parse(("from", ""), ("to", ""), ("groupBy", ""), ("lang", ""));
        Assert.Equal(new ReportQuery(new(2027, 3, 18), new(2027, 6, 16), ReportGroupBy.Template, Locale.En), parsed.Query);
    }

    [Fact]
    public void An_explicit_period_grouping_and_language_are_taken_and_the_function_key_parameter_ignored()
    {
        var parsed = Parse(("from", "2027-01-01"), ("to", "2027-04-01"), ("groupBy", "month"), ("lang", "fr"), ("code", "xyz"));
        Assert.Equal(new ReportQuery(new(2027, 1, 1), new(2027, 4, 1), ReportGroupBy.Month, Locale.Fr), parsed.Query);
    }

    [Fact]
    public void Every_bad_parameter_is_named_at_once()
    {
        var parsed = Parse(("from", "2027-02-30"), ("to", "2027-04-01"), ("groupBy", "week"), ("lang", "de"));
        Assert.Equal(["from", "groupBy", "lang"], Fields(parsed));
        Assert.Equal(
            [
                new FieldProblem("from", "must be a date yyyy-MM-dd (practice-local)"),
                new FieldProblem("groupBy", "must be one of: template, therapist, month"),
                new FieldProblem("lang", "must be one of: en, fr"),
            ],
            parsed.Problems);
    }

    [Theory]
    [InlineData("2027-1-05")]
    [InlineData("05/01/2027")]
    [InlineData("2027-01-05T00:00:00Z")]
    [InlineData("tomorrow")]
    [InlineData("２０２７-01-05")]
    [InlineData("2027-13-01")]
    public void A_date_written_otherwise_is_refused(string from) =>
        Assert.Equal(["from"], Fields(Parse(("from", from), ("to", "2027-04-01"))));

    [Theory]
    [InlineData("Month")]
    [InlineData("TEMPLATE")]
    [InlineData("year")]
    public void GroupBy_is_one_of_the_three_names_exactly(string groupBy) =>
        Assert.Equal(["groupBy"], Fields(Parse(("groupBy", groupBy))));

    [Fact]
    public void From_must_be_before_to_which_is_exclusive()
    {
        Assert.Equal(["to"], Fields(Parse(("from", "2027-03-01"), ("to", "2027-03-01"))));
        Assert.Equal(["to"], Fields(Parse(("from", "2027-04-01"), ("to", "2027-01-01"))));
        Assert.Equal(
            "`from` must be before `to` (`to` is exclusive)",
            Parse(("from", "2027-04-01"), ("to", "2027-01-01")).Problems.Single().Message);
    }

    [Fact]
    public void From_is_blamed_when_only_from_is_given_and_it_is_after_today() =>
        Assert.Equal(["from"], Fields(Parse(("from", "2027-07-01"))));

    [Fact]
    public void Exactly_three_years_are_allowed_not_a_day_more()
    {
        Assert.NotNull(Parse(("from", "2024-01-01"), ("to", "2027-01-01")).Query);
        var parsed = Parse(("from", "2024-01-01"), ("to", "2027-01-02"));
        Assert.Equal(["to"], Fields(parsed));
        Assert.Equal("the period may span at most 3 years", parsed.Problems.Single().Message);
    }

    [Fact]
    public void The_ends_of_the_calendar_are_refused_or_taken_never_an_exception()
    {
        Assert.Equal(["from"], Fields(Parse(("from", "9999-12-31"))));
        Assert.Equal(["to"], Fields(Parse(("to", "0001-01-01"))));
        Assert.Equal(new DateOnly(1, 1, 1), Parse(("to", "0001-02-01")).Query!.From);
        Assert.Equal(new DateOnly(9999, 12, 31), Parse(("from", "9998-01-01"), ("to", "9999-12-31")).Query!.To);
    }

    [Fact]
    public void Only_to_given_starts_90_days_before_it()
    {
        var parsed = Parse(("to", "2027-04-01"));
        Assert.Equal(new DateOnly(2027, 1, 1), parsed.Query!.From);
    }
}
