// The HTTP functions of an assembly, read from their own [Function] and [HttpTrigger] attributes (as the local host and
// the Worker SDK's metadata generator read them): a new function appears in the OpenAPI document without a route table.
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.Functions.OpenApi;

/// <summary>One HTTP function: its name, route (without the <c>api/</c> prefix), methods (lower case) and auth level.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel);

public static class HttpFunctions
{
    /// <summary>Every HTTP-triggered function of <paramref name="assembly"/>, by name.</summary>
    public static IReadOnlyList<HttpFunction> In(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return
        [
            .. from type in assembly.GetTypes()
               from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
               let function = method.GetCustomAttribute<FunctionAttribute>()
               where function is not null
               let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)
               where trigger is not null
               orderby function.Name
               select new HttpFunction(
                   function.Name,
                   trigger.Route ?? function.Name,
                   // No methods: the host takes every method.
                   [.. (trigger.Methods ?? ["get", "post", "put", "delete", "patch", "head", "options"]).Select(m => m.ToLowerInvariant())],
                   trigger.AuthLevel),
        ];
    }
}
