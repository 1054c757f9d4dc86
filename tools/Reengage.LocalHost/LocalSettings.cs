using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reengage.LocalHost;

/// <summary>local.settings.json as Core Tools reads it: <c>Values</c> become app settings, <c>ConnectionStrings</c> connection strings.</summary>
internal static class LocalSettings
{
    public static Dictionary<string, string?> Load(string? path)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is null || !File.Exists(path))
        {
            return settings;
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
        return settings;
    }
}
