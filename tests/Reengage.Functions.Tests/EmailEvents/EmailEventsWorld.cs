using System.Collections.Concurrent;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.EmailEvents;
using Reengage.Functions.Functions;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.EmailEvents;

/// <summary>One practice with sent emails and their message index entries, on real tables, and the function over them.</summary>
internal sealed class EmailEventsWorld(ReengageStorageClients clients)
{
    public static readonly DateTimeOffset SentAt = new(2027, 1, 5, 9, 30, 2, TimeSpan.Zero);

    public ReengageStorageClients Clients { get; } = clients;
    public string PracticeId { get; } = "prac_" + Guid.NewGuid().ToString("N")[..8];
    public TableOutreachLedger Ledger { get; } = new(clients.Outreach);
    public TablePatientStore Patients { get; } = new(clients.Patients);
    public TablePracticeStore Practices { get; } = new(clients.Practices, clients.Therapists);
    public TableSuppressionStore Suppressions { get; } = new(clients.Suppressions);
    public TableMessageIndex MessageIndex { get; } = new(clients.MessageIndex);
    public FakeTimeProvider Clock { get; } = new(SentAt.AddDays(1));
    public ListLogger<EmailEventProcessor> Log { get; } = new();

    public static string EmailOf(string patientId) => $"{patientId}.contact@example.org";

    public EmailEventProcessor Processor(IMessageIndex? messageIndex = null) => new(
        messageIndex ?? MessageIndex,
        Ledger,
        Suppressions,
        Patients,
        Practices,
        new PatientSaver(Patients, new TableDueIndex(Clients.DueIndex), new TableAppointmentStore(Clients.Appointments)),
        new StorageQueuePoisonQueue(Clients.EmailEventsPoison),
        Clock,
        Log);

    public EmailEventFunctions Function() => new(Processor(), new ListLogger<EmailEventFunctions>());

    public async Task SeedPracticeAsync()
    {
        await Practices.UpsertPracticeAsync(new Practice
        {
            Id = PracticeId,
            Name = "Cabinet des Tilleuls",
            TimeZone = "Europe/Paris",
            Locale = Locale.Fr,
            SenderAddress = "bonjour@tilleuls.example",
            SenderDisplayName = "Cabinet des Tilleuls",
            BookingUrl = "https://tilleuls.example/rdv",
            CadenceDays = [30, 60, 120],
            SeasonalWindows = [],
        });
    }

    /// <summary>A patient and one sent email to them (changed by <paramref name="row"/>), indexed by its operation id.</summary>
    public async Task<OutreachRow> SeedSentAsync(string patientId, Func<OutreachRow, OutreachRow>? row = null, string? email = null)
    {
        await Patients.CreatePatientAsync(new Patient
        {
            PracticeId = PracticeId,
            Id = patientId,
            FirstName = "Camille",
            Email = email ?? EmailOf(patientId),
            Locale = Locale.Fr,
            TherapistId = "th_1",
            EmailConsent = new EmailConsent(true, SentAt.AddDays(-90), "import"),
            LastVisitAt = SentAt.AddDays(-35),
            CreatedAt = SentAt.AddDays(-120),
            UpdatedAt = SentAt.AddDays(-1),
        });
        var planned = new OutreachRow
        {
            PracticeId = PracticeId,
            PatientId = patientId,
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-01",
            Step = 1,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            TherapistId = "th_1",
            Status = OutreachStatus.Sent,
            PlannedAt = SentAt.AddDays(-5),
            NotBefore = SentAt.AddSeconds(-2),
            OperationId = "pending",
            SentAt = SentAt,
            Attempts = 1,
        };
        planned = (row ?? (r => r))(planned with { OperationId = Ids.OperationIdOf(PracticeId, planned.Id) });
        Assert.NotNull(await Ledger.CreateOutreachAsync(planned));
        await MessageIndex.UpsertMessageAsync(new MessageIndexEntry(planned.OperationId, PracticeId, planned.Id));
        return planned;
    }

    public async Task<OutreachRow> RowAsync(OutreachRow row) => (await Ledger.GetOutreachAsync(PracticeId, row.Id))!.Value;

    public async Task<bool> IsSuppressedAsync(string patientId) => (await Patients.GetPatientAsync(PracticeId, patientId))!.Value.Suppressed;

    public Task<SuppressionEntry?> SuppressionOfAsync(string email) => Suppressions.GetSuppressionAsync(PracticeId, Ids.AddressHashOf(PracticeId, email));

    /// <summary>Every row of every table with its ETag: equal snapshots mean nothing was written.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var table in new[] { Clients.Patients, Clients.Appointments, Clients.Outreach, Clients.DueIndex, Clients.Suppressions, Clients.MessageIndex, Clients.Practices })
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                text.Append(table.Name).Append(' ').Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
        }
        return text.ToString();
    }

    /// <summary>Takes every message off <c>email-events-poison</c>, decoded as the host decodes them.</summary>
    public async Task<List<string>> DrainPoisonAsync()
    {
        var all = new List<string>();
        while (true)
        {
            var received = (await Clients.EmailEventsPoison.ReceiveMessagesAsync(32)).Value;
            if (received.Length == 0) return all;
            foreach (var message in received)
            {
                all.Add(message.Body.ToString());
                await Clients.EmailEventsPoison.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}

/// <summary>Keeps every formatted log line, so that a test can check what never reaches a log.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string All => string.Join('\n', Lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
