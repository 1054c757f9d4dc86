using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reengage.Functions.Answers;

public static class AnswersServiceCollectionExtensions
{
    /// <summary>The patients' answers; the storage ports, settings and TimeProvider come from AddReengage.</summary>
    public static IServiceCollection AddPatientAnswers(this IServiceCollection services)
    {
        services.TryAddSingleton<PatientAnswers>();
        return services;
    }
}
