using System.Collections.Concurrent;
using System.Reflection;

namespace Reengage.Core.Model;

/// <summary>The name an enum member has on the wire (JSON, table columns, URLs): <c>check-in</c>, <c>in_care</c>, <c>fr</c>.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class WireNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Converts the domain's enums to and from their wire names, one table per enum type, built once.</summary>
public static class Wire
{
    private static readonly ConcurrentDictionary<Type, (Dictionary<Enum, string> ToName, Dictionary<string, Enum> FromName)> Maps = new();

    public static string Name<T>(T value) where T : struct, Enum => MapOf(typeof(T)).ToName[value];

    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum
    {
        if (name is not null && MapOf(typeof(T)).FromName.TryGetValue(name, out var found))
        {
            value = (T)found;
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Parses a name known to be valid (read back from storage); throws on anything else.</summary>
    public static T Parse<T>(string name) where T : struct, Enum =>
        TryParse<T>(name, out var value) ? value : throw new FormatException($"'{name}' is not a {typeof(T).Name}.");

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(v => Name(v))];

    private static (Dictionary<Enum, string> ToName, Dictionary<string, Enum> FromName) MapOf(Type type) =>
        Maps.GetOrAdd(type, static t =>
        {
            var toName = new Dictionary<Enum, string>();
            var fromName = new Dictionary<string, Enum>(StringComparer.Ordinal);
            foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var value = (Enum)field.GetValue(null)!;
                var name = field.GetCustomAttribute<WireNameAttribute>()?.Name ?? field.Name.ToLowerInvariant();
                toName[value] = name;
                fromName[name] = value;
            }
            return (toName, fromName);
        });
}
