// A queue's `-poison` twin on Azure Storage: where the app itself puts messages it can never process.
using Azure.Storage.Queues;
using Reengage.Core.Ports;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Queues;

/// <param name="queue">The <c>&lt;queue&gt;-poison</c> client, Base64-encoded like the host's own poison messages.</param>
public sealed class StorageQueuePoisonQueue(QueueClient queue) : IPoisonQueue
{
    /// <summary>The most UTF-8 text a message can hold: a queue message is at most 64 KiB, and Base64 takes 4 bytes per 3.</summary>
    public const int MaxMessageBytes = 64 * 1024 / 4 * 3;

    // The text as it arrived, so a re-drive puts back exactly what the producer wrote. The default time-to-live
    // (7 days) is the one the host gives its own poison messages: these may carry a recipient address and should not
    // outlive the investigation.
    public Task SendPoisonMessageAsync(string messageText, CancellationToken cancellationToken = default) =>
        StorageErrors.GuardAsync($"{queue.Name} send", () => queue.SendMessageAsync(messageText, cancellationToken));
}
