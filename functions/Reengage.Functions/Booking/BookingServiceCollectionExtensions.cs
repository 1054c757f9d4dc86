using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reengage.Functions.Settings;

namespace Reengage.Functions.Booking;

public static class BookingServiceCollectionExtensions
{
    /// <summary>The booking webhook's use case; the storage ports, PatientSaver, TimeProvider and telemetry come from AddReengage.</summary>
    public static IServiceCollection AddBookingIngestion(this IServiceCollection services)
    {
        services.TryAddSingleton<BookingIngestion>();
        services.TryAddSingleton<VendorIngestion>();
        services.TryAddSingleton<IAcuityApi>(sp => new HttpAcuityApi(
            new HttpClient(),
            sp.GetRequiredService<ReengageSettings>().AcuityApiBaseUrl,
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(500),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
