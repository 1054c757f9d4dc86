// Reads one `email-events` message: ACS email delivery and engagement reports that Event Grid puts on the queue.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;
using Reengage.Core.Model;
using Reengage.Core.Sending;

namespace Reengage.Functions.Acs;

/// <summary>
/// What one message holds: the reports to apply, or why it is malformed. A message is taken whole or not at all: one bad
/// event makes the whole message malformed, so that an operator re-drives it as it came once the cause is known
/// (applying a report twice changes nothing).
/// </summary>
/// <param name="IgnoredTypes">Well-formed events of other types (the subscription should filter them out): skipped.</param>
/// <param name="Error">Names the field and the rule broken, never a value: the message may carry a recipient address.</param>
public sealed record EmailEventsRead(IReadOnlyList<EmailReport> Reports, IReadOnlyList<string> IgnoredTypes, string? Error)
{
    public bool IsMalformed => Error is not null;

    public static EmailEventsRead Malformed(string error) => new([], [], error);
}

/// <summary>
/// The message may be raw JSON or Base64 of JSON, one event or an array (the Event Grid webhook shape), in the Event Grid
/// schema or as CloudEvents 1.0, even mixed. Envelopes and ACS's event data are read with Azure.Messaging.EventGrid
/// (<see cref="EventGridEvent"/>, <see cref="CloudEvent"/>, and the <c>SystemEvents</c> models); what its version does not
/// read is read from the JSON: the <c>deliveryAttemptTimestamp</c> and <c>userActionTimestamp</c> spellings (it reads
/// only <c>…TimeStamp</c>), the SDK models' <c>engagement</c> name, whether an event time was given at all (the SDK puts "now" or year 1 in its place), and every timestamp's own zone rule (a time without a zone
/// is UTC, as every ACS and Event Grid time is). Statuses are matched ignoring case against ACS's list, which has
/// <c>Expanded</c> beside the SDK's known values. Every field is checked here first, so that an error names it.
/// </summary>
public static partial class AcsEmailEventReader
{
    private const int MaxMessageIdLength = 128;
    private const int MaxEventIdLength = 256;
    private const int MaxTypeLength = 256;
    private const int MaxInstantLength = 64;

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    private static readonly string StatusList = string.Join(", ", Wire.Names<DeliveryStatus>());

    [GeneratedRegex(@"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\z")]
    private static partial Regex Base64();

    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?\z")]
    private static partial Regex IsoInstant();

    /// <summary>Reads the message text the queue trigger hands over.</summary>
    public static EmailEventsRead Read(string? messageText)
    {
        var text = messageText?.Trim() ?? "";
        if (text.Length == 0) return EmailEventsRead.Malformed("the message is empty");
        using var document = ParseJson(text) ?? (Base64().IsMatch(text) ? ParseJson(DecodeBase64(text)) : null);
        if (document is null) return EmailEventsRead.Malformed("the message is not JSON, raw or base64");
        return Read(document.RootElement);
    }

    private static EmailEventsRead Read(JsonElement body)
    {
        var isArray = body.ValueKind == JsonValueKind.Array;
        JsonElement[] candidates = isArray ? [.. body.EnumerateArray()] : [body];
        if (candidates.Length == 0) return EmailEventsRead.Malformed("the message is an empty array");
        if (candidates.Length > EmailReports.MaxEventsPerMessage)
        {
            return EmailEventsRead.Malformed($"the message holds more than {EmailReports.MaxEventsPerMessage} events");
        }
        var reports = new List<EmailReport>();
        var ignored = new List<string>();
        for (var i = 0; i < candidates.Length; i++)
        {
            var where = isArray ? $"[{i}]" : "event";
            var envelope = EnvelopeOf(candidates[i], where, out var error);
            if (envelope is null) return EmailEventsRead.Malformed(error!);
            EmailReport? report = envelope.Type switch
            {
                EmailReports.DeliveryReportType => DeliveryReportOf(envelope, where, out error),
                EmailReports.EngagementReportType => EngagementReportOf(envelope, where, out error),
                _ => null,
            };
            if (error is not null) return EmailEventsRead.Malformed(error);
            if (report is null) ignored.Add(envelope.Type);
            else reports.Add(report);
        }
        return new EmailEventsRead(reports, ignored, null);
    }

    /// <param name="Time">The event's own time, null when the event gave none.</param>
    /// <param name="SystemData">Reads the SDK's model of ACS's data: null when the SDK cannot read it.</param>
    private sealed record Envelope(string Id, string Type, DateTimeOffset? Time, BinaryData? Data, Func<object?> SystemData);

    // What the SDK's readers throw on JSON of the wrong shape. Its own messages may quote a value: reasons stay generic.
    private static bool IsSdkRefusal(Exception e) =>
        e is ArgumentException or FormatException or InvalidOperationException or JsonException or OverflowException or NotSupportedException;

    private static Envelope? EnvelopeOf(JsonElement candidate, string where, out string? error)
    {
        error = null;
        if (candidate.ValueKind != JsonValueKind.Object)
        {
            error = $"{where}: not an event object";
            return null;
        }
        if (candidate.TryGetProperty("specversion", out _)) return CloudEventOf(candidate, where, out error);
        if (candidate.TryGetProperty("eventType", out _)) return EventGridEventOf(candidate, where, out error);
        error = $"{where}: neither an Event Grid event (eventType) nor a CloudEvent (specversion)";
        return null;
    }

    private static Envelope? CloudEventOf(JsonElement candidate, string where, out string? error)
    {
        var issues = new Issues(where);
        if (StringOf(candidate, "specversion") != "1.0") issues.Add("specversion", "must be \"1.0\"");
        var id = RequiredText(candidate, "id", MaxEventIdLength, issues);
        RequiredText(candidate, "type", MaxTypeLength, issues);
        // Required by CloudEvents 1.0, and by the SDK.
        RequiredText(candidate, "source", int.MaxValue, issues);
        var time = OptionalInstant(candidate, "time", issues);
        if (issues.Any(out error)) return null;
        CloudEvent? cloudEvent;
        try
        {
            cloudEvent = CloudEvent.Parse(BinaryData.FromString(candidate.GetRawText()));
        }
        catch (Exception e) when (IsSdkRefusal(e))
        {
            cloudEvent = null;
        }
        if (cloudEvent is null)
        {
            error = $"{where}: not a valid CloudEvents 1.0 event";
            return null;
        }
        return new Envelope(id!, cloudEvent.Type, time, cloudEvent.Data, () => cloudEvent.TryGetSystemEventData(out var data) ? data : null);
    }

    private static Envelope? EventGridEventOf(JsonElement candidate, string where, out string? error)
    {
        var issues = new Issues(where);
        var id = RequiredText(candidate, "id", MaxEventIdLength, issues);
        RequiredText(candidate, "eventType", MaxTypeLength, issues);
        var time = OptionalInstant(candidate, "eventTime", issues);
        if (time is null && !issues.Has("eventTime")) issues.Add("eventTime", "required");
        // Required by the Event Grid schema (Event Grid stamps dataVersion on delivery when the publisher gave none).
        if (StringOf(candidate, "subject") is null) issues.Add("subject", "must be a string");
        if (StringOf(candidate, "dataVersion") is null) issues.Add("dataVersion", "must be a string");
        if (!candidate.TryGetProperty("data", out _)) issues.Add("data", "required");
        if (issues.Any(out error)) return null;
        EventGridEvent eventGridEvent;
        try
        {
            eventGridEvent = EventGridEvent.Parse(BinaryData.FromString(candidate.GetRawText()));
        }
        catch (Exception e) when (IsSdkRefusal(e))
        {
            error = $"{where}: not a valid Event Grid event";
            return null;
        }
        return new Envelope(id!, eventGridEvent.EventType, time, eventGridEvent.Data, () => eventGridEvent.TryGetSystemEventData(out var data) ? data : null);
    }

    private static DeliveryReport? DeliveryReportOf(Envelope envelope, string where, out string? error)
    {
        var issues = new Issues($"{where}.data");
        if (DataOf(envelope, where, out error) is not { } data) return null;
        RequiredText(data, "messageId", MaxMessageIdLength, issues);
        var statusText = StringOf(data, "status");
        var status = statusText is not null && statusText.Length <= 64 ? StatusOf(statusText) : null;
        if (status is null) issues.Add("status", $"must be one of {StatusList}");
        var recipient = StringOf(data, "recipient")?.Trim();
        if (recipient is null || recipient.Length is < 3 or > 320) issues.Add("recipient", "must be an address");
        // Both spellings occur: the SDK models say deliveryAttemptTimestamp, ACS's samples deliveryAttemptTimeStamp.
        var camel = OptionalInstant(data, "deliveryAttemptTimestamp", issues);
        var capital = OptionalInstant(data, "deliveryAttemptTimeStamp", issues);
        if (issues.Any(out error)) return null;
        if (SystemDataOf(envelope) is not AcsEmailDeliveryReportReceivedEventData model)
        {
            error = $"{where}.data: not an ACS delivery report";
            return null;
        }
        var at = camel ?? capital ?? envelope.Time;
        if (at is null)
        {
            error = $"{where}.data.deliveryAttemptTimestamp: required without an event time";
            return null;
        }
        return new DeliveryReport(envelope.Id.Trim(), model.MessageId.Trim(), StatusOf(model.Status?.ToString() ?? "") ?? status!.Value, model.Recipient.Trim(), at.Value);
    }

    private static EngagementReport? EngagementReportOf(Envelope envelope, string where, out string? error)
    {
        var issues = new Issues($"{where}.data");
        if (DataOf(envelope, where, out error) is not { } data) return null;
        RequiredText(data, "messageId", MaxMessageIdLength, issues);
        // The wire name is engagementType (what the SDK reads); the SDK models call the property engagement.
        var engagementType = OptionalEngagement(data, "engagementType", issues);
        var engagement = OptionalEngagement(data, "engagement", issues);
        var camel = OptionalInstant(data, "userActionTimestamp", issues);
        var capital = OptionalInstant(data, "userActionTimeStamp", issues);
        if (engagementType is null && engagement is null && !issues.Has("engagementType") && !issues.Has("engagement"))
        {
            issues.Add("engagementType", "engagementType is required");
        }
        if (issues.Any(out error)) return null;
        if (SystemDataOf(envelope) is not AcsEmailEngagementTrackingReportReceivedEventData model)
        {
            error = $"{where}.data: not an ACS engagement report";
            return null;
        }
        var kind = (model.Engagement is { } fromSdk ? EngagementOf(fromSdk.ToString()) : null) ?? engagementType ?? engagement!.Value;
        var at = camel ?? capital ?? envelope.Time;
        if (at is null)
        {
            error = $"{where}.data.userActionTimestamp: required without an event time";
            return null;
        }
        return new EngagementReport(envelope.Id.Trim(), model.MessageId.Trim(), kind, at.Value);
    }

    /// <summary>
    /// ISO 8601 instants as ACS writes them (up to 7 fractional digits, more are cut, <c>Z</c> or an offset), in UTC. A
    /// time without a zone is UTC, as every ACS and Event Grid time is. Null for anything else, including dates that do
    /// not exist.
    /// </summary>
    public static DateTimeOffset? ParseInstant(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = IsoInstant().Match(text.Trim());
        if (!match.Success) return null;
        int Part(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture) : 0;
        var fraction = match.Groups[7].Success ? match.Groups[7].Value.PadRight(7, '0')[..7] : "0";
        var offset = TimeSpan.Zero;
        if (match.Groups[8].Success && match.Groups[8].Value is not ("Z" or "z"))
        {
            var zone = match.Groups[8].Value.Replace(":", "", StringComparison.Ordinal);
            var hours = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture);
            var minutes = int.Parse(zone.AsSpan(3, 2), CultureInfo.InvariantCulture);
            if (hours > 14 || minutes > 59) return null;
            offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
            if (offset.Duration() > TimeSpan.FromHours(14)) return null;
        }
        try
        {
            var local = new DateTime(Part(1), Part(2), Part(3), Part(4), Part(5), Part(6), DateTimeKind.Unspecified)
                .AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture));
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static DeliveryStatus? StatusOf(string text)
    {
        var trimmed = text.Trim();
        foreach (var status in Enum.GetValues<DeliveryStatus>())
        {
            if (string.Equals(Wire.Name(status), trimmed, StringComparison.OrdinalIgnoreCase)) return status;
        }
        return null;
    }

    private static EngagementKind? EngagementOf(string text) =>
        Wire.TryParse<EngagementKind>(text.Trim().ToLowerInvariant(), out var kind) ? kind : null;

    private static EngagementKind? OptionalEngagement(JsonElement data, string name, Issues issues)
    {
        if (!data.TryGetProperty(name, out var value)) return null;
        var kind = value.ValueKind == JsonValueKind.String && StringOf(data, name) is { Length: <= 32 } text ? EngagementOf(text) : null;
        if (kind is null) issues.Add(name, "must be view or click");
        return kind;
    }

    private static string? RequiredText(JsonElement parent, string name, int maxLength, Issues issues)
    {
        if (!parent.TryGetProperty(name, out _))
        {
            issues.Add(name, "required");
            return null;
        }
        var text = StringOf(parent, name);
        if (text is null) issues.Add(name, "must be a string");
        else if (text.Trim().Length == 0) issues.Add(name, "must not be empty");
        else if (text.Length > maxLength) issues.Add(name, $"must be at most {maxLength} characters");
        else return text;
        return null;
    }

    private static DateTimeOffset? OptionalInstant(JsonElement parent, string name, Issues issues)
    {
        if (!parent.TryGetProperty(name, out _)) return null;
        var instant = StringOf(parent, name) is { Length: <= MaxInstantLength } text ? ParseInstant(text) : null;
        if (instant is null) issues.Add(name, "must be an ISO 8601 date-time");
        return instant;
    }

    /// <summary>The property's text; null when absent, not a string, or not text at all (a lone surrogate escape).</summary>
    private static string? StringOf(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonDocument? ParseJson(string text)
    {
        try
        {
            return JsonDocument.Parse(text, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string DecodeBase64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    /// <summary>The SDK's data (a CloudEvent's <c>data_base64</c> already decoded) as a JSON object, or why not.</summary>
    private static JsonElement? DataOf(Envelope envelope, string where, out string? error)
    {
        error = $"{where}.data: must be an object";
        if (envelope.Data is not { } data || data.ToMemory().IsEmpty) return null;
        try
        {
            using var document = JsonDocument.Parse(data.ToMemory(), JsonOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            error = null;
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static object? SystemDataOf(Envelope envelope)
    {
        try
        {
            return envelope.SystemData();
        }
        catch (Exception e) when (IsSdkRefusal(e))
        {
            return null;
        }
    }

    /// <summary>Issues found in one object, each as <c>path.field: rule</c>, joined as one reason.</summary>
    private sealed class Issues(string path)
    {
        private readonly List<(string Field, string Rule)> _found = [];

        public void Add(string field, string rule) => _found.Add((field, rule));

        public bool Has(string field) => _found.Exists(issue => issue.Field == field);

        public bool Any(out string? error)
        {
            error = _found.Count == 0 ? null : string.Join("; ", _found.Select(issue => $"{path}.{issue.Field}: {issue.Rule}"));
            return error is not null;
        }
    }
}
