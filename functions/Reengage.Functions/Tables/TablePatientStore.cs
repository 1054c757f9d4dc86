// Patients table: PK practiceId, RK patientId; plus the address index, pointer rows
// `~email|<AddressHashOf(practice, email)>|<patient key>` in the same partition, so that a booking tool's attendee is
// matched to a patient by a RowKey range read, never a partition scan. A patient key never starts with `~e`
// (TableKeys writes `~XX` in upper-case hex), so pointers and patients never mix.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TablePatientStore(TableClient patientsTable) : IPatientStore
{
    private const string EmailIndexPrefix = "~email|";
    /// <summary>Every pointer key is <c>&gt;= ~email|</c> and <c>&lt; ~email}</c> (<c>}</c> follows <c>|</c>).</summary>
    private const string EmailIndexEnd = "~email}";

    private readonly TableOperations _patients = new(patientsTable);

    public async Task<Versioned<Patient>?> GetPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        var row = await _patients.GetAsync(TableKeys.Checked(practiceId, "practice id"), TableKeys.Checked(patientId, "patient id"), cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<Patient>(PatientFrom(r.Entity), r.ETag) : null;
    }

    public Task<string> CreatePatientAsync(Patient patient, CancellationToken cancellationToken = default)
    {
        var entity = PatientTo(patient);
        if (PointerOf(patient) is not { } pointer) return _patients.CreateAsync(entity, cancellationToken);
        // One atomic round trip: the patient and its index entry exist together or not at all.
        return _patients.SubmitAsync("create", [new(TableTransactionActionType.Add, entity), new(TableTransactionActionType.UpsertReplace, pointer)], cancellationToken);
    }

    public Task<string> UpdatePatientAsync(Patient patient, string etag, CancellationToken cancellationToken = default)
    {
        var entity = PatientTo(patient);
        if (PointerOf(patient) is not { } pointer) return _patients.ReplaceAsync(entity, etag, cancellationToken);
        // The pointer is rewritten with every update (one round trip) rather than read first: after a change of
        // address the old pointer stays, harmless, since a lookup checks the patient's current address.
        return _patients.SubmitAsync("update", [new(TableTransactionActionType.UpdateReplace, entity, new Azure.ETag(etag)), new(TableTransactionActionType.UpsertReplace, pointer)], cancellationToken);
    }

    public async Task DeletePatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Checked(practiceId, "practice id");
        // Every pointer to the patient first, those an address change left behind included, so that an erased patient
        // leaves no address hash tied to their id. A read of the index range, on deletes only. The patient row goes
        // last: a crash in between leaves the patient, so that deleting again (an erasure repeated) finds everything;
        // a patient briefly without pointers is only missed by an address lookup until then.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EmailIndexPrefix} and RowKey lt {EmailIndexEnd} and patientId eq {StoredFormOf(patientId)}");
        var pointers = new List<string>();
        await foreach (var pointer in _patients.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            if (new EntityReader(pointer, _patients.Table).String("patientId") == patientId) pointers.Add(pointer.RowKey);
        }
        foreach (var rowKey in pointers)
        {
            await _patients.DeleteAsync(partition, rowKey, cancellationToken).ConfigureAwait(false);
        }
        await _patients.DeleteAsync(partition, TableKeys.Checked(patientId, "patient id"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows <see cref="CreatePatientAsync"/> writes (the patient, then its address pointer): bulk seeding only.</summary>
    internal IEnumerable<TableEntity> EntitiesOf(Patient patient)
    {
        yield return PatientTo(patient);
        if (PointerOf(patient) is { } pointer) yield return pointer;
    }

    public async IAsyncEnumerable<Patient> ListPatientsAsync(string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partition = TableKeys.Checked(practiceId, "practice id");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and (RowKey lt {EmailIndexPrefix} or RowKey ge {EmailIndexEnd})");
        await foreach (var entity in _patients.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return PatientFrom(entity);
        }
    }

    public async Task<string?> FindPatientIdByEmailAsync(string practiceId, string email, CancellationToken cancellationToken = default)
    {
        var address = NormalizedAddress(email);
        if (address is null) return null;
        var partition = TableKeys.Checked(practiceId, "practice id");
        var prefix = EmailIndexPrefix + Ids.AddressHashOf(practiceId, address);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix + "|"} and RowKey lt {prefix + "}"}");
        Patient? earliest = null;
        await foreach (var pointer in _patients.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            if (new EntityReader(pointer, _patients.Table).OptionalString("patientId") is not { } patientId) continue;
            // A pointer left by an address change or an interrupted delete points at someone else, or nobody.
            var patient = await GetPatientAsync(practiceId, patientId, cancellationToken).ConfigureAwait(false);
            if (patient is null || NormalizedAddress(patient.Value.Email) != address) continue;
            if (earliest is null || patient.Value.CreatedAt < earliest.CreatedAt
                || (patient.Value.CreatedAt == earliest.CreatedAt && string.CompareOrdinal(patient.Value.Id, earliest.Id) < 0))
            {
                earliest = patient.Value;
            }
        }
        return earliest?.Id;
    }

    /// <summary>How <see cref="EntityWriter"/> stores the value, for a filter on it.</summary>
    private static string StoredFormOf(string value) => TableKeys.HasLoneSurrogate(value) ? TableKeys.Of(value) : value;

    private static string? NormalizedAddress(string? email) =>
        email?.Trim().ToLowerInvariant() is { Length: > 0 } address ? address : null;

    private TableEntity? PointerOf(Patient patient)
    {
        if (NormalizedAddress(patient.Email) is not { } address) return null;
        var rowKey = $"{EmailIndexPrefix}{Ids.AddressHashOf(patient.PracticeId, address)}|{TableKeys.Bounded(patient.Id, 300)}";
        return new EntityWriter(_patients.Table, TableKeys.Checked(patient.PracticeId, "practice id"), rowKey)
            .Set("patientId", patient.Id)
            .Build();
    }

    private TableEntity PatientTo(Patient patient) =>
        new EntityWriter(_patients.Table, TableKeys.Checked(patient.PracticeId, "practice id"), TableKeys.Checked(patient.Id, "patient id"))
            .Set("practiceId", patient.PracticeId)
            .Set("id", patient.Id)
            .Set("firstName", patient.FirstName)
            .Set("email", patient.Email)
            .SetWire("locale", patient.Locale)
            .Set("therapistId", patient.TherapistId)
            .SetJson("emailConsent", patient.EmailConsent)
            .SetWire("careStatus", patient.CareStatus)
            .SetWire("contactPreference", patient.ContactPreference)
            .Set("pausedUntil", patient.PausedUntil)
            .Set("focusArea", patient.FocusArea)
            .Set("progressNote", patient.ProgressNote)
            .SetJson("plan", patient.Plan)
            .Set("lastVisitAt", patient.LastVisitAt)
            .Set("nextBookingAt", patient.NextBookingAt)
            .SetJson("episode", patient.Episode)
            .Set("suppressed", patient.Suppressed)
            // The caller keeps this to the last 365 days; the writer refuses a property that outgrows the table limit.
            .SetJson("touchLog", patient.TouchLog)
            .Set("lastBookedAt", patient.LastBookedAt)
            .Set("lastAnsweredAt", patient.LastAnsweredAt)
            .Set("profileEventAt", patient.ProfileEventAt)
            .SetJson("profileFieldTimes", patient.ProfileFieldTimes)
            .Set("dueDay", patient.DueDay)
            .Set("createdAt", patient.CreatedAt)
            .Set("updatedAt", patient.UpdatedAt)
            .Build();

    private Patient PatientFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _patients.Table);
        return new Patient
        {
            PracticeId = r.String("practiceId"),
            Id = r.String("id"),
            FirstName = r.OptionalString("firstName"),
            Email = r.OptionalString("email"),
            Locale = r.OptionalWire<Locale>("locale"),
            TherapistId = r.OptionalString("therapistId"),
            EmailConsent = r.Json<EmailConsent>("emailConsent"),
            CareStatus = r.WireEnum<CareStatus>("careStatus"),
            ContactPreference = r.WireEnum<ContactPreference>("contactPreference"),
            PausedUntil = r.OptionalInstant("pausedUntil"),
            FocusArea = r.OptionalString("focusArea"),
            ProgressNote = r.OptionalString("progressNote"),
            Plan = r.OptionalJson<TreatmentPlan>("plan"),
            LastVisitAt = r.OptionalInstant("lastVisitAt"),
            NextBookingAt = r.OptionalInstant("nextBookingAt"),
            Episode = r.OptionalJson<Episode>("episode"),
            Suppressed = r.Bool("suppressed"),
            TouchLog = r.OptionalJson<List<TouchRecord>>("touchLog") ?? [],
            LastBookedAt = r.OptionalInstant("lastBookedAt"),
            LastAnsweredAt = r.OptionalInstant("lastAnsweredAt"),
            ProfileEventAt = r.OptionalInstant("profileEventAt"),
            ProfileFieldTimes = r.OptionalJson<ProfileFieldTimes>("profileFieldTimes") ?? ProfileFieldTimes.None,
            DueDay = r.OptionalString("dueDay"),
            CreatedAt = r.Instant("createdAt"),
            UpdatedAt = r.Instant("updatedAt"),
        };
    }
}
