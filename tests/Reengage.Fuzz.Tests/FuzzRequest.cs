using System.Text;

namespace Reengage.Fuzz.Tests;

/// <summary>A request as generated: <paramref name="Path"/> is already escaped (it may hold deliberately bad escapes).</summary>
public sealed record FuzzRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ContentType, byte[]? Body)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        foreach (var (name, value) in Headers) message.Headers.TryAddWithoutValidation(name, value);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        return message;
    }

    /// <summary>Short enough for an assertion message; never the whole of a huge body.</summary>
    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Body.Length > 200 ? $"{Body.Length} bytes: {Encoding.UTF8.GetString(Body, 0, 200)}…" : Encoding.UTF8.GetString(Body);
        var path = Path.Length > 300 ? Path[..300] + $"…({Path.Length} chars)" : Path;
        var headers = string.Join(", ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}"));
        return $"{Method} {path} [{ContentType}] {{{headers}}} {body}";
    }
}
