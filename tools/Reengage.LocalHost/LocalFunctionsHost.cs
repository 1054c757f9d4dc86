using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Extensions.Configuration.Memory;

namespace Reengage.LocalHost;

/// <summary>
/// Serves function classes the way <c>func start</c> does (SPEC §12): HTTP functions at <c>/{routePrefix}/{route}</c>,
/// non-HTTP functions run on demand through <c>POST /admin/functions/{name}</c>, queue functions polling their queues.
/// Start it with <see cref="StartAsync"/>; dispose it to stop (queue messages in flight finish first).
/// </summary>
public sealed partial class LocalFunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<RegisteredFunction> _functions;
    private readonly InvocationTracker _tracker;
    private readonly ILogger _logger;
    private int _disposed;

    private LocalFunctionsHost(WebApplication app, IReadOnlyList<RegisteredFunction> functions, string routePrefix, InvocationTracker tracker)
    {
        _app = app;
        _functions = functions;
        _tracker = tracker;
        RoutePrefix = routePrefix;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reengage.LocalHost");
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>host.json's <c>extensions.http.routePrefix</c> (<c>api</c> by default).</summary>
    public string RoutePrefix { get; }

    /// <summary>The functions served, as read from their attributes.</summary>
    public IReadOnlyList<FunctionDescriptor> Functions => _functions.Select(f => f.Descriptor).ToList();

    /// <summary>The app's services (the composition the functions get theirs from).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>One line per function, as <c>func start</c> lists them.</summary>
    public IEnumerable<string> DescribeFunctions() =>
        _functions.Select(f => FunctionCatalog.Describe(f.Descriptor, BaseUrl.ToString().TrimEnd('/'), RoutePrefix));

    public static async Task<LocalFunctionsHost> StartAsync(LocalFunctionsHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalFunctionsHostOptions();
        var appDirectory = options.AppDirectory ?? FindAppDirectory();
        var hostJson = HostJson.Load(Path.Combine(appDirectory, "host.json"));
        var localSettingsPath = new[] { appDirectory, Directory.GetCurrentDirectory() }
            .Select(d => Path.Combine(d, "local.settings.json"))
            .FirstOrDefault(File.Exists);
        var (localSettings, localHttpPort) = LocalSettings.Load(localSettingsPath);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // No file watching for appsettings.json: a development tool needs no reload, and the watches are a shared,
            // limited resource on a machine where several test runs start many hosts.
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. options.Args],
            ApplicationName = typeof(LocalFunctionsHost).Assembly.GetName().Name,
            // Core Tools run the worker as Development unless told otherwise.
            EnvironmentName = Setting("AZURE_FUNCTIONS_ENVIRONMENT", options, localSettings) ?? Environments.Development,
        });
        // local.settings.json first, so the environment (and the command line) win over it, as with Core Tools;
        // the in-process caller's settings last of all.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = localSettings });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port ?? localHttpPort ?? 7071));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddMvcCore();

        IReadOnlyList<RegisteredFunction> functions;
        try
        {
            options.Configure(builder);
            functions = FunctionCatalog.Discover(options.FunctionAssemblies, options.TypeFilter, builder.Configuration);
        }
        catch
        {
            ((IDisposable)builder.Configuration).Dispose();
            throw;
        }
        var tracker = new InvocationTracker(options.OnInvocationCompleted);
        builder.Services.AddSingleton(tracker);
        builder.Services.AddHostedService(sp => new QueueTriggerService(
            functions, hostJson.Queues, sp.GetRequiredService<IConfiguration>(), sp, tracker, sp.GetRequiredService<ILogger<QueueTriggerService>>()));

        var app = builder.Build();
        var host = new LocalFunctionsHost(app, functions, hostJson.RoutePrefix, tracker);
        host.MapEndpoints();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            tracker.Dispose();
            throw new InvalidOperationException($"The local host cannot listen on 127.0.0.1:{options.Port ?? localHttpPort ?? 7071}: {ex.Message}", ex);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            tracker.Dispose();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return host;
    }

    /// <summary>
    /// Runs a non-HTTP function now and waits for it (the admin endpoint only starts it). A queue function gets
    /// <paramref name="input"/> as its message, with dequeue count 1. Throws what the function throws.
    /// </summary>
    public async Task InvokeAsync(string functionName, string? input = null, CancellationToken cancellationToken = default)
    {
        var function = Find(functionName) ?? throw new ArgumentException($"No function named {functionName}.", nameof(functionName));
        if (function.Descriptor.Trigger == TriggerKind.Http)
        {
            throw new InvalidOperationException($"{functionName} is an HTTP function: call it at its route.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _tracker.AbortToken);
        await RunNonHttpAsync(function, input, linked.Token).ConfigureAwait(false);
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _tracker.WhenBackgroundDoneAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _tracker.Dispose();
        }
    }

    /// <summary>
    /// A port free on 127.0.0.1 right now, for callers that must know the host's URL before it starts (a
    /// <c>PUBLIC_BASE_URL</c> setting validated at start-up). Another process could take it in between; rarely matters locally.
    /// </summary>
    public static int FindFreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private RegisteredFunction? Find(string name) =>
        _functions.FirstOrDefault(f => string.Equals(f.Descriptor.Name, name, StringComparison.OrdinalIgnoreCase));

    private async Task RunNonHttpAsync(RegisteredFunction function, string? input, CancellationToken cancellationToken)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var queue = function.Descriptor.Trigger == TriggerKind.Queue
            ? new QueueInput(BinaryData.FromString(input ?? ""), Guid.NewGuid().ToString(), 1, null, DateTimeOffset.UtcNow, null, null)
            : null;
        await FunctionInvoker.InvokeAsync(function, new InvocationContext(scope.ServiceProvider, cancellationToken) { Queue = queue }, _tracker).ConfigureAwait(false);
    }

    private void MapEndpoints()
    {
        _app.UseRouting();
        // Only what this host maps may answer: a known route with another method is a 404, as in the Functions host,
        // not ASP.NET Core's 405.
        _app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<HostEndpoint>() is null)
            {
                context.SetEndpoint(null);
            }
            return next(context);
        });

        foreach (var function in _functions.Where(f => f.Descriptor.Trigger == TriggerKind.Http))
        {
            var pattern = FunctionCatalog.RoutePath(RoutePrefix, function.Descriptor.Route!);
            RequestDelegate handler = context => ServeHttpAsync(function, context);
            var endpoint = function.Descriptor.HttpMethods.Count == 0
                ? _app.Map(pattern, handler)
                : _app.MapMethods(pattern, function.Descriptor.HttpMethods, handler);
            endpoint.WithDisplayName(function.Descriptor.Name).WithMetadata(new HostEndpoint());
        }

        var started = Stopwatch.StartNew();
        _app.MapGet("/admin/host/status", () => Results.Json(new
        {
            id = Environment.MachineName,
            state = "Running",
            version = "local",
            processUptime = (long)started.Elapsed.TotalMilliseconds,
        })).WithMetadata(new HostEndpoint());
        _app.MapPost("/admin/functions/{name}", RunFromAdminAsync).WithMetadata(new HostEndpoint());
    }

    private async Task ServeHttpAsync(RegisteredFunction function, HttpContext context)
    {
        try
        {
            var result = await FunctionInvoker.InvokeAsync(function, new InvocationContext(context.RequestServices, context.RequestAborted) { Http = context }, _tracker).ConfigureAwait(false);
            switch (result)
            {
                case IActionResult action:
                    await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
                    break;
                case IResult minimal:
                    await minimal.ExecuteAsync(context).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The Functions host answers an unhandled exception with a bare 500.
            LogHttpFailed(_logger, function.Descriptor.Name, ex);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private async Task<IResult> RunFromAdminAsync(string name, HttpRequest request)
    {
        var function = Find(name);
        if (function is null)
        {
            return Results.NotFound();
        }
        if (function.Descriptor.Trigger == TriggerKind.Http)
        {
            return Results.BadRequest($"{function.Descriptor.Name} is an HTTP function: call it at its route.");
        }
        string? input = null;
        if (request.ContentLength is not 0)
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
                if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("input", out var value))
                {
                    input = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
                }
            }
            catch (JsonException)
            {
                return Results.BadRequest("The body must be JSON such as {\"input\":\"\"}.");
            }
        }
        _tracker.Track(Task.Run(async () =>
        {
            try
            {
                await RunNonHttpAsync(function, input, _tracker.AbortToken).ConfigureAwait(false);
                LogAdminRunSucceeded(_logger, function.Descriptor.Name);
            }
            catch (Exception ex)
            {
                LogAdminRunFailed(_logger, function.Descriptor.Name, ex);
            }
        }));
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    private static string FindAppDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "functions", "Reengage.FunctionApp");
                if (File.Exists(Path.Combine(candidate, "host.json")))
                {
                    return candidate;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static string? Setting(string name, LocalFunctionsHostOptions options, Dictionary<string, string?> localSettings) =>
        options.Settings.GetValueOrDefault(name)
        ?? Environment.GetEnvironmentVariable(name)
        ?? localSettings.GetValueOrDefault(name);

    /// <summary>Marks the endpoints this host maps, so that no framework-made endpoint answers in their place.</summary>
    private sealed class HostEndpoint;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} threw; answered 500")]
    private static partial void LogHttpFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function} ran (admin invocation)")]
    private static partial void LogAdminRunSucceeded(ILogger logger, string function);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed (admin invocation)")]
    private static partial void LogAdminRunFailed(ILogger logger, string function, Exception exception);
}
