using Microsoft.Extensions.DependencyInjection;

namespace Reengage.Functions.EmailEvents;

public static class EmailEventsServiceCollectionExtensions
{
    /// <summary>The delivery-report use case (<see cref="EmailEventProcessor"/>), over the ports <c>AddReengage</c> registers.</summary>
    public static IServiceCollection AddEmailEvents(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<EmailEventProcessor>();
        return services;
    }
}
