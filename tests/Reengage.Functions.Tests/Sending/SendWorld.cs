using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Outreach;
using Reengage.Functions.Queues;
using Reengage.Functions.Settings;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Templates;

namespace Reengage.Functions.Tests.Sending;

/// <summary>One practice, one therapist, one patient and their planned row, on real tables, with a clock of their own.</summary>
internal sealed class SendWorld : IDisposable
{
    /// <summary>Tuesday 5 January 2027, 10:00 UTC: the planned row's notBefore.</summary>
    public static readonly DateTimeOffset Slot = new(2027, 1, 5, 10, 0, 0, TimeSpan.Zero);

    public static readonly SigningKey Key = new("k1", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
    public static readonly SigningKey OldKey = new("k0", [.. Enumerable.Range(101, 32).Select(i => (byte)i)]);

    public const string TherapistEmail = "lea.martin@tilleuls.example";
    public const string PatientEmail = "zoe.durand@example.org";
    public const string ProgressNote = "Gère mieux les crises de panique";
    public const string PlanSummary = "Exposition graduée aux transports";

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public SendWorld(ReengageStorageClients clients)
    {
        Clients = clients;
        Ledger = new TableOutreachLedger(clients.Outreach);
        Practices = new TablePracticeStore(clients.Practices, clients.Therapists);
        Patients = new TablePatientStore(clients.Patients);
        MessageIndex = new TableMessageIndex(clients.MessageIndex);
        Telemetry = new ReengageTelemetry(_metrics.GetRequiredService<IMeterFactory>());
        PracticeId = "prac_" + Guid.NewGuid().ToString("N")[..8];
    }

    public FakeTimeProvider Clock { get; } = new(Slot);
    public ReengageStorageClients Clients { get; }
    public TableOutreachLedger Ledger { get; }
    public TablePracticeStore Practices { get; }
    public TablePatientStore Patients { get; }
    public TableMessageIndex MessageIndex { get; }
    public ReengageTelemetry Telemetry { get; }
    public string PracticeId { get; }
    public string PatientId { get; } = "pat_zoe";

    public ReengageSettings Settings => new()
    {
        Storage = new StorageConnection.ConnectionString("UseDevelopmentStorage=true"),
        PublicBaseUrl = new Uri("https://reengage.example"),
        LinkSigningKeys = [Key, OldKey],
    };

    public Practice Practice(bool allowClinicalDetails = false) => new()
    {
        Id = PracticeId,
        Name = "Cabinet des Tilleuls",
        TimeZone = "Europe/Paris",
        Locale = Locale.En,
        SenderAddress = "bonjour@tilleuls.example",
        SenderDisplayName = "Cabinet des Tilleuls",
        BookingUrl = "https://tilleuls.example/rdv",
        CadenceDays = [30, 60, 120],
        SeasonalWindows = [],
        AllowClinicalDetails = allowClinicalDetails,
        Resources = [new PracticeResource("Breathing at night", "https://tilleuls.example/sleep", "sleep")],
    };

    public Therapist Therapist() => new()
    {
        PracticeId = PracticeId,
        Id = "th_1",
        DisplayName = "Léa Martin",
        Email = TherapistEmail,
        Signature = "Léa Martin\nPsychologue",
        Locale = Locale.En,
    };

    public Patient Patient() => new()
    {
        PracticeId = PracticeId,
        Id = PatientId,
        FirstName = "Zoé",
        Email = PatientEmail,
        Locale = Locale.En,
        TherapistId = "th_1",
        EmailConsent = new EmailConsent(true, Slot.AddDays(-90), "import"),
        ProgressNote = ProgressNote,
        Plan = new TreatmentPlan(PlanSummary, null),
        FocusArea = "sleep",
        LastVisitAt = Slot.AddDays(-31),
        TouchLog = [new TouchRecord(Slot, Row().Id, "2026-12-05")],
        CreatedAt = Slot.AddDays(-120),
        UpdatedAt = Slot.AddDays(-1),
    };

    public OutreachRow Row(TemplateId template = TemplateId.CheckIn)
    {
        var row = new OutreachRow
        {
            PracticeId = PracticeId,
            PatientId = PatientId,
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-05",
            Step = 1,
            TemplateId = template,
            Locale = Locale.En,
            TherapistId = "th_1",
            Status = OutreachStatus.Planned,
            PlannedAt = Slot.AddDays(-1),
            NotBefore = Slot,
            OperationId = "00000000-0000-0000-0000-000000000000",
        };
        return row with { OperationId = Ids.OperationIdOf(PracticeId, row.Id) };
    }

    public SendRequest Request => new(PracticeId, Row().Id, Slot);

    /// <summary>Stores the practice, its therapist, the patient and the row (changed by <paramref name="row"/>, <paramref name="patient"/>).</summary>
    public async Task<OutreachRow> SeedAsync(
        Func<OutreachRow, OutreachRow>? row = null,
        Func<Patient, Patient>? patient = null,
        bool allowClinicalDetails = false,
        TemplateId template = TemplateId.CheckIn)
    {
        await Practices.UpsertPracticeAsync(Practice(allowClinicalDetails));
        await Practices.UpsertTherapistAsync(Therapist());
        await Patients.CreatePatientAsync((patient ?? (p => p))(Patient()));
        var stored = (row ?? (r => r))(Row(template));
        Assert.NotNull(await Ledger.CreateOutreachAsync(stored));
        return stored;
    }

    public async Task<OutreachRow> RowAsync() => (await Ledger.GetOutreachAsync(PracticeId, Row().Id))!.Value;

    /// <summary>
    /// A scheduler with no delay at all, so that every message the sender re-queues can be read back at once: the
    /// instant it was meant for travels in its notBefore.
    /// </summary>
    public StorageQueueSendScheduler ImmediateScheduler() => new(Clients.OutreachSend, Clock, TimeSpan.Zero);

    public OutreachSender Sender(IEmailSender transport, ISendScheduler? scheduler = null, ITemplateRenderer? renderer = null) => new(
        Ledger,
        Practices,
        Patients,
        MessageIndex,
        scheduler ?? ImmediateScheduler(),
        transport,
        renderer ?? Renderer,
        Settings,
        Telemetry,
        Clock,
        NullLogger<OutreachSender>.Instance);

    public static ScribanTemplateRenderer Renderer { get; } = new();

    /// <summary>The send requests visible on the queue now (a peek, so they stay there).</summary>
    public async Task<List<SendRequest>> QueuedAsync()
    {
        var peeked = await Clients.OutreachSend.PeekMessagesAsync(32);
        return [.. peeked.Value.Select(m =>
        {
            Assert.True(SendRequestMessage.TryParse(m.Body.ToString(), out var request, out var error), error);
            return request!;
        })];
    }

    public void Dispose()
    {
        Telemetry.Dispose();
        _metrics.Dispose();
    }
}
