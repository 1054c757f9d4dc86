// The body of PUT practices/{practiceId}/therapist-mapping: the whole list of entries, replacing the stored one.
using System.Text.Json;
using System.Text.RegularExpressions;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

public sealed partial record TherapistMappingInput
{
    /// <summary>As many as the unmapped list keeps: every key a booking can offer fits, with room for each therapist.</summary>
    public const int MaxEntries = 100;

    /// <summary>Kept short enough for the practice row, long enough for a Calendly URI (as the TypeScript app).</summary>
    public const int MaxKeyLength = 300;

    /// <summary>The kinds of key each tool's bookings offer: <c>&lt;source&gt;:&lt;kind&gt;:&lt;value&gt;</c>.</summary>
    public static readonly IReadOnlyList<(string Source, string[] Kinds)> KeyKinds =
    [
        ("calcom", ["organizer", "eventType"]),
        ("calendly", ["user", "organizer", "eventType"]),
        ("acuity", ["calendar", "appointmentType"]),
    ];

    private static readonly string KeyForms = string.Join(", ", KeyKinds.SelectMany(s => s.Kinds.Select(k => $"{s.Source}:{k}:…")));

    public static BodyShape EntryShape { get; } = new("TherapistMappingEntry", "must be an object {key, therapistId}",
    [
        new FieldRule("key", FieldKind.String)
        {
            Required = true, MinLength = 1, MaxLength = MaxKeyLength, Pattern = "^(calcom:(organizer|eventType)|calendly:(user|organizer|eventType)|acuity:(calendar|appointmentType)):[^\\s]+$",
            Description = "<source>:<kind>:<value> as the tool's bookings carry it: calcom:organizer:<email>, calcom:eventType:<id>, calendly:user:<API URI>, calendly:organizer:<email>, calendly:eventType:<API URI>, acuity:calendar:<id>, acuity:appointmentType:<id>.",
            Examples = ["\"calcom:organizer:anne@cabinet.example\"", "\"acuity:calendar:4321\"", "\"calendly:user:https://api.calendly.com/users/AAAA\""],
        },
        FieldRule.Id("therapistId") with { Required = true, Description = "A therapist of the practice." },
    ]);

    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("TherapistMappingInput", "must be a JSON object",
    [
        new FieldRule("practiceId", FieldKind.String) { Description = "Ignored when it is the route's practice id; another id is refused." },
        new FieldRule("entries", FieldKind.Array)
        {
            Required = true, MaxItems = MaxEntries, Items = new FieldRule("", FieldKind.Object) { Shape = EntryShape },
            Description = "The whole mapping: it replaces the stored one. Each key at most once.",
            Examples = ["""[{"key":"calcom:organizer:anne@cabinet.example","therapistId":"th_1"}]"""],
        },
        FieldRule.Ignored("unmapped", "Read-only (the GET answer's); accepted and ignored."),
    ], "The therapist mapping: booking-tool keys to the practice's therapists.");

    public string? PracticeId { get; init; }
    public required IReadOnlyList<TherapistMappingEntry> Entries { get; init; }

    /// <summary>The entries in <paramref name="body"/>, keys as bookings offer them, or null with every problem found.</summary>
    public static TherapistMappingInput? Parse(JsonElement body, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return null;
        string? practiceId = null;
        if (fields.TryGet("practiceId", out var id))
        {
            if (id.ValueKind == JsonValueKind.String) practiceId = id.GetString();
            else fields.Problem("practiceId", "must be a string");
        }
        var entries = new List<TherapistMappingEntry>();
        if (fields.Require("entries"))
        {
            fields.TryGet("entries", out var list);
            if (list.ValueKind != JsonValueKind.Array) fields.Problem("entries", "must be a list of {key, therapistId}");
            else if (list.GetArrayLength() > MaxEntries) fields.Problem("entries", $"must list at most {MaxEntries} entries");
            else
            {
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (Entry(item, $"entries.{i}", problems) is { } entry) entries.Add(entry);
                    i++;
                }
            }
        }
        return problems.Count == 0 ? new TherapistMappingInput { PracticeId = practiceId, Entries = entries } : null;
    }

    private static TherapistMappingEntry? Entry(JsonElement item, string path, List<FieldProblem> problems)
    {
        var before = problems.Count;
        var fields = JsonFields.Of(item, path, EntryShape, problems);
        if (fields is null) return null;
        string? key = null;
        if (fields.Require("key") && fields.TryGet("key", out var k))
        {
            if (k.ValueKind != JsonValueKind.String) fields.Problem("key", "must be a string");
            else
            {
                key = k.GetString()!.Trim();
                if (KeyProblem(key) is { } problem) fields.Problem("key", problem);
            }
        }
        var therapistId = fields.Require("therapistId") ? fields.Id(EntryShape["therapistId"]) : null;
        return problems.Count == before && key is not null && therapistId is not null ? new TherapistMappingEntry(Normalized(key), therapistId) : null;
    }

    /// <summary>
    /// The first thing wrong with a key, or null. A key with the right form but a value the tool never sends would
    /// never match a booking, so values are checked too: Calendly names people and event types by their API URI, the
    /// other tools by numbers and addresses.
    /// </summary>
    public static string? KeyProblem(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) return "must not be empty";
        if (key.Length > MaxKeyLength) return $"must be at most {MaxKeyLength} characters";
        if (!RequestBodies.IsCleanText(key) || key.Any(char.IsWhiteSpace)) return "must not contain spaces or control characters";
        var parts = key.Split(':', 3);
        var kinds = KeyKinds.FirstOrDefault(s => s.Source == parts[0]).Kinds;
        if (parts.Length < 3 || kinds is null || !kinds.Contains(parts[1]) || parts[2].Length == 0) return $"must be one of {KeyForms}";
        var (source, kind, value) = (parts[0], parts[1], parts[2]);
        if (kind == "organizer") return Email().IsMatch(value) ? null : "the organizer must be an email address";
        if (source == "calendly")
        {
            var segment = kind == "user" ? "users" : "event_types";
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.Split('/').Contains(segment)
                ? null
                : $"must be the Calendly API URI, like https://api.calendly.com/{segment}/<uuid>";
        }
        return Numeric().IsMatch(value) ? null : $"the {kind} must be the tool's numeric id";
    }

    /// <summary>The key as bookings offer it (organizer addresses in lower case), so that it matches them.</summary>
    public static string Normalized(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split(':', 3);
        var value = parts[1] == "organizer" ? parts[2].Trim().ToLowerInvariant() : parts[2].Trim();
        return $"{parts[0]}:{parts[1]}:{value}";
    }

    [GeneratedRegex("^[0-9]{1,20}$")]
    private static partial Regex Numeric();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();
}
