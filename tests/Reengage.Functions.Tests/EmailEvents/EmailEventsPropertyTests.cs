using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Reengage.Core.Model;
using Reengage.Core.Sending;
using Reengage.Functions.Tests.Storage;
using static Reengage.Functions.Tests.EmailEvents.AcsEvents;

namespace Reengage.Functions.Tests.EmailEvents;

/// <summary>
/// Arbitrary event payloads (valid reports with fields removed or replaced by any JSON, arrays, Base64, noise) on real
/// storage: the processor never throws on healthy storage, and a rejected message changes nothing but the poison queue.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmailEventsPropertyTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private EmailEventsWorld _world = null!;
    private OutreachRow _sent = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new EmailEventsWorld(Clients);
        await _world.SeedPracticeAsync();
        _sent = await _world.SeedSentAsync("pat_a");
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private const string LoneSurrogate = "LONE-SURROGATE";

    private static readonly string[] Paths =
    [
        "id", "eventType", "eventTime", "subject", "dataVersion", "specversion", "type", "time", "source", "data",
        "data.messageId", "data.status", "data.recipient", "data.deliveryAttemptTimeStamp", "data.deliveryAttemptTimestamp",
        "data.engagementType", "data.engagement", "data.userActionTimestamp", "data.userActionTimeStamp", "data.deliveryStatusDetails",
    ];

    private static readonly Gen<string> Text =
        ArbMap.Default.GeneratorFor<string>().Select(s => new string([.. (s ?? "").Select(c => char.IsSurrogate(c) ? '?' : c)]));

    private static readonly Gen<JsonNode?> AnyValue = Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        Gen.Choose(-5, 5).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Text.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Elements(
            "Delivered", "bounced", "Opened", "view", "CLICK", "", " ", "2027-01-05T09:31:12Z", "2027-01-05T10:31:12.1234567+0100",
            "yesterday", "2027-02-30T00:00:00Z", "2027-01-05", "1.0", "0.3", EmailReports.DeliveryReportType, EmailReports.EngagementReportType,
            LoneSurrogate, new string('x', 400)).Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Constant<JsonNode?>(new JsonObject()),
        Gen.Constant<JsonNode?>(new JsonArray(1, "a")));

    private Gen<JsonObject> ValidEvent()
    {
        var messageIds = Gen.Elements(_sent.OperationId, _sent.OperationId, "00000000-0000-0000-0000-000000000000", LoneSurrogate, " " + _sent.OperationId);
        var times = Gen.Elements("2027-01-05T09:31:12Z", "2027-01-05T09:31:12.2855749+00:00", "2027-01-06T18:00:00+01:00", "2027-01-05T09:31");
        var statuses = Gen.Elements([.. Wire.Names<DeliveryStatus>(), "delivered", "BOUNCED", " FilteredSpam "]);
        return from schema in Gen.Elements(EventSchema.EventGrid, EventSchema.CloudEvents)
               from messageId in messageIds
               from at in times
               from status in statuses
               from engagement in Gen.Elements("view", "click", "View")
               from delivery in Gen.Elements(true, true, false)
               select delivery
                   ? Delivery(schema, messageId, status, EmailEventsWorld.EmailOf("pat_a"), at)
                   : Engagement(schema, messageId, engagement, at);
    }

    private static JsonObject Mutated(JsonObject node, IEnumerable<(string Path, JsonNode? Value, bool Remove)> changes)
    {
        foreach (var (path, value, remove) in changes)
        {
            var parts = path.Split('.');
            var parent = parts.Length == 2 ? node["data"] as JsonObject : node;
            if (parent is null) continue;
            if (remove) parent.Remove(parts[^1]);
            else parent[parts[^1]] = value?.DeepClone();
        }
        return node;
    }

    private Gen<string> Payloads()
    {
        var change = from path in Gen.Elements(Paths)
                     from value in AnyValue
                     from remove in Gen.Elements(true, false, false)
                     select (path, value, remove);
        var mutated = from e in ValidEvent()
                      from changes in Gen.Choose(0, 3).SelectMany(n => change.ListOf(n))
                      select Mutated(e, changes);
        var json = from events in Gen.Choose(1, 3).SelectMany(n => mutated.ListOf(n))
                   from asArray in Gen.Elements(true, false)
                   select (asArray ? new JsonArray([.. events]) : (JsonNode)events[0]).ToJsonString().Replace($"\"{LoneSurrogate}\"", "\"\\ud800\"", StringComparison.Ordinal);
        var encoded = from text in json
                      from base64 in Gen.Elements(true, false)
                      from truncate in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
                      select (truncate ? text[..(text.Length / 2)] : text) is var t && base64 ? Base64(t) : t;
        return Gen.Frequency((8, encoded), (1, Text), (1, Text.Select(Base64)));
    }

    [Fact]
    public async Task Any_payload_is_applied_or_poisoned_never_thrown_and_a_rejected_one_changes_nothing()
    {
        var processor = _world.Processor();
        var seen = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        var property = Prop.ForAll(Payloads().ToArbitrary(), message =>
        {
            var before = _world.SnapshotAsync().GetAwaiter().GetResult();
            var result = processor.ProcessAsync(message).GetAwaiter().GetResult();
            var poison = _world.DrainPoisonAsync().GetAwaiter().GetResult();
            seen[result.Poisoned]++;
            if (result.Poisoned)
            {
                Assert.Equal(before, _world.SnapshotAsync().GetAwaiter().GetResult());
                Assert.Equal([message], poison);
            }
            else
            {
                Assert.Empty(poison);
            }
            Assert.DoesNotContain("example.org", _world.Log.All, StringComparison.OrdinalIgnoreCase);
        });

        // Blocking inside the property: FsCheck runs it synchronously; nothing here captures a synchronization context.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property);

        // The generator reaches both sides, or the property says little.
        Assert.True(seen[true] > 10 && seen[false] > 10, $"poisoned {seen[true]}, processed {seen[false]}");
        var row = await _world.RowAsync(_sent);
        Assert.Contains(row.Status, new[] { OutreachStatus.Sent, OutreachStatus.Delivered, OutreachStatus.Bounced, OutreachStatus.Failed });
    }
}
