using System.Reflection;
using Reengage.Functions;

namespace Reengage.LocalHost;

/// <summary>How <see cref="LocalFunctionsHost"/> finds its functions, settings and port.</summary>
public sealed record LocalFunctionsHostOptions
{
    /// <summary>
    /// Port on 127.0.0.1; 0 picks a free one (read it back from <see cref="LocalFunctionsHost.BaseUrl"/>). When null,
    /// local.settings.json's <c>Host.LocalHttpPort</c>, else 7071, as with <c>func start</c>.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>Assemblies whose <c>[Function]</c> methods are served. The app's own library by default.</summary>
    public IReadOnlyList<Assembly> FunctionAssemblies { get; init; } = [typeof(ReengageHostBuilderExtensions).Assembly];

    /// <summary>Narrows the function classes taken from <see cref="FunctionAssemblies"/> (all public classes when null).</summary>
    public Func<Type, bool>? TypeFilter { get; init; }

    /// <summary>
    /// Folder holding host.json and local.settings.json. When null: the nearest <c>functions/Reengage.FunctionApp</c>
    /// above the current directory (or above the program), else the current directory.
    /// </summary>
    public string? AppDirectory { get; init; }

    /// <summary>
    /// Settings that win over local.settings.json and the environment, for programs that start the host in-process
    /// (tests, the demo): the storage connection string of their own Azurite, a public base URL.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// The app's service registration; <c>AddReengage</c> by default. In-process callers may add to it
    /// (a fake clock, a stand-in ACS) or, in tests, replace it.
    /// </summary>
    public Action<IHostApplicationBuilder> Configure { get; init; } = static builder => builder.AddReengage();

    /// <summary>
    /// Called after every invocation (HTTP, queue, timer), from the invoking thread: lets a demo or an end-to-end test know
    /// when the queue functions have done their work without polling storage.
    /// </summary>
    public Action<FunctionInvocation>? OnInvocationCompleted { get; init; }

    /// <summary>Command-line arguments handed to <c>WebApplication.CreateBuilder</c> (configuration overrides).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
}
