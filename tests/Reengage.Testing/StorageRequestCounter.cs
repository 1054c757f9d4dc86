using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Reengage.Testing;

/// <summary>
/// Counts the storage requests that go on the wire, per table or queue and verb, so that a change that adds a request
/// to a common path is noticed. Add it to the clients' options at <see cref="HttpPipelinePosition.PerRetry"/> (every
/// attempt counts) with <see cref="AddTo(ClientOptions)"/>.
/// </summary>
/// <param name="accountName">The first path segment to skip on path-style (emulator) URLs.</param>
public sealed class StorageRequestCounter(string accountName = Azurite.AccountName) : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<(string Resource, string Verb), int> _counts = new();

    public void AddTo(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
    }

    /// <summary>Every request since the last <see cref="Reset"/>.</summary>
    public int Total => _counts.Values.Sum();

    /// <summary>Requests on one table or queue (its name; <c>$batch</c> for table transactions), of one verb if given.</summary>
    public int Count(string resource, string? verb = null) =>
        _counts.Where(c => c.Key.Resource == resource && (verb is null || c.Key.Verb.Equals(verb, StringComparison.OrdinalIgnoreCase))).Sum(c => c.Value);

    /// <summary>"GET Patients", "POST $batch", "PUT outreach-send", … with their counts, for assertion messages.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() => _counts.ToDictionary(c => $"{c.Key.Verb} {c.Key.Resource}", c => c.Value);

    public void Reset() => _counts.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = (ResourceOf(message.Request.Uri.Path), message.Request.Method.Method);
        _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
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
