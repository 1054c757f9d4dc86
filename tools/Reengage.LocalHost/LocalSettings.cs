using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reengage.LocalHost;

/// <summary>local.settings.json as Core Tools reads it: <c>Values</c> become app settings, <c>ConnectionStrings</c> connection strings.</summary>
internal static class LocalSettings
{
    public sealed record Contents(Dictionary<string, string?> Settings, int? LocalHttpPort);

    public static Contents Load(string? path)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is null || !File.Exists(path))
        {
            return new Contents(settings, null);
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
        if (root?["IsEncrypted"]?.GetValue<bool>() == true)
        {
            throw new InvalidOperationException($"{path} is encrypted (IsEncrypted: true); the local host reads only plain settings.");
        }
        // Core Tools turns Values into environment variables, where `__` separates sections: keep that meaning.
        foreach (var (name, value) in root?["Values"]?.AsObject() ?? [])
        {
            settings[name.Replace("__", ":", StringComparison.Ordinal)] = value?.ToString();
        }
        foreach (var (name, value) in root?["ConnectionStrings"]?.AsObject() ?? [])
        {
            settings["ConnectionStrings:" + name] = value?.ToString();
        }
        var port = root?["Host"]?["LocalHttpPort"] is JsonValue portValue && portValue.TryGetValue<int>(out var number) ? number : (int?)null;
        return new Contents(settings, port);
    }
}
