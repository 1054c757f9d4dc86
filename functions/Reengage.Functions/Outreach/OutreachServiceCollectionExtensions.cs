using Microsoft.Extensions.DependencyInjection;

namespace Reengage.Functions.Outreach;

public static class OutreachServiceCollectionExtensions
{
    /// <summary>The send use case (<see cref="OutreachSender"/>), over the ports <c>AddReengage</c> registers.</summary>
    public static IServiceCollection AddOutreachSending(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<OutreachSender>();
        return services;
    }
}
