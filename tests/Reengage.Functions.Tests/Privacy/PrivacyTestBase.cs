using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Functions.Storage;
using Reengage.Functions.Tests.Admin;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>
/// The admin functions over the app's own storage registration (tables of their own per test), with one patient of a
/// practice seeded in every table a patient reaches, beside a neighbour whose id extends theirs and a namesake id in
/// another practice.
/// </summary>
public abstract class PrivacyTestBase(AzuriteFixture fixture, DateTimeOffset? start = null)
    : AdminTestBase(fixture, start ?? new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero))
{
    protected const string OtherId = "prac_other";
    protected const string PatientId = "pat_1";
    protected const string NeighbourId = "pat_10";
    protected const string FirstName = "Camille";
    protected const string ProgressNote = "Sommeil amélioré";
    protected const string PlanSummary = "Dix séances d'exposition";
    protected const string DueDay = "20270301";

    protected static readonly DateTimeOffset Dec1 = At("2026-12-01T12:00:00Z");

    /// <summary>When the erasure runs.</summary>
    protected static readonly DateTimeOffset ErasedAt = At("2027-01-10T10:00:00Z");

    protected ReengageStorageClients Clients => Services.GetRequiredService<ReengageStorageClients>();
    protected IPatientStore Patients => Services.GetRequiredService<IPatientStore>();
    protected IAppointmentStore Appointments => Services.GetRequiredService<IAppointmentStore>();
    protected IOutreachLedger Ledger => Services.GetRequiredService<IOutreachLedger>();
    protected IFeedbackStore Feedback => Services.GetRequiredService<IFeedbackStore>();
    protected IMessageIndex MessageIndex => Services.GetRequiredService<IMessageIndex>();
    protected ISuppressionStore Suppressions => Services.GetRequiredService<ISuppressionStore>();
    protected IDueIndex DueIndex => Services.GetRequiredService<IDueIndex>();
    protected IInboundEventStore InboundEvents => Services.GetRequiredService<IInboundEventStore>();

    protected static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    protected static string EmailOf(string practiceId, string patientId) =>
        practiceId == OtherId ? "someone.else@example.org" : $"{(patientId == PatientId ? "camille.durand" : "louis.martin")}@example.org";

    protected static Patient PatientOf(string practiceId, string patientId) => new()
    {
        PracticeId = practiceId,
        Id = patientId,
        FirstName = practiceId == OtherId ? "Zoé" : patientId == PatientId ? FirstName : "Louis",
        Email = EmailOf(practiceId, patientId),
        Locale = Locale.Fr,
        TherapistId = "th_1",
        EmailConsent = new EmailConsent(true, Dec1, "booking"),
        ProgressNote = patientId == PatientId && practiceId != OtherId ? ProgressNote : null,
        Plan = patientId == PatientId && practiceId != OtherId ? new TreatmentPlan(PlanSummary, At("2027-01-15T09:00:00Z")) : null,
        LastVisitAt = At("2026-12-01T09:00:00Z"),
        TouchLog = [new TouchRecord(At("2026-12-31T05:00:00Z"), $"{patientId}|lapse|2026-12-01|1", "2026-12-01")],
        DueDay = DueDay,
        CreatedAt = Dec1,
        UpdatedAt = Dec1,
    };

    /// <summary>Step 1, sent and delivered, answered with a feedback.</summary>
    protected static OutreachRow DeliveredRowOf(string practiceId, string patientId)
    {
        var row = new OutreachRow
        {
            PracticeId = practiceId,
            PatientId = patientId,
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-01",
            Step = 1,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            TherapistId = "th_1",
            Status = OutreachStatus.Delivered,
            PlannedAt = At("2026-12-31T05:00:00Z"),
            NotBefore = At("2026-12-31T08:30:00Z"),
            OperationId = "",
            SentAt = At("2026-12-31T08:31:00Z"),
            DeliveryStatus = "Delivered",
            DeliveryAt = At("2026-12-31T09:00:00Z"),
            Response = OutreachResponse.Feedback,
            RespondedAt = At("2027-01-02T10:00:00Z"),
            ViewedAt = At("2026-12-31T09:10:00Z"),
            Attempts = 1,
        };
        return row with { OperationId = Reengage.Core.Ids.OperationIdOf(practiceId, row.Id) };
    }

    /// <summary>Step 2, planned and still waiting for its send.</summary>
    protected static OutreachRow PlannedRowOf(string practiceId, string patientId)
    {
        var row = DeliveredRowOf(practiceId, patientId) with
        {
            Step = 2,
            TemplateId = TemplateId.NoPressure,
            Status = OutreachStatus.Planned,
            PlannedAt = At("2027-01-09T05:00:00Z"),
            NotBefore = At("2027-01-30T08:30:00Z"),
            SentAt = null,
            DeliveryStatus = null,
            DeliveryAt = null,
            Response = null,
            RespondedAt = null,
            ViewedAt = null,
            Attempts = 0,
        };
        return row with { OperationId = Reengage.Core.Ids.OperationIdOf(practiceId, row.Id) };
    }

    /// <summary>
    /// The patient in every table a patient reaches: the patient row (and its address index entry), its DueIndex row, an
    /// appointment, a delivered and a planned ledger row, the delivered one's MessageIndex entry and feedback.
    /// </summary>
    protected async Task SeedPatientAsync(string practiceId, string patientId)
    {
        await Patients.CreatePatientAsync(PatientOf(practiceId, patientId));
        await DueIndex.UpsertDueAsync(new DueEntry(DueDay, practiceId, patientId));
        await Appointments.CreateAppointmentAsync(new Appointment
        {
            PracticeId = practiceId,
            Id = $"{patientId}-apt-2026-12-01",
            PatientId = patientId,
            TherapistId = "th_1",
            StartsAt = At("2026-12-01T09:00:00Z"),
            Status = AppointmentStatus.Completed,
            LastEventAt = Dec1,
            BookedAt = At("2026-11-20T10:00:00Z"),
        });
        var delivered = DeliveredRowOf(practiceId, patientId);
        await Ledger.CreateOutreachAsync(delivered);
        await Ledger.CreateOutreachAsync(PlannedRowOf(practiceId, patientId));
        await MessageIndex.UpsertMessageAsync(new MessageIndexEntry(delivered.OperationId, practiceId, delivered.Id));
        await Feedback.UpsertFeedbackAsync(new FeedbackEntry(practiceId, delivered.Id, patientId, patientId == PatientId ? 4 : 2, $"Merci, {PatientOf(practiceId, patientId).FirstName}", At("2027-01-02T10:00:00Z"), At("2027-01-02T10:00:00Z")));
    }

    /// <summary>Practice <paramref name="practiceId"/> (returns its key) and prac_other, each with their patients seeded.</summary>
    protected async Task<(string Key, string OtherKey)> SeedAsync(string practiceId)
    {
        var key = await CreatePracticeAsync(practiceId);
        var otherKey = await Practices.GetPracticeAsync(OtherId) is null ? await CreatePracticeAsync(OtherId) : "";
        await SeedPatientAsync(practiceId, PatientId);
        await SeedPatientAsync(practiceId, NeighbourId);
        if (otherKey.Length > 0) await SeedPatientAsync(OtherId, PatientId);
        return (key, otherKey);
    }

    /// <summary>Every row of every table of the app, each as one line of its keys and property values.</summary>
    protected async Task<List<string>> AllRowsAsync()
    {
        var lines = new List<string>();
        foreach (var name in Clients.Names.Tables)
        {
            await foreach (var entity in Clients.TableService.GetTableClient(name).QueryAsync<TableEntity>())
            {
                var line = new StringBuilder().Append(name).Append(' ').Append(entity.PartitionKey).Append(" / ").Append(entity.RowKey);
                foreach (var (property, value) in entity.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (property is "odata.etag" or "PartitionKey" or "RowKey" or "Timestamp") continue;
                    line.Append(' ').Append(property).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                }
                lines.Add(line.ToString());
            }
        }
        return lines;
    }

    /// <summary>Every row of every table with its ETag: equal snapshots mean nothing was written.</summary>
    protected async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var name in Clients.Names.Tables)
        {
            await foreach (var entity in Clients.TableService.GetTableClient(name).QueryAsync<TableEntity>())
            {
                text.Append(name).Append(' ').Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The rows of any table that still mention the patient of <paramref name="practiceId"/>: their id (as a whole id, so
    /// that pat_10 is not pat_1), address, first name or health data. Rows of another practice's namesake are theirs.
    /// </summary>
    protected async Task<List<string>> PersonalTracesAsync(string practiceId)
    {
        var id = new System.Text.RegularExpressions.Regex($@"(?<![A-Za-z0-9_.:@+=~-]){PatientId}(?![A-Za-z0-9_])");
        var email = EmailOf(practiceId, PatientId);
        return [.. (await AllRowsAsync()).Where(line =>
            !line.Contains(OtherId, StringComparison.Ordinal)
            && (id.IsMatch(line)
                || line.Contains(email, StringComparison.OrdinalIgnoreCase)
                || line.Contains(FirstName, StringComparison.Ordinal)
                || line.Contains(ProgressNote, StringComparison.Ordinal)
                || line.Contains(PlanSummary, StringComparison.Ordinal)))];
    }

    /// <summary>
    /// The pseudonym of a patient, computed here and not by <see cref="Erasure"/>: HMAC-SHA256, under the key as stored in
    /// the practice's secrets row, of the label and the patient id; <c>erased-</c> and its first 16 bytes in hex (the
    /// Core tests pin the label and the format against OpenSSL).
    /// </summary>
    protected async Task<string> PseudonymOfAsync(string practiceId, string patientId)
    {
        var key = Convert.FromBase64String(await StoredPseudonymKeyAsync(practiceId) ?? throw new InvalidOperationException($"{practiceId} has no pseudonym key"));
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("reengage:erased-patient-id:v1|" + patientId));
        return "erased-" + Convert.ToHexStringLower(mac)[..32];
    }

    /// <summary>The pseudonym key as the Practices table holds it (base64), or null.</summary>
    protected async Task<string?> StoredPseudonymKeyAsync(string practiceId)
    {
        var row = await Clients.Practices.GetEntityIfExistsAsync<TableEntity>(practiceId, "secrets");
        return row.HasValue ? row.Value!.GetString("pseudonymKey") : null;
    }

    /// <summary>A practice as created before pseudonym keys existed: its secrets row without one.</summary>
    protected async Task RemovePseudonymKeyAsync(string practiceId)
    {
        var row = (await Clients.Practices.GetEntityAsync<TableEntity>(practiceId, "secrets")).Value;
        row.Remove("pseudonymKey");
        await Clients.Practices.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
    }

    protected async Task<string> ErasedIdOfAsync(OutreachRow row) => (row with { PatientId = await PseudonymOfAsync(row.PracticeId, row.PatientId) }).Id;

    protected static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items) all.Add(item);
        return all;
    }
}
