// Applies ACS delivery and engagement reports to the ledger; a bounce puts the address on the suppression list.
using System.Text;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Acs;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;

namespace Reengage.Functions.EmailEvents;

public enum EmailEventOutcome
{
    Applied,
    Unchanged,
    UnknownMessage,
}

/// <summary>What became of one <c>email-events</c> message.</summary>
/// <param name="PoisonReason">
/// Set when the message was malformed and put on <c>email-events-poison</c> (or dropped, with a log, when its text is
/// too large for a queue message).
/// </param>
/// <param name="Outcomes">One per report, in the message's order.</param>
/// <param name="Ignored">Events of other types, skipped.</param>
public sealed record EmailEventsResult(string? PoisonReason, IReadOnlyList<EmailEventOutcome> Outcomes, int Ignored)
{
    public bool Poisoned => PoisonReason is not null;
}

/// <summary>
/// One <c>email-events</c> message. A malformed one cannot get better by retrying: it goes to <c>email-events-poison</c>
/// at once, unchanged, and the message completes (the host would otherwise try it five times, two minutes apart, before
/// moving it there itself). Only storage failures throw, so that the host retries those. Every step is idempotent: a
/// report applied twice changes nothing, and reports may come in any order.
/// </summary>
/// <param name="poisonQueue">The <c>email-events-poison</c> queue.</param>
public sealed partial class EmailEventProcessor(
    IMessageIndex messageIndex,
    IOutreachLedger ledger,
    ISuppressionStore suppressions,
    IPatientStore patients,
    IPracticeStore practices,
    PatientSaver patientSaver,
    IPoisonQueue poisonQueue,
    TimeProvider timeProvider,
    ILogger<EmailEventProcessor> logger)
{
    public async Task<EmailEventsResult> ProcessAsync(string? messageText, CancellationToken cancellationToken = default)
    {
        var read = AcsEmailEventReader.Read(messageText);
        if (read.Error is { } reason)
        {
            var bytes = Encoding.UTF8.GetByteCount(messageText ?? "");
            if (bytes > StorageQueuePoisonQueue.MaxMessageBytes)
            {
                // Bytes that are not UTF-8 come to the function as U+FFFD, three bytes each: such a text can outgrow
                // what a queue message holds. Sending it would fail on every retry, so it is dropped, with a log.
                LogMalformedTooLarge(logger, reason, bytes);
                return new EmailEventsResult(reason, [], 0);
            }
            await poisonQueue.SendPoisonMessageAsync(messageText ?? "", cancellationToken).ConfigureAwait(false);
            // The reason names fields and rules, never values: the message may carry a recipient address.
            LogMalformed(logger, reason);
            return new EmailEventsResult(reason, [], 0);
        }
        foreach (var type in read.IgnoredTypes) LogIgnoredType(logger, type.Length > 120 ? type[..120] : type);
        var outcomes = new List<EmailEventOutcome>();
        foreach (var report in read.Reports) outcomes.Add(await ApplyAsync(report, cancellationToken).ConfigureAwait(false));
        return new EmailEventsResult(null, outcomes, read.IgnoredTypes.Count);
    }

    private async Task<EmailEventOutcome> ApplyAsync(EmailReport report, CancellationToken cancellationToken)
    {
        var entry = await messageIndex.GetMessageAsync(report.MessageId, cancellationToken).ConfigureAwait(false);
        var current = entry is null ? null : await ledger.GetOutreachAsync(entry.PracticeId, entry.OutreachId, cancellationToken).ConfigureAwait(false);
        if (entry is null || current is null)
        {
            // Emails sent by something else on the same ACS resource, or rows erased before their report came.
            LogUnknownMessage(logger, KindOf(report), Ids.HashForLog(report.MessageId));
            return EmailEventOutcome.UnknownMessage;
        }
        switch (report)
        {
            case DeliveryReport delivery:
                if (EmailReports.WithDeliveryReport(current.Value, delivery) is null) return EmailEventOutcome.Unchanged;
                // Suppressed before the row records the report: if this dies half-way, the redelivery still finds the
                // row unchanged and does it all again.
                if (EmailReports.SuppressionReasonOf(delivery.Status) is { } suppression)
                {
                    await SuppressAddressAsync(current.Value, delivery, suppression, cancellationToken).ConfigureAwait(false);
                }
                return await UpdateRowAsync(entry, row => EmailReports.WithDeliveryReport(row, delivery), report, cancellationToken).ConfigureAwait(false);
            case EngagementReport engagement:
                return await UpdateRowAsync(entry, row => EmailReports.WithEngagementReport(row, engagement), report, cancellationToken).ConfigureAwait(false);
            default:
                throw new ArgumentOutOfRangeException(nameof(report));
        }
    }

    private Task<EmailEventOutcome> UpdateRowAsync(MessageIndexEntry entry, Func<OutreachRow, OutreachRow?> change, EmailReport report, CancellationToken cancellationToken) =>
        PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await ledger.GetOutreachAsync(entry.PracticeId, entry.OutreachId, cancellationToken).ConfigureAwait(false);
            if (current is null) return EmailEventOutcome.UnknownMessage;
            if (change(current.Value) is not { } next) return EmailEventOutcome.Unchanged;
            await ledger.UpdateOutreachAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            LogApplied(logger, next.PracticeId, next.OperationId, KindOf(report), DetailOf(report), next.Status);
            return EmailEventOutcome.Applied;
        });

    /// <summary>
    /// The address goes on the practice's suppression list (as a salted hash, so that it outlives erasure), and the
    /// patient is flagged if that is still their address. An existing entry keeps its first reason.
    /// </summary>
    private async Task SuppressAddressAsync(OutreachRow row, DeliveryReport report, SuppressionReason reason, CancellationToken cancellationToken)
    {
        var addressHash = Ids.AddressHashOf(row.PracticeId, report.Recipient);
        if (await suppressions.GetSuppressionAsync(row.PracticeId, addressHash, cancellationToken).ConfigureAwait(false) is null)
        {
            await suppressions.UpsertSuppressionAsync(new SuppressionEntry(row.PracticeId, addressHash, reason, report.At), cancellationToken).ConfigureAwait(false);
        }
        await PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var patient = await patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false);
            if (patient is null || patient.Value.Suppressed || patient.Value.Email is not { } email) return false;
            // The patient may have given another address since this email left.
            if (Ids.AddressHashOf(row.PracticeId, email) != addressHash) return false;
            var practice = await practices.GetPracticeAsync(row.PracticeId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return false;
            await patientSaver.SaveAsync(practice.Value, patient.Value with { Suppressed = true }, patient.ETag, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            LogPatientSuppressed(logger, row.PracticeId, Ids.HashForLog($"{row.PracticeId}/{row.PatientId}"), Wire.Name(reason));
            return true;
        }).ConfigureAwait(false);
    }

    private static string KindOf(EmailReport report) => report is DeliveryReport ? "delivery" : "engagement";

    private static string DetailOf(EmailReport report) => report switch
    {
        DeliveryReport delivery => Wire.Name(delivery.Status),
        EngagementReport engagement => Wire.Name(engagement.Engagement),
        _ => "",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "malformed email event moved to email-events-poison: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "malformed email event dropped, too large for email-events-poison ({Bytes} bytes of text): {Reason}")]
    private static partial void LogMalformedTooLarge(ILogger logger, string reason, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "email event of an unexpected type ignored: {Type}")]
    private static partial void LogIgnoredType(ILogger logger, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "email event for an unknown message: {Kind} {MessageRef}")]
    private static partial void LogUnknownMessage(ILogger logger, string kind, string messageRef);

    [LoggerMessage(Level = LogLevel.Information, Message = "email event applied: {PracticeId} {Outreach} {Kind} {Detail} → {Status}")]
    private static partial void LogApplied(ILogger logger, string practiceId, string outreach, string kind, string detail, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "patient suppressed after a bounce: {PracticeId} {PatientRef} {Reason}")]
    private static partial void LogPatientSuppressed(ILogger logger, string practiceId, string patientRef, string reason);
}
