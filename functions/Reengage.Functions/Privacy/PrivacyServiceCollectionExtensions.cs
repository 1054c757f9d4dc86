using Microsoft.Extensions.DependencyInjection;
using Reengage.Functions.Settings;

namespace Reengage.Functions.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>GDPR erasure and the retention sweep, over the storage ports; the sweep reads RETENTION_DAYS from the settings.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<PseudonymKeys>();
        services.AddSingleton<LedgerRowEraser>();
        services.AddSingleton<PatientErasure>();
        services.AddSingleton(sp => new RetentionOptions(sp.GetRequiredService<ReengageSettings>().RetentionDays));
        services.AddSingleton<RetentionSweep>();
        return services;
    }
}
