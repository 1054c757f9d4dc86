using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Sending;
using Reengage.Functions.Tables;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Planning;

/// <summary>Practices and patients written with the storage adapters and the PatientSaver (so DueIndex rows exist).</summary>
public abstract class PlannerTestBase(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    /// <summary>On 2027-01-05 (a Tuesday) at 05:00 UTC, when the lapse timer fires.</summary>
    protected static readonly DateTimeOffset Now = SlotRows.At("2027-01-05T05:00:00Z");

    /// <summary>10:00 in Paris on 6 December 2026: 30 days later, step 1 is due on 5 January.</summary>
    protected static readonly DateTimeOffset LastVisit = SlotRows.At("2026-12-06T09:00:00Z");

    /// <summary>09:30 in Paris, when the practice's send window opens on 5 January.</summary>
    protected static readonly DateTimeOffset ParisOpening = SlotRows.At("2027-01-05T08:30:00Z");

    private static readonly ReengageTelemetry Telemetry =
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    /// <summary>Replace it before the first <see cref="Planner"/> to start at another instant.</summary>
    protected FakeTimeProvider Time { get; set; } = new(Now);
    protected TablePracticeStore PracticeStore => new(Clients.Practices, Clients.Therapists);
    protected TablePatientStore PatientStore => new(Clients.Patients);
    protected TableDueIndex DueIndex => new(Clients.DueIndex);
    protected TableOutreachLedger Ledger => new(Clients.Outreach);
    protected PatientSaver Saver => new(PatientStore, DueIndex, new TableAppointmentStore(Clients.Appointments));
    protected RecordingScheduler Scheduler { get; private set; } = null!;

    protected OutreachPlanner Planner(int concurrency = 16, ISendSlotStore? slots = null, IPatientStore? patients = null, QuotaLimits? quota = null)
    {
        Scheduler ??= new RecordingScheduler(new StorageQueueSendScheduler(Clients.OutreachSend, Time));
        return new OutreachPlanner(
            PracticeStore,
            patients ?? PatientStore,
            DueIndex,
            Ledger,
            Scheduler,
            slots ?? new TableSendSlotStore(Clients.SendSlots),
            Saver,
            new OutreachPlannerOptions(quota ?? QuotaLimits.CustomDomainDefault, concurrency),
            Telemetry,
            Time,
            NullLogger<OutreachPlanner>.Instance);
    }

    protected async Task<Practice> AddPracticeAsync(Func<Practice, Practice>? edit = null)
    {
        var practice = PracticeDefaults.NewPractice(FreshPracticeId(), "Cabinet des Tilleuls") with { DefaultTherapistId = "th_1" };
        practice = edit?.Invoke(practice) ?? practice;
        await PracticeStore.CreatePracticeAsync(practice);
        return practice;
    }

    /// <summary>A patient with an address and consent whose last visit was <paramref name="lastVisitAt"/>, saved two hours later.</summary>
    protected async Task<Patient> AddPatientAsync(Practice practice, string id, DateTimeOffset? lastVisitAt = null, Func<Patient, Patient>? edit = null)
    {
        var visit = lastVisitAt ?? LastVisit;
        var patient = PracticeDefaults.NewPatient(practice.Id, id, visit) with
        {
            FirstName = "Camille",
            Email = $"{id}@example.org",
            EmailConsent = new EmailConsent(true, visit, "import"),
            LastVisitAt = visit,
        };
        patient = edit?.Invoke(patient) ?? patient;
        return (await Saver.SaveAsync(practice, patient, null, visit.AddHours(2))).Value;
    }

    protected async Task<List<OutreachRow>> LedgerAsync(string practiceId) => await CollectAsync(Ledger.ListOutreachAsync(practiceId));

    protected async Task<Patient> PatientAsync(Practice practice, string id) => (await PatientStore.GetPatientAsync(practice.Id, id))!.Value;

    /// <summary>Messages on outreach-send, the invisible ones included.</summary>
    protected async Task<int> QueuedAsync() => (await Clients.OutreachSend.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    protected async Task<List<DueEntry>> DueAsync(string day) => await CollectAsync(DueIndex.ListDueAsync(day));
}

/// <summary>The real queue scheduler, with a record of what it was asked (the planner's part: ids and visibility).</summary>
public sealed class RecordingScheduler(ISendScheduler inner) : ISendScheduler
{
    private readonly Lock _lock = new();
    private readonly List<(SendRequest Request, DateTimeOffset VisibleAt)> _sent = [];

    public IReadOnlyList<(SendRequest Request, DateTimeOffset VisibleAt)> Sent
    {
        get
        {
            lock (_lock) return [.. _sent];
        }
    }

    public Task ScheduleSendAsync(SendRequest request, DateTimeOffset visibleAt, CancellationToken cancellationToken = default)
    {
        lock (_lock) _sent.Add((request, visibleAt));
        return inner.ScheduleSendAsync(request, visibleAt, cancellationToken);
    }
}
