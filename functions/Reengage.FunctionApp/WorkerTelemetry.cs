// OpenTelemetry from the worker: the app's traces and counters (ReengageTelemetry), exported to Application Insights when
// its connection string is set. Kept here, not in AddReengage, because it needs the Functions worker's own services.
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using Reengage.Functions.Telemetry;

namespace Reengage.FunctionApp;

internal static class WorkerTelemetry
{
    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(ReengageTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(ReengageTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            // Application Insights refuses local authentication here: the exporter signs in as the app's identity.
            var clientId = builder.Configuration["ReengageStorage:clientId"];
            telemetry.UseAzureMonitorExporter(options =>
            {
                if (!string.IsNullOrWhiteSpace(clientId))
                {
                    options.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }
        return builder;
    }
}
