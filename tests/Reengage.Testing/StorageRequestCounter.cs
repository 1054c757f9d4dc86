using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Reengage.Testing;

/// <summary>
/// Counts the storage requests that go on the wire, per table or queue and verb, so that a change that adds a request
/// to a common path is noticed; and the table entities those requests read back (the length of a query page's
/// <c>value</c>, 1 for a point read). Add it to the clients' options at <see cref="HttpPipelinePosition.PerRetry"/> (every
/// attempt counts) with <see cref="AddTo(ClientOptions)"/>.
/// </summary>
/// <param name="accountName">The first path segment to skip on path-style (emulator) URLs.</param>
public sealed class StorageRequestCounter(string accountName = Azurite.AccountName) : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<(string Resource, string Verb), int> _counts = new();
    private readonly ConcurrentDictionary<string, long> _entitiesRead = new();

    public void AddTo(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
    }

    /// <summary>Every request since the last <see cref="Reset"/>.</summary>
    public int Total => _counts.Values.Sum();

    /// <summary>GET requests (point reads, queries, queue receives and peeks) since the last <see cref="Reset"/>.</summary>
    public int Reads => _counts.Where(c => c.Key.Verb == "GET").Sum(c => c.Value);

    /// <summary>Every other request: inserts, updates, deletes, entity-group transactions (one each), queue puts and deletes.</summary>
    public int Writes => Total - Reads;

    /// <summary>Table entities read back since the last <see cref="Reset"/>, all tables.</summary>
    public long EntitiesRead => _entitiesRead.Values.Sum();

    /// <summary>Table entities read back from one table.</summary>
    public long EntitiesReadFrom(string table) => _entitiesRead.TryGetValue(table, out var n) ? n : 0;

    /// <summary>Entities read per table, for reports.</summary>
    public IReadOnlyDictionary<string, long> EntitiesReadByTable() => _entitiesRead.Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value);

    /// <summary>Requests on one table or queue (its name; <c>$batch</c> for table transactions), of one verb if given.</summary>
    public int Count(string resource, string? verb = null) =>
        _counts.Where(c => c.Key.Resource == resource && (verb is null || c.Key.Verb.Equals(verb, StringComparison.OrdinalIgnoreCase))).Sum(c => c.Value);

    /// <summary>"GET Patients", "POST $batch", "PUT outreach-send", … with their counts, for assertion messages.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() => _counts.ToDictionary(c => $"{c.Key.Verb} {c.Key.Resource}", c => c.Value);

    public void Reset()
    {
        _counts.Clear();
        _entitiesRead.Clear();
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = (ResourceOf(message.Request.Uri.Path), message.Request.Method.Method);
        _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Table reads answer JSON (queues answer XML): a query page holds its entities in `value`, a point read is one.
        if (message.Request.Method != RequestMethod.Get || message.Response.Status != 200) return;
        if (!message.Response.Headers.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? true) return;
        var resource = ResourceOf(message.Request.Uri.Path);
        if (resource == "Tables") return;
        var read = EntitiesIn(message.Response.Content);
        _entitiesRead.AddOrUpdate(resource, read, (_, count) => count + read);
    }

    private static long EntitiesIn(BinaryData? content)
    {
        if (content is null) return 0;
        var reader = new Utf8JsonReader(content.ToMemory().Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isValue && reader.TokenType == JsonTokenType.StartArray)
            {
                long n = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    n++;
                    reader.Skip();
                }
                return n;
            }
            reader.Skip();
        }
        return 1;
    }

    /// <summary>
    /// <c>/account/Patients(PartitionKey='p',RowKey='r')</c> → <c>Patients</c>; <c>/account/outreach-send/messages</c>
    /// → <c>outreach-send</c>; <c>/account/Tables</c> → <c>Tables</c>.
    /// </summary>
    private string ResourceOf(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 1 && segments[0] == accountName ? 1 : 0;
        if (segments.Length <= first) return "";
        var resource = Uri.UnescapeDataString(segments[first]);
        var parenthesis = resource.IndexOf('(', StringComparison.Ordinal);
        return parenthesis >= 0 ? resource[..parenthesis] : resource;
    }
}
