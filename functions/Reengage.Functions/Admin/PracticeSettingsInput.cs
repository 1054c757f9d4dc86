// The body of PUT practices/{practiceId}: every settable field optional (what is given replaces the stored value),
// unknown fields refused so that a misspelt one is not lost, the GET answer's read-only fields accepted and ignored.
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using Reengage.Core;
using Reengage.Core.Calendar;
using Reengage.Core.Model;

namespace Reengage.Functions.Admin;

public sealed partial record PracticeSettingsInput
{
    public static BodyShape SendWindowShape { get; } = new("SendWindow", "must be an object {days, start, end}",
    [
        new FieldRule("days", FieldKind.Array)
        {
            Required = true, MinItems = 1, MaxItems = 7, UniqueItems = true, Items = FieldRule.Whole("", 1, 7),
            Description = "ISO weekdays, 1 = Monday ... 7 = Sunday, each once.",
        },
        new FieldRule("start", FieldKind.String) { Required = true, Pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", Description = "Practice-local HH:mm, before end." },
        new FieldRule("end", FieldKind.String) { Required = true, Pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", Description = "Practice-local HH:mm, after start." },
    ], "When emails may go out, in the practice's time zone (default Monday-Friday 09:30-17:30).");

    public static BodyShape SeasonalWindowShape { get; } = new("SeasonalWindow", "must be an object {id, startsOn, lengthInDays, enabled}",
    [
        FieldRule.OneOf("id", Wire.Names<SeasonalWindowId>(), "must be one of new-year, rentree, spring") with { Required = true },
        new FieldRule("startsOn", FieldKind.String) { Required = true, Pattern = "^[0-9]{2}-[0-9]{2}$", Description = "The first day MM-dd (the window opens on the first working day from it)." },
        FieldRule.Whole("lengthInDays", 1, Core.Calendar.SeasonalWindows.MaxLengthInDays) with { Required = true },
        FieldRule.Bool("enabled") with { Required = true },
    ]);

    public static BodyShape ResourceShape { get; } = new("Resource", "must be an object {title, url, focusArea}",
    [
        FieldRule.Text("title", 200) with { Required = true },
        FieldRule.HttpsUrl("url") with { Required = true },
        FieldRule.Text("focusArea", 100) with { Required = true, Description = "Matched against the patient's focus area (template 4)." },
    ]);

    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("PracticeSettingsInput", "must be a JSON object",
    [
        FieldRule.Id("id") with { Description = "Ignored when it is the route's practice id; another id is refused." },
        FieldRule.Text("name", 200) with { Description = "Required to create the practice." },
        new FieldRule("timeZone", FieldKind.String) { MaxLength = 64, Values = [.. DateTimeZoneProviders.Tzdb.Ids], Description = "An IANA time zone (default Europe/Paris)." },
        FieldRule.OneOf("locale", ["fr", "en"], "must be fr or en"),
        FieldRule.OneOf("country", PublicHolidays.SupportedCountries, $"must be one of {string.Join(", ", PublicHolidays.SupportedCountries)}") with { Description = "Its public holidays are closed days." },
        FieldRule.Email("senderAddress") with { Description = "The From address: a MailFrom of the ACS email domain. Required to create the practice." },
        FieldRule.Text("senderDisplayName", 100),
        FieldRule.HttpsUrl("bookingUrl") with { Description = "Where the book link leads. Required to create the practice." },
        FieldRule.Whole("lapseDays", 7, 365),
        FieldRule.Whole("cooldownDays", 1, 180),
        FieldRule.Whole("maxTouchesPerEpisode", 1, 10),
        FieldRule.Whole("maxTouchesPer365Days", 1, 24),
        new FieldRule("cadenceDays", FieldKind.Array)
        {
            MinItems = 3, MaxItems = 3, Items = FieldRule.Whole("", 1, 730), Message = "must be three day counts, e.g. [30, 60, 120]",
            Description = "Days after the last visit of the three lapse steps.",
        },
        new FieldRule("sendWindow", FieldKind.Object) { Shape = SendWindowShape, Examples = ["""{"days":[1,2,3,4,5],"start":"09:30","end":"17:30"}"""] },
        new FieldRule("closedDates", FieldKind.Array)
        {
            MaxItems = 400, Items = new FieldRule("", FieldKind.String) { Format = "date", Pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
            Description = "Practice-local dates yyyy-MM-dd on which nothing is sent.",
        },
        new FieldRule("seasonalWindows", FieldKind.Array)
        {
            MaxItems = 3, Items = new FieldRule("", FieldKind.Object) { Shape = SeasonalWindowShape },
            Description = "Each window at most once.",
            Examples = ["""[{"id":"rentree","startsOn":"09-08","lengthInDays":14,"enabled":true}]"""],
        },
        FieldRule.Bool("allowClinicalDetails") with { Description = "Whether progress notes and plan summaries may appear in emails (never in subjects)." },
        FieldRule.Whole("holdoutPercent", 0, 50, "must be a whole number from 0 to 50") with { Description = "Share of lapse episodes kept as a control group." },
        new FieldRule("resources", FieldKind.Array) { MaxItems = 20, Items = new FieldRule("", FieldKind.Object) { Shape = ResourceShape } },
        FieldRule.Id("defaultTherapistId") with { Nullable = true, Description = "The therapist of patients without one; null clears it." },
        FieldRule.Ignored("lastSeasonalWindowKey", "Read-only (the GET answer's); accepted and ignored."),
        FieldRule.Ignored("credentials", "Read-only (the GET answer's); accepted and ignored."),
    ], "The practice's settings: every field optional, what is given replaces the stored value.");

    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? TimeZone { get; init; }
    public Locale? Locale { get; init; }
    public string? Country { get; init; }
    public string? SenderAddress { get; init; }
    public string? SenderDisplayName { get; init; }
    public string? BookingUrl { get; init; }
    public int? LapseDays { get; init; }
    public int? CooldownDays { get; init; }
    public int? MaxTouchesPerEpisode { get; init; }
    public int? MaxTouchesPer365Days { get; init; }
    public IReadOnlyList<int>? CadenceDays { get; init; }
    public SendWindow? SendWindow { get; init; }
    public IReadOnlyList<DateOnly>? ClosedDates { get; init; }
    public IReadOnlyList<SeasonalWindow>? SeasonalWindows { get; init; }
    public bool? AllowClinicalDetails { get; init; }
    public int? HoldoutPercent { get; init; }
    public IReadOnlyList<PracticeResource>? Resources { get; init; }
    /// <summary>Whether the body names <c>defaultTherapistId</c> (null then clears it).</summary>
    public bool HasDefaultTherapistId { get; init; }
    public string? DefaultTherapistId { get; init; }

    /// <summary>The settings of <paramref name="body"/>, or every problem found in it (then nothing may be changed).</summary>
    public static PracticeSettingsInput? Parse(JsonElement body, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return null;
        var input = new PracticeSettingsInput
        {
            Id = fields.Id(Shape["id"]),
            Name = fields.Text(Shape["name"]),
            TimeZone = TimeZoneOf(fields),
            Locale = fields.OneOf(Shape["locale"]) is { } locale ? Wire.Parse<Locale>(locale) : null,
            Country = fields.OneOf(Shape["country"]),
            SenderAddress = fields.Email(Shape["senderAddress"]),
            SenderDisplayName = fields.Text(Shape["senderDisplayName"]),
            BookingUrl = fields.HttpsUrl(Shape["bookingUrl"]),
            LapseDays = fields.Whole(Shape["lapseDays"]),
            CooldownDays = fields.Whole(Shape["cooldownDays"]),
            MaxTouchesPerEpisode = fields.Whole(Shape["maxTouchesPerEpisode"]),
            MaxTouchesPer365Days = fields.Whole(Shape["maxTouchesPer365Days"]),
            CadenceDays = CadenceOf(fields),
            SendWindow = SendWindowOf(fields),
            ClosedDates = ClosedDatesOf(fields),
            SeasonalWindows = SeasonalWindowsOf(fields),
            AllowClinicalDetails = fields.Bool(Shape["allowClinicalDetails"]),
            // The stored holdout share is a whole percentage (the model's int): a fraction is refused, never rounded.
            HoldoutPercent = fields.Whole(Shape["holdoutPercent"]),
            Resources = ResourcesOf(fields),
            HasDefaultTherapistId = fields.Has("defaultTherapistId"),
            DefaultTherapistId = fields.TryGet("defaultTherapistId", out var therapist) && therapist.ValueKind == JsonValueKind.Null
                ? null
                : fields.Id(Shape["defaultTherapistId"]),
        };
        return problems.Count == 0 ? input : null;
    }

    private static string? TimeZoneOf(JsonFields fields)
    {
        if (!fields.TryGet("timeZone", out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            fields.Problem("timeZone", "must be a string");
            return null;
        }
        var zone = value.GetString()!;
        var rule = Shape["timeZone"];
        if (zone.Length > rule.MaxLength || !rule.Values!.Contains(zone, StringComparer.Ordinal))
        {
            fields.Problem("timeZone", "must be an IANA time zone such as Europe/Paris");
            return null;
        }
        return zone;
    }

    private static List<int>? CadenceOf(JsonFields fields)
    {
        var rule = Shape["cadenceDays"];
        if (!fields.TryGet(rule.Name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < rule.MinItems || value.GetArrayLength() > rule.MaxItems)
        {
            fields.Problem(rule.Name, rule.Message!);
            return null;
        }
        var days = new List<int>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (JsonFields.WholeOf(item, rule.Items!.Minimum!.Value, rule.Items.Maximum!.Value) is { } day) days.Add(day);
            else fields.Problem($"{rule.Name}.{index}", rule.Items.Message!);
            index++;
        }
        return days.Count == value.GetArrayLength() ? days : null;
    }

    private static SendWindow? SendWindowOf(JsonFields parent)
    {
        if (!parent.TryGet("sendWindow", out var value)) return null;
        var path = parent.PathOf("sendWindow");
        var fields = JsonFields.Of(value, path, SendWindowShape, parent.Problems);
        var daysRule = SendWindowShape["days"];
        if (fields is null) return null;
        var before = parent.Problems.Count;
        var days = new List<int>();
        if (fields.Require("days"))
        {
            fields.TryGet("days", out var list);
            if (list.ValueKind != JsonValueKind.Array)
            {
                fields.Problem("days", "must list ISO weekdays (1 = Monday ... 7 = Sunday)");
            }
            else
            {
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (JsonFields.WholeOf(item, daysRule.Items!.Minimum!.Value, daysRule.Items.Maximum!.Value) is { } day) days.Add(day);
                    else fields.Problem($"days.{index}", daysRule.Items.Message!);
                    index++;
                }
                if (index < daysRule.MinItems) fields.Problem("days", "must list at least one ISO weekday (1 = Monday ... 7 = Sunday)");
                else if (index > daysRule.MaxItems) fields.Problem("days", $"must list at most {daysRule.MaxItems} weekdays");
                else if (days.Distinct().Count() != days.Count) fields.Problem("days", "must not repeat a weekday");
            }
        }
        var start = TimeOf(fields, "start");
        var end = TimeOf(fields, "end");
        if (parent.Problems.Count > before) return null;
        var problems = new List<string>();
        if (!SendWindows.TryParseTime(start, out var startTime)) problems.Add($"start must be HH:mm, got {JsonSerializer.Serialize(start, AdminJsonContext.Default.String)}");
        if (!SendWindows.TryParseTime(end, out var endTime)) problems.Add($"end must be HH:mm, got {JsonSerializer.Serialize(end, AdminJsonContext.Default.String)}");
        if (problems.Count > 0)
        {
            parent.Problem("sendWindow", $"invalid send window: {string.Join("; ", problems)}");
            return null;
        }
        var window = new SendWindow { Days = [.. days.Select(d => (DayOfWeek)(d % 7))], Start = startTime, End = endTime };
        try
        {
            SendWindows.Validate(window);
        }
        catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
        {
            parent.Problem("sendWindow", e.Message);
            return null;
        }
        return window;
    }

    private static string? TimeOf(JsonFields fields, string name)
    {
        if (!fields.Require(name)) return null;
        fields.TryGet(name, out var value);
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        fields.Problem(name, "must be HH:mm");
        return null;
    }

    private static List<DateOnly>? ClosedDatesOf(JsonFields fields)
    {
        if (!fields.TryGet("closedDates", out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            fields.Problem("closedDates", "must be a list of dates yyyy-MM-dd");
            return null;
        }
        if (value.GetArrayLength() > Shape["closedDates"].MaxItems)
        {
            fields.Problem("closedDates", $"must list at most {Shape["closedDates"].MaxItems} dates");
            return null;
        }
        var dates = new List<DateOnly>();
        var index = 0;
        var ok = true;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                fields.Problem($"closedDates.{index}", "must be a date yyyy-MM-dd");
                ok = false;
            }
            else if (!LocalDatePattern().IsMatch(item.GetString()!)
                || !DateOnly.TryParseExact(item.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                fields.Problem($"closedDates.{index}", "must be a real date yyyy-MM-dd");
                ok = false;
            }
            else
            {
                dates.Add(date);
            }
            index++;
        }
        return ok ? dates : null;
    }

    private static List<SeasonalWindow>? SeasonalWindowsOf(JsonFields parent)
    {
        if (!parent.TryGet("seasonalWindows", out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            parent.Problem("seasonalWindows", "must be a list of {id, startsOn, lengthInDays, enabled}");
            return null;
        }
        if (value.GetArrayLength() > Shape["seasonalWindows"].MaxItems)
        {
            parent.Problem("seasonalWindows", $"must list at most {Shape["seasonalWindows"].MaxItems} windows");
            return null;
        }
        var before = parent.Problems.Count;
        var windows = new List<SeasonalWindow>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{parent.PathOf("seasonalWindows")}.{index++}";
            var fields = JsonFields.Of(item, path, SeasonalWindowShape, parent.Problems);
            if (fields is null) continue;
            var id = fields.Require("id") ? fields.OneOf(SeasonalWindowShape["id"]) : null;
            string? startsOn = null;
            if (fields.Require("startsOn"))
            {
                fields.TryGet("startsOn", out var start);
                if (start.ValueKind == JsonValueKind.String) startsOn = start.GetString();
                else fields.Problem("startsOn", "must be MM-dd");
            }
            var length = fields.Require("lengthInDays") ? fields.Whole(SeasonalWindowShape["lengthInDays"]) : null;
            var enabled = fields.Require("enabled") ? fields.Bool(SeasonalWindowShape["enabled"]) : null;
            if (id is null || startsOn is null || length is null || enabled is null) continue;
            if (!Core.Calendar.SeasonalWindows.TryParseStart(startsOn, out var month, out var day))
            {
                fields.Problem("startsOn", $"seasonal window {id}: startsOn must be MM-dd, got {JsonSerializer.Serialize(startsOn, AdminJsonContext.Default.String)}");
                continue;
            }
            var window = new SeasonalWindow { Id = Wire.Parse<SeasonalWindowId>(id), StartMonth = month, StartDay = day, LengthInDays = length.Value, Enabled = enabled.Value };
            try
            {
                Core.Calendar.SeasonalWindows.Validate(window);
                windows.Add(window);
            }
            catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
            {
                fields.Problem("startsOn", e.Message);
            }
        }
        if (parent.Problems.Count > before) return null;
        if (windows.Select(w => w.Id).Distinct().Count() != windows.Count)
        {
            parent.Problem("seasonalWindows", "must not list a window twice");
            return null;
        }
        return windows;
    }

    private static List<PracticeResource>? ResourcesOf(JsonFields parent)
    {
        if (!parent.TryGet("resources", out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            parent.Problem("resources", "must be a list of {title, url, focusArea}");
            return null;
        }
        if (value.GetArrayLength() > Shape["resources"].MaxItems)
        {
            parent.Problem("resources", $"must list at most {Shape["resources"].MaxItems} resources");
            return null;
        }
        var before = parent.Problems.Count;
        var resources = new List<PracticeResource>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{parent.PathOf("resources")}.{index++}";
            var fields = JsonFields.Of(item, path, ResourceShape, parent.Problems);
            if (fields is null) continue;
            var title = fields.Require("title") ? fields.Text(ResourceShape["title"]) : null;
            var url = fields.Require("url") ? fields.HttpsUrl(ResourceShape["url"]) : null;
            var focusArea = fields.Require("focusArea") ? fields.Text(ResourceShape["focusArea"]) : null;
            if (title is not null && url is not null && focusArea is not null) resources.Add(new PracticeResource(title, url, focusArea));
        }
        return parent.Problems.Count > before ? null : resources;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}\z")]
    private static partial Regex LocalDatePattern();
}
