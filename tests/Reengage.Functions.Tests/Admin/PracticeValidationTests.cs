using System.Globalization;
using Reengage.Core.Model;

namespace Reengage.Functions.Tests.Admin;

/// <summary>Every invalid setting is a 400 naming the field, and changes nothing.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PracticeValidationTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    private const string Id = "prac_valid";

    private static readonly string SundaysFor58Weeks = string.Join(
        ",",
        Enumerable.Range(0, 58).Select(i => $"\"{new DateOnly(2027, 2, 7).AddDays(7 * i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}\""));

    public static TheoryData<string, string, string?> BadBodies => new()
    {
        { "timeZone", """{"timeZone":"Mars/Olympus_Mons"}""", "must be an IANA time zone such as Europe/Paris" },
        { "locale", """{"locale":"de"}""", "must be fr or en" },
        { "country", """{"country":"US"}""", "must be one of FR, BE, LU, CH, GB, IE, CA" },
        { "senderAddress", """{"senderAddress":"not-an-email"}""", "must be a valid email address" },
        { "senderDisplayName", """{"senderDisplayName":"Cabinet\r\nBcc: someone@elsewhere.example"}""", "must not contain control characters" },
        { "name", """{"name":"   "}""", "must not be empty" },
        { "name", """{"name":42}""", "must be a string" },
        { "bookingUrl", """{"bookingUrl":"http://cabinet.example/rdv"}""", "must be an https:// URL" },
        { "bookingUrl", """{"bookingUrl":"javascript:alert(1)"}""", "must be an https:// URL" },
        { "bookingUrl", """{"bookingUrl":"https://user:pw@cabinet.example/rdv"}""", "must be an https:// URL" },
        { "lapseDays", """{"lapseDays":3}""", "must be a whole number from 7 to 365" },
        { "lapseDays", """{"lapseDays":30.5}""", "must be a whole number from 7 to 365" },
        { "lapseDays", """{"lapseDays":"30"}""", "must be a whole number from 7 to 365" },
        { "lapseDays", """{"lapseDays":null}""", "must be a whole number from 7 to 365" },
        { "cooldownDays", """{"cooldownDays":0}""", "must be a whole number from 1 to 180" },
        { "maxTouchesPerEpisode", """{"maxTouchesPerEpisode":0}""", "must be a whole number from 1 to 10" },
        { "maxTouchesPer365Days", """{"maxTouchesPer365Days":100}""", "must be a whole number from 1 to 24" },
        { "maxTouchesPer365Days", """{"maxTouchesPerEpisode":5,"maxTouchesPer365Days":4}""", "must be at least maxTouchesPerEpisode (5)" },
        { "cadenceDays", """{"cadenceDays":[30,60]}""", "must be three day counts, e.g. [30, 60, 120]" },
        { "cadenceDays.2", """{"cadenceDays":[30,60,731]}""", "must be a whole number from 1 to 730" },
        { "cadenceDays", """{"cadenceDays":[30,40,120]}""", "steps must be at least cooldownDays (21) days apart, in increasing order" },
        { "cadenceDays", """{"cadenceDays":[20,60,120]}""", "the first step must come at least lapseDays (30) days after the last visit" },
        { "sendWindow.days.1", """{"sendWindow":{"days":[1,8],"start":"09:00","end":"17:00"}}""", "must be a whole number from 1 to 7" },
        { "sendWindow", """{"sendWindow":{"days":[1],"start":"18:00","end":"09:00"}}""", "invalid send window: start (18:00) must be before end (09:00)" },
        { "sendWindow", """{"sendWindow":{"days":[1],"start":"25:00","end":"26:00"}}""", "invalid send window: start must be HH:mm, got \"25:00\"; end must be HH:mm, got \"26:00\"" },
        { "sendWindow.days", """{"sendWindow":{"days":[1,1],"start":"09:00","end":"17:00"}}""", "must not repeat a weekday" },
        { "sendWindow.days", """{"sendWindow":{"days":[],"start":"09:00","end":"17:00"}}""", null },
        { "sendWindow.end", """{"sendWindow":{"days":[1],"start":"09:00"}}""", "is required" },
        { "sendWindow.colour", """{"sendWindow":{"days":[1],"start":"09:00","end":"17:00","colour":"red"}}""", "is not a known field" },
        { "closedDates.0", """{"closedDates":["2027-02-30"]}""", "must be a real date yyyy-MM-dd" },
        { "closedDates.1", """{"closedDates":["2027-02-03",7]}""", "must be a date yyyy-MM-dd" },
        { "closedDates", $$"""{"sendWindow":{"days":[7],"start":"10:00","end":"12:00"},"closedDates":[{{SundaysFor58Weeks}}]}""", null },
        { "seasonalWindows.0.startsOn", """{"seasonalWindows":[{"id":"new-year","startsOn":"13-01","lengthInDays":14,"enabled":true}]}""", "seasonal window new-year: startsOn must be MM-dd, got \"13-01\"" },
        { "seasonalWindows.0.lengthInDays", """{"seasonalWindows":[{"id":"spring","startsOn":"04-01","lengthInDays":0,"enabled":true}]}""", "must be a whole number from 1 to 366" },
        { "seasonalWindows.0.id", """{"seasonalWindows":[{"id":"summer","startsOn":"07-01","lengthInDays":14,"enabled":true}]}""", "must be one of new-year, rentree, spring" },
        { "seasonalWindows.0.enabled", """{"seasonalWindows":[{"id":"spring","startsOn":"04-01","lengthInDays":14}]}""", "is required" },
        { "seasonalWindows", """{"seasonalWindows":[{"id":"spring","startsOn":"04-01","lengthInDays":14,"enabled":true},{"id":"spring","startsOn":"05-01","lengthInDays":14,"enabled":true}]}""", "must not list a window twice" },
        { "allowClinicalDetails", """{"allowClinicalDetails":"yes"}""", "must be true or false" },
        { "holdoutPercent", """{"holdoutPercent":60}""", "must be a whole number from 0 to 50" },
        { "holdoutPercent", """{"holdoutPercent":12.5}""", "must be a whole number from 0 to 50" },
        { "resources.0.url", """{"resources":[{"title":"Respirer","url":"javascript:alert(1)","focusArea":"stress"}]}""", "must be an https:// URL" },
        { "resources.0.focusArea", """{"resources":[{"title":"Respirer","url":"https://r.example/a"}]}""", "is required" },
        { "resources", "{\"resources\":[" + string.Join(",", Enumerable.Repeat("""{"title":"T","url":"https://r.example/a","focusArea":"f"}""", 21)) + "]}", "must list at most 20 resources" },
        { "defaultTherapistId", """{"defaultTherapistId":"th_nobody"}""", "is not a therapist of this practice" },
        { "defaultTherapistId", """{"defaultTherapistId":"bad/id"}""", "must be 1-128 characters: letters, digits and _ . : @ + = ~ -" },
        { "colour", """{"colour":"blue"}""", "is not a known field" },
        { "id", """{"id":"prac_someone_else"}""", "must match the practice id in the URL" },
        { "(body)", """[1,2]""", "must be a JSON object" },
        { "(body)", "{\"name\":\"\\ud800\"}", null },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task An_invalid_setting_is_a_400_naming_the_field_and_changes_nothing(string field, string body, string? message)
    {
        var key = await CreatePracticeAsync(Id);
        var before = await Practices.GetPracticeAsync(Id);

        var answer = await PutPracticeAsync(Id, body, key);

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.Header("Content-Type"));
        Assert.Equal("Invalid practice settings", answer.Json!["title"]!.GetValue<string>());
        Assert.Equal("Some fields are missing or invalid; nothing was changed.", answer.Json!["detail"]!.GetValue<string>());
        Assert.Contains(field, answer.Fields);
        if (message is not null) Assert.Equal(message, answer.MessageOf(field));
        Assert.Equal(before!.ETag, (await Practices.GetPracticeAsync(Id))!.ETag);
    }

    [Fact]
    public async Task Every_bad_field_of_one_body_is_named_at_once()
    {
        var key = await CreatePracticeAsync(Id);

        var answer = await PutPracticeAsync(
            Id,
            """{"timeZone":"Nowhere/Town","country":"US","holdoutPercent":-1,"bookingUrl":"ftp://x.example","extra":1}""",
            key);

        Assert.Equal(400, answer.Status);
        Assert.Equal(["bookingUrl", "country", "extra", "holdoutPercent", "timeZone"], answer.Fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_not_declared_JSON_or_too_large_gets_a_clear_4xx()
    {
        var key = await CreatePracticeAsync(Id);

        var broken = await PutPracticeAsync(Id, """{"name":""", key);
        var plain = await PutPracticeAsync(Id, "{}", key, contentType: "text/plain");
        var huge = await PutPracticeAsync(Id, $$"""{"name":"{{new string('x', 70_000)}}"}""", key);
        var empty = await PutPracticeAsync(Id, "", key);

        Assert.Equal(400, broken.Status);
        Assert.Equal("Invalid JSON", broken.Json!["title"]!.GetValue<string>());
        Assert.Equal(415, plain.Status);
        Assert.Equal("application/problem+json", plain.Header("Content-Type"));
        Assert.Equal(413, huge.Status);
        AssertJsonEqual(
            """{ "type": "about:blank", "title": "Payload too large", "status": 413, "detail": "The body must be at most 65536 bytes." }""",
            huge.Body);
        Assert.Equal(400, empty.Status);
    }

    [Fact]
    public async Task Valid_edits_across_every_field_are_stored_as_given()
    {
        var key = await CreatePracticeAsync(Id);

        var answer = await PutPracticeAsync(
            Id,
            """
            { "timeZone": "Europe/Brussels", "country": "BE", "locale": "fr", "senderDisplayName": "  Cabinet du Parc  ",
              "senderAddress": "accueil@parc.example", "bookingUrl": "https://parc.example/rdv",
              "lapseDays": 40, "cooldownDays": 28, "cadenceDays": [40, 70, 130], "maxTouchesPerEpisode": 2,
              "maxTouchesPer365Days": 5, "sendWindow": { "days": [2, 4, 7], "start": "10:00", "end": "16:00" },
              "closedDates": ["2027-08-02", "2027-08-03"],
              "seasonalWindows": [ { "id": "rentree", "startsOn": "09-01", "lengthInDays": 10, "enabled": false } ],
              "allowClinicalDetails": true, "holdoutPercent": 12,
              "resources": [ { "title": "Respirer", "url": "https://ressources.example/respirer", "focusArea": "stress" } ] }
            """,
            key);

        Assert.Equal(200, answer.Status);
        var stored = (await Practices.GetPracticeAsync(Id))!.Value;
        Assert.Equal("Europe/Brussels", stored.TimeZone);
        Assert.Equal("BE", stored.Country);
        Assert.Equal("Cabinet du Parc", stored.SenderDisplayName);
        Assert.Equal("accueil@parc.example", stored.SenderAddress);
        Assert.Equal("https://parc.example/rdv", stored.BookingUrl);
        Assert.Equal((40, 28, 2, 5), (stored.LapseDays, stored.CooldownDays, stored.MaxTouchesPerEpisode, stored.MaxTouchesPer365Days));
        Assert.Equal([40, 70, 130], stored.CadenceDays);
        Assert.Equal([DayOfWeek.Tuesday, DayOfWeek.Thursday, DayOfWeek.Sunday], stored.SendWindow.Days);
        Assert.Equal((new TimeOnly(10, 0), new TimeOnly(16, 0)), (stored.SendWindow.Start, stored.SendWindow.End));
        Assert.Equal([new DateOnly(2027, 8, 2), new DateOnly(2027, 8, 3)], stored.ClosedDates);
        Assert.Equal(
            [new SeasonalWindow { Id = SeasonalWindowId.Rentree, StartMonth = 9, StartDay = 1, LengthInDays = 10, Enabled = false }],
            stored.SeasonalWindows);
        Assert.True(stored.AllowClinicalDetails);
        Assert.Equal(12, stored.HoldoutPercent);
        Assert.Equal([new PracticeResource("Respirer", "https://ressources.example/respirer", "stress")], stored.Resources);
        Assert.Equal("""{"days":[2,4,7],"start":"10:00","end":"16:00"}""", answer.Json!["sendWindow"]!.ToJsonString());
    }

    [Fact]
    public async Task A_cadence_of_the_practice_own_stays_when_lapseDays_changes()
    {
        var key = await CreatePracticeAsync(Id);
        Assert.Equal(200, (await PutPracticeAsync(Id, """{"cadenceDays":[30,70,140]}""", key)).Status);

        var answer = await PutPracticeAsync(Id, """{"lapseDays":25}""", key);

        Assert.Equal(200, answer.Status);
        Assert.Equal("[30,70,140]", answer.Json!["cadenceDays"]!.ToJsonString());
    }
}
