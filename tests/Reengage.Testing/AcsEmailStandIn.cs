using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
/// A local stand-in for Azure Communication Services Email (tests, benchmarks, the demo): Kestrel on 127.0.0.1 speaking
/// the REST contract of api-version 2025-09-01. It checks the HMAC-SHA256 signature of the access key (or a bearer
/// token), the api-version and the Operation-Id; keeps one operation per Operation-Id, as ACS does, so a repeated send
/// records no second email; answers the operation-status read; and injects scripted or seeded faults.
/// </summary>
public sealed partial class AcsEmailStandIn : IAsyncDisposable
{
    private const int MaxBodyBytes = 10 * 1024 * 1024;
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    private readonly AcsEmailStandInOptions _options;
    private readonly byte[] _key;
    private readonly Random? _random;
    private readonly Lock _gate = new();
    private readonly List<AcceptedEmail> _sent = [];
    private readonly List<RequestEntry> _requests = [];
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly List<AcsFault> _script = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly X509Certificate2? _certificate;
    private WebApplication? _app;
    private TimeSpan _latency;
    private int _sendAttempts;
    private int _inFlight;
    private int _disposed;

    private AcsEmailStandIn(AcsEmailStandInOptions options)
    {
        _options = options;
        AccessKey = options.AccessKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _key = Convert.FromBase64String(AccessKey);
        _latency = options.Latency;
        if (options.RandomFaults is { } chaos)
        {
#pragma warning disable CA5394 // Fault injection must replay from its seed; nothing here is a secret.
            _random = new Random(chaos.Seed);
#pragma warning restore CA5394
        }
        _certificate = options.UseHttps ? SelfSignedCertificate() : null;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c> (https with <see cref="AcsEmailStandInOptions.UseHttps"/>), no trailing slash.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary><c>endpoint=…/;accesskey=…</c>, as the Azure portal shows it.</summary>
    public string ConnectionString => $"endpoint={Endpoint.AbsoluteUri};accesskey={AccessKey}";

    public string AccessKey { get; }

    /// <summary>Every email accepted, once per operation id, in order (a snapshot).</summary>
    public IReadOnlyList<AcceptedEmail> Sent
    {
        get { lock (_gate) return [.. _sent]; }
    }

    /// <summary>Every request that reached the stand-in, in order (a snapshot).</summary>
    public IReadOnlyList<AcsRequestRecord> Requests
    {
        get { lock (_gate) return [.. _requests.Select(r => new AcsRequestRecord(r.Method, r.Path, r.OperationId, r.Status, r.Headers))]; }
    }

    /// <summary>How many <c>POST /emails:send</c> reached the stand-in, whatever was answered.</summary>
    public int SendAttempts
    {
        get { lock (_gate) return _sendAttempts; }
    }

    /// <summary>Requests still being handled (a delayed answer, say): zero once everything that arrived has played out.</summary>
    public int RequestsInFlight => Volatile.Read(ref _inFlight);

    public TimeSpan Latency
    {
        get { lock (_gate) return _latency; }
        set { lock (_gate) _latency = value; }
    }

    public static async Task<AcsEmailStandIn> StartAsync(AcsEmailStandInOptions? options = null, CancellationToken cancellationToken = default)
    {
        var standIn = new AcsEmailStandIn(options ?? new AcsEmailStandInOptions());
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AcsEmailStandIn).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (standIn._certificate is { } certificate)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        app.Run(standIn.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        standIn._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        standIn.Endpoint = new Uri(address.TrimEnd('/'));
        return standIn;
    }

    /// <summary>Queues faults; each is used by the next request of its route.</summary>
    public void Script(params AcsFault[] faults)
    {
        lock (_gate) _script.AddRange(faults);
    }

    /// <summary>Makes an accepted operation end as <c>Failed</c> (a bounced domain, say).</summary>
    public void FailOperation(string operationId, string code = "Bounced", string message = "The recipient mailbox rejected the message.")
    {
        lock (_gate)
        {
            if (!_operations.TryGetValue(operationId.ToLowerInvariant(), out var operation))
            {
                throw new ArgumentException($"unknown operation {operationId}", nameof(operationId));
            }
            operation.Status = "Failed";
            operation.Error = (code, message);
        }
    }

    /// <summary>Forgets emails, requests, operations and scripted faults.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _sent.Clear();
            _requests.Clear();
            _operations.Clear();
            _script.Clear();
            _sendAttempts = 0;
        }
    }

    /// <summary>A handler that trusts this stand-in's self-signed certificate (and no other), for https mode.</summary>
    public HttpMessageHandler CreateTrustingHandler()
    {
        var expected = _certificate?.RawData ?? throw new InvalidOperationException("the stand-in serves plain http: start it with UseHttps");
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.RawData.AsSpan().SequenceEqual(expected),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is { } app)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(deadline.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        _certificate?.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var token = aborted.Token;
        var request = context.Request;
        var method = request.Method.ToUpperInvariant();
        var path = request.Path.Value ?? "/";
        var entry = new RequestEntry(method, path, LowerCaseHeaders(request));
        var isSend = method == "POST" && path == "/emails:send";
        var statusMatch = StatusPath().Match(path);
        TimeSpan latency;
        lock (_gate)
        {
            _requests.Add(entry);
            if (isSend) _sendAttempts++;
            latency = _latency;
        }
        Interlocked.Increment(ref _inFlight);
        try
        {
            var body = await ReadBodyAsync(request, token).ConfigureAwait(false);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, token).ConfigureAwait(false);
            }
            if (body is null)
            {
                await ErrorAsync(context, entry, 413, "RequestEntityTooLarge", "The request is too large.").ConfigureAwait(false);
                return;
            }
            if (!IsAuthenticated(context, body))
            {
                await ErrorAsync(context, entry, 401, "Denied", "Denied by the resource provider.").ConfigureAwait(false);
                return;
            }
            AcsRoute? route = isSend ? AcsRoute.Send : statusMatch.Success && method == "GET" ? AcsRoute.Status : null;
            if (route is null)
            {
                await ErrorAsync(context, entry, 404, "NotFound", "Resource not found.").ConfigureAwait(false);
                return;
            }
            var apiVersion = request.Query["api-version"].ToString();
            if (apiVersion.Length == 0)
            {
                await ErrorAsync(context, entry, 400, "MissingApiVersionParameter", "api-version is required.").ConfigureAwait(false);
                return;
            }
            if (!_options.ApiVersions.Contains(apiVersion, StringComparer.Ordinal))
            {
                await ErrorAsync(context, entry, 400, "UnsupportedApiVersion", $"api-version {apiVersion} is not supported.").ConfigureAwait(false);
                return;
            }

            var dropAfterAccept = false;
            var abandoned = false;
            switch (PickFault(route.Value))
            {
                case AcsFault.Throttle throttle:
                    if (throttle.RetryAfter is { } retryAfter) context.Response.Headers["Retry-After"] = retryAfter;
                    if (throttle.RetryAfterMs is { } ms) context.Response.Headers["retry-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
                    await ErrorAsync(context, entry, 429, "TooManyRequests", "Too many requests, retry later.").ConfigureAwait(false);
                    return;
                case AcsFault.Error error:
                    await ErrorAsync(context, entry, error.Status, error.Code ?? DefaultCode(error.Status), error.Message ?? $"Scripted {error.Status}.").ConfigureAwait(false);
                    return;
                case AcsFault.Delay delay:
                    // Not cut short when the client gives up: the service goes on and takes the email all the same.
                    await Task.Delay(delay.Duration, _stopping.Token).ConfigureAwait(false);
                    abandoned = context.RequestAborted.IsCancellationRequested;
                    break;
                case AcsFault.Hang:
                    await Task.Delay(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
                    return;
                case AcsFault.Drop:
                    context.Abort();
                    return;
                case AcsFault.AcceptThenDrop:
                    dropAfterAccept = true;
                    break;
                default:
                    break;
            }
            if (route == AcsRoute.Send)
            {
                // A client that gave up during a delay still has its email taken; it just never hears the answer.
                await AnswerSendAsync(context, entry, body, apiVersion, dropAfterAccept || abandoned).ConfigureAwait(false);
            }
            else if (abandoned)
            {
                context.Abort();
            }
            else if (dropAfterAccept)
            {
                context.Abort();
            }
            else
            {
                await AnswerStatusAsync(context, entry, Uri.UnescapeDataString(statusMatch.Groups[1].Value)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client gave up or the stand-in is stopping: there is nobody to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerSendAsync(HttpContext context, RequestEntry entry, byte[] rawBody, string apiVersion, bool dropAfterAccept)
    {
        var request = context.Request;
        if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, entry, 415, "UnsupportedMediaType", "Content-Type must be application/json.").ConfigureAwait(false);
            return;
        }
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(rawBody);
        }
        catch (JsonException)
        {
            await ErrorAsync(context, entry, 400, "InvalidRequestBody", "The request body is not valid JSON.").ConfigureAwait(false);
            return;
        }
        if (ProblemOf(parsed) is { } problem)
        {
            await ErrorAsync(context, entry, 400, "InvalidRequest", problem).ConfigureAwait(false);
            return;
        }
        var requestedId = request.Headers["Operation-Id"].ToString();
        if (requestedId.Length == 0)
        {
            // Real ACS makes one up; Reengage always sends its own, and exactly-once depends on it.
            await ErrorAsync(context, entry, 400, "MissingOperationId", "Operation-Id is required.").ConfigureAwait(false);
            return;
        }
        if (!Guid.TryParseExact(requestedId, "D", out _))
        {
            await ErrorAsync(context, entry, 400, "InvalidOperationId", "Operation-Id must be a GUID.").ConfigureAwait(false);
            return;
        }
        var id = requestedId.ToLowerInvariant();
        Operation operation;
        lock (_gate)
        {
            entry.OperationId = id;
            if (!_operations.TryGetValue(id, out var existing))
            {
                existing = new Operation(id, _options.RunningPolls);
                _operations.Add(id, existing);
                _sent.Add(new AcceptedEmail(
                    id,
                    (JsonObject)parsed!,
                    Encoding.UTF8.GetString(rawBody),
                    entry.Headers,
                    apiVersion,
                    _options.TimeProvider.GetUtcNow()));
            }
            operation = existing;
        }
        if (dropAfterAccept)
        {
            context.Abort();
            return;
        }
        context.Response.Headers["Operation-Location"] = $"{Endpoint.AbsoluteUri.TrimEnd('/')}/emails/operations/{id}?api-version={Uri.EscapeDataString(apiVersion)}";
        context.Response.Headers["Retry-After"] = _options.PollAfterSeconds.ToString(CultureInfo.InvariantCulture);
        string status;
        lock (_gate) status = operation.Status == "Failed" ? "Failed" : "Running";
        await JsonAsync(context, entry, 202, new JsonObject { ["id"] = id, ["status"] = status }).ConfigureAwait(false);
    }

    private async Task AnswerStatusAsync(HttpContext context, RequestEntry entry, string id)
    {
        JsonObject? answer = null;
        lock (_gate)
        {
            entry.OperationId = id.ToLowerInvariant();
            if (_operations.TryGetValue(id.ToLowerInvariant(), out var operation))
            {
                if (operation.Status == "Running")
                {
                    if (operation.RunningPollsLeft > 0) operation.RunningPollsLeft--;
                    else operation.Status = "Succeeded";
                }
                answer = new JsonObject { ["id"] = operation.Id, ["status"] = operation.Status };
                if (operation.Error is { } error)
                {
                    answer["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
                }
            }
        }
        if (answer is null)
        {
            await ErrorAsync(context, entry, 404, "NotFound", $"Operation {id} was not found.").ConfigureAwait(false);
            return;
        }
        await JsonAsync(context, entry, 200, answer).ConfigureAwait(false);
    }

    private AcsFault? PickFault(AcsRoute route)
    {
        lock (_gate)
        {
            var index = _script.FindIndex(f => f.On == route);
            if (index >= 0)
            {
                var fault = _script[index];
                _script.RemoveAt(index);
                return fault;
            }
            if (_options.RandomFaults is not { } chaos || _random is null || chaos.Faults.Count == 0) return null;
            if (chaos.On is { } target && target != route) return null;
#pragma warning disable CA5394 // Seeded on purpose, see the constructor.
            if (_random.NextDouble() >= chaos.Probability) return null;
            return chaos.Faults[_random.Next(chaos.Faults.Count)];
#pragma warning restore CA5394
        }
    }

    private bool IsAuthenticated(HttpContext context, byte[] body)
    {
        var headers = context.Request.Headers;
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return _options.BearerToken is { } expected &&
                CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..]), Encoding.UTF8.GetBytes(expected));
        }
        var date = headers["x-ms-date"].ToString();
        var contentHash = headers["x-ms-content-sha256"].ToString();
        var host = headers.Host.ToString();
        var match = HmacAuthorization().Match(authorization);
        if (date.Length == 0 || contentHash.Length == 0 || host.Length == 0 || !match.Success) return false;
        if (!match.Groups[1].Value.Equals("x-ms-date;host;x-ms-content-sha256", StringComparison.OrdinalIgnoreCase)) return false;
        if (Convert.ToBase64String(SHA256.HashData(body)) != contentHash) return false;
        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)) return false;
        if ((_options.TimeProvider.GetUtcNow() - signedAt).Duration() > MaxClockSkew) return false;
        // The exact request target as it came on the wire: what the client signed.
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var stringToSign = $"{context.Request.Method.ToUpperInvariant()}\n{target}\n{date};{host};{contentHash}";
        var expectedSignature = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign));
        var given = new byte[match.Groups[2].Value.Length];
        return Convert.TryFromBase64String(match.Groups[2].Value, given, out var length) &&
            CryptographicOperations.FixedTimeEquals(given.AsSpan(0, length), expectedSignature);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static Dictionary<string, string> LowerCaseHeaders(HttpRequest request) =>
        request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);

    private static string? ProblemOf(JsonNode? body)
    {
        if (body is not JsonObject message) return "The body must be a JSON object.";
        if (StringOf(message["senderAddress"]) is not { Length: > 0 }) return "senderAddress is required.";
        if (message["recipients"] is not JsonObject recipients || recipients["to"] is not JsonArray { Count: > 0 })
        {
            return "recipients.to must hold at least one address.";
        }
        foreach (var list in (ReadOnlySpan<string>)["to", "cc", "bcc"])
        {
            if (recipients[list] is { } value && (value is not JsonArray addresses || !addresses.All(IsEmailAddress)))
            {
                return $"recipients.{list} must be a list of {{ address, displayName? }}.";
            }
        }
        if (message["content"] is not JsonObject content || StringOf(content["subject"]) is null) return "content.subject is required.";
        if (StringOf(content["html"]) is null && StringOf(content["plainText"]) is null) return "content needs html or plainText.";
        foreach (var part in (ReadOnlySpan<string>)["html", "plainText"])
        {
            if (content[part] is { } value && StringOf(value) is null) return $"content.{part} must be a string.";
        }
        if (message["replyTo"] is { } replyTo && (replyTo is not JsonArray replies || !replies.All(IsEmailAddress)))
        {
            return "replyTo must be a list of { address, displayName? }.";
        }
        if (message["headers"] is { } headers && (headers is not JsonObject map || map.Any(h => StringOf(h.Value) is null)))
        {
            return "headers must map names to strings.";
        }
        if (message["userEngagementTrackingDisabled"] is { } tracking && tracking.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "userEngagementTrackingDisabled must be a boolean.";
        }
        return null;
    }

    private static bool IsEmailAddress(JsonNode? node) =>
        node is JsonObject address &&
        StringOf(address["address"]) is { } value && value.Contains('@', StringComparison.Ordinal) &&
        (address["displayName"] is null || StringOf(address["displayName"]) is not null);

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private async Task ErrorAsync(HttpContext context, RequestEntry entry, int status, string code, string message)
    {
        context.Response.Headers["x-ms-error-code"] = code;
        await JsonAsync(context, entry, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }).ConfigureAwait(false);
    }

    private async Task JsonAsync(HttpContext context, RequestEntry entry, int status, JsonObject body)
    {
        lock (_gate) entry.Status = status;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(body.ToJsonString(), _stopping.Token).ConfigureAwait(false);
    }

    private static string DefaultCode(int status) => status switch
    {
        400 => "BadRequest",
        503 => "ServiceUnavailable",
        >= 500 => "InternalServerError",
        _ => $"Http{status}",
    };

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ACS stand-in", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        // Kestrel wants a certificate whose key it can use from any thread: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    [GeneratedRegex("^/emails/operations/([^/]+)$")]
    private static partial Regex StatusPath();

    [GeneratedRegex("^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$")]
    private static partial Regex HmacAuthorization();

    private sealed class RequestEntry(string method, string path, IReadOnlyDictionary<string, string> headers)
    {
        public string Method { get; } = method;
        public string Path { get; } = path;
        public IReadOnlyDictionary<string, string> Headers { get; } = headers;
        public string? OperationId { get; set; }
        public int Status { get; set; }
    }

    private sealed class Operation(string id, int runningPolls)
    {
        public string Id { get; } = id;
        public string Status { get; set; } = "Running";
        public int RunningPollsLeft { get; set; } = runningPolls;
        public (string Code, string Message)? Error { get; set; }
    }
}
