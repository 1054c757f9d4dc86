using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Sending;

namespace Reengage.Functions.Tests.Planning;

public sealed class PlannerRegistrationTests
{
    [Fact]
    public void The_three_timers_keep_their_names_and_schedule_settings()
    {
        var timers = typeof(PlannerFunctions).GetMethods()
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>()?.Name, Timer: m.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).SingleOrDefault(t => t is not null)))
            .Where(t => t.Function is not null)
            .Select(t => (t.Function, t.Timer?.Schedule))
            .Order()
            .ToList();

        Assert.Equal(
            [("planLapsedOutreach", "%LAPSED_SCAN_SCHEDULE%"), ("planMilestoneOutreach", "%MILESTONE_SCAN_SCHEDULE%"), ("planSeasonalOutreach", "%SEASONAL_SCAN_SCHEDULE%")],
            timers);
    }

    [Fact]
    public void AddReengage_registers_the_planner_with_the_quota_and_concurrency_settings_and_one_slot_store()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
        [
            new("ReengageStorage", "UseDevelopmentStorage=true"),
            new("PUBLIC_BASE_URL", "https://reengage.example.org"),
            new("LINK_SIGNING_KEYS", "k1:" + Convert.ToBase64String(new byte[32])),
            new("ACS_SENDS_PER_MINUTE", "1800"),
            new("ACS_SENDS_PER_HOUR", "50000"),
            new("PLANNER_CONCURRENCY", "8"),
        ]);
        builder.AddReengage();
        using var host = builder.Build();

        // The host activates function classes from the app's services, as here.
        Assert.NotNull(ActivatorUtilities.CreateInstance<PlannerFunctions>(host.Services));
        Assert.Same(host.Services.GetRequiredService<OutreachPlanner>(), host.Services.GetRequiredService<OutreachPlanner>());
        Assert.Equal(new OutreachPlannerOptions(new QuotaLimits(1800, 50_000), 8), host.Services.GetRequiredService<OutreachPlannerOptions>());
        Assert.IsType<TableSendSlotStore>(host.Services.GetRequiredService<ISendSlotStore>());
        Assert.Same(host.Services.GetRequiredService<ISendSlotStore>(), host.Services.GetRequiredService<ISendSlotStore>());
    }
}
