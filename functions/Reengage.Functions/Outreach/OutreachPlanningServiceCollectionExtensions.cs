using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Sending;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;

namespace Reengage.Functions.Outreach;

public static class OutreachPlanningServiceCollectionExtensions
{
    /// <summary>
    /// The planners and the send-slot store they reserve from. Needs the settings, the storage ports
    /// (<c>AddReengageStorage</c>), <see cref="Patients.PatientSaver"/> and the telemetry.
    /// </summary>
    public static IServiceCollection AddOutreachPlanning(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // One store for the app: what it remembers of full hours serves every run.
        services.AddSingleton<ISendSlotStore>(sp => new TableSendSlotStore(sp.GetRequiredService<ReengageStorageClients>().SendSlots));
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<ReengageSettings>();
            return new OutreachPlannerOptions(new QuotaLimits(settings.AcsSendsPerMinute, settings.AcsSendsPerHour), settings.PlannerConcurrency);
        });
        services.AddSingleton<OutreachPlanner>();
        return services;
    }
}
