using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reengage.Functions.Booking;

public static class BookingServiceCollectionExtensions
{
    /// <summary>The booking webhook's use case; the storage ports, PatientSaver, TimeProvider and telemetry come from AddReengage.</summary>
    public static IServiceCollection AddBookingIngestion(this IServiceCollection services)
    {
        services.TryAddSingleton<BookingIngestion>();
        services.TryAddSingleton<VendorIngestion>();
        return services;
    }
}
