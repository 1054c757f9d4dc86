// The weekly retention sweep of SPEC §4 (default Sundays 03:00 UTC, away from the planners and from weekday sends).
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions.Privacy;

namespace Reengage.Functions.Functions;

public sealed class RetentionFunctions(RetentionSweep sweep)
{
    [Function("sweepRetention")]
    public Task SweepRetention([TimerTrigger("%RETENTION_SWEEP_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.SweepAsync(cancellationToken);
}
