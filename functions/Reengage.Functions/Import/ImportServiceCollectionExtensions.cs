using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reengage.Functions.Booking;

namespace Reengage.Functions.Import;

public static class ImportServiceCollectionExtensions
{
    /// <summary>The patient import (CSV) and the booking ingestion it writes through.</summary>
    public static IServiceCollection AddPatientImport(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddBookingIngestion();
        services.TryAddSingleton<PatientImport>();
        return services;
    }
}
