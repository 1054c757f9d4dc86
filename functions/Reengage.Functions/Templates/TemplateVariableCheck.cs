using Reengage.Core.Ports;
using Scriban.Syntax;

namespace Reengage.Functions.Templates;

/// <summary>
/// Reads an override's syntax tree for the variables it uses, so that a typo inside a branch the sample data never
/// takes is still caught, and health data is kept out of a subject however it is disguised.
/// </summary>
internal static class TemplateVariableCheck
{
    public static string AvailableVariables { get; } =
        "Available variables: " + string.Join(", ", Paths(RenderScope.Shape, "")) + ".";

    /// <summary>The first problem of <paramref name="page"/>, in words a practice manager can act on; null when fine.</summary>
    public static string? FindProblem(ScriptPage page, TemplatePart part, IReadOnlySet<string> builtins, IReadOnlyDictionary<string, Scriban.Template> partials)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        CollectDeclared(page, declared);
        return Check(page, part, declared, builtins, partials);
    }

    private static void CollectDeclared(ScriptNode node, HashSet<string> declared)
    {
        switch (node)
        {
            case ScriptAssignExpression { Target: ScriptVariable target }:
                declared.Add(target.Name);
                break;
            case ScriptForStatement { Variable: ScriptVariable variable }:
                declared.Add(variable.Name);
                break;
            case ScriptCaptureStatement { Target: ScriptVariable target }:
                declared.Add(target.Name);
                break;
            case ScriptFunction { NameOrDoToken: ScriptVariable name }:
                declared.Add(name.Name);
                break;
            case ScriptParameter { Name: { } name }:
                declared.Add(name.Name);
                break;
        }
        foreach (var child in node.Children)
        {
            if (child is not null)
            {
                CollectDeclared(child, declared);
            }
        }
    }

    private static string? Check(ScriptNode node, TemplatePart part, HashSet<string> declared, IReadOnlySet<string> builtins, IReadOnlyDictionary<string, Scriban.Template> partials)
    {
        switch (node)
        {
            case ScriptMemberExpression member when Chain(member) is { } chain:
                return CheckPath(chain.Path, chain.Root, part, declared, builtins);
            case ScriptVariableGlobal variable:
                return CheckPath([variable.Name], variable, part, declared, builtins);
            case ScriptNamedArgument named:
                return named.Value is null ? null : Check(named.Value, part, declared, builtins, partials);
            case ScriptFunctionCall { Target: ScriptVariableGlobal { Name: PartialFunction.Name } } call
                when call.Arguments.Count > 0 && call.Arguments[0] is ScriptLiteral { Value: string name } && !partials.ContainsKey(name):
                return $"includes \"{name}\", which is not one of the library's partials ({At(call)}). "
                    + $"Partials: {string.Join(", ", partials.Keys.Order(StringComparer.Ordinal))}.";
        }
        foreach (var child in node.Children)
        {
            if (child is not null && Check(child, part, declared, builtins, partials) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary><c>a.b.c</c> as ["a", "b", "c"] when it is a plain chain of names from a global variable.</summary>
    private static (List<string> Path, ScriptVariableGlobal Root)? Chain(ScriptMemberExpression member)
    {
        var path = new List<string>();
        ScriptExpression? current = member;
        while (current is ScriptMemberExpression { Member: { } name } step)
        {
            path.Insert(0, name.Name);
            current = step.Target;
        }
        if (current is not ScriptVariableGlobal root)
        {
            return null;
        }
        path.Insert(0, root.Name);
        return (path, root);
    }

    private static string? CheckPath(List<string> path, ScriptNode at, TemplatePart part, HashSet<string> declared, IReadOnlySet<string> builtins)
    {
        var name = string.Join('.', path);
        var root = path[0];
        if (part == TemplatePart.Subject && RenderScope.HealthVariables.Contains(root))
        {
            return $"uses \"{name}\" ({At(at)}): health data never goes in a subject";
        }
        if (declared.Contains(root) || builtins.Contains(root))
        {
            return null;
        }
        object? node = RenderScope.Shape;
        foreach (var segment in path)
        {
            if (node is not IReadOnlyDictionary<string, object?> members || !members.TryGetValue(segment, out node))
            {
                return $"uses an unknown variable: \"{name}\" ({At(at)}). {AvailableVariables}";
            }
        }
        return null;
    }

    private static string At(ScriptNode node) => $"line {node.Span.Start.Line + 1}, column {node.Span.Start.Column + 1}";

    private static IEnumerable<string> Paths(IReadOnlyDictionary<string, object?> shape, string prefix) =>
        shape.SelectMany(entry => entry.Value is IReadOnlyDictionary<string, object?> children
            ? Paths(children, $"{prefix}{entry.Key}.")
            : [$"{prefix}{entry.Key}"]);
}
