using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Sending;

namespace Reengage.Functions.Tests.Planning;

/// <summary>The real patient store, counting point reads in flight.</summary>
internal sealed class CountingPatientStore(IPatientStore inner) : IPatientStore
{
    private int _reading;
    private int _peak;

    public int PeakReadsInFlight => Volatile.Read(ref _peak);

    public async Task<Versioned<Patient>?> GetPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default)
    {
        var reading = Interlocked.Increment(ref _reading);
        for (var peak = Volatile.Read(ref _peak); reading > peak && Interlocked.CompareExchange(ref _peak, reading, peak) != peak; peak = Volatile.Read(ref _peak))
        {
        }
        try
        {
            return await inner.GetPatientAsync(practiceId, patientId, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _reading);
        }
    }

    public Task<string> CreatePatientAsync(Patient patient, CancellationToken cancellationToken = default) => inner.CreatePatientAsync(patient, cancellationToken);

    public Task<string> UpdatePatientAsync(Patient patient, string etag, CancellationToken cancellationToken = default) => inner.UpdatePatientAsync(patient, etag, cancellationToken);

    public Task DeletePatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default) => inner.DeletePatientAsync(practiceId, patientId, cancellationToken);

    public IAsyncEnumerable<Patient> ListPatientsAsync(string practiceId, CancellationToken cancellationToken = default) => inner.ListPatientsAsync(practiceId, cancellationToken);

    public Task<string?> FindPatientIdByEmailAsync(string practiceId, string email, CancellationToken cancellationToken = default) => inner.FindPatientIdByEmailAsync(practiceId, email, cancellationToken);
}

[Collection(AzuriteCollection.Name)]
public sealed class PlannerConcurrencyTests(AzuriteFixture fixture) : PlannerTestBase(fixture)
{
    private const int Patients = 40;

    private async Task<Practice> WithDuePatientsAsync()
    {
        var practice = await AddPracticeAsync();
        for (var k = 0; k < Patients; k++) await AddPatientAsync(practice, $"pat_{k:00}");
        return practice;
    }

    [Fact]
    public async Task Forty_due_patients_are_planned_once_in_distinct_slots_with_few_grouped_reservations_and_bounded_reads()
    {
        var practice = await WithDuePatientsAsync();
        var slots = new RecordingSlotStore(new TableSendSlotStore(Clients.SendSlots));
        var patients = new CountingPatientStore(PatientStore);

        var result = await Planner(concurrency: 16, slots: slots, patients: patients).PlanLapsedAsync();

        Assert.Equal((Patients, Patients), (result.EntriesRead, result.Planned));
        var rows = await LedgerAsync(practice.Id);
        Assert.Equal(Enumerable.Range(0, Patients).Select(k => $"pat_{k:00}"), rows.Select(r => r.PatientId).Order());
        // One send per 36 s slot from 09:30 in Paris: 40 consecutive slots, whichever patient got which.
        Assert.Equal(Enumerable.Range(0, Patients).Select(k => ParisOpening.AddSeconds(36 * k)), rows.Select(r => r.NotBefore).Order());
        // Grouped while one call is on the wire: far fewer calls than the forty one entry at a time makes (below). A
        // call is one round trip (the store writes from the rows it last wrote), so fewer entries queue behind each.
        Assert.Equal(Patients, slots.Calls.Sum(c => c.Requests));
        Assert.True(slots.Calls.Count <= Patients / 2, $"{slots.Calls.Count} calls: {string.Join(",", slots.Calls.Select(c => c.Requests))}");
        Assert.InRange(patients.PeakReadsInFlight, 2, 16);
        Assert.Equal(Patients, Scheduler.Sent.Count);
    }

    [Fact]
    public async Task One_entry_at_a_time_makes_one_reservation_call_per_email()
    {
        // The grouping the test above counts comes from the entries in flight, not from the store.
        var practice = await WithDuePatientsAsync();
        var slots = new RecordingSlotStore(new TableSendSlotStore(Clients.SendSlots));
        var patients = new CountingPatientStore(PatientStore);

        var result = await Planner(concurrency: 1, slots: slots, patients: patients).PlanLapsedAsync();

        Assert.Equal(Patients, result.Planned);
        Assert.Equal(Patients, slots.Calls.Count);
        Assert.Equal(1, patients.PeakReadsInFlight);
        Assert.Equal(Patients, (await LedgerAsync(practice.Id)).Select(r => r.NotBefore).Distinct().Count());
    }

    [Fact]
    public async Task A_raised_quota_plans_many_a_second_within_every_rolling_minute()
    {
        var practice = await WithDuePatientsAsync();
        var raised = new QuotaLimits(600, 36_000);

        await Planner(quota: raised).PlanLapsedAsync();

        var instants = (await LedgerAsync(practice.Id)).Select(r => r.NotBefore).ToList();
        // Ten a second from 09:30 in Paris.
        Assert.Equal(Enumerable.Range(0, Patients).Select(k => ParisOpening.AddSeconds(k / 10)), instants.Order());
        SlotRows.AssertWithin(instants, raised);
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class SeasonalPlannerTests(AzuriteFixture fixture) : PlannerTestBase(fixture)
{
    [Fact]
    public async Task A_seasonal_window_is_planned_once_for_the_lapsed_patients_outside_the_cooldown()
    {
        // 5 January 2027, a Tuesday: the « new-year » window opens (first working day on or after 5 January).
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_lapsed", SlotRows.At("2026-11-02T09:00:00Z"));
        await AddPatientAsync(practice, "pat_recent", SlotRows.At("2026-12-20T09:00:00Z"));
        await AddPatientAsync(practice, "pat_touched", SlotRows.At("2026-11-02T09:00:00Z"), p => p with
        {
            TouchLog = [new TouchRecord(SlotRows.At("2026-12-28T09:00:00Z"), "pat_touched|lapse|2026-11-02|2", "2026-11-02")],
        });
        await AddPatientAsync(practice, "pat_noconsent", SlotRows.At("2026-11-02T09:00:00Z"), p => p with { EmailConsent = EmailConsent.None });

        var result = await Planner().PlanSeasonalAsync();

        Assert.Equal((4, 1, 1), (result.EntriesRead, result.Planned, result.SeasonalWindowsPlanned));
        var rows = (await LedgerAsync(practice.Id)).ToDictionary(r => r.PatientId);
        Assert.Equal(["pat_lapsed", "pat_noconsent"], rows.Keys.Order());
        var row = rows["pat_lapsed"];
        Assert.Equal(("pat_lapsed|seasonal|2027:new-year|1", TemplateId.Seasonal, OutreachStatus.Planned, "2026-11-02"), (row.Id, row.TemplateId, row.Status, row.LapseEpisodeKey));
        Assert.Equal(ParisOpening, row.NotBefore);
        Assert.Equal("skipped:no_consent", rows["pat_noconsent"].Status);
        Assert.Equal("2027:new-year", (await PracticeStore.GetPracticeAsync(practice.Id))!.Value.LastSeasonalWindowKey);
        Assert.Equal(row.Id, Assert.Single(Scheduler.Sent).Request.OutreachId);

        // Later the same window: nothing new is planned, nothing new enqueued.
        Time.Advance(TimeSpan.FromDays(2));
        var again = await Planner().PlanSeasonalAsync();

        Assert.Equal((0, 0, 0), (again.EntriesRead, again.Planned, again.SeasonalWindowsPlanned));
        Assert.Equal(2, (await LedgerAsync(practice.Id)).Count);
        Assert.Single(Scheduler.Sent);
        Assert.Equal(1, await QueuedAsync());
    }

    [Fact]
    public async Task No_window_is_open_outside_the_seasons()
    {
        Time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SlotRows.At("2027-02-16T05:00:00Z"));
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_lapsed", SlotRows.At("2026-11-02T09:00:00Z"));

        var result = await Planner().PlanSeasonalAsync();

        Assert.Equal((0, 0), (result.EntriesRead, result.SeasonalWindowsPlanned));
        Assert.Empty(await LedgerAsync(practice.Id));
        Assert.Null((await PracticeStore.GetPracticeAsync(practice.Id))!.Value.LastSeasonalWindowKey);
    }
}
