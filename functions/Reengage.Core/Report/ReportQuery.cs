// The report's query parameters (from, to, groupBy, lang): defaults, and every bad one named at once.
using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Core.Report;

public enum ReportGroupBy
{
    [WireName("template")] Template,
    [WireName("therapist")] Therapist,
    [WireName("month")] Month,
}

/// <summary>A period of practice-local days, <see cref="From"/> inclusive, <see cref="To"/> exclusive.</summary>
public sealed record ReportQuery(DateOnly From, DateOnly To, ReportGroupBy GroupBy, Locale Language)
{
    public const int DefaultDays = 90;
    public const int MaxSpanYears = 3;

    private const string DateHint = "must be a date yyyy-MM-dd (practice-local)";

    /// <summary>
    /// Reads <c>from</c>, <c>to</c>, <c>groupBy</c> and <c>lang</c> (an empty value counts as absent). Defaults: the 90
    /// days ending with <paramref name="today"/> (the practice's local date), grouped by template, in English.
    /// </summary>
    public static ReportQueryParse Parse(Func<string, string?> parameter, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var problems = new List<FieldProblem>();
        var fromGiven = Date("from");
        var toGiven = Date("to");

        var groupByRaw = parameter("groupBy");
        var groupBy = ReportGroupBy.Template;
        if (!string.IsNullOrEmpty(groupByRaw) && !Wire.TryParse(groupByRaw, out groupBy))
        {
            problems.Add(new FieldProblem("groupBy", $"must be one of: {string.Join(", ", Wire.Names<ReportGroupBy>())}"));
        }
        var langRaw = parameter("lang");
        var language = Locale.En;
        if (!string.IsNullOrEmpty(langRaw) && !Wire.TryParse(langRaw, out language))
        {
            problems.Add(new FieldProblem("lang", "must be one of: en, fr"));
        }

        if (fromGiven.Valid && toGiven.Valid)
        {
            var to = toGiven.Value ?? today.AddDays(1);
            // Clamped to the calendar's ends: the dates come from the caller, and no date may make a 500.
            var from = fromGiven.Value ?? DateOnly.FromDayNumber(Math.Max(0, to.DayNumber - DefaultDays));
            var latestTo = from.Year <= DateOnly.MaxValue.Year - MaxSpanYears ? from.AddYears(MaxSpanYears) : DateOnly.MaxValue;
            // The order and span problems belong to whichever bound the caller actually gave.
            var blamed = toGiven.Value is null ? "from" : "to";
            if (from >= to)
            {
                problems.Add(new FieldProblem(blamed, "`from` must be before `to` (`to` is exclusive)"));
            }
            else if (to > latestTo)
            {
                problems.Add(new FieldProblem(blamed, $"the period may span at most {MaxSpanYears} years"));
            }
            if (problems.Count == 0) return new ReportQueryParse(new ReportQuery(from, to, groupBy, language), []);
        }
        return new ReportQueryParse(null, problems);

        (bool Valid, DateOnly? Value) Date(string name)
        {
            var raw = parameter(name);
            if (string.IsNullOrEmpty(raw)) return (true, null);
            // ParseExact alone would accept other digits than 0-9 in some cultures' sense: the pattern is checked first.
            if (raw.Length == 10 && raw.All(c => c is (>= '0' and <= '9') or '-')
                && DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return (true, date);
            }
            problems.Add(new FieldProblem(name, DateHint));
            return (false, null);
        }
    }
}

/// <summary>The query, or (when <see cref="Query"/> is null) the problems naming each bad parameter.</summary>
public sealed record ReportQueryParse(ReportQuery? Query, IReadOnlyList<FieldProblem> Problems);
