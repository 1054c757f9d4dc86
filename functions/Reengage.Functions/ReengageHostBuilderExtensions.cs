using Microsoft.Extensions.Hosting;

namespace Reengage.Functions;

/// <summary>The one place where settings are read and services are registered.</summary>
public static class ReengageHostBuilderExtensions
{
    public static IHostApplicationBuilder AddReengage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
