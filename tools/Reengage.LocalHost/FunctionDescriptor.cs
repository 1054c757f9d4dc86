using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.LocalHost;

/// <summary>The trigger families the local host serves.</summary>
public enum TriggerKind
{
    Http,
    Timer,
    Queue,
}

/// <summary>One function as the host read it from its attributes, with <c>%SETTING%</c> references resolved.</summary>
public sealed record FunctionDescriptor
{
    public required string Name { get; init; }
    public required TriggerKind Trigger { get; init; }
    public required MethodInfo Method { get; init; }

    /// <summary>HTTP: the route template below the route prefix (the function name when the attribute has none).</summary>
    public string? Route { get; init; }

    /// <summary>HTTP: the accepted methods, upper case; empty means every method.</summary>
    public IReadOnlyList<string> HttpMethods { get; init; } = [];

    /// <summary>HTTP: the declared level. Not enforced locally (as with <c>func start</c>).</summary>
    public AuthorizationLevel AuthLevel { get; init; }

    /// <summary>Timer: the NCRONTAB schedule.</summary>
    public string? Schedule { get; init; }

    /// <summary>Queue: the queue name.</summary>
    public string? QueueName { get; init; }

    /// <summary>Queue: the name of the setting holding the storage connection string.</summary>
    public string? Connection { get; init; }
}

/// <summary>One finished invocation, as <see cref="LocalFunctionsHostOptions.OnInvocationCompleted"/> reports it.</summary>
/// <param name="Error">What the function threw; null when it succeeded.</param>
/// <param name="DequeueCount">Queue functions: the message's dequeue count.</param>
/// <param name="MessageId">Queue functions: the message id.</param>
public sealed record FunctionInvocation(string FunctionName, TriggerKind Trigger, Exception? Error, long? DequeueCount, string? MessageId);
