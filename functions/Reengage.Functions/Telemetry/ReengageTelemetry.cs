using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reengage.Functions.Telemetry;

/// <summary>
/// The traces and counters an operator watches (docs/operations.md names them). Tags carry ids, template ids, reasons
/// and outcomes only: never names, addresses or health data.
/// </summary>
public sealed class ReengageTelemetry : IDisposable
{
    public const string Name = "Reengage";

    private readonly Meter _meter;

    public ReengageTelemetry(IMeterFactory meterFactory)
        : this((meterFactory ?? throw new ArgumentNullException(nameof(meterFactory))).Create(Name))
    {
    }

    private ReengageTelemetry(Meter meter)
    {
        _meter = meter;
        EmailsPlanned = _meter.CreateCounter<long>("reengage.emails.planned", "{email}", "Emails planned (a ledger row in status planned)");
        EmailsHeldOut = _meter.CreateCounter<long>("reengage.emails.held_out", "{email}", "Steps recorded for the control group, never sent");
        EmailsSent = _meter.CreateCounter<long>("reengage.emails.sent", "{email}", "Emails the transport accepted");
        EmailsSkipped = _meter.CreateCounter<long>("reengage.emails.skipped", "{email}", "Emails not sent, by reason (tag reason)");
        EmailsFailed = _meter.CreateCounter<long>("reengage.emails.failed", "{email}", "Emails that failed for good, by reason (tag reason)");
        EmailsThrottled = _meter.CreateCounter<long>("reengage.emails.throttled", "{email}", "Sends the transport throttled (429) and that were re-queued");
        Webhooks = _meter.CreateCounter<long>("reengage.webhooks", "{request}", "Booking webhooks, by source and outcome (tags source, outcome)");
    }

    /// <summary>
    /// Counters no exporter listens to (their meter is not named <see cref="Name"/>): for a planner dry run, whose
    /// emails are never planned and must not show on the operator's counts.
    /// </summary>
    public static ReengageTelemetry Unexported() => new(new Meter($"{Name}.DryRun"));

    /// <summary>Spans across webhook → planner → queue → send.</summary>
    public static ActivitySource Tracing { get; } = new(Name);

    public Counter<long> EmailsPlanned { get; }
    public Counter<long> EmailsHeldOut { get; }
    public Counter<long> EmailsSent { get; }
    public Counter<long> EmailsSkipped { get; }
    public Counter<long> EmailsFailed { get; }
    public Counter<long> EmailsThrottled { get; }
    public Counter<long> Webhooks { get; }

    public void Dispose() => _meter.Dispose();
}
