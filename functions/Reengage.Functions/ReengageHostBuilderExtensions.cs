using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Reengage.Core.Ports;
using Reengage.Functions.Acs;
using Reengage.Functions.Admin;
using Reengage.Functions.Answers;
using Reengage.Functions.Booking;
using Reengage.Functions.EmailEvents;
using Reengage.Functions.Import;
using Reengage.Functions.Outbox;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Privacy;
using Reengage.Functions.Report;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Templates;

namespace Reengage.Functions;

/// <summary>
/// The one place where settings are read and services are registered, for the Functions worker (Program.cs) and the
/// local host alike. Settings are validated here, at start-up: a missing or invalid one stops the app with its name.
/// </summary>
public static class ReengageHostBuilderExtensions
{
    public static IHostApplicationBuilder AddReengage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = ReengageSettings.Load(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<ReengageTelemetry>();

        services.AddReengageStorage(settings.Storage);
        services.AddHostedService<StorageInitializer>();
        services.AddSingleton<PatientSaver>();

        services.AddSingleton<ITemplateRenderer, ScribanTemplateRenderer>();
        services.AddSingleton<IEmailSender>(sp => CreateEmailSender(settings, sp.GetRequiredService<TimeProvider>()));
        services.AddAdministration();
        services.AddBookingIngestion();
        services.AddOutreachPlanning();
        services.AddUpcomingSends();
        services.AddOutreachSending();
        services.AddPrivacy();
        services.AddEmailEvents();
        services.AddPracticeReport();
        services.AddPatientAnswers();
        services.AddPatientImport();
        return builder;
    }

    private static IEmailSender CreateEmailSender(ReengageSettings settings, TimeProvider timeProvider)
    {
        if (settings.EmailTransport == EmailTransportKind.Outbox)
        {
            return new OutboxEmailSender(Path.GetFullPath(settings.OutboxDirectory), timeProvider);
        }
        var options = new AcsEmailSenderOptions { TimeProvider = timeProvider };
        if (settings.AcsConnectionString is { } connectionString)
        {
            return new AcsEmailSender(connectionString, options);
        }
        // Validated at start-up: acs without a connection string has an endpoint, reached with the app's managed identity.
        var credential = settings.Storage is StorageConnection.Identity { ClientId: { } clientId }
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : (Azure.Core.TokenCredential)new DefaultAzureCredential();
        return new AcsEmailSender(settings.AcsEndpoint!, credential, options);
    }

    /// <summary>Creates the tables and queues once, before the first function runs.</summary>
    private sealed class StorageInitializer(ReengageStorageClients clients) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => clients.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
