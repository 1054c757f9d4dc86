// Reading compiled ARM JSON: resources, variables, and the expressions the tests compare.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reengage.Infra.Tests;

/// <summary>A module as main.json deploys it: the values main passes in, and the module's own template.</summary>
public sealed record ArmDeployment(string Name, JsonObject Parameters, JsonObject Template)
{
    /// <summary>The value (usually an ARM expression) main.bicep passes as <paramref name="parameter"/>.</summary>
    public string Argument(string parameter)
    {
        var value = Parameters[parameter]?["value"] ?? throw new InvalidOperationException($"main passes no {parameter} to {Name}");
        return value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();
    }

    public IEnumerable<JsonObject> Resources(string type) => Template.Resources().Where(r => r.Type() == type);

    public JsonObject Resource(string type) =>
        Resources(type).SingleOrDefault() ?? throw new InvalidOperationException($"module {Name} has no single {type}");

    /// <summary>A variable's compiled value, following <c>[variables('…')]</c> aliases (loadJsonContent compiles to one).</summary>
    public JsonNode Variable(string name)
    {
        var node = Template.Obj("variables")[name] ?? throw new InvalidOperationException($"module {Name} has no variable {name}");
        return node is JsonValue v && v.TryGetValue<string>(out var text) && Arm.VariableAlias().Match(text) is { Success: true } alias
            ? Variable(alias.Groups[1].Value)
            : node;
    }
}

public static partial class Arm
{
    public static IEnumerable<JsonObject> Resources(this JsonObject template) =>
        template["resources"] is JsonArray array
            ? array.OfType<JsonObject>()
            : throw new InvalidOperationException("the template has no resources array (symbolic-name templates are not expected)");

    public static string Type(this JsonObject resource) => resource.Str("type");

    public static string Str(this JsonObject node, string property) =>
        node[property] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new InvalidOperationException($"no string {property} in {Short(node)}");

    public static JsonObject Obj(this JsonObject node, string property) =>
        node[property] as JsonObject ?? throw new InvalidOperationException($"no object {property} in {Short(node)}");

    /// <summary>The string at a dotted path (<c>properties.functionAppConfig.runtime.name</c>), or null.</summary>
    public static string? At(this JsonObject node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.')) current = current?[part];
        return current is JsonValue value && value.TryGetValue<string>(out var text) ? text : current?.ToJsonString();
    }

    /// <summary>The role key in roles.json of a compiled <c>roleDefinitionId</c> (<c>variables('roles').storageBlobDataOwner.id</c>).</summary>
    public static string? RoleKey(string roleDefinitionId) =>
        RoleReference().Match(roleDefinitionId) is { Success: true } m ? m.Groups[1].Value : null;

    private static string Short(JsonNode node) => node.ToJsonString() is { Length: > 200 } s ? s[..200] + "…" : node.ToJsonString();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    internal static partial Regex VariableAlias();

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', variables\('roles'\)\.(\w+)\.id\)\]$")]
    private static partial Regex RoleReference();
}
