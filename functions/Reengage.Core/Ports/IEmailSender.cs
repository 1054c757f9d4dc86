namespace Reengage.Core.Ports;

/// <summary>A mailbox: the address, and the name a mail client shows next to it (none when null).</summary>
public sealed record EmailAddress(string Address, string? DisplayName = null);

/// <summary>One rendered email, ready for a transport.</summary>
public sealed record OutgoingEmail
{
    /// <summary>
    /// The practice's sender. ACS takes no display name with the sender address (it is the display name of the
    /// MailFrom sender username configured on the domain), so only the outbox writes <see cref="EmailAddress.DisplayName"/>.
    /// </summary>
    public required EmailAddress From { get; init; }
    public required EmailAddress To { get; init; }
    /// <summary>The therapist, so that a patient's reply reaches a person.</summary>
    public EmailAddress? ReplyTo { get; init; }
    public required string Subject { get; init; }
    public required string Html { get; init; }
    public required string Text { get; init; }
    /// <summary><c>List-Unsubscribe</c>, <c>List-Unsubscribe-Post</c>, <c>X-Reengage-Template</c>, <c>X-Reengage-Outreach</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>What a transport answered to one send. A closed set: match on the three cases.</summary>
public abstract record SendOutcome
{
    private SendOutcome()
    {
    }

    /// <summary>The transport took the email; <paramref name="MessageId"/> links delivery reports back to it.</summary>
    public sealed record Accepted(string MessageId) : SendOutcome;

    /// <summary>429: try again after this delay. The sender re-queues; it never sleeps.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : SendOutcome;

    /// <summary>A 4xx other than 429: permanent for this email, recorded as failed. The message holds no address.</summary>
    public sealed record Rejected(string Code, string Message) : SendOutcome;
}

/// <summary>What a transport knows about an operation it may have accepted.</summary>
public enum SendStatus
{
    /// <summary>The transport never accepted this operation: sending it is safe.</summary>
    Unknown,
    /// <summary>Accepted and still in progress (or a state this code does not know): never safe to send again.</summary>
    Running,
    Succeeded,
    /// <summary>Failed or cancelled after being accepted.</summary>
    Failed,
}

/// <summary>Sends emails. One adapter per transport: ACS Email in Azure, an <c>.eml</c> outbox locally.</summary>
public interface IEmailSender
{
    /// <summary>
    /// Sends with the given operation id (deterministic per ledger row: a repeated id never sends a second email).
    /// Throws <see cref="ReengageException"/> with <c>Retryable</c> for 5xx, network failures and timeouts.
    /// </summary>
    Task<SendOutcome> SendAsync(OutgoingEmail email, string operationId, CancellationToken cancellationToken = default);

    /// <summary>What the transport knows about an operation; <see cref="SendStatus.Unknown"/> means it never accepted it.</summary>
    Task<SendStatus> GetStatusAsync(string operationId, CancellationToken cancellationToken = default);
}
