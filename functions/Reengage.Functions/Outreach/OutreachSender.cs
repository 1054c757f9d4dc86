// The sendOutreach use case: claim the ledger row, re-check eligibility, render, send, record. One email per row.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Functions.Settings;
using Reengage.Functions.Telemetry;

namespace Reengage.Functions.Outreach;

/// <summary>What one send request came to.</summary>
public enum SendResult
{
    Sent,
    Skipped,
    Failed,
    /// <summary>The transport answered 429: the row is planned again and the request re-queued after Retry-After.</summary>
    Throttled,
    /// <summary>Delivered early: re-queued for the row's notBefore.</summary>
    Rescheduled,
    /// <summary>Another attempt holds the row, or its fate is not known yet: re-queued to look again later.</summary>
    InProgress,
    /// <summary>The row is past sending (sent, skipped, failed, held out…): nothing to do.</summary>
    AlreadyDone,
    NotFound,
}

/// <summary>
/// Sends one planned email, exactly once (SPEC §7). The row is claimed with its ETag before anything is sent; the
/// transport's operation id is the row's UUIDv5, so a repeated send is one email; a row whose last attempt ended
/// without an answer is resolved by asking the transport, never by sending blindly. Throws for what may succeed
/// later (the host retries, then poison-queues); everything permanent is recorded on the row.
/// </summary>
public sealed partial class OutreachSender(
    IOutreachLedger ledger,
    IPracticeStore practices,
    IPatientStore patients,
    IMessageIndex messageIndex,
    ISendScheduler scheduler,
    IEmailSender sender,
    ITemplateRenderer renderer,
    ReengageSettings settings,
    ReengageTelemetry telemetry,
    TimeProvider time,
    ILogger<OutreachSender> logger)
{
    /// <summary>A claim older than this is presumed dead; its fate is then asked of the transport, never guessed.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    /// <summary>failureReason of a row whose last send attempt ended without an answer: the transport may or may not have it.</summary>
    public const string InDoubt = "in_doubt";

    /// <summary>
    /// How long after an attempt ended in doubt the transport's "unknown" is believed: beyond the time ACS may still
    /// take a request whose client gave up. A duplicate delivery arriving sooner looks again later instead of sending.
    /// </summary>
    public static readonly TimeSpan InDoubtSettle = TimeSpan.FromMinutes(2);

    /// <summary>Early deliveries within this margin are sent rather than re-scheduled (queue timers are not exact).</summary>
    public static readonly TimeSpan EarlyMargin = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan LookAgainSlack = TimeSpan.FromSeconds(1);

    public async Task<SendResult> SendAsync(SendRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = ReengageTelemetry.Tracing.StartActivity("sendOutreach");
        var now = time.GetUtcNow();
        var current = await ledger.GetOutreachAsync(request.PracticeId, request.OutreachId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            LogNotFound(logger, Ids.HashForLog(request.PracticeId));
            return SendResult.NotFound;
        }
        var row = current.Value;
        activity?.SetTag("reengage.practice", row.PracticeId);
        activity?.SetTag("reengage.outreach", row.OperationId);
        if (row.Status == OutreachStatus.Planned && row.NotBefore - now > EarlyMargin)
        {
            await scheduler.ScheduleSendAsync(request with { NotBefore = row.NotBefore }, row.NotBefore, cancellationToken).ConfigureAwait(false);
            return SendResult.Rescheduled;
        }
        Versioned<OutreachRow> claimed;
        if (row.Status == OutreachStatus.Planned)
        {
            claimed = await ClaimAsync(current, now, cancellationToken).ConfigureAwait(false);
        }
        else if (row.Status == OutreachStatus.Sending)
        {
            var claimedAt = row.ClaimedAt ?? DateTimeOffset.MinValue;
            if (row.FailureReason != InDoubt && now - claimedAt < ClaimTimeout)
            {
                // Another worker holds the row (or this is a duplicate delivery): look again once its claim expires.
                await LookAgainAsync(request, claimedAt + ClaimTimeout + LookAgainSlack, cancellationToken).ConfigureAwait(false);
                return SendResult.InProgress;
            }
            var fate = await sender.GetStatusAsync(row.OperationId, cancellationToken).ConfigureAwait(false);
            if (fate is SendStatus.Succeeded or SendStatus.Running)
            {
                // The claim time is when the transport took it (to within the request), not when this found out.
                await RecordAsync(current, row with { Status = OutreachStatus.Sent, SentAt = row.ClaimedAt ?? now, ClaimedAt = null, FailureReason = null }, cancellationToken).ConfigureAwait(false);
                telemetry.EmailsSent.Add(1);
                LogResolvedSent(logger, row.PracticeId, row.OperationId, Wire.Name(row.TemplateId));
                return SendResult.Sent;
            }
            if (fate == SendStatus.Failed)
            {
                await RecordAsync(current, row with { Status = OutreachStatus.Failed, FailureReason = "transport_failed", ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
                telemetry.EmailsFailed.Add(1, new KeyValuePair<string, object?>("reason", "transport_failed"));
                LogTransportFailed(logger, row.PracticeId, row.OperationId, Wire.Name(row.TemplateId));
                return SendResult.Failed;
            }
            if (now - claimedAt < InDoubtSettle)
            {
                // Unknown so far, but the attempt that left the row in doubt may still be taken (a request can land
                // after its client gave up): only an answer after the settling time means it never was.
                await LookAgainAsync(request, claimedAt + InDoubtSettle + LookAgainSlack, cancellationToken).ConfigureAwait(false);
                return SendResult.InProgress;
            }
            // Never accepted: safe to send with the same operation id.
            claimed = await ClaimAsync(current, now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return SendResult.AlreadyDone;
        }
        return await DeliverAsync(request, claimed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A lost race throws <see cref="ErrorCode.PreconditionFailed"/>: the host redelivers and the winner's state decides
    /// (a live claim, or a row already done).
    /// </summary>
    private async Task<Versioned<OutreachRow>> ClaimAsync(Versioned<OutreachRow> current, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var value = current.Value with { Status = OutreachStatus.Sending, ClaimedAt = now, Attempts = current.Value.Attempts + 1 };
        var etag = await ledger.UpdateOutreachAsync(value, current.ETag, cancellationToken).ConfigureAwait(false);
        return new Versioned<OutreachRow>(value, etag);
    }

    private async Task<Versioned<OutreachRow>> RecordAsync(Versioned<OutreachRow> current, OutreachRow value, CancellationToken cancellationToken)
    {
        var etag = await ledger.UpdateOutreachAsync(value, current.ETag, cancellationToken).ConfigureAwait(false);
        return new Versioned<OutreachRow>(value, etag);
    }

    private Task LookAgainAsync(SendRequest request, DateTimeOffset at, CancellationToken cancellationToken) =>
        scheduler.ScheduleSendAsync(request with { NotBefore = at }, at, cancellationToken);

    private async Task<SendResult> DeliverAsync(SendRequest request, Versioned<OutreachRow> claimed, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var row = claimed.Value;
        var template = Wire.Name(row.TemplateId);
        var practiceTask = practices.GetPracticeAsync(row.PracticeId, cancellationToken);
        var patientTask = patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken);
        var practice = (await practiceTask.ConfigureAwait(false))?.Value;
        var patient = (await patientTask.ConfigureAwait(false))?.Value;
        if (practice is null || patient is null)
        {
            await RecordAsync(claimed, row with { Status = OutreachStatus.Skipped("patient_deleted"), ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
            telemetry.EmailsSkipped.Add(1, new KeyValuePair<string, object?>("reason", "patient_deleted"));
            LogSkipped(logger, row.PracticeId, row.OperationId, template, "patient_deleted");
            return SendResult.Skipped;
        }
        if (Eligibility.WhyIneligibleToSend(practice, patient, row, now) is { } why)
        {
            var reason = Wire.Name(why);
            await RecordAsync(claimed, row with { Status = OutreachStatus.Skipped(reason), FailureReason = reason, ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
            telemetry.EmailsSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));
            LogSkipped(logger, row.PracticeId, row.OperationId, template, reason);
            return SendResult.Skipped;
        }
        var therapist = row.TherapistId is { } therapistId
            ? await practices.GetTherapistAsync(row.PracticeId, therapistId, cancellationToken).ConfigureAwait(false)
            : null;
        var links = EmailComposer.BuildLinks(settings.PublicBaseUrl, SigningKey(), row, now);
        OutgoingEmail email;
        try
        {
            var context = EmailComposer.BuildRenderContext(practice, therapist, patient, row, links, now);
            var rendered = await RenderAsync(row, context, cancellationToken).ConfigureAwait(false);
            email = EmailComposer.BuildEmail(practice, therapist, patient, row, rendered, links);
        }
        catch (ReengageException error) when (error.Code == ErrorCode.RenderFailed)
        {
            await RecordAsync(claimed, row with { Status = OutreachStatus.Failed, FailureReason = "render_failed", ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
            telemetry.EmailsFailed.Add(1, new KeyValuePair<string, object?>("reason", "render_failed"));
            LogRenderFailed(logger, row.PracticeId, row.OperationId, template);
            return SendResult.Failed;
        }
        await messageIndex.UpsertMessageAsync(new MessageIndexEntry(row.OperationId, row.PracticeId, row.Id), cancellationToken).ConfigureAwait(false);
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(email, row.OperationId, cancellationToken).ConfigureAwait(false);
        }
        catch (ReengageException error) when (error.Retryable)
        {
            // The transport may or may not have taken it: the row is marked in doubt so that the redelivery asks the
            // transport at once (by operation id) instead of waiting for the claim to expire. claimedAt becomes the end
            // of the attempt, which the settling time counts from, however long the attempt took.
            await MarkInDoubtAsync(claimed).ConfigureAwait(false);
            LogInDoubt(logger, row.PracticeId, row.OperationId, template, error.Code);
            throw;
        }
        switch (outcome)
        {
            case SendOutcome.Accepted:
                await RecordAsync(claimed, row with { Status = OutreachStatus.Sent, SentAt = now, ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
                telemetry.EmailsSent.Add(1);
                LogSent(logger, row.PracticeId, row.OperationId, template, Ids.HashForLog(patient.Email ?? ""));
                return SendResult.Sent;
            case SendOutcome.Throttled throttled:
                {
                    await RecordAsync(claimed, row with { Status = OutreachStatus.Planned, ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
                    // Never slept on here: the quota frees up by itself, and a worker is not held meanwhile.
                    var retryAt = now + throttled.RetryAfter;
                    await scheduler.ScheduleSendAsync(request with { NotBefore = retryAt }, retryAt, cancellationToken).ConfigureAwait(false);
                    telemetry.EmailsThrottled.Add(1);
                    LogThrottled(logger, row.PracticeId, row.OperationId, template, (long)throttled.RetryAfter.TotalMilliseconds);
                    return SendResult.Throttled;
                }
            case SendOutcome.Rejected rejected:
                await RecordAsync(claimed, row with { Status = OutreachStatus.Failed, FailureReason = $"rejected:{rejected.Code}", ClaimedAt = null }, cancellationToken).ConfigureAwait(false);
                telemetry.EmailsFailed.Add(1, new KeyValuePair<string, object?>("reason", "rejected"));
                LogRejected(logger, row.PracticeId, row.OperationId, template, rejected.Code);
                return SendResult.Failed;
            default:
                throw new UnreachableException($"unknown send outcome {outcome.GetType().Name}");
        }
    }

    private async Task MarkInDoubtAsync(Versioned<OutreachRow> claimed)
    {
        try
        {
            // Not cancelled with the invocation: this write is what keeps a redelivery from waiting out the claim.
            await RecordAsync(claimed, claimed.Value with { FailureReason = InDoubt, ClaimedAt = time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The send's own failure is what the host must see; a row left claimed is resolved after the claim timeout.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogInDoubtNotRecorded(logger, claimed.Value.PracticeId, claimed.Value.OperationId, error.GetType().Name);
        }
    }

    /// <summary>
    /// The practice's override when one is stored, else the library. An override that no longer renders (it was
    /// accepted against sample data; real data may differ) falls back to the library's tested wording.
    /// </summary>
    private async Task<RenderedEmail> RenderAsync(OutreachRow row, RenderContext context, CancellationToken cancellationToken)
    {
        var stored = await practices.GetTemplateOverrideAsync(row.PracticeId, row.TemplateId, row.Locale, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            try
            {
                return renderer.RenderOverride(row.TemplateId, row.Locale, new TemplateSources(stored.Subject, stored.Html, stored.Text), context);
            }
            catch (ReengageException error) when (error.Code == ErrorCode.RenderFailed)
            {
                LogOverrideFellBack(logger, row.PracticeId, row.OperationId, Wire.Name(row.TemplateId));
            }
        }
        return renderer.Render(row.TemplateId, row.Locale, context);
    }

    private Core.Security.SigningKey SigningKey() =>
        settings.LinkSigningKeys.Count > 0
            ? settings.LinkSigningKeys[0]
            : throw new ReengageException(ErrorCode.InvalidConfiguration, "at least one link-signing key is required");

    [LoggerMessage(Level = LogLevel.Warning, Message = "send request for an unknown ledger row (practice ref {PracticeRef})")]
    private static partial void LogNotFound(ILogger logger, string practiceRef);

    [LoggerMessage(Level = LogLevel.Information, Message = "outreach sent: practice {PracticeId}, outreach {Outreach}, template {Template}, recipient ref {RecipientRef}")]
    private static partial void LogSent(ILogger logger, string practiceId, string outreach, string template, string recipientRef);

    [LoggerMessage(Level = LogLevel.Information, Message = "stale claim resolved, the transport had accepted it: practice {PracticeId}, outreach {Outreach}, template {Template}")]
    private static partial void LogResolvedSent(ILogger logger, string practiceId, string outreach, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the transport reports the operation failed: practice {PracticeId}, outreach {Outreach}, template {Template}")]
    private static partial void LogTransportFailed(ILogger logger, string practiceId, string outreach, string template);

    [LoggerMessage(Level = LogLevel.Information, Message = "outreach skipped at send time: practice {PracticeId}, outreach {Outreach}, template {Template}, reason {Reason}")]
    private static partial void LogSkipped(ILogger logger, string practiceId, string outreach, string template, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "template failed to render: practice {PracticeId}, outreach {Outreach}, template {Template}")]
    private static partial void LogRenderFailed(ILogger logger, string practiceId, string outreach, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "template override failed to render; library template used: practice {PracticeId}, outreach {Outreach}, template {Template}")]
    private static partial void LogOverrideFellBack(ILogger logger, string practiceId, string outreach, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "send attempt ended without an answer, row in doubt: practice {PracticeId}, outreach {Outreach}, template {Template}, code {Code}")]
    private static partial void LogInDoubt(ILogger logger, string practiceId, string outreach, string template, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not mark the row in doubt ({ErrorType}); it is resolved once its claim expires: practice {PracticeId}, outreach {Outreach}")]
    private static partial void LogInDoubtNotRecorded(ILogger logger, string practiceId, string outreach, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "transport throttled; re-queued: practice {PracticeId}, outreach {Outreach}, template {Template}, retry after {RetryAfterMs} ms")]
    private static partial void LogThrottled(ILogger logger, string practiceId, string outreach, string template, long retryAfterMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "transport rejected the email: practice {PracticeId}, outreach {Outreach}, template {Template}, code {Code}")]
    private static partial void LogRejected(ILogger logger, string practiceId, string outreach, string template, string code);
}
