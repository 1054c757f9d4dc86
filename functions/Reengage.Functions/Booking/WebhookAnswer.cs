using System.Text.Json.Serialization;

namespace Reengage.Functions.Booking;

/// <summary>The body of a 202 (<c>{"accepted":true,"id":…}</c>) or a 200 duplicate (<c>{"duplicate":true,"id":…}</c>).</summary>
public sealed record WebhookAnswer
{
    [JsonPropertyName("accepted")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Accepted { get; init; }

    [JsonPropertyName("duplicate")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Duplicate { get; init; }

    [JsonPropertyName("id")]
    public required string Id { get; init; }
}
