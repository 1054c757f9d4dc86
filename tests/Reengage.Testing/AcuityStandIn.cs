using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reengage.Testing;

/// <summary>
/// A local stand-in for Acuity Scheduling's API on 127.0.0.1: <c>GET /api/v1/appointments/{id}</c> with basic auth, as the
/// real API answers it (200 JSON, 401 for bad credentials, 404 for an unknown id), plus scripted answers (a status, or a
/// hang longer than any client waits).
/// </summary>
public sealed partial class AcuityStandIn : IAsyncDisposable
{
    /// <summary>The scripted answer that answers only after the client has long given up.</summary>
    public const int Hang = -1;

    private static readonly TimeSpan HangFor = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _appointments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<int>> _scripts = new(StringComparer.Ordinal);
    private readonly List<(string Path, bool Authorized)> _requests = [];
    private readonly string _expected;
    private WebApplication? _app;

    private AcuityStandIn(string userId, string apiKey) =>
        _expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userId}:{apiKey}"));

    /// <summary>The base URL to give the API client, like <c>https://acuityscheduling.com/api/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request seen: its path and whether its credentials were right (a snapshot).</summary>
    public IReadOnlyList<(string Path, bool Authorized)> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    public static async Task<AcuityStandIn> StartAsync(string userId, string apiKey)
    {
        var standIn = new AcuityStandIn(userId, apiKey);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AcuityStandIn).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(standIn.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        standIn._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        standIn.BaseUrl = new Uri(address.TrimEnd('/') + "/api/v1");
        return standIn;
    }

    /// <summary>What <c>GET /appointments/{id}</c> returns from now on: the JSON text as it will be sent.</summary>
    public void SetAppointment(string id, string json)
    {
        lock (_gate) _appointments[id] = json;
    }

    public void DeleteAppointment(string id)
    {
        lock (_gate) _appointments.Remove(id);
    }

    /// <summary>Answers served, in order, before the stored appointment is served again (<see cref="Hang"/> hangs).</summary>
    public void Script(string id, params int[] answers)
    {
        lock (_gate)
        {
            if (!_scripts.TryGetValue(id, out var queue)) _scripts[id] = queue = new Queue<int>();
            foreach (var answer in answers) queue.Enqueue(answer);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var authorized = context.Request.Headers.Authorization.ToString() == _expected;
        int? scripted = null;
        string? stored;
        var match = AppointmentPath().Match(path);
        lock (_gate)
        {
            _requests.Add((path, authorized));
            var id = match.Success ? match.Groups[1].Value : "";
            if (match.Success && authorized && _scripts.TryGetValue(id, out var queue) && queue.Count > 0) scripted = queue.Dequeue();
            _appointments.TryGetValue(id, out stored);
        }
        if (context.Request.Method != "GET" || !match.Success)
        {
            await JsonAsync(context, 404, """{"status_code":404,"error":"not_found"}""").ConfigureAwait(false);
            return;
        }
        if (!authorized)
        {
            await JsonAsync(context, 401, """{"status_code":401,"error":"unauthorized","message":"Unauthorized"}""").ConfigureAwait(false);
            return;
        }
        if (scripted == Hang)
        {
            try
            {
                await Task.Delay(HangFor, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await JsonAsync(context, 200, stored ?? "null").ConfigureAwait(false);
            return;
        }
        if (scripted is { } status)
        {
            await JsonAsync(context, status, $$"""{"status_code":{{status}},"error":"scripted"}""").ConfigureAwait(false);
            return;
        }
        await JsonAsync(context, stored is null ? 404 : 200, stored ?? """{"status_code":404,"error":"not_found","message":"Appointment not found."}""").ConfigureAwait(false);
    }

    private static Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    [GeneratedRegex(@"^/api/v1/appointments/([0-9]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex AppointmentPath();
}
