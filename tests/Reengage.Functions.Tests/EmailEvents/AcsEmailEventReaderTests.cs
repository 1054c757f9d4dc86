using System.Text.Json.Nodes;
using Reengage.Core.Sending;
using Reengage.Functions.Acs;
using static Reengage.Functions.Tests.EmailEvents.AcsEvents;

namespace Reengage.Functions.Tests.EmailEvents;

/// <summary>Both envelopes, every status, both timestamp spellings, both encodings; malformed messages named by field.</summary>
public sealed class AcsEmailEventReaderTests
{
    private const string MessageId = "5f0c2a54-8e1b-5c3d-9a7f-0b1c2d3e4f50";
    private const string Recipient = "camille@example.org";
    private static readonly DateTimeOffset EventTime = new(2027, 1, 5, 9, 31, 13, TimeSpan.Zero);

    public static TheoryData<EventSchema, MessageEncoding, string, DeliveryStatus> EveryStatus()
    {
        var data = new TheoryData<EventSchema, MessageEncoding, string, DeliveryStatus>();
        foreach (var schema in Enum.GetValues<EventSchema>())
        {
            foreach (var encoding in Enum.GetValues<MessageEncoding>())
            {
                foreach (var status in Enum.GetValues<DeliveryStatus>()) data.Add(schema, encoding, status.ToString(), status);
                data.Add(schema, encoding, "delivered", DeliveryStatus.Delivered);
                data.Add(schema, encoding, "BOUNCED", DeliveryStatus.Bounced);
                data.Add(schema, encoding, "filteredspam", DeliveryStatus.FilteredSpam);
                data.Add(schema, encoding, " Quarantined ", DeliveryStatus.Quarantined);
                data.Add(schema, encoding, "sUpPrEsSeD", DeliveryStatus.Suppressed);
            }
        }
        return data;
    }

    private static EmailEventsRead Valid(string message)
    {
        var read = AcsEmailEventReader.Read(message);
        Assert.Null(read.Error);
        return read;
    }

    private static string ErrorOf(JsonNode node) => ErrorOf(node.ToJsonString());

    private static string ErrorOf(string message)
    {
        var read = AcsEmailEventReader.Read(message);
        Assert.True(read.IsMalformed, "expected a malformed message");
        Assert.Empty(read.Reports);
        return read.Error!;
    }

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void Reads_every_delivery_status_in_either_schema_and_encoding_case_insensitively(EventSchema schema, MessageEncoding encoding, string given, DeliveryStatus status)
    {
        var e = Envelope(schema, EmailReports.DeliveryReportType, DeliveryData(MessageId, given, Recipient, "2027-01-05T09:31:12.2855749+00:00"), "ev-1", "2027-01-05T09:31:13.000Z");

        var read = Valid(Encode(e, encoding));

        var report = Assert.IsType<DeliveryReport>(Assert.Single(read.Reports));
        Assert.Equal(new DeliveryReport("ev-1", MessageId, status, Recipient, new DateTimeOffset(2027, 1, 5, 9, 31, 12, TimeSpan.Zero).AddTicks(2855749)), report);
    }

    [Theory]
    [InlineData(EventSchema.EventGrid)]
    [InlineData(EventSchema.CloudEvents)]
    public void Reads_both_spellings_of_the_attempt_time_and_falls_back_on_the_event_time(EventSchema schema)
    {
        DateTimeOffset AtOf(JsonObject data) =>
            Valid(Envelope(schema, EmailReports.DeliveryReportType, data, "e", "2027-01-05T09:31:13Z").ToJsonString()).Reports.Single().At;

        Assert.Equal(EventTime.AddSeconds(-1), AtOf(DeliveryData(MessageId, "Delivered", Recipient, "2027-01-05T10:31:12+01:00", "deliveryAttemptTimestamp")));
        Assert.Equal(EventTime.AddSeconds(-2), AtOf(DeliveryData(MessageId, "Delivered", Recipient, "2027-01-05T09:31:11Z", "deliveryAttemptTimeStamp")));
        Assert.Equal(EventTime, AtOf(DeliveryData(MessageId, "Delivered", Recipient, null)));
    }

    [Theory]
    [InlineData(EventSchema.EventGrid, "view", EngagementKind.View)]
    [InlineData(EventSchema.EventGrid, "click", EngagementKind.Click)]
    [InlineData(EventSchema.CloudEvents, "VIEW", EngagementKind.View)]
    [InlineData(EventSchema.CloudEvents, " Click ", EngagementKind.Click)]
    public void Reads_engagement_reports_at_the_users_action_time_in_either_spelling(EventSchema schema, string given, EngagementKind kind)
    {
        foreach (var spelling in new[] { "userActionTimestamp", "userActionTimeStamp" })
        {
            foreach (var encoding in Enum.GetValues<MessageEncoding>())
            {
                var e = Envelope(schema, EmailReports.EngagementReportType, EngagementData(MessageId, given, "2027-01-06T18:02:03.1234567Z", spelling), "ev-2", "2027-01-06T18:05:00Z");
                var report = Assert.IsType<EngagementReport>(Assert.Single(Valid(Encode(e, encoding)).Reports));
                Assert.Equal(new EngagementReport("ev-2", MessageId, kind, new DateTimeOffset(2027, 1, 6, 18, 2, 3, TimeSpan.Zero).AddTicks(1234567)), report);
            }
        }
    }

    [Fact]
    public void Accepts_the_SDK_models_name_engagement_and_the_event_time_without_an_action_time()
    {
        var e = Envelope(EventSchema.CloudEvents, EmailReports.EngagementReportType, EngagementData(MessageId, "click", null, name: "engagement"), "c", "2027-01-05T09:31:13Z");
        Assert.Equal(new EngagementReport("c", MessageId, EngagementKind.Click, EventTime), Valid(e.ToJsonString()).Reports.Single());
    }

    [Fact]
    public void Reads_an_array_of_several_events_in_order_even_of_both_schemas_and_skips_other_types()
    {
        var message = new JsonArray(
            Delivery(EventSchema.EventGrid, MessageId, "Delivered", Recipient, "2027-01-05T09:31:12Z", "a"),
            Engagement(EventSchema.CloudEvents, MessageId, "view", "2027-01-05T10:00:00Z", "b"),
            Envelope(EventSchema.EventGrid, "Microsoft.Communication.SMSReceived", new JsonObject { ["anything"] = true }, "c", "2027-01-05T10:00:00Z"));

        foreach (var encoding in Enum.GetValues<MessageEncoding>())
        {
            var read = Valid(Encode(message, encoding));
            Assert.Equal(["a:DeliveryReport", "b:EngagementReport"], read.Reports.Select(r => $"{r.EventId}:{r.GetType().Name}"));
            Assert.Equal(["Microsoft.Communication.SMSReceived"], read.IgnoredTypes);
        }
    }

    [Fact]
    public void Reads_a_CloudEvent_whose_data_comes_as_data_base64()
    {
        var e = Envelope(EventSchema.CloudEvents, EmailReports.DeliveryReportType, null, "b64", "2027-01-05T09:31:13Z");
        e.Remove("data");
        e["data_base64"] = Base64(DeliveryData(MessageId, "Failed", Recipient, null).ToJsonString());

        Assert.Equal(new DeliveryReport("b64", MessageId, DeliveryStatus.Failed, Recipient, EventTime), Valid(e.ToJsonString()).Reports.Single());
    }

    [Fact]
    public void An_event_of_another_type_is_skipped_whatever_its_data()
    {
        var other = Envelope(EventSchema.CloudEvents, "Microsoft.Storage.BlobCreated", null, "o", "2027-01-05T09:31:13Z");
        other.Remove("data");
        other["data_base64"] = Convert.ToBase64String([0xff, 0x00, 0xfe]);

        var read = Valid(new JsonArray(other, Engagement(EventSchema.EventGrid, MessageId, "click", "2027-01-05T09:31:13Z")).ToJsonString());

        Assert.Equal(["Microsoft.Storage.BlobCreated"], read.IgnoredTypes);
        Assert.IsType<EngagementReport>(Assert.Single(read.Reports));
    }

    [Theory]
    [InlineData("", "the message is empty")]
    [InlineData("   ", "the message is empty")]
    [InlineData("hello world", "the message is not JSON, raw or base64")]
    [InlineData("bm90IGpzb24=", "the message is not JSON, raw or base64")]
    [InlineData("{\"a\":1,\"a\":2}", "the message is not JSON, raw or base64")]
    [InlineData("42", "event: not an event object")]
    [InlineData("[]", "the message is an empty array")]
    [InlineData("{\"hello\":\"world\"}", "event: neither an Event Grid event (eventType) nor a CloudEvent (specversion)")]
    public void Messages_that_hold_no_event_are_malformed(string message, string error)
    {
        Assert.Equal(error, ErrorOf(message));
    }

    [Fact]
    public void One_bad_event_makes_the_whole_message_malformed()
    {
        var good = Delivery(EventSchema.EventGrid, MessageId, "Delivered", Recipient, "2027-01-05T09:31:12Z");
        Assert.Equal("[1]: not an event object", ErrorOf(new JsonArray(good, "x")));
        var many = new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)Delivery(EventSchema.EventGrid, MessageId, "Delivered", Recipient, "2027-01-05T09:31:12Z", $"e{i}"))]);
        Assert.Equal("the message holds more than 100 events", ErrorOf(many));
    }

    [Fact]
    public void Envelopes_missing_what_their_schema_requires_are_named()
    {
        JsonObject Good(EventSchema schema) => Delivery(schema, MessageId, "Delivered", Recipient, "2027-01-05T09:31:12Z");

        Assert.Contains("event.eventTime: required", ErrorOf(Without(Good(EventSchema.EventGrid), "eventTime")), StringComparison.Ordinal);
        Assert.Contains("event.subject: must be a string", ErrorOf(Without(Good(EventSchema.EventGrid), "subject")), StringComparison.Ordinal);
        Assert.Contains("event.id: must not be empty", ErrorOf(Good(EventSchema.EventGrid).Also(e => e["id"] = " ")), StringComparison.Ordinal);
        Assert.Contains("event.eventTime: must be an ISO 8601 date-time", ErrorOf(Good(EventSchema.EventGrid).Also(e => e["eventTime"] = "yesterday")), StringComparison.Ordinal);
        Assert.Contains("event.specversion: must be \"1.0\"", ErrorOf(Good(EventSchema.CloudEvents).Also(e => e["specversion"] = "0.3")), StringComparison.Ordinal);
        Assert.Contains("event.id: must not be empty", ErrorOf(Good(EventSchema.CloudEvents).Also(e => e["id"] = "")), StringComparison.Ordinal);
        Assert.Contains("event.source: required", ErrorOf(Without(Good(EventSchema.CloudEvents), "source")), StringComparison.Ordinal);
        Assert.Equal("event: not a valid CloudEvents 1.0 event", ErrorOf(Good(EventSchema.CloudEvents).Also(e => e["myext"] = new JsonObject())));
        Assert.Equal("event: not a valid Event Grid event", ErrorOf(Good(EventSchema.EventGrid).Also(e => e["topic"] = 3)));
    }

    [Theory]
    [InlineData(EventSchema.EventGrid)]
    [InlineData(EventSchema.CloudEvents)]
    public void Delivery_data_of_the_wrong_shape_is_named_by_field_and_rule(EventSchema schema)
    {
        string Bad(Action<JsonObject> change, string? time = "2027-01-05T09:31:13Z")
        {
            var data = DeliveryData(MessageId, "Delivered", Recipient, "2027-01-05T09:31:12Z");
            change(data);
            return ErrorOf(Envelope(schema, EmailReports.DeliveryReportType, data, "e", time));
        }

        Assert.Equal("event.data.status: must be one of Delivered, Expanded, Failed, Bounced, Suppressed, Quarantined, FilteredSpam", Bad(d => d["status"] = "Opened"));
        Assert.Equal("event.data.messageId: must be a string", Bad(d => d["messageId"] = 42));
        Assert.Equal("event.data.messageId: must be at most 128 characters", Bad(d => d["messageId"] = new string('m', 129)));
        Assert.Equal("event.data.recipient: must be an address", Bad(d => d.Remove("recipient")));
        Assert.Equal("event.data.deliveryAttemptTimeStamp: must be an ISO 8601 date-time", Bad(d => d["deliveryAttemptTimeStamp"] = "yesterday"));
        Assert.Equal("event.data.deliveryAttemptTimestamp: must be an ISO 8601 date-time", Bad(d => d["deliveryAttemptTimestamp"] = "2027-02-30T10:00:00Z"));
        var timeless = Bad(d => d.Remove("deliveryAttemptTimeStamp"), time: null);
        Assert.Equal(schema == EventSchema.CloudEvents ? "event.data.deliveryAttemptTimestamp: required without an event time" : "event.eventTime: must be an ISO 8601 date-time", timeless);
        Assert.Equal("event.data: must be an object", ErrorOf(Envelope(schema, EmailReports.DeliveryReportType, null, "e", "2027-01-05T09:31:13Z")));
        Assert.Equal("event.data: must be an object", ErrorOf(Envelope(schema, EmailReports.DeliveryReportType, new JsonArray(1), "e", "2027-01-05T09:31:13Z")));
    }

    [Fact]
    public void Engagement_data_of_the_wrong_shape_is_named_by_field_and_rule()
    {
        string Bad(JsonObject data) => ErrorOf(Envelope(EventSchema.EventGrid, EmailReports.EngagementReportType, data, "e", "2027-01-05T09:31:13Z"));

        Assert.Equal("event.data.engagementType: must be view or click", Bad(EngagementData(MessageId, "forward", null)));
        Assert.Equal("event.data.engagementType: engagementType is required", Bad(Without(EngagementData(MessageId, "view", null), "engagementType")));
        Assert.Equal("event.data.userActionTimestamp: must be an ISO 8601 date-time", Bad(EngagementData(MessageId, "view", "soon")));
        Assert.Equal("event.data.userActionTimeStamp: must be an ISO 8601 date-time", Bad(EngagementData(MessageId, "view", "2027-01-05", "userActionTimeStamp")));
    }

    [Fact]
    public void An_error_never_echoes_the_recipient_address()
    {
        var data = DeliveryData("", "Opened", Recipient, Recipient, "deliveryAttemptTimestamp");
        data["deliveryAttemptTimeStamp"] = Recipient;
        var error = ErrorOf(new JsonArray(Envelope(EventSchema.CloudEvents, EmailReports.DeliveryReportType, data, Recipient, Recipient)));
        Assert.DoesNotContain(Recipient, error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example.org", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("2027-01-05T09:31:12.2855749+00:00", "2027-01-05T09:31:12.2855749Z")]
    [InlineData("2027-01-05T09:31:12.285574912Z", "2027-01-05T09:31:12.2855749Z")]
    [InlineData("2027-01-05T09:31:12Z", "2027-01-05T09:31:12.0000000Z")]
    [InlineData("2027-01-05T10:31:12+0100", "2027-01-05T09:31:12.0000000Z")]
    [InlineData("2027-01-05T04:31:12-05:00", "2027-01-05T09:31:12.0000000Z")]
    [InlineData("2027-01-05T09:31:12.5", "2027-01-05T09:31:12.5000000Z")]
    [InlineData("2027-01-05T09:31", "2027-01-05T09:31:00.0000000Z")]
    [InlineData(" 2027-01-05t09:31:12z ", "2027-01-05T09:31:12.0000000Z")]
    [InlineData("2027-01-05", null)]
    [InlineData("2027-13-45T99:00:00Z", null)]
    [InlineData("2027-02-29T10:00:00Z", null)]
    [InlineData("2027-01-05T24:00:00Z", null)]
    [InlineData("2027-01-05T09:31:12+15:00", null)]
    [InlineData("２０２７-01-05T09:31:12Z", null)]
    [InlineData("2027-01-05T09:31:12Z\n", "2027-01-05T09:31:12.0000000Z")]
    public void Instants_as_ACS_writes_them_in_UTC(string text, string? expected)
    {
        Assert.Equal(expected, AcsEmailEventReader.ParseInstant(text)?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
