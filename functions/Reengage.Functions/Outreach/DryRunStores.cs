// The storage a planner dry run works on: one practice's rows read from the real stores once, every write kept in memory.
using System.Runtime.CompilerServices;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;

namespace Reengage.Functions.Outreach;

/// <summary>
/// Copy-on-write views of the stores a planner uses, scoped to one practice. Reads fall through to the real store the
/// first time and are then served from memory (so a row read twice is read once, and later writes win); writes never
/// leave memory. Every write a planner makes goes through these, so a run on them changes nothing stored.
/// </summary>
internal static class DryRunStores
{
    public static string NewETag() => $"W/\"dry-{Guid.NewGuid():N}\"";

    public static ReengageException Stale(string what) =>
        new(ErrorCode.PreconditionFailed, $"{what} changed since it was read (dry run)", retryable: true);

    /// <summary>Not a <see cref="ReengageException"/>: a planner that starts writing something new must fail loudly here.</summary>
    public static InvalidOperationException Unsupported(string what) => new($"{what} is not part of a planner dry run");
}

/// <summary>The one practice of the dry run; its settings may change in memory (the seasonal window key).</summary>
internal sealed class DryRunPracticeStore(IPracticeStore real, Practice practice) : IPracticeStore
{
    private readonly Lock _lock = new();
    private Versioned<Practice> _current = new(practice, DryRunStores.NewETag());

    public Practice Current
    {
        get
        {
            lock (_lock) return _current.Value;
        }
    }

    public Task<Versioned<Practice>?> GetPracticeAsync(string practiceId, CancellationToken cancellationToken = default)
    {
        lock (_lock) return Task.FromResult(practiceId == _current.Value.Id ? _current : null);
    }

    public async IAsyncEnumerable<Practice> ListPracticesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return Current;
    }

    public Task<string> UpdatePracticeAsync(Practice practice, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(practice);
        lock (_lock)
        {
            if (practice.Id != _current.Value.Id || etag != _current.ETag) throw DryRunStores.Stale($"practice {practice.Id}");
            _current = new Versioned<Practice>(practice, DryRunStores.NewETag());
            return Task.FromResult(_current.ETag);
        }
    }

    public Task<Versioned<PracticeSecrets>?> GetSecretsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        real.GetSecretsAsync(practiceId, cancellationToken);

    public Task<Therapist?> GetTherapistAsync(string practiceId, string therapistId, CancellationToken cancellationToken = default) =>
        real.GetTherapistAsync(practiceId, therapistId, cancellationToken);

    public IAsyncEnumerable<Therapist> ListTherapistsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        real.ListTherapistsAsync(practiceId, cancellationToken);

    public Task<TemplateOverride?> GetTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        real.GetTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken);

    public Task<Versioned<TherapistMapping>?> GetTherapistMappingAsync(string practiceId, CancellationToken cancellationToken = default) =>
        real.GetTherapistMappingAsync(practiceId, cancellationToken);

    // The planners write nothing else of a practice: anything else is a change of theirs this view does not know.
    public Task<string?> CreatePracticeAsync(Practice practice, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("creating a practice");

    public Task UpsertPracticeAsync(Practice practice, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("upserting a practice");

    public Task<string?> CreateSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing secrets");

    public Task UpsertSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing secrets");

    public Task<string> UpdateSecretsAsync(PracticeSecrets secrets, string etag, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing secrets");

    public Task UpsertTherapistAsync(Therapist therapist, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing a therapist");

    public Task UpsertTemplateOverrideAsync(TemplateOverride templateOverride, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing a template");

    public Task DeleteTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("deleting a template");

    public Task<string> CreateTherapistMappingAsync(TherapistMapping mapping, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing the therapist mapping");

    public Task<string> UpdateTherapistMappingAsync(TherapistMapping mapping, string etag, CancellationToken cancellationToken = default) => throw DryRunStores.Unsupported("writing the therapist mapping");
}

/// <summary>The practice's patients: each read from the real store once, then as the dry run left them.</summary>
internal sealed class DryRunPatientStore(IPatientStore real, string practiceId) : IPatientStore
{
    private readonly Lock _lock = new();
    // A null value remembers a patient the real store does not have (or that the dry run deleted).
    private readonly Dictionary<string, Versioned<Patient>?> _patients = new(StringComparer.Ordinal);

    public async Task<Versioned<Patient>?> GetPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        if (practiceId != PracticeId) return null;
        lock (_lock)
        {
            if (_patients.TryGetValue(patientId, out var known)) return known;
        }
        var read = await real.GetPatientAsync(practiceId, patientId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _patients.TryAdd(patientId, read) ? read : _patients[patientId];
        }
    }

    public async Task<string> CreatePatientAsync(Patient patient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (await GetPatientAsync(patient.PracticeId, patient.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ReengageException(ErrorCode.Conflict, $"patient {patient.Id} exists (dry run)", retryable: true);
        }
        return Put(patient, expectedETag: null);
    }

    public async Task<string> UpdatePatientAsync(Patient patient, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (await GetPatientAsync(patient.PracticeId, patient.Id, cancellationToken).ConfigureAwait(false) is null) throw DryRunStores.Stale($"patient {patient.Id}");
        return Put(patient, etag);
    }

    public Task DeletePatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        lock (_lock) _patients[patientId] = null;
        return Task.CompletedTask;
    }

    /// <summary>The real listing, each patient as the dry run has it (those it deleted left out).</summary>
    public async IAsyncEnumerable<Patient> ListPatientsAsync(string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (practiceId != PracticeId) yield break;
        await foreach (var stored in real.ListPatientsAsync(practiceId, cancellationToken).ConfigureAwait(false))
        {
            Versioned<Patient>? known;
            bool seen;
            lock (_lock) seen = _patients.TryGetValue(stored.Id, out known);
            if (!seen) yield return stored;
            else if (known is not null) yield return known.Value;
        }
    }

    public Task<string?> FindPatientIdByEmailAsync(string practiceId, string email, CancellationToken cancellationToken = default) =>
        real.FindPatientIdByEmailAsync(practiceId, email, cancellationToken);

    private string PracticeId => practiceId;

    private string Put(Patient patient, string? expectedETag)
    {
        lock (_lock)
        {
            _patients.TryGetValue(patient.Id, out var current);
            if (current?.ETag != expectedETag) throw DryRunStores.Stale($"patient {patient.Id}");
            var next = new Versioned<Patient>(patient, DryRunStores.NewETag());
            _patients[patient.Id] = next;
            return next.ETag;
        }
    }
}

/// <summary>The practice's DueIndex rows: each day's read once (a RowKey range of the day), then moved in memory.</summary>
internal sealed class DryRunDueIndex(IDueIndex real, string practiceId) : IDueIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _days = new(StringComparer.Ordinal);

    public async Task UpsertDueAsync(DueEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var day = await DayAsync(entry.Day, cancellationToken).ConfigureAwait(false);
        lock (_lock) day.Add(entry.PatientId);
    }

    public async Task DeleteDueAsync(DueEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var day = await DayAsync(entry.Day, cancellationToken).ConfigureAwait(false);
        lock (_lock) day.Remove(entry.PatientId);
    }

    /// <summary>The practice's entries of the day only: a dry run plans one practice.</summary>
    public async IAsyncEnumerable<DueEntry> ListDueAsync(string day, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ids = await DayAsync(day, cancellationToken).ConfigureAwait(false);
        List<string> snapshot;
        lock (_lock) snapshot = [.. ids.Order(StringComparer.Ordinal)];
        foreach (var patientId in snapshot) yield return new DueEntry(day, practiceId, patientId);
    }

    public async IAsyncEnumerable<DueEntry> ListDueForPracticeAsync(string day, string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (practiceId != PracticeId) yield break;
        await foreach (var entry in ListDueAsync(day, cancellationToken).ConfigureAwait(false)) yield return entry;
    }

    private string PracticeId => practiceId;

    private async Task<HashSet<string>> DayAsync(string day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_days.TryGetValue(day, out var known)) return known;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in real.ListDueForPracticeAsync(day, practiceId, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(entry.PatientId);
        }
        lock (_lock)
        {
            return _days.TryAdd(day, ids) ? ids : _days[day];
        }
    }
}

/// <summary>The practice's ledger: the real rows, and the rows the dry run wrote, in memory.</summary>
internal sealed class DryRunLedger(IOutreachLedger real, string practiceId) : IOutreachLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Versioned<OutreachRow>?> _rows = new(StringComparer.Ordinal);

    public async Task<Versioned<OutreachRow>?> GetOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default)
    {
        if (practiceId != PracticeId) return null;
        lock (_lock)
        {
            if (_rows.TryGetValue(outreachId, out var known)) return known;
        }
        var read = await real.GetOutreachAsync(practiceId, outreachId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _rows.TryAdd(outreachId, read) ? read : _rows[outreachId];
        }
    }

    public async Task<string?> CreateOutreachAsync(OutreachRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (await GetOutreachAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false) is not null) return null;
        lock (_lock)
        {
            if (_rows.TryGetValue(row.Id, out var known) && known is not null) return null;
            var created = new Versioned<OutreachRow>(row, DryRunStores.NewETag());
            _rows[row.Id] = created;
            return created.ETag;
        }
    }

    public async Task<string> UpdateOutreachAsync(OutreachRow row, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var current = await GetOutreachAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (current is null || _rows[row.Id]?.ETag != etag) throw DryRunStores.Stale($"outreach {row.Id}");
            var next = new Versioned<OutreachRow>(row, DryRunStores.NewETag());
            _rows[row.Id] = next;
            return next.ETag;
        }
    }

    public async IAsyncEnumerable<OutreachRow> ListOutreachForPatientAsync(string practiceId, string patientId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in ListOutreachAsync(practiceId, cancellationToken).ConfigureAwait(false))
        {
            if (row.PatientId == patientId) yield return row;
        }
    }

    public async IAsyncEnumerable<OutreachRow> ListOutreachAsync(string practiceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (practiceId != PracticeId) yield break;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var stored in real.ListOutreachAsync(practiceId, cancellationToken).ConfigureAwait(false))
        {
            listed.Add(stored.Id);
            Versioned<OutreachRow>? known;
            bool seen;
            lock (_lock) seen = _rows.TryGetValue(stored.Id, out known);
            if (!seen) yield return stored;
            else if (known is not null) yield return known.Value;
        }
        List<OutreachRow> added;
        lock (_lock) added = [.. _rows.Values.Where(v => v is not null && !listed.Contains(v.Value.Id)).Select(v => v!.Value)];
        foreach (var row in added) yield return row;
    }

    public async IAsyncEnumerable<OutreachRow> ListOutreachPlannedBeforeAsync(string practiceId, DateTimeOffset before, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in ListOutreachAsync(practiceId, cancellationToken).ConfigureAwait(false))
        {
            if (row.PlannedAt < before) yield return row;
        }
    }

    public Task DeleteOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default)
    {
        lock (_lock) _rows[outreachId] = null;
        return Task.CompletedTask;
    }

    private string PracticeId => practiceId;
}

/// <summary>Remembers what would have been enqueued; enqueues nothing.</summary>
internal sealed class DryRunScheduler : ISendScheduler
{
    private int _scheduled;

    public int Scheduled => Volatile.Read(ref _scheduled);

    public Task ScheduleSendAsync(SendRequest request, DateTimeOffset visibleAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _scheduled);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Send slots reserved in memory with the same arithmetic as the real store (<see cref="SendSlots.Reserve"/>), starting
/// from the sends the practice already has planned: the practice's own emails are spread under the quota as they will
/// be. Other practices' reservations are not read, so a real send may come a little later, never earlier.
/// </summary>
internal sealed class DryRunSlotStore(IReadOnlyList<DateTimeOffset> alreadyPlanned) : ISendSlotStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<long, SlotCounts>> _grids = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<DateTimeOffset>> ReserveSlotsAsync(IReadOnlyList<SlotRequest> requests, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var grid = SlotGrid.For(limits);
        lock (_lock)
        {
            var stored = GridOf(grid);
            while (true)
            {
                switch (SendSlots.Reserve(grid, requests, stored))
                {
                    case BucketsNeeded needed:
                        foreach (var bucket in needed.Buckets) stored.TryAdd(bucket, SlotCounts.Empty);
                        break;
                    case SlotsReserved reserved:
                        foreach (var (bucket, counts) in reserved.Updated) stored[bucket] = counts;
                        return Task.FromResult(reserved.Instants);
                    default:
                        throw new InvalidOperationException("SendSlots.Reserve answered something unknown.");
                }
            }
        }
    }

    private Dictionary<long, SlotCounts> GridOf(SlotGrid grid)
    {
        if (_grids.TryGetValue(grid.Key, out var known)) return known;
        var counts = new Dictionary<long, int[]>();
        foreach (var at in alreadyPlanned)
        {
            var slot = grid.SlotIndexOf(at);
            var bucket = grid.BucketOf(slot);
            if (!counts.TryGetValue(bucket, out var positions)) counts[bucket] = positions = new int[grid.SlotsInBucket(bucket)];
            positions[grid.PositionOf(slot)]++;
        }
        var stored = counts.ToDictionary(kv => kv.Key, kv => new SlotCounts(kv.Value));
        _grids[grid.Key] = stored;
        return stored;
    }
}
