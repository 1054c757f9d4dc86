using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Sending;
using Reengage.Functions.Settings;

namespace Reengage.Functions.Outreach;

public static class UpcomingServiceCollectionExtensions
{
    /// <summary>GET upcoming's forecast (the planners' dry run). Needs the settings and the storage ports.</summary>
    public static IServiceCollection AddUpcomingSends(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<ReengageSettings>();
            return new UpcomingForecastOptions(
                new QuotaLimits(settings.AcsSendsPerMinute, settings.AcsSendsPerHour),
                PlannerSchedule.FromCron(settings.LapsedScanSchedule, settings.MilestoneScanSchedule, settings.SeasonalScanSchedule));
        });
        services.AddSingleton<UpcomingForecast>();
        return services;
    }
}
