using Microsoft.Extensions.DependencyInjection;

namespace Reengage.Functions.Report;

public static class ReportServiceCollectionExtensions
{
    /// <summary>The practice report (GET practices/{practiceId}/report); the practice key check comes from AddAdministration.</summary>
    public static IServiceCollection AddPracticeReport(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<PracticeReporting>();
        return services;
    }
}
