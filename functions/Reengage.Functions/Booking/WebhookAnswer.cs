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

    /// <summary>Why an authentic delivery changed nothing (<c>202 {"accepted":true,"ignored":…}</c>).</summary>
    [JsonPropertyName("ignored")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ignored { get; init; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public required string? Id { get; init; }
}

/// <summary>The answer to a connection test: <c>200 {"ok":true}</c>.</summary>
public sealed record PingAnswer
{
    [JsonPropertyName("ok")]
    public bool Ok { get; init; } = true;
}
