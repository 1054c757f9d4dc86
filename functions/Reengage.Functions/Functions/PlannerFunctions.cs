// The three planning timers. Schedules are UTC (settings); practice-local time is applied by the planner.
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions.Outreach;

namespace Reengage.Functions.Functions;

public sealed class PlannerFunctions(OutreachPlanner planner)
{
    [Function("planLapsedOutreach")]
    public Task PlanLapsedOutreach([TimerTrigger("%LAPSED_SCAN_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanLapsedAsync(cancellationToken);

    [Function("planMilestoneOutreach")]
    public Task PlanMilestoneOutreach([TimerTrigger("%MILESTONE_SCAN_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanMilestonesAsync(cancellationToken);

    [Function("planSeasonalOutreach")]
    public Task PlanSeasonalOutreach([TimerTrigger("%SEASONAL_SCAN_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.PlanSeasonalAsync(cancellationToken);
}
