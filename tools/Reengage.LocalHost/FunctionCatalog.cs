using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Reengage.LocalHost;

/// <summary>What one invocation carries, whichever the trigger.</summary>
internal sealed class InvocationContext(IServiceProvider services, CancellationToken cancellationToken)
{
    public IServiceProvider Services { get; } = services;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public HttpContext? Http { get; init; }
    public QueueInput? Queue { get; init; }
}

/// <summary>A dequeued message as the trigger binds it: the decoded body and the trigger metadata.</summary>
internal sealed record QueueInput(BinaryData Body, string Id, long DequeueCount, string? PopReceipt, DateTimeOffset? InsertedOn, DateTimeOffset? ExpiresOn, DateTimeOffset? NextVisibleOn);

/// <summary>A function ready to run: its descriptor and one binder per method parameter.</summary>
internal sealed class RegisteredFunction(FunctionDescriptor descriptor, IReadOnlyList<Func<InvocationContext, object?>> binders)
{
    public FunctionDescriptor Descriptor { get; } = descriptor;
    public IReadOnlyList<Func<InvocationContext, object?>> Binders { get; } = binders;
}

/// <summary>
/// Reads the <c>[Function]</c> methods of the function assemblies and plans how each parameter is bound, failing
/// at start-up (one error listing every problem) rather than at the first invocation.
/// </summary>
internal static partial class FunctionCatalog
{
    // The worker's default serializer reads JSON case-insensitively with web defaults.
    private static readonly JsonSerializerOptions QueueJson = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<RegisteredFunction> Discover(IEnumerable<Assembly> assemblies, Func<Type, bool>? typeFilter, IConfiguration settings)
    {
        var problems = new List<string>();
        var functions = new List<RegisteredFunction>();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && (typeFilter?.Invoke(t) ?? true)))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }
                var name = function.Name;
                if (IsDisabled(settings, name))
                {
                    continue;
                }
                var errors = new List<string>();
                var registered = Plan(name, method, settings, errors);
                problems.AddRange(errors.Select(e => $"{name} ({type.FullName}.{method.Name}): {e}"));
                if (registered is not null)
                {
                    functions.Add(registered);
                }
            }
        }
        foreach (var duplicate in functions.GroupBy(f => f.Descriptor.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Key}: more than one method is named so.");
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The local host cannot serve these functions:\n  - " + string.Join("\n  - ", problems));
        }
        return functions;
    }

    /// <summary>The host's own switch, <c>AzureWebJobs.&lt;name&gt;.Disabled</c>, honoured as the real host does.</summary>
    private static bool IsDisabled(IConfiguration settings, string name) =>
        bool.TryParse(settings[$"AzureWebJobs.{name}.Disabled"], out var disabled) && disabled;

    private static RegisteredFunction? Plan(string name, MethodInfo method, IConfiguration settings, List<string> errors)
    {
        if (!method.IsStatic && method.DeclaringType is { IsAbstract: true })
        {
            errors.Add("an instance method of an abstract class cannot be activated.");
        }
        if (method.ContainsGenericParameters)
        {
            errors.Add("generic methods are not supported.");
        }
        if (method.ReturnParameter.GetCustomAttributes().Any(a => a is OutputBindingAttribute)
            || method.GetCustomAttributes().Any(a => a is OutputBindingAttribute)
            || UnwrapAwaitable(method.ReturnType).GetProperties().Any(p => p.GetCustomAttributes().Any(a => a is OutputBindingAttribute or HttpResultAttribute)))
        {
            errors.Add("output bindings are not supported by the local host; write through the app's own clients.");
        }

        var parameters = method.GetParameters();
        var triggers = parameters
            .Select(p => (Parameter: p, Attribute: p.GetCustomAttributes().OfType<TriggerBindingAttribute>().SingleOrDefault()))
            .Where(t => t.Attribute is not null)
            .ToList();
        if (triggers.Count != 1)
        {
            errors.Add($"expected exactly one trigger parameter, found {triggers.Count}.");
            return null;
        }
        var (triggerParameter, trigger) = triggers[0];
        foreach (var parameter in parameters.Where(p => p != triggerParameter && p.GetCustomAttributes().Any(a => a is InputBindingAttribute)))
        {
            errors.Add($"parameter '{parameter.Name}' is an input binding, which the local host does not support.");
        }

        FunctionDescriptor descriptor;
        Func<ParameterInfo, Func<InvocationContext, object?>?> bindOther;
        switch (trigger)
        {
            case HttpTriggerAttribute http:
                {
                    var route = http.Route ?? name;
                    RoutePattern pattern;
                    try
                    {
                        pattern = RoutePatternFactory.Parse(route);
                    }
                    catch (RoutePatternException ex)
                    {
                        errors.Add($"route '{route}' is not a valid route template: {ex.Message}");
                        return null;
                    }
                    descriptor = new FunctionDescriptor
                    {
                        Name = name,
                        Trigger = TriggerKind.Http,
                        Method = method,
                        Route = route,
                        HttpMethods = (http.Methods ?? []).Select(m => m.ToUpperInvariant()).Distinct().ToList(),
                        AuthLevel = http.AuthLevel,
                    };
                    if (triggerParameter.ParameterType != typeof(HttpRequest))
                    {
                        errors.Add($"the HTTP trigger parameter must be an HttpRequest (ASP.NET Core integration), not {triggerParameter.ParameterType.Name}.");
                    }
                    var returnType = UnwrapAwaitable(method.ReturnType);
                    if (returnType != typeof(void) && !typeof(IActionResult).IsAssignableFrom(returnType) && !typeof(IResult).IsAssignableFrom(returnType))
                    {
                        errors.Add($"an HTTP function must return IActionResult or IResult (or a Task of one), not {method.ReturnType.Name}.");
                    }
                    var routeNames = pattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    bindOther = p => routeNames.Contains(p.Name!) ? RouteValueBinder(p, errors) : null;
                    break;
                }
            case TimerTriggerAttribute timer:
                descriptor = new FunctionDescriptor
                {
                    Name = name,
                    Trigger = TriggerKind.Timer,
                    Method = method,
                    Schedule = Resolve(timer.Schedule, settings, errors),
                };
                if (triggerParameter.ParameterType != typeof(TimerInfo))
                {
                    errors.Add($"the timer trigger parameter must be a TimerInfo, not {triggerParameter.ParameterType.Name}.");
                }
                bindOther = _ => null;
                break;
            case QueueTriggerAttribute queue:
                descriptor = new FunctionDescriptor
                {
                    Name = name,
                    Trigger = TriggerKind.Queue,
                    Method = method,
                    QueueName = Resolve(queue.QueueName, settings, errors),
                    Connection = string.IsNullOrEmpty(queue.Connection) ? "AzureWebJobsStorage" : queue.Connection,
                };
                if (triggerParameter.ParameterType == typeof(Azure.Storage.Queues.Models.QueueMessage))
                {
                    errors.Add("the local host binds a queue message as string, BinaryData, byte[] or a JSON-read type, not QueueMessage (take dequeueCount and id as parameters).");
                }
                bindOther = QueueMetadataBinder;
                break;
            default:
                errors.Add($"trigger {trigger!.GetType().Name} is not supported by the local host (HTTP, timer and queue triggers are).");
                return null;
        }

        var binders = new List<Func<InvocationContext, object?>>();
        foreach (var parameter in parameters)
        {
            Func<InvocationContext, object?>? binder;
            if (parameter == triggerParameter)
            {
                binder = descriptor.Trigger switch
                {
                    TriggerKind.Http => static c => c.Http!.Request,
                    TriggerKind.Timer => static _ => new TimerInfo { IsPastDue = false },
                    _ => QueueBodyBinder(parameter.ParameterType),
                };
            }
            else if (parameter.ParameterType == typeof(CancellationToken))
            {
                binder = static c => c.CancellationToken;
            }
            else if (parameter.ParameterType == typeof(FunctionContext))
            {
                errors.Add($"parameter '{parameter.Name}': FunctionContext is not available in the local host; take a CancellationToken (STYLE.md).");
                continue;
            }
            else
            {
                binder = bindOther(parameter);
            }
            if (binder is null)
            {
                errors.Add($"parameter '{parameter.Name}' ({parameter.ParameterType.Name}) cannot be bound: it is neither the trigger, a CancellationToken, nor trigger metadata.");
                continue;
            }
            binders.Add(binder);
        }
        return errors.Count == 0 ? new RegisteredFunction(descriptor, binders) : null;
    }

    private static Func<InvocationContext, object?>? RouteValueBinder(ParameterInfo parameter, List<string> errors)
    {
        var type = parameter.ParameterType;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return c => c.Http!.Request.RouteValues.TryGetValue(parameter.Name!, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        }
        var converter = TypeDescriptor.GetConverter(target);
        if (!target.IsPrimitive && target != typeof(Guid) && target != typeof(decimal) || !converter.CanConvertFrom(typeof(string)))
        {
            errors.Add($"route parameter '{parameter.Name}' must be a string or a simple value type, not {type.Name}.");
            return null;
        }
        return c => c.Http!.Request.RouteValues.TryGetValue(parameter.Name!, out var value) && value is not null
            ? converter.ConvertFromInvariantString(Convert.ToString(value, CultureInfo.InvariantCulture)!)
            : (type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null);
    }

    private static Func<InvocationContext, object?> QueueBodyBinder(Type type)
    {
        if (type == typeof(string))
        {
            return static c => c.Queue!.Body.ToString();
        }
        if (type == typeof(BinaryData))
        {
            return static c => c.Queue!.Body;
        }
        if (type == typeof(byte[]))
        {
            return static c => c.Queue!.Body.ToArray();
        }
        if (type == typeof(ReadOnlyMemory<byte>))
        {
            return static c => c.Queue!.Body.ToMemory();
        }
        // Anything else is a POCO read from JSON; a body that does not parse fails the invocation, as in the real host.
        return c => JsonSerializer.Deserialize(c.Queue!.Body.ToString(), type, QueueJson);
    }

    /// <summary>The queue trigger's metadata, bound by parameter name as the real host binds its binding data.</summary>
    private static Func<InvocationContext, object?>? QueueMetadataBinder(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        return parameter.Name!.ToLowerInvariant() switch
        {
            "dequeuecount" when type == typeof(long) => static c => c.Queue!.DequeueCount,
            "dequeuecount" when type == typeof(int) => static c => (int)c.Queue!.DequeueCount,
            "id" or "messageid" when type == typeof(string) => static c => c.Queue!.Id,
            "popreceipt" when type == typeof(string) => static c => c.Queue!.PopReceipt,
            "queuetrigger" when type == typeof(string) => static c => c.Queue!.Body.ToString(),
            "insertiontime" when type == typeof(DateTimeOffset?) => static c => c.Queue!.InsertedOn,
            "insertiontime" when type == typeof(DateTimeOffset) => static c => c.Queue!.InsertedOn.GetValueOrDefault(),
            "expirationtime" when type == typeof(DateTimeOffset?) => static c => c.Queue!.ExpiresOn,
            "expirationtime" when type == typeof(DateTimeOffset) => static c => c.Queue!.ExpiresOn.GetValueOrDefault(),
            "nextvisibletime" when type == typeof(DateTimeOffset?) => static c => c.Queue!.NextVisibleOn,
            "nextvisibletime" when type == typeof(DateTimeOffset) => static c => c.Queue!.NextVisibleOn.GetValueOrDefault(),
            _ => null,
        };
    }

    /// <summary>Replaces each <c>%NAME%</c> with its setting, as the real host resolves binding expressions.</summary>
    internal static string Resolve(string value, IConfiguration settings, List<string> errors) =>
        SettingReference().Replace(value, match =>
        {
            var setting = match.Groups[1].Value;
            var resolved = settings[setting.Replace("__", ":", StringComparison.Ordinal)];
            if (string.IsNullOrEmpty(resolved))
            {
                errors.Add($"'%{setting}%' does not resolve: the setting {setting} is missing or empty.");
                return match.Value;
            }
            return resolved;
        });

    internal static Type UnwrapAwaitable(Type type)
    {
        if (type == typeof(Task) || type == typeof(ValueTask))
        {
            return typeof(void);
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return type.GetGenericArguments()[0];
        }
        return type;
    }

    internal static string Describe(FunctionDescriptor function, string baseUrl, string routePrefix)
    {
        var text = new StringBuilder($"{function.Name}: ");
        switch (function.Trigger)
        {
            case TriggerKind.Http:
                text.Append(CultureInfo.InvariantCulture, $"[{(function.HttpMethods.Count == 0 ? "ANY" : string.Join(",", function.HttpMethods))}] {baseUrl}{RoutePath(routePrefix, function.Route!)}");
                break;
            case TriggerKind.Timer:
                text.Append(CultureInfo.InvariantCulture, $"timerTrigger '{function.Schedule}' (run it: POST {baseUrl}/admin/functions/{function.Name})");
                break;
            case TriggerKind.Queue:
                text.Append(CultureInfo.InvariantCulture, $"queueTrigger '{function.QueueName}'");
                break;
        }
        return text.ToString();
    }

    internal static string RoutePath(string routePrefix, string route) =>
        "/" + string.Join('/', new[] { routePrefix.Trim('/'), route.Trim('/') }.Where(s => s.Length > 0));

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
