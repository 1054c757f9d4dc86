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
    private static readonly HashSet<string> Known =
    [
        "id", "name", "timeZone", "locale", "country", "senderAddress", "senderDisplayName", "bookingUrl", "lapseDays",
        "cooldownDays", "maxTouchesPerEpisode", "maxTouchesPer365Days", "cadenceDays", "sendWindow", "closedDates",
        "seasonalWindows", "allowClinicalDetails", "holdoutPercent", "resources", "defaultTherapistId",
        "lastSeasonalWindowKey", "credentials",
    ];

    private static readonly HashSet<string> SendWindowFields = ["days", "start", "end"];
    private static readonly HashSet<string> SeasonalWindowFields = ["id", "startsOn", "lengthInDays", "enabled"];
    private static readonly HashSet<string> ResourceFields = ["title", "url", "focusArea"];
    private static readonly string[] LocaleNames = ["fr", "en"];

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
        var fields = JsonFields.Of(body, "", Known, problems, "must be a JSON object");
        if (fields is null) return null;
        var input = new PracticeSettingsInput
        {
            Id = fields.Id("id"),
            Name = fields.Text("name", 200),
            TimeZone = TimeZoneOf(fields),
            Locale = fields.OneOf("locale", LocaleNames, "must be fr or en") is { } locale ? Wire.Parse<Locale>(locale) : null,
            Country = fields.OneOf("country", PublicHolidays.SupportedCountries, $"must be one of {string.Join(", ", PublicHolidays.SupportedCountries)}"),
            SenderAddress = fields.Email("senderAddress"),
            SenderDisplayName = fields.Text("senderDisplayName", 100),
            BookingUrl = fields.HttpsUrl("bookingUrl"),
            LapseDays = fields.Whole("lapseDays", 7, 365),
            CooldownDays = fields.Whole("cooldownDays", 1, 180),
            MaxTouchesPerEpisode = fields.Whole("maxTouchesPerEpisode", 1, 10),
            MaxTouchesPer365Days = fields.Whole("maxTouchesPer365Days", 1, 24),
            CadenceDays = CadenceOf(fields),
            SendWindow = SendWindowOf(fields),
            ClosedDates = ClosedDatesOf(fields),
            SeasonalWindows = SeasonalWindowsOf(fields),
            AllowClinicalDetails = fields.Bool("allowClinicalDetails"),
            // The stored holdout share is a whole percentage (the model's int): a fraction is refused, never rounded.
            HoldoutPercent = fields.Whole("holdoutPercent", 0, 50, "must be a whole number from 0 to 50"),
            Resources = ResourcesOf(fields),
            HasDefaultTherapistId = fields.Has("defaultTherapistId"),
            DefaultTherapistId = fields.TryGet("defaultTherapistId", out var therapist) && therapist.ValueKind == JsonValueKind.Null
                ? null
                : fields.Id("defaultTherapistId"),
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
        if (zone.Length > 64 || DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null)
        {
            fields.Problem("timeZone", "must be an IANA time zone such as Europe/Paris");
            return null;
        }
        return zone;
    }

    private static List<int>? CadenceOf(JsonFields fields)
    {
        if (!fields.TryGet("cadenceDays", out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 3)
        {
            fields.Problem("cadenceDays", "must be three day counts, e.g. [30, 60, 120]");
            return null;
        }
        var days = new List<int>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (JsonFields.WholeOf(item, 1, 730) is { } day) days.Add(day);
            else fields.Problem($"cadenceDays.{index}", JsonFields.WholeMessage(1, 730));
            index++;
        }
        return days.Count == 3 ? days : null;
    }

    private static SendWindow? SendWindowOf(JsonFields parent)
    {
        if (!parent.TryGet("sendWindow", out var value)) return null;
        var path = parent.PathOf("sendWindow");
        var fields = JsonFields.Of(value, path, SendWindowFields, parent.Problems, "must be an object {days, start, end}");
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
                    if (JsonFields.WholeOf(item, 1, 7) is { } day) days.Add(day);
                    else fields.Problem($"days.{index}", JsonFields.WholeMessage(1, 7));
                    index++;
                }
                if (index == 0) fields.Problem("days", "must list at least one ISO weekday (1 = Monday ... 7 = Sunday)");
                else if (index > 7) fields.Problem("days", "must list at most 7 weekdays");
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
        if (value.GetArrayLength() > 400)
        {
            fields.Problem("closedDates", "must list at most 400 dates");
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
        if (value.GetArrayLength() > 3)
        {
            parent.Problem("seasonalWindows", "must list at most 3 windows");
            return null;
        }
        var before = parent.Problems.Count;
        var windows = new List<SeasonalWindow>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{parent.PathOf("seasonalWindows")}.{index++}";
            var fields = JsonFields.Of(item, path, SeasonalWindowFields, parent.Problems, "must be an object {id, startsOn, lengthInDays, enabled}");
            if (fields is null) continue;
            var id = fields.Require("id") ? fields.OneOf("id", Wire.Names<SeasonalWindowId>(), "must be one of new-year, rentree, spring") : null;
            string? startsOn = null;
            if (fields.Require("startsOn"))
            {
                fields.TryGet("startsOn", out var start);
                if (start.ValueKind == JsonValueKind.String) startsOn = start.GetString();
                else fields.Problem("startsOn", "must be MM-dd");
            }
            var length = fields.Require("lengthInDays") ? fields.Whole("lengthInDays", 1, Core.Calendar.SeasonalWindows.MaxLengthInDays) : null;
            var enabled = fields.Require("enabled") ? fields.Bool("enabled") : null;
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
        if (value.GetArrayLength() > 20)
        {
            parent.Problem("resources", "must list at most 20 resources");
            return null;
        }
        var before = parent.Problems.Count;
        var resources = new List<PracticeResource>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{parent.PathOf("resources")}.{index++}";
            var fields = JsonFields.Of(item, path, ResourceFields, parent.Problems, "must be an object {title, url, focusArea}");
            if (fields is null) continue;
            var title = fields.Require("title") ? fields.Text("title", 200) : null;
            var url = fields.Require("url") ? fields.HttpsUrl("url") : null;
            var focusArea = fields.Require("focusArea") ? fields.Text("focusArea", 100) : null;
            if (title is not null && url is not null && focusArea is not null) resources.Add(new PracticeResource(title, url, focusArea));
        }
        return parent.Problems.Count > before ? null : resources;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}\z")]
    private static partial Regex LocalDatePattern();
}
