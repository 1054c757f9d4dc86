using System.Text;
using System.Text.Json.Nodes;

namespace Reengage.Functions.Tests.Booking;

/// <summary>
/// The booking webhook under fuzzing: arbitrary (seeded, so reproducible) requests get a documented status below 500,
/// and a rejected one changes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BookingWebhookFuzzTests(AzuriteFixture fixture) : BookingWebhookTestBase(fixture)
{
    private static readonly string[] Paths =
    [
        "id", "type", "occurredAt", "patient", "patient.id", "patient.firstName", "patient.email", "patient.locale",
        "patient.therapistId", "patient.emailConsent", "patient.careStatus", "patient.contactPreference", "patient.focusArea",
        "patient.progressNote", "patient.plan", "appointment", "appointment.id", "appointment.startsAt", "appointment.therapistId",
    ];

    private static readonly int[] Documented = [200, 202, 400, 401, 413, 415];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Arbitrary_requests_get_a_documented_status_below_500_and_a_rejected_one_changes_nothing(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 40; i++)
        {
            var (body, headers, contentType) = ArbitraryRequest(random, $"fz{seed}_{i}");
            var before = await SnapshotAsync();

            var answer = await SendAsync(Practice.Id, body, headers, contentType: contentType);

            Assert.True(Documented.Contains(answer.Status), $"{answer.Status} for {body}");
            if (answer.Status >= 400) Assert.Equal(before, await SnapshotAsync());
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Every_correctly_signed_valid_event_is_accepted_and_again_is_a_duplicate_that_changes_nothing(int seed)
    {
        var random = new Random(seed);
        string[] types = ["appointment.booked", "appointment.rescheduled", "appointment.cancelled", "appointment.completed", "appointment.no_show", "patient.upserted"];
        for (var i = 0; i < 15; i++)
        {
            var e = Booked($"ok{seed}_{i}", Start.AddMinutes(-random.Next(0, 100_000)).ToString("O"), Start.AddMinutes(random.Next(-50_000, 50_000)).ToString("O"));
            e["type"] = types[random.Next(types.Length)];
            e["patient"]!["id"] = $"pat_{random.Next(3)}";
            e["appointment"]!["id"] = $"apt_{random.Next(3)}";

            Assert.Equal(202, (await PostAsync(e)).Status);
            var again = await ExpectUnchangedAsync(() => PostAsync(e), 200);
            Assert.True(again.Body!["duplicate"]!.GetValue<bool>());
        }
    }

    private (string Body, Dictionary<string, string> Headers, string ContentType) ArbitraryRequest(Random random, string id)
    {
        string body;
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                body = Encoding.Latin1.GetString(bytes);
                break;
            case 1:
                body = JsonValueOf(random)?.ToJsonString() ?? "null";
                break;
            default:
                var e = Booked(id, "2026-11-20T10:00:00Z");
                for (var m = random.Next(1, 4); m > 0; m--) Mutate(e, Paths[random.Next(Paths.Length)], random);
                body = e.ToJsonString();
                break;
        }
        var headers = random.Next(8) switch
        {
            0 => new Dictionary<string, string>(),
            1 => new Dictionary<string, string> { ["Reengage-Signature"] = SignatureOf(body, "whsec_wrong") },
            2 => new Dictionary<string, string> { ["Reengage-Signature"] = RandomText(random, 40) },
            _ => new Dictionary<string, string> { ["Reengage-Signature"] = SignatureOf(body) },
        };
        var contentType = random.Next(10) == 0 ? "text/plain" : "application/json";
        return (body, headers, contentType);
    }

    private static void Mutate(JsonObject e, string path, Random random)
    {
        var parts = path.Split('.');
        var parent = parts.Length == 1 ? e : e[parts[0]] as JsonObject;
        if (parent is null) return;
        if (random.Next(4) == 0) parent.Remove(parts[^1]);
        else parent[parts[^1]] = JsonValueOf(random);
    }

    private static JsonNode? JsonValueOf(Random random) => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(-5, 5)),
        2 => JsonValue.Create(random.Next(2) == 0),
        3 => new JsonArray(JsonValue.Create("a"), JsonValue.Create(1)),
        4 => new JsonObject { ["x"] = RandomText(random, 5) },
        5 => JsonValue.Create(new string('x', random.Next(100, 2000))),
        6 => JsonValue.Create("2026-13-45T99:00:00Z"),
        _ => JsonValue.Create(RandomText(random, random.Next(0, 30))),
    };

    /// <summary>Letters, digits, separators, controls, slashes, quotes, non-ASCII and lone surrogates.</summary>
    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abcXYZ019 _-./\\|\"'#?%&=,;:~\t\n\u0000\u007f\u00e9\u4e2d\ud800\udc00";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
        return text.ToString();
    }
}
