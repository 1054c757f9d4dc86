using System.Text.Json.Nodes;
using Reengage.Core.Sending;

namespace Reengage.Functions.Tests.EmailEvents;

public enum EventSchema
{
    EventGrid,
    CloudEvents,
}

public enum MessageEncoding
{
    Raw,
    Base64,
}

/// <summary>ACS reports as Event Grid writes them on the queue, in both schemas and both encodings.</summary>
public static class AcsEvents
{
    public const string Sender = "bonjour@tilleuls.example";
    public const string Source = "/subscriptions/x/resourceGroups/rg/providers/microsoft.communication/communicationservices/acs";

    public static JsonObject DeliveryData(string messageId, string status, string recipient, string? attempt, string spelling = "deliveryAttemptTimeStamp")
    {
        var data = new JsonObject
        {
            ["sender"] = Sender,
            ["recipient"] = recipient,
            ["messageId"] = messageId,
            ["status"] = status,
            ["deliveryStatusDetails"] = new JsonObject { ["statusMessage"] = $"550 5.1.1 <{recipient}>: mailbox unavailable" },
        };
        if (attempt is not null) data[spelling] = attempt;
        return data;
    }

    public static JsonObject EngagementData(string messageId, string engagementType, string? at, string spelling = "userActionTimestamp", string name = "engagementType")
    {
        var data = new JsonObject
        {
            ["sender"] = Sender,
            ["messageId"] = messageId,
            ["engagementContext"] = "https://tilleuls.example/rdv",
            ["userAgent"] = "Mozilla/5.0",
            [name] = engagementType,
        };
        if (at is not null) data[spelling] = at;
        return data;
    }

    public static JsonObject Envelope(EventSchema schema, string type, JsonNode? data, string id, string? time) => schema switch
    {
        EventSchema.EventGrid => new JsonObject
        {
            ["id"] = id,
            ["topic"] = Source,
            ["subject"] = "sender/bonjour@tilleuls.example/message/x",
            ["eventType"] = type,
            ["data"] = data,
            ["dataVersion"] = "1.0",
            ["metadataVersion"] = "1",
            ["eventTime"] = time,
        },
        _ => Without(new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = Source,
            ["type"] = type,
            ["time"] = time,
            ["datacontenttype"] = "application/json",
            ["data"] = data,
        }, time is null ? "time" : null),
    };

    public static JsonObject Delivery(EventSchema schema, string messageId, string status, string recipient, string at, string? id = null) =>
        Envelope(schema, EmailReports.DeliveryReportType, DeliveryData(messageId, status, recipient, at), id ?? $"{schema}-{status}-{at}", at);

    public static JsonObject Engagement(EventSchema schema, string messageId, string engagementType, string at, string? id = null) =>
        Envelope(schema, EmailReports.EngagementReportType, EngagementData(messageId, engagementType, at), id ?? $"{schema}-{engagementType}-{at}", at);

    public static string Encode(JsonNode node, MessageEncoding encoding)
    {
        var json = node.ToJsonString();
        return encoding == MessageEncoding.Raw ? json : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json));
    }

    public static JsonObject Without(JsonObject node, params string?[] names)
    {
        foreach (var name in names)
        {
            if (name is not null) node.Remove(name);
        }
        return node;
    }

    public static string Base64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
}
