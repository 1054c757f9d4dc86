// What became of one booking webhook delivery; BookingWebhookFunctions turns it into the HTTP answer.
using Reengage.Core;
using Reengage.Core.Booking;

namespace Reengage.Functions.Booking;

public abstract record WebhookOutcome
{
    private WebhookOutcome()
    {
    }

    /// <summary>Bad, missing or expired signature, and also an unknown practice or a source not set up (no enumeration).</summary>
    public sealed record Unauthorized(string Header, SignatureCheck Reason) : WebhookOutcome;

    public sealed record InvalidJson : WebhookOutcome;

    public sealed record Invalid(string What, IReadOnlyList<FieldProblem> Problems) : WebhookOutcome;

    public sealed record TooLarge : WebhookOutcome;

    /// <summary>A connection test (Cal.com PING): nothing changes.</summary>
    public sealed record Ping : WebhookOutcome;

    /// <summary>Authentic and well-formed, but nothing for Reengage (another trigger, no patient with the address).</summary>
    public sealed record Ignored(string? Id, string Reason) : WebhookOutcome;

    public sealed record Accepted(string Id) : WebhookOutcome;

    /// <summary>The booking tool's API could not be reached in time: the tool should deliver again later (503).</summary>
    public sealed record UpstreamUnavailable(string Detail) : WebhookOutcome;

    /// <summary>The booking tool's API refused the practice's credentials or answered something unreadable (502).</summary>
    public sealed record UpstreamFailed(string Detail) : WebhookOutcome;

    /// <summary>An event id already seen whose effects are all in place: nothing changed.</summary>
    public sealed record Duplicate(string Id) : WebhookOutcome;
}
