using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Reengage.Core;
using Reengage.Core.Ports;

namespace Reengage.Functions.Acs;

/// <summary>
/// The only class that talks to Azure Communication Services Email: its REST API (<c>POST /emails:send</c> with an
/// <c>Operation-Id</c>, <c>GET /emails/operations/{id}</c>) through Azure.Core's pipeline, as the official
/// <c>Azure.Communication.Email</c> client does. That package is not served by the registry the build machines
/// reach; moving to it later replaces this class and nothing else. Immutable and thread-safe: register one instance.
/// </summary>
public sealed partial class AcsEmailSender : IEmailSender
{
    /// <summary>The token scope of ACS for Entra ID (managed identity) authentication.</summary>
    public const string TokenScope = "https://communication.azure.com//.default";

    private const string EndpointRule = "the ACS endpoint must be https (plain http is allowed only on a loopback address, for local stand-ins)";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly string _apiVersion;
    private readonly bool _disableUserEngagementTracking;
    private readonly TimeSpan _defaultRetryAfter;
    private readonly TimeProvider _timeProvider;

    /// <summary>Authenticates with the access key of a connection string <c>endpoint=https://…;accesskey=…</c> (HMAC-SHA256).</summary>
    public AcsEmailSender(string connectionString, AcsEmailSenderOptions? options = null)
        : this(ParseConnectionString(connectionString), options)
    {
    }

    /// <summary>Authenticates with Entra ID tokens (the app's managed identity in Azure).</summary>
    public AcsEmailSender(Uri endpoint, TokenCredential credential, AcsEmailSenderOptions? options = null)
        : this(endpoint, options, _ => new BearerTokenAuthenticationPolicy(credential ?? throw new ArgumentNullException(nameof(credential)), TokenScope))
    {
    }

    private AcsEmailSender((Uri Endpoint, byte[] AccessKey) connection, AcsEmailSenderOptions? options)
        : this(connection.Endpoint, options, timeProvider => new AcsHmacAuthenticationPolicy(connection.AccessKey, timeProvider))
    {
    }

    private AcsEmailSender(Uri endpoint, AcsEmailSenderOptions? options, Func<TimeProvider, HttpPipelinePolicy> authentication)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new AcsEmailSenderOptions();
        if (!IsAllowedEndpoint(endpoint))
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, EndpointRule);
        }
        if (string.IsNullOrWhiteSpace(options.ApiVersion))
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, "the ACS api-version must not be empty");
        }
        // Everything is copied out of the options here: changing them later does not change this sender.
        // Paths are appended to the endpoint's own path, so it never ends with a slash.
        _endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/'));
        _apiVersion = options.ApiVersion;
        _disableUserEngagementTracking = options.DisableUserEngagementTracking;
        _defaultRetryAfter = options.DefaultRetryAfter;
        _timeProvider = options.TimeProvider;
        var pipelineOptions = new HttpPipelineOptions(options) { ResponseClassifier = new ThrottlingIsFinal() };
        // Per retry: each attempt is authenticated afresh (a new x-ms-date for HMAC, a valid token for bearer).
        pipelineOptions.PerRetryPolicies.Add(authentication(_timeProvider));
        _pipeline = HttpPipelineBuilder.Build(pipelineOptions);
    }

    /// <summary>
    /// https, or plain http on a loopback address (<c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c>) for local stand-ins.
    /// Public so that settings validation at start-up applies the same rule.
    /// </summary>
    public static bool IsAllowedEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || endpoint.UserInfo.Length > 0 || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
        {
            return false;
        }
        return endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback);
    }

    /// <summary>The endpoint of a connection string, to compare with <c>ACS_ENDPOINT</c> when both are set.</summary>
    public static Uri EndpointOf(string connectionString) => ParseConnectionString(connectionString).Endpoint;

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        var id = RequireOperationId(operationId);
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        SetUri(request, "/emails:send");
        // Sent once per call: a request whose answer is lost (a timeout, a dropped connection, a 5xx) may still have
        // been taken, so it is never repeated here; the row goes in doubt and the redelivery asks ACS for this
        // operation's status first (SPEC §7: never send blindly again, whatever ACS does with a repeated Operation-Id).
        message.ResponseClassifier = SendIsNeverRepeated.Instance;
        request.Headers.Add("Operation-Id", id);
        request.Headers.Add(HttpHeader.Names.ContentType, "application/json");
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        request.Content = RequestContent.Create(AcsWire.SendBody(email, _disableUserEngagementTracking));

        await SendThroughPipeline(message, "send", cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is >= 200 and < 300)
        {
            return new SendOutcome.Accepted(AcsWire.OperationIdOf(response.Content) ?? id);
        }
        if (response.Status == 429)
        {
            return new SendOutcome.Throttled(RetryAfter(response));
        }
        ThrowIfTransient(response, "send");
        var (code, text) = AcsWire.ErrorOf(response);
        return new SendOutcome.Rejected(code, WithoutAddresses(text));
    }

    public async Task<SendStatus> GetStatusAsync(string operationId, CancellationToken cancellationToken = default)
    {
        var id = RequireOperationId(operationId);
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Get;
        SetUri(request, "/emails/operations/" + id);
        request.Headers.Add(HttpHeader.Names.Accept, "application/json");

        await SendThroughPipeline(message, "status read", cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 200)
        {
            return AcsWire.StatusOf(response.Content) switch
            {
                "succeeded" => SendStatus.Succeeded,
                "failed" or "canceled" => SendStatus.Failed,
                // NotStarted, Running, and whatever a later API version adds: never read as "safe to send again".
                _ => SendStatus.Running,
            };
        }
        if (response.Status == 404)
        {
            return SendStatus.Unknown;
        }
        if (response.Status == 429)
        {
            throw new ReengageException(ErrorCode.Throttled, $"ACS throttled the status read ({Describe(response)})", retryable: true);
        }
        ThrowIfTransient(response, "status read");
        throw new ReengageException(ErrorCode.InvalidInput, $"ACS refused the status read ({Describe(response)})");
    }

    private async Task SendThroughPipeline(HttpMessage message, string what, CancellationToken cancellationToken)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException or OperationCanceledException or IOException or HttpRequestException)
        {
            // No answer, after the pipeline's retries: the email may or may not have been taken. Retryable, and the
            // next attempt starts by reading the operation's status.
            throw new ReengageException(ErrorCode.TransportUnavailable, $"ACS {what} failed on the network or timed out", retryable: true, error);
        }
    }

    /// <summary>
    /// 5xx, 408 and 409 (ACS still processing an earlier request with this Operation-Id) may succeed later. So may
    /// 401/403: a rotated key or a missing role assignment is fixed by an operator, and the email must still go out.
    /// </summary>
    private static void ThrowIfTransient(Response response, string what)
    {
        if (response.Status is 401 or 403)
        {
            throw new ReengageException(ErrorCode.Unauthorized, $"ACS refused the credentials for the {what} ({Describe(response)})", retryable: true);
        }
        if (response.Status is >= 500 or 408 or 409)
        {
            throw new ReengageException(ErrorCode.TransportUnavailable, $"ACS {what} failed ({Describe(response)})", retryable: true);
        }
    }

    private TimeSpan RetryAfter(Response response)
    {
        foreach (var name in (ReadOnlySpan<string>)["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValue(name, out var ms) && long.TryParse(ms.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }
        if (!response.Headers.TryGetValue("Retry-After", out var value))
        {
            return _defaultRetryAfter;
        }
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var delay = at - _timeProvider.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }
        return _defaultRetryAfter;
    }

    private void SetUri(Request request, string path)
    {
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath(path, escape: false);
        request.Uri.AppendQuery("api-version", _apiVersion, escapeValue: true);
    }

    private static (Uri Endpoint, byte[] AccessKey) ParseConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        string? endpoint = null;
        string? accessKey = null;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (name.Equals("endpoint", StringComparison.OrdinalIgnoreCase)) endpoint = value;
            else if (name.Equals("accesskey", StringComparison.OrdinalIgnoreCase)) accessKey = value;
        }
        const string Shape = "the ACS connection string must be endpoint=https://…;accesskey=…";
        if (endpoint is null || accessKey is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, Shape);
        }
        var key = new byte[accessKey.Length];
        if (!Convert.TryFromBase64String(accessKey, key, out var length) || length == 0)
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, Shape + " (the access key is not base64)");
        }
        return (uri, key[..length]);
    }

    private static string RequireOperationId(string operationId)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        // ACS takes only GUIDs; checked here so that a bug never reaches the wire as a 400 recorded as "rejected".
        return Guid.TryParseExact(operationId, "D", out var guid)
            ? guid.ToString("D")
            : throw new ArgumentException("operationId must be a UUID (8-4-4-4-12 hex digits)", nameof(operationId));
    }

    private static string Describe(Response response)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var errorCode) ? ", " + errorCode : "";
        var requestId = response.Headers.TryGetValue("x-ms-request-id", out var id) ? ", request " + id : "";
        return $"HTTP {response.Status}{code}{requestId}";
    }

    /// <summary>ACS messages sometimes quote the recipient; they end up in the ledger and the logs, addresses must not.</summary>
    private static string WithoutAddresses(string message)
    {
        var cleaned = AddressPattern().Replace(message, "<address>");
        return cleaned.Length <= 500 ? cleaned : cleaned[..500];
    }

    [GeneratedRegex("""[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+""")]
    private static partial Regex AddressPattern();

    /// <summary>
    /// The default classifier retries 429 inside the client. Here a 429 is final: the message goes back to the
    /// queue with its Retry-After, instead of a worker sleeping on it while the quota stays exhausted.
    /// </summary>
    private sealed class ThrottlingIsFinal : ResponseClassifier
    {
        public override bool IsRetriableResponse(HttpMessage message) =>
            message.Response.Status != 429 && base.IsRetriableResponse(message);
    }

    /// <summary>
    /// The send's classifier: what is an error is decided as usual, but nothing is retried inside the client. Only the
    /// status read (a GET, safe to repeat) keeps the pipeline's retry budget.
    /// </summary>
    private sealed class SendIsNeverRepeated : ResponseClassifier
    {
        public static SendIsNeverRepeated Instance { get; } = new();

        public override bool IsRetriableResponse(HttpMessage message) => false;

        public override bool IsRetriableException(Exception exception) => false;

        public override bool IsRetriable(HttpMessage message, Exception exception) => false;
    }
}
