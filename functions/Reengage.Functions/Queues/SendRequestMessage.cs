// The body of an `outreach-send` message: ids and an instant only, never personal or health data.
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Reengage.Core.Ports;

namespace Reengage.Functions.Queues;

public static class SendRequestMessage
{
    /// <summary>The message format's version; the TypeScript implementation wrote the same <c>{"v":1,…}</c>.</summary>
    public const int Version = 1;

    public static string Serialize(SendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            writer.WriteString("practiceId", request.PracticeId);
            writer.WriteString("outreachId", request.OutreachId);
            writer.WriteString("notBefore", request.NotBefore.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Parses a message body as the queue trigger hands it over (already Base64-decoded); a body that is still
    /// Base64 (written by a producer that encodes twice) is decoded once more. A message that is not a valid
    /// request is permanent garbage: the consumer logs it and completes it. <paramref name="error"/> never quotes the body.
    /// </summary>
    public static bool TryParse(string? body, out SendRequest? request, out string? error)
    {
        request = null;
        var text = body?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "empty message";
            return false;
        }
        if (!text.StartsWith('{') && Base64.IsValid(text))
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "message: not a JSON object";
                return false;
            }
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != Version)
            {
                error = $"v: expected {Version}";
                return false;
            }
            if (StringOf(root, "practiceId", 256) is not { } practiceId)
            {
                error = "practiceId: a non-empty string of at most 256 characters is required";
                return false;
            }
            if (StringOf(root, "outreachId", 512) is not { } outreachId)
            {
                error = "outreachId: a non-empty string of at most 512 characters is required";
                return false;
            }
            if (StringOf(root, "notBefore", 64) is not { } notBeforeText
                || !DateTimeOffset.TryParse(notBeforeText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var notBefore)
                || !HasOffset(notBeforeText))
            {
                error = "notBefore: an ISO 8601 instant with an offset is required";
                return false;
            }
            request = new SendRequest(practiceId, outreachId, notBefore);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "message: not JSON";
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string holding a lone surrogate escape ("\ud800"): no id this app writes has one, and no key can hold it.
            error = "message: a string is not valid Unicode text";
            return false;
        }
    }

    /// <summary>An instant, not a local time: <c>Z</c> or <c>±hh:mm</c> at the end.</summary>
    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static string? StringOf(JsonElement root, string name, int maxLength) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && text.Length <= maxLength
            ? text
            : null;
}
