using Azure.Core;

namespace Reengage.Functions.Acs;

/// <summary>
/// Options of <see cref="AcsEmailSender"/>, in the Azure SDK's shape: <see cref="ClientOptions.Retry"/>,
/// <see cref="ClientOptions.Transport"/> and <see cref="ClientOptions.Diagnostics"/> work as in any Azure client.
/// Read once by the constructor: changing them afterwards does not change a sender already built.
/// </summary>
public sealed class AcsEmailSenderOptions : ClientOptions
{
    /// <summary>The ACS Email REST API version this adapter is written against.</summary>
    public const string DefaultApiVersion = "2025-09-01";

    public AcsEmailSenderOptions()
    {
        // A short budget for 5xx, 408 and network failures: a send keeps a queue worker busy while it waits, and
        // the queue host retries with its own backoff after this. 429 is never retried here (see AcsEmailSender).
        Retry.MaxRetries = 2;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(250);
        Retry.MaxDelay = TimeSpan.FromSeconds(2);
        // Per attempt. A send that hangs longer is abandoned and reported retryable; the next attempt uses the
        // same Operation-Id, so ACS never sends twice.
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }

    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Sent as <c>userEngagementTrackingDisabled</c>: no open and click tracking by ACS.</summary>
    public bool DisableUserEngagementTracking { get; set; }

    /// <summary>The delay reported for a 429 that carries no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Dates the HMAC signature (<c>x-ms-date</c>) and turns a Retry-After HTTP date into a delay.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
