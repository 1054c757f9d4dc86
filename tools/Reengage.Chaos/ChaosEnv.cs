// One chaos run's environment: its own tables and queues on an Azurite, the ACS stand-in behind the real
// AcsEmailSender, a simulated clock, and as many compositions ("Function App instances") over that storage as it needs.
using System.Security.Cryptography;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Ports;
using Reengage.Functions;
using Reengage.Functions.Acs;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Testing;

namespace Reengage.Chaos;

/// <summary>Share of ACS requests (sends and status reads) that meet a fault, drawn from a seed.</summary>
public sealed record AcsChaos(int Seed, double Probability);

public sealed class ChaosEnv : IAsyncDisposable
{
    /// <summary>How long the sender waits for ACS before giving up (a delay longer than this is a timeout).</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>429 (Retry-After 30 s), 500, 503, a slow answer, and one so slow the client gives up while ACS takes the email.</summary>
    public static IReadOnlyList<AcsFault> AcsFaults { get; } =
    [
        new AcsFault.Throttle("30"),
        new AcsFault.Error(500),
        new AcsFault.Error(503),
        new AcsFault.Delay(TimeSpan.FromMilliseconds(60)),
        new AcsFault.Delay(SendTimeout + TimeSpan.FromMilliseconds(150)),
    ];

    private readonly string _connectionString;
    private readonly string _outbox = Directory.CreateTempSubdirectory("reengage-chaos-").FullName;
    private readonly List<IHost> _hosts = [];

    private ChaosEnv(string connectionString, AcsEmailStandIn acs, FakeTimeProvider clock)
    {
        _connectionString = connectionString;
        Acs = acs;
        Clock = clock;
        Names = StorageNames.WithAffix("c" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
    }

    public FakeTimeProvider Clock { get; }
    public AcsEmailStandIn Acs { get; }
    public StorageNames Names { get; }

    /// <summary>When each failed outreach-send message may be tried again: one queue, whichever host picks it up.</summary>
    public Dictionary<string, DateTimeOffset> RetryAt { get; } = [];

    /// <summary>Messages the hosts of this run are handling right now: the clock only jumps when none is.</summary>
    public int InFlight;

    public int HostCount => _hosts.Count;

    public static async Task<ChaosEnv> CreateAsync(string connectionString, AcsChaos? acsChaos, DateTimeOffset start)
    {
        var clock = new FakeTimeProvider(start);
        var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions
        {
            TimeProvider = clock,
            RandomFaults = acsChaos is null ? null : new AcsRandomFaults(acsChaos.Seed, acsChaos.Probability, AcsFaults, On: null),
        });
        var env = new ChaosEnv(connectionString, acs, clock);
        await env.Host(env.AddHost()).GetRequiredService<ReengageStorageClients>().EnsureCreatedAsync();
        return env;
    }

    /// <summary>The first instance's services, never faulty: what seeding, the final drain and the checks use.</summary>
    public IServiceProvider Services => _hosts[0].Services;

    public IServiceProvider Host(int index) => _hosts[index].Services;

    public QueueClient Queue => Services.GetRequiredService<ReengageStorageClients>().OutreachSend;

    public QueueClient Poison => Services.GetRequiredService<ReengageStorageClients>().OutreachSendPoison;

    /// <summary>Another Function App instance over the same storage, clock and ACS: its own SDK clients and caches.</summary>
    public int AddHost()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(SampleSettings.ForAzurite(_connectionString, _outbox, new Dictionary<string, string?>
        {
            ["PUBLIC_BASE_URL"] = "https://reengage.example",
        }));
        builder.AddReengage();
        var services = builder.Services;
        services.AddSingleton<TimeProvider>(Clock);
        services.AddReengageStorage(builder.Configuration, Names);
        var sendQueue = (QueueClient q, TimeProvider t) => new StorageQueueSendScheduler(q, t, TimeSpan.Zero);
        // Visibility delays are collapsed; the host emulation moves the clock to each message's notBefore instead.
        services.AddSingleton<ISendScheduler>(sp => sendQueue(sp.GetRequiredService<ReengageStorageClients>().OutreachSend, Clock));
        services.AddSingleton<IEmailSender>(_ => new AcsEmailSender(Acs.ConnectionString, SenderOptions(Clock)));
        services.AddLogging(logging => logging.ClearProviders());
        var host = builder.Build();
        _hosts.Add(host);
        return _hosts.Count - 1;
    }

    /// <summary>The real ACS client with a short per-attempt timeout and quick retries, as the TypeScript suite runs it.</summary>
    public static AcsEmailSenderOptions SenderOptions(TimeProvider clock)
    {
        var options = new AcsEmailSenderOptions { TimeProvider = clock };
        options.Retry.NetworkTimeout = SendTimeout;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        return options;
    }

    /// <summary>The planners of one instance, every port wrapped so that <paramref name="process"/> may die at any call.</summary>
    public OutreachPlanner Planner(int host, SimulatedProcess process)
    {
        var sp = Host(host);
        var practices = FaultyPort<IPracticeStore>.Wrap(sp.GetRequiredService<IPracticeStore>(), "practices", process);
        var patients = FaultyPort<IPatientStore>.Wrap(sp.GetRequiredService<IPatientStore>(), "patients", process);
        var appointments = FaultyPort<IAppointmentStore>.Wrap(sp.GetRequiredService<IAppointmentStore>(), "appointments", process);
        var dueIndex = FaultyPort<IDueIndex>.Wrap(sp.GetRequiredService<IDueIndex>(), "dueIndex", process);
        var ledger = FaultyPort<IOutreachLedger>.Wrap(sp.GetRequiredService<IOutreachLedger>(), "ledger", process);
        var scheduler = FaultyPort<ISendScheduler>.Wrap(sp.GetRequiredService<ISendScheduler>(), "scheduler", process);
        var slots = FaultyPort<ISendSlotStore>.Wrap(sp.GetRequiredService<ISendSlotStore>(), "slots", process);
        var saver = new PatientSaver(patients, dueIndex, appointments);
        return ActivatorUtilities.CreateInstance<OutreachPlanner>(sp, practices, patients, dueIndex, ledger, scheduler, slots, saver);
    }

    /// <summary>The <c>sendOutreach</c> function of one instance over ports that <paramref name="process"/> may die in.</summary>
    public SendOutreachFunctions SendFunction(int host, SimulatedProcess process)
    {
        var sp = Host(host);
        var sender = ActivatorUtilities.CreateInstance<OutreachSender>(
            sp,
            FaultyPort<IOutreachLedger>.Wrap(sp.GetRequiredService<IOutreachLedger>(), "ledger", process),
            FaultyPort<IPracticeStore>.Wrap(sp.GetRequiredService<IPracticeStore>(), "practices", process),
            FaultyPort<IPatientStore>.Wrap(sp.GetRequiredService<IPatientStore>(), "patients", process),
            FaultyPort<IMessageIndex>.Wrap(sp.GetRequiredService<IMessageIndex>(), "messageIndex", process),
            FaultyPort<ISendScheduler>.Wrap(sp.GetRequiredService<ISendScheduler>(), "scheduler", process),
            FaultyPort<IEmailSender>.Wrap(sp.GetRequiredService<IEmailSender>(), "sender", process),
            FaultyPort<ITemplateRenderer>.Wrap(sp.GetRequiredService<ITemplateRenderer>(), "renderer", process));
        return new SendOutreachFunctions(sender, sp.GetRequiredService<ILogger<SendOutreachFunctions>>());
    }

    /// <summary>No request to the stand-in is still being answered (minutes may then pass for everyone at once).</summary>
    public bool AcsQuiet() => Acs.RequestsInFlight == 0;

    public async Task SettleAcsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!AcsQuiet() && DateTime.UtcNow < deadline) await Task.Delay(5);
    }

    public async ValueTask DisposeAsync()
    {
        var clients = Services.GetRequiredService<ReengageStorageClients>();
        foreach (var table in Names.Tables)
        {
            try
            {
                await clients.TableService.DeleteTableAsync(table);
            }
            catch (Azure.RequestFailedException)
            {
                // Storage gone (an outage run already stopped it): nothing to clean.
            }
        }
        foreach (var queue in Names.Queues)
        {
            try
            {
                await clients.QueueService.DeleteQueueAsync(queue);
            }
            catch (Azure.RequestFailedException)
            {
            }
        }
        foreach (var host in _hosts) host.Dispose();
        await Acs.DisposeAsync();
        Directory.Delete(_outbox, recursive: true);
    }
}
