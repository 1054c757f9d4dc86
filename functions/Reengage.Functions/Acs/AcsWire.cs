using System.Text.Json;
using Azure;
using Reengage.Core.Ports;

namespace Reengage.Functions.Acs;

/// <summary>The JSON of the ACS Email REST API: the send body written, the operation and error bodies read.</summary>
internal static class AcsWire
{
    public static BinaryData SendBody(OutgoingEmail email, bool disableUserEngagementTracking)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            // ACS takes no display name with the sender: it is the MailFrom sender username's, configured on the domain.
            json.WriteString("senderAddress", email.From.Address);
            json.WriteStartObject("recipients");
            json.WriteStartArray("to");
            WriteAddress(json, email.To);
            json.WriteEndArray();
            json.WriteEndObject();
            if (email.ReplyTo is { } replyTo)
            {
                json.WriteStartArray("replyTo");
                WriteAddress(json, replyTo);
                json.WriteEndArray();
            }
            json.WriteStartObject("content");
            json.WriteString("subject", email.Subject);
            json.WriteString("plainText", email.Text);
            json.WriteString("html", email.Html);
            json.WriteEndObject();
            json.WriteStartObject("headers");
            foreach (var (name, value) in email.Headers)
            {
                json.WriteString(name, value);
            }
            json.WriteEndObject();
            json.WriteBoolean("userEngagementTrackingDisabled", disableUserEngagementTracking);
            json.WriteEndObject();
        }
        return new BinaryData(buffer.ToArray());
    }

    private static void WriteAddress(Utf8JsonWriter json, EmailAddress address)
    {
        json.WriteStartObject();
        json.WriteString("address", address.Address);
        if (!string.IsNullOrEmpty(address.DisplayName))
        {
            json.WriteString("displayName", address.DisplayName);
        }
        json.WriteEndObject();
    }

    /// <summary>The <c>id</c> of a 202 or an operation body; null when the body holds none.</summary>
    public static string? OperationIdOf(BinaryData body) => StringProperty(body, "id") is { Length: > 0 } id ? id : null;

    /// <summary>The operation's <c>status</c>, in lower case; empty when the body holds none.</summary>
    public static string StatusOf(BinaryData body) => StringProperty(body, "status")?.ToLowerInvariant() ?? "";

    /// <summary>The ACS error code and message of <c>{"error":{"code","message"}}</c>, else the header or the status.</summary>
    public static (string Code, string Message) ErrorOf(Response response)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(response.Content);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = String(error, "code");
                message = String(error, "message");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the header and the status still say enough.
        }
        if (string.IsNullOrEmpty(code) && response.Headers.TryGetValue("x-ms-error-code", out var header))
        {
            code = header;
        }
        return (string.IsNullOrEmpty(code) ? $"http_{response.Status}" : code, message ?? $"HTTP {response.Status}");
    }

    private static string? StringProperty(BinaryData body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? String(document.RootElement, name) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
