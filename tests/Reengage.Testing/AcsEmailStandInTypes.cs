using System.Text.Json.Nodes;

namespace Reengage.Testing;

/// <summary>Which route a fault applies to.</summary>
public enum AcsRoute
{
    /// <summary><c>POST /emails:send</c>.</summary>
    Send,
    /// <summary><c>GET /emails/operations/{id}</c>.</summary>
    Status,
}

/// <summary>A fault the ACS stand-in injects into one request (scripted) or into random ones (seeded).</summary>
public abstract record AcsFault
{
    private AcsFault()
    {
    }

    public AcsRoute On { get; init; } = AcsRoute.Send;

    /// <summary>429. <paramref name="RetryAfter"/> is sent verbatim (seconds or an HTTP date); none when null.</summary>
    public sealed record Throttle(string? RetryAfter = null, long? RetryAfterMs = null) : AcsFault;

    /// <summary>Any status with an ACS error body <c>{"error":{"code","message"}}</c>.</summary>
    public sealed record Error(int Status, string? Code = null, string? Message = null) : AcsFault;

    /// <summary>Waits, then answers normally (the email is accepted even if the client gave up meanwhile).</summary>
    public sealed record Delay(TimeSpan Duration) : AcsFault;

    /// <summary>Never answers: the request hangs until the client gives up or the stand-in stops. Nothing is recorded.</summary>
    public sealed record Hang : AcsFault;

    /// <summary>Cuts the connection without answering; nothing is recorded.</summary>
    public sealed record Drop : AcsFault;

    /// <summary>Records the email, then cuts the connection: ACS took it but the client never heard.</summary>
    public sealed record AcceptThenDrop : AcsFault;
}

/// <summary>Faults drawn for requests without a scripted fault, from a seeded generator: the same seed replays the same run.</summary>
public sealed record AcsRandomFaults(int Seed, double Probability, IReadOnlyList<AcsFault> Faults, AcsRoute? On = AcsRoute.Send);

public sealed record AcsEmailStandInOptions
{
    /// <summary>Base64 access key of the connection string; random when null.</summary>
    public string? AccessKey { get; init; }
    /// <summary>The Entra ID token accepted as <c>Authorization: Bearer …</c>; bearer tokens are refused when null.</summary>
    public string? BearerToken { get; init; }
    /// <summary>
    /// Serve https with a self-signed certificate made at start (Azure.Core sends bearer tokens over https only):
    /// clients trust it through <see cref="AcsEmailStandIn.CreateTrustingHandler"/>.
    /// </summary>
    public bool UseHttps { get; init; }
    /// <summary>The api-version values answered; any other gets 400 <c>UnsupportedApiVersion</c>.</summary>
    public IReadOnlyList<string> ApiVersions { get; init; } = ["2025-09-01"];
    /// <summary>Added before every answer.</summary>
    public TimeSpan Latency { get; init; }
    /// <summary>How many status reads of a new operation answer <c>Running</c> before <c>Succeeded</c>.</summary>
    public int RunningPolls { get; init; }
    /// <summary>Retry-After (seconds) on the 202, the service's polling hint.</summary>
    public int PollAfterSeconds { get; init; } = 1;
    /// <summary>The clock the <c>x-ms-date</c> of a signature is checked against (15 minutes of skew allowed).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public AcsRandomFaults? RandomFaults { get; init; }
}

/// <summary>An email the stand-in accepted: once per operation id.</summary>
public sealed record AcceptedEmail(
    string OperationId,
    JsonObject Body,
    string RawBody,
    IReadOnlyDictionary<string, string> Headers,
    string ApiVersion,
    DateTimeOffset ReceivedAt);

/// <summary>
/// A request that reached the stand-in, its headers with names in lower case. <see cref="Status"/> is 0 when the
/// connection was cut or the request hung.
/// </summary>
public sealed record AcsRequestRecord(string Method, string Path, string? OperationId, int Status, IReadOnlyDictionary<string, string> Headers);
