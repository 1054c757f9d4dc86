// ACS delivery and engagement reports, once read from their envelope, and what each does to a ledger row.
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Core.Sending;

/// <summary>ACS delivery statuses, spelled as ACS documents them (the wire name is what the row records).</summary>
public enum DeliveryStatus
{
    [WireName("Delivered")] Delivered,
    [WireName("Expanded")] Expanded,
    [WireName("Failed")] Failed,
    [WireName("Bounced")] Bounced,
    [WireName("Suppressed")] Suppressed,
    [WireName("Quarantined")] Quarantined,
    [WireName("FilteredSpam")] FilteredSpam,
}

public enum EngagementKind
{
    [WireName("view")] View,
    [WireName("click")] Click,
}

/// <summary>One report about one email. <see cref="MessageId"/> is the ACS message id: the operation id the app sent with.</summary>
public abstract record EmailReport(string EventId, string MessageId, DateTimeOffset At);

/// <param name="Recipient">Personal data: used only to key the suppression list, never logged or stored as such.</param>
/// <param name="At">When ACS tried to deliver; the event time when the report has none.</param>
public sealed record DeliveryReport(string EventId, string MessageId, DeliveryStatus Status, string Recipient, DateTimeOffset At)
    : EmailReport(EventId, MessageId, At);

/// <param name="At">When the recipient opened or clicked; the event time when the report has none.</param>
public sealed record EngagementReport(string EventId, string MessageId, EngagementKind Engagement, DateTimeOffset At)
    : EmailReport(EventId, MessageId, At);

public static class EmailReports
{
    /// <summary>Event Grid's type for a delivery report.</summary>
    public const string DeliveryReportType = "Microsoft.Communication.EmailDeliveryReportReceived";

    /// <summary>Event Grid's type for an engagement (open, click) report.</summary>
    public const string EngagementReportType = "Microsoft.Communication.EmailEngagementTrackingReportReceived";

    /// <summary>Event Grid puts one event per queue message; a message holding more than this is refused.</summary>
    public const int MaxEventsPerMessage = 100;

    /// <summary>The ledger status each ACS status leads to; null keeps the row's status (Expanded: a list was expanded).</summary>
    public static string? StatusAfter(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Delivered => OutreachStatus.Delivered,
        DeliveryStatus.Expanded => null,
        DeliveryStatus.Failed or DeliveryStatus.Quarantined or DeliveryStatus.FilteredSpam => OutreachStatus.Failed,
        DeliveryStatus.Bounced or DeliveryStatus.Suppressed => OutreachStatus.Bounced,
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>
    /// Statuses after which the address must never be written to again. A spam verdict or a quarantine is about the
    /// email, not the address: those keep it usable.
    /// </summary>
    public static SuppressionReason? SuppressionReasonOf(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Bounced => SuppressionReason.Bounced,
        DeliveryStatus.Suppressed => SuppressionReason.Suppressed,
        _ => null,
    };

    private static bool NeverSent(OutreachRow row) => row.Status == OutreachStatus.HeldOut || OutreachStatus.IsSkipped(row.Status);

    /// <summary>
    /// The row after a delivery report, or null when the report changes nothing: it is not newer than the last one
    /// applied (a duplicate, or a late older report), or the row was never sent. Reports only move forward in time, so
    /// an old "Delivered" arriving late never undoes a bounce, and whatever order reports arrive in, the row ends with
    /// the latest.
    /// </summary>
    public static OutreachRow? WithDeliveryReport(OutreachRow row, DeliveryReport report)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(report);
        if (NeverSent(row)) return null;
        if (row.DeliveryAt is { } last && report.At <= last) return null;
        // A report proves ACS took the email: a row still claimed (a worker that died, or a report faster than the
        // worker's own write) is settled here, and its queue message then finds it done and never sends again.
        var inFlight = row.Status is OutreachStatus.Planned or OutreachStatus.Sending;
        return row with
        {
            Status = StatusAfter(report.Status) ?? (inFlight ? OutreachStatus.Sent : row.Status),
            DeliveryStatus = Wire.Name(report.Status),
            DeliveryAt = report.At,
            SentAt = row.SentAt ?? row.ClaimedAt ?? report.At,
            ClaimedAt = inFlight ? null : row.ClaimedAt,
        };
    }

    /// <summary>
    /// The row after an engagement report, or null when it changes nothing. Only the first open and the first click are
    /// kept: order-independent, and a report applied twice changes nothing.
    /// </summary>
    public static OutreachRow? WithEngagementReport(OutreachRow row, EngagementReport report)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(report);
        if (NeverSent(row)) return null;
        var known = report.Engagement == EngagementKind.View ? row.ViewedAt : row.ClickedAt;
        if (known is { } first && first <= report.At) return null;
        return report.Engagement == EngagementKind.View ? row with { ViewedAt = report.At } : row with { ClickedAt = report.At };
    }
}
