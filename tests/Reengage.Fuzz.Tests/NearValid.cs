using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Reengage.Fuzz.Tests;

/// <summary>A body valid but for one field, and the field the 400 must name.</summary>
public sealed record BrokenBody(string Field, string Json)
{
    public override string ToString() => $"{Field} in {(Json.Length > 300 ? Json[..300] + "…" : Json)}";
}

/// <summary>
/// Per admin body (docs/admin-api.md): a valid body and, per field, values that break only that field. Each generator
/// takes the valid body, sets one field to one wrong value, and says which field the refusal must name.
/// </summary>
public static class NearValid
{
    private static readonly string Long201 = new('n', 201);
    private static readonly string Long101 = new('n', 101);

    public static JsonObject PracticeCreation => new()
    {
        ["name"] = "Cabinet",
        ["senderAddress"] = "bonjour@cabinet.example",
        ["bookingUrl"] = "https://cabinet.example/rdv",
    };

    public static JsonObject PracticeUpdate => new() { ["lapseDays"] = 45, ["holdoutPercent"] = 10 };

    /// <summary>Settings fields with wrong values (a type, a range, a format, an unknown name).</summary>
    public static (string Field, JsonNode? Value)[] SettingsBreaks =>
    [
        ("name", ""), ("name", Long201), ("name", 5), ("name", "a\u0001b"), ("name", null),
        ("timeZone", "Mars/Olympus"), ("timeZone", 3), ("timeZone", "UTC+25"),
        ("locale", "de"), ("locale", true),
        ("country", "US"), ("country", "fr "),
        ("senderAddress", "not-an-address"), ("senderAddress", "a@"), ("senderAddress", 7),
        ("senderDisplayName", Long101), ("senderDisplayName", ""),
        ("bookingUrl", "http://cabinet.example/rdv"), ("bookingUrl", "javascript:alert(1)"), ("bookingUrl", "https://"),
        ("lapseDays", 6), ("lapseDays", 366), ("lapseDays", 45.5), ("lapseDays", "45"), ("lapseDays", -1), ("lapseDays", JsonNode.Parse("1e40")),
        ("cooldownDays", 0), ("cooldownDays", 181),
        ("maxTouchesPerEpisode", 0), ("maxTouchesPerEpisode", 11),
        ("maxTouchesPer365Days", 0), ("maxTouchesPer365Days", 25),
        ("cadenceDays", new JsonArray(45, 75)), ("cadenceDays", "45,75,135"), ("cadenceDays", new JsonArray(45, 46, 47)), ("cadenceDays", new JsonArray(45, 75, 9999)),
        ("sendWindow", new JsonObject { ["days"] = new JsonArray(0), ["start"] = "09:30", ["end"] = "17:30" }),
        ("sendWindow", new JsonObject { ["days"] = new JsonArray(1, 2), ["start"] = "18:00", ["end"] = "09:00" }),
        ("sendWindow", new JsonObject { ["days"] = new JsonArray(1), ["start"] = "25:00", ["end"] = "26:00" }),
        ("sendWindow", "weekdays"),
        ("closedDates", new JsonArray("2027-13-01")), ("closedDates", new JsonArray(20270101)), ("closedDates", "2027-08-02"),
        ("seasonalWindows", new JsonArray(new JsonObject { ["id"] = "summer", ["startsOn"] = "07-01", ["lengthInDays"] = 14, ["enabled"] = true })),
        ("seasonalWindows", new JsonArray(new JsonObject { ["id"] = "spring", ["startsOn"] = "02-30", ["lengthInDays"] = 14, ["enabled"] = true })),
        ("allowClinicalDetails", "yes"), ("allowClinicalDetails", 1),
        ("holdoutPercent", 51), ("holdoutPercent", -1),
        ("resources", new JsonArray(new JsonObject { ["title"] = "t", ["url"] = "http://x.example", ["focusArea"] = "f" })),
        ("resources", "none"),
        ("defaultTherapistId", "th_nobody"), ("defaultTherapistId", "bad/id"), ("defaultTherapistId", 1),
        ("colour", "blue"),
    ];

    public static (string Field, JsonNode? Value)[] TherapistBreaks =>
    [
        ("displayName", ""), ("displayName", Long101), ("displayName", 5), ("displayName", "a\u0007"),
        ("email", "not-an-address"), ("email", 3), ("email", "a b@c.example"),
        ("signature", new string('s', 1001)), ("signature", "a\u0000b"), ("signature", false),
        ("locale", "de"), ("locale", 1),
        ("active", "true"), ("active", 0),
        ("id", "bad/id"), ("colour", "blue"),
    ];

    public static (string Field, JsonNode? Value)[] MappingBreaks =>
    [
        ("entries", "none"), ("entries", new JsonObject()),
        ("entries", new JsonArray(new JsonObject { ["key"] = "calcom:weird:1", ["therapistId"] = "th_1" })),
        ("entries", new JsonArray(new JsonObject { ["key"] = "calcom:eventType:abc", ["therapistId"] = "th_1" })),
        ("entries", new JsonArray(new JsonObject { ["key"] = "acuity:calendar:27238", ["therapistId"] = "th_nobody" })),
        ("entries", new JsonArray(new JsonObject { ["key"] = "calendly:user:http://evil.example/u", ["therapistId"] = "th_1" })),
        ("entries", new JsonArray(new JsonObject { ["key"] = 5, ["therapistId"] = "th_1" })),
        ("entries", new JsonArray(
            new JsonObject { ["key"] = "calcom:eventType:1", ["therapistId"] = "th_1" },
            new JsonObject { ["key"] = "calcom:eventType:1", ["therapistId"] = "th_1" })),
        ("entries", new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)new JsonObject { ["key"] = $"calcom:eventType:{i}", ["therapistId"] = "th_1" })])),
        ("practiceId", "prac_other"), ("colour", 1),
    ];

    public static (string Field, JsonNode? Value)[] AcuityBreaks =>
    [
        ("userId", "abc"), ("userId", ""), ("userId", true), ("userId", null),
        ("apiKey", "short"), ("apiKey", "has a space 0123456789"), ("apiKey", new string('k', 513)), ("apiKey", 1234567890123456789L), ("apiKey", null),
        ("colour", "blue"),
    ];

    public static (string Field, JsonNode? Value)[] SecretBreaks =>
    [
        ("secret", "short"), ("secret", "has a space 0123456789"), ("secret", new string('s', 513)), ("secret", 5), ("secret", ""), ("colour", 1),
    ];

    /// <summary>Template parts broken one at a time (the valid sources are the library's, read at start).</summary>
    public static (string Field, JsonNode? Value)[] TemplateBreaks =>
    [
        ("subject", "{{ patient.noSuchVariable }}"), ("subject", "{{ if }}"), ("subject", new string('s', 600)), ("subject", 5), ("subject", "{{ progressNote }}"),
        ("html", "<p>no links at all</p>"), ("html", "{{ for x in 1..100000 }}x{{ end }}"), ("html", "{{ include \"/etc/passwd\" }}"), ("html", null),
        ("text", "{{ undefinedThing }}"), ("text", "[placeholder]"), ("text", new JsonArray()),
        ("colour", "blue"),
    ];

    public static Gen<BrokenBody> Breaking(JsonObject valid, (string Field, JsonNode? Value)[] breaks, string prefix = "") =>
        Gen.Elements(breaks).Select(b =>
        {
            var body = (JsonObject)valid.DeepClone();
            body[b.Field] = b.Value?.DeepClone();
            return new BrokenBody(prefix + b.Field, body.ToJsonString());
        });

    /// <summary>A preview's body: a draft's one part broken (named <c>sources.&lt;part&gt;</c>), or its own fields wrong.</summary>
    public static Gen<BrokenBody> Preview(JsonObject library) =>
        Gen.OneOf(
            Breaking(library, TemplateBreaks.Where(b => b.Field != "colour").ToArray(), "sources.").Select(b =>
                new BrokenBody(b.Field, new JsonObject { ["sources"] = JsonNode.Parse(b.Json) }.ToJsonString())),
            Gen.Elements(
                new BrokenBody("patientId", """{"patientId":5}"""),
                new BrokenBody("patientId", """{"patientId":"bad/id"}"""),
                new BrokenBody("sources", """{"sources":"draft"}"""),
                new BrokenBody("colour", """{"colour":"blue"}""")));

    /// <summary>Every kind above as plain JSON, for the generic fuzz's bodies.</summary>
    public static Gen<string> AnyJson =>
        Gen.OneOf(
            Breaking(PracticeCreation, SettingsBreaks),
            Breaking(new JsonObject { ["displayName"] = "Léa", ["email"] = "lea@cabinet.example" }, TherapistBreaks),
            Breaking(new JsonObject { ["entries"] = new JsonArray() }, MappingBreaks),
            Breaking(new JsonObject { ["userId"] = "11145481", ["apiKey"] = "acuity-key-0123456789abcdef" }, AcuityBreaks),
            Breaking(new JsonObject { ["secret"] = "whsec_0123456789abcdef" }, SecretBreaks))
        .Select(b => b.Json);
}
