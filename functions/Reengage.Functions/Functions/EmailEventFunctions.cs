using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Reengage.Functions.EmailEvents;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Functions;

/// <summary>The <c>email-events</c> queue: ACS delivery and engagement reports that Event Grid puts there (SPEC §4, §11).</summary>
public sealed partial class EmailEventFunctions(EmailEventProcessor processor, ILogger<EmailEventFunctions> logger)
{
    /// <summary>
    /// A malformed message is put on <c>email-events-poison</c> by the processor and completes; a storage failure throws,
    /// so that the host retries it (docs/operations.md, "Delivery reports").
    /// </summary>
    [Function("processEmailEvents")]
    public async Task ProcessEmailEventsAsync(
        [QueueTrigger(StorageNames.EmailEventsQueue, Connection = "ReengageStorage")] string message,
        CancellationToken cancellationToken)
    {
        var result = await processor.ProcessAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.Poisoned) LogHandled(logger, result.Outcomes.Count, result.Ignored);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "email-events message handled: {Reports} reports, {Ignored} ignored")]
    private static partial void LogHandled(ILogger logger, int reports, int ignored);
}
