using Microsoft.Extensions.DependencyInjection;
using Reengage.Functions.Settings;

namespace Reengage.Functions.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>The admin API's use cases: practice settings and therapists, the practice key check, the patient export.</summary>
    public static IServiceCollection AddAdministration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<PracticeKeyAuthorizer>();
        services.AddSingleton<PracticeAdmin>();
        services.AddSingleton<PatientExport>();
        services.AddSingleton<CredentialAdmin>();
        services.AddSingleton<IntegrationAdmin>();
        services.AddSingleton<TemplateAdmin>();
        services.AddSingleton<TemplatePreview>();
        services.AddSingleton(sp => new IntegrationLinks(sp.GetRequiredService<ReengageSettings>().PublicBaseUrl));
        return services;
    }
}
