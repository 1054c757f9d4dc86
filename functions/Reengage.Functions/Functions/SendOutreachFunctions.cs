using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Reengage.Functions.Outreach;
using Reengage.Functions.Queues;

namespace Reengage.Functions.Functions;

/// <summary>The <c>outreach-send</c> queue: one message per planned email.</summary>
public sealed partial class SendOutreachFunctions(OutreachSender outreachSender, ILogger<SendOutreachFunctions> logger)
{
    /// <summary>
    /// A malformed message can never become valid by retrying: it is logged (the reason only, never its content) and
    /// completed. Everything else that throws is retried by the host, then poison-queued (docs/operations.md).
    /// </summary>
    [Function("sendOutreach")]
    public async Task SendOutreachAsync(
        [QueueTrigger("outreach-send", Connection = "ReengageStorage")] string message,
        CancellationToken cancellationToken)
    {
        if (!SendRequestMessage.TryParse(message, out var request, out var error))
        {
            LogMalformed(logger, error ?? "unreadable");
            return;
        }
        var result = await outreachSender.SendAsync(request!, cancellationToken).ConfigureAwait(false);
        LogHandled(logger, result);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "malformed outreach-send message discarded: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "outreach-send message handled: {Result}")]
    private static partial void LogHandled(ILogger logger, SendResult result);
}
