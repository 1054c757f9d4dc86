using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions;

namespace Reengage.Fuzz.Tests;

/// <summary>One HTTP function of the app as its attributes declare it.</summary>
public sealed record HttpFunction(string Name, IReadOnlyList<string> Methods, string Route)
{
    /// <summary>The names of the route's parameters (<c>{practiceId}</c>, <c>{id:int?}</c> gives <c>id</c>).</summary>
    public IReadOnlyList<string> Parameters =>
        [.. Route.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s.Trim('{', '}', '*').Split(':')[0].TrimEnd('?'))];

    public override string ToString() => Name;

    /// <summary>Every <c>[Function]</c> method of the app's function assembly with an <c>[HttpTrigger]</c> parameter.</summary>
    public static IReadOnlyList<HttpFunction> All { get; } = Discover();

    private static List<HttpFunction> Discover() =>
        [.. typeof(ReengageHostBuilderExtensions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().FirstOrDefault()))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .Select(f => new HttpFunction(
                f.Function!.Name,
                [.. (f.Trigger!.Methods ?? []).Select(m => m.ToUpperInvariant())],
                f.Trigger.Route ?? f.Function.Name))
            .OrderBy(f => f.Name, StringComparer.Ordinal)];
}
