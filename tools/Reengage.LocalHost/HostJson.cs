using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reengage.LocalHost;

/// <summary>The parts of host.json the local host honours, with the real host's defaults where the file is silent.</summary>
internal sealed record HostJson
{
    public string RoutePrefix { get; init; } = "api";
    public QueueSettings Queues { get; init; } = new();

    internal sealed record QueueSettings
    {
        public int BatchSize { get; init; } = 16;
        /// <summary>When host.json is silent, the real host's default: half the batch size per processor.</summary>
        public int? NewBatchThreshold { get; init; }
        public int MaxDequeueCount { get; init; } = 5;
        public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
        public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
        public bool Base64 { get; init; } = true;

        public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2 * Environment.ProcessorCount;
    }

    public static HostJson Load(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return new HostJson();
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
        var extensions = root?["extensions"];
        var http = extensions?["http"];
        var queues = extensions?["queues"];
        var defaults = new QueueSettings();
        var settings = new QueueSettings
        {
            BatchSize = Int(queues, "batchSize", path) ?? defaults.BatchSize,
            NewBatchThreshold = Int(queues, "newBatchThreshold", path),
            MaxDequeueCount = Int(queues, "maxDequeueCount", path) ?? defaults.MaxDequeueCount,
            VisibilityTimeout = Time(queues, "visibilityTimeout", path) ?? defaults.VisibilityTimeout,
            MaxPollingInterval = Time(queues, "maxPollingInterval", path) ?? defaults.MaxPollingInterval,
            Base64 = Text(queues, "messageEncoding") is not { } encoding || !encoding.Equals("none", StringComparison.OrdinalIgnoreCase),
        };
        // The Storage service hands out at most 32 messages per receive, and the real host refuses more.
        if (settings.BatchSize is < 1 or > 32 || settings.MaxDequeueCount < 1 || settings.EffectiveNewBatchThreshold < 0)
        {
            throw new InvalidOperationException($"{path}: extensions.queues needs 1 ≤ batchSize ≤ 32, maxDequeueCount ≥ 1 and newBatchThreshold ≥ 0.");
        }
        return new HostJson
        {
            RoutePrefix = Text(http, "routePrefix") ?? "api",
            Queues = settings,
        };
    }

    private static string? Text(JsonNode? node, string name) => node?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var other => throw new InvalidOperationException($"host.json: {name} must be a string, not {other.ToJsonString()}."),
    };

    private static int? Int(JsonNode? node, string name, string path) => node?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        _ => throw new InvalidOperationException($"{path}: {name} must be a whole number."),
    };

    // A number is milliseconds, as the host still accepts for maxPollingInterval.
    private static TimeSpan? Time(JsonNode? node, string name, string path) => node?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<long>(out var milliseconds) => TimeSpan.FromMilliseconds(milliseconds),
        JsonValue value when value.TryGetValue<string>(out var text) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) => span,
        _ => throw new InvalidOperationException($"{path}: {name} must be a time span such as 00:00:30."),
    };
}
