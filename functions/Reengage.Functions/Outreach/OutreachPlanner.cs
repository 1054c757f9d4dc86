// The three planners: lapse cadence and missed milestones from the DueIndex, seasonal windows per practice.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NodaTime;
using Reengage.Core;
using Reengage.Core.Calendar;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Patients;
using Reengage.Functions.Sending;
using Reengage.Functions.Telemetry;

namespace Reengage.Functions.Outreach;

/// <param name="Quota">The ACS limits the sends are spread under (<c>ACS_SENDS_PER_MINUTE</c>, <c>ACS_SENDS_PER_HOUR</c>).</param>
/// <param name="Concurrency">Entries (or seasonal patients) planned at once by one run (<c>PLANNER_CONCURRENCY</c>).</param>
public sealed record OutreachPlannerOptions(QuotaLimits Quota, int Concurrency);

/// <summary>One ledger row a planner run recorded (or found already written), with the draft it came from.</summary>
/// <param name="Created">False when an earlier run had written the row: <paramref name="Row"/> is then the stored one.</param>
public sealed record RecordedOutreach(OutreachRow Row, OutreachDraft Draft, DateTimeOffset PlannedAt, bool Created);

/// <summary>
/// Told of every row a planner records, once the patient is saved. The forecast of upcoming sends
/// (<see cref="UpcomingForecast"/>) listens to a planner that writes to memory; the timers' planner has none.
/// </summary>
public interface IPlanningObserver
{
    void Recorded(RecordedOutreach recorded);
}

/// <summary>What one planner run did. Ids and counts only.</summary>
public sealed record PlannerRunResult
{
    public required Campaign Planner { get; init; }
    /// <summary>DueIndex entries read (lapse, milestone) or patients looked at (seasonal).</summary>
    public required int EntriesRead { get; init; }
    public required int Planned { get; init; }
    public required int HeldOut { get; init; }
    public required IReadOnlyDictionary<SkipReason, int> SkippedByReason { get; init; }
    /// <summary>Ledger rows found already written by an earlier run (a still-planned one is scheduled again).</summary>
    public required int AlreadyPlanned { get; init; }
    /// <summary>DueIndex rows removed because the patient moved on, is gone, or the practice is gone.</summary>
    public required int StaleIndexRows { get; init; }
    /// <summary>Seasonal windows recorded as planned on their practice.</summary>
    public int SeasonalWindowsPlanned { get; init; }

    public int Skipped => SkippedByReason.Values.Sum();
}

/// <summary>
/// Plans outreach: reads who is due, decides (Core/Outreach/Planning), reserves a send slot, writes the ledger row,
/// schedules the send and records the touch on the patient. Safe to run again and to run after a crash: the ledger row's
/// key is deterministic, so a re-run finds the row instead of planning anew, and a row still <c>planned</c> is scheduled
/// again in case the earlier run died before enqueueing it (the sender claims each row once).
/// </summary>
public sealed partial class OutreachPlanner(
    IPracticeStore practices,
    IPatientStore patients,
    IDueIndex dueIndex,
    IOutreachLedger ledger,
    ISendScheduler scheduler,
    ISendSlotStore slots,
    PatientSaver saver,
    OutreachPlannerOptions options,
    ReengageTelemetry telemetry,
    TimeProvider time,
    ILogger<OutreachPlanner> logger,
    IPlanningObserver? observer = null)
{
    /// <summary>How many past DueIndex days each run re-reads, so that a missed or crashed run loses nothing.</summary>
    public const int CatchUpDays = 7;

    public Task<PlannerRunResult> PlanLapsedAsync(CancellationToken cancellationToken = default) =>
        PlanFromDueIndexAsync(Campaign.Lapse, cancellationToken);

    public Task<PlannerRunResult> PlanMilestonesAsync(CancellationToken cancellationToken = default) =>
        PlanFromDueIndexAsync(Campaign.Milestone, cancellationToken);

    private async Task<PlannerRunResult> PlanFromDueIndexAsync(Campaign planner, CancellationToken cancellationToken)
    {
        var run = new Run(slots, practices, options, planner, cancellationToken);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        // One day ahead too: practices east of UTC may already be on tomorrow's date.
        for (var back = CatchUpDays; back >= -1; back--)
        {
            var day = Cadence.DueDayKeyOf(LocalDate.FromDateOnly(today.AddDays(-back)));
            await Parallel.ForEachAsync(dueIndex.ListDueAsync(day, cancellationToken), run.Parallel, async (entry, token) =>
            {
                run.Tally.Read();
                try
                {
                    var practice = await run.PracticeAsync(entry.PracticeId, token).ConfigureAwait(false);
                    if (practice is null)
                    {
                        await dueIndex.DeleteDueAsync(entry, token).ConfigureAwait(false);
                        run.Tally.Add(Outcome.Stale);
                        return;
                    }
                    var outcome = await PatientSaver.WithOptimisticRetryAsync(() => PlanEntryAsync(run, practice, entry, token)).ConfigureAwait(false);
                    run.Tally.Add(outcome);
                }
                catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
                {
                    // One practice's bad settings (an unknown country, say) must not stop the other practices' entries.
                    LogPracticeUnplannable(entry.PracticeId, e.Message);
                }
            }).ConfigureAwait(false);
        }
        return Finish(run, 0);
    }

    private async Task<Outcome> PlanEntryAsync(Run run, PracticeInRun practice, DueEntry entry, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await patients.GetPatientAsync(entry.PracticeId, entry.PatientId, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Value.DueDay != entry.Day)
        {
            // The patient moved on (or is gone): harmless, and tidied here.
            await dueIndex.DeleteDueAsync(entry, cancellationToken).ConfigureAwait(false);
            return Outcome.Stale;
        }
        var patient = await saver.RefreshVisitsAsync(current.Value, now, cancellationToken).ConfigureAwait(false);
        switch (Planning.PlanFor(practice.Practice, patient, run.Planner, now, practice.Calendar.NextAllowed))
        {
            case PatientPlan.NotDue:
                // Moves the index row to the day the patient is next due (or removes it).
                await saver.SaveAsync(practice.Practice, patient, current.ETag, now, IndexMove.Exact, cancellationToken).ConfigureAwait(false);
                return Outcome.NotDue;
            case PatientPlan.Email email:
                return await CommitAsync(run, practice, patient, current.ETag, email, now, cancellationToken).ConfigureAwait(false);
            default:
                // Due for the other DueIndex planner: its own run deals with it.
                return Outcome.NotDue;
        }
    }

    /// <summary>
    /// At the start of a practice's seasonal window, template 3 to every lapsed patient not written to within the
    /// cooldown, once per window. Reads the practices and, for a practice whose window is open and not yet planned, that
    /// practice's patient partition; never the whole Patients table.
    /// </summary>
    public async Task<PlannerRunResult> PlanSeasonalAsync(CancellationToken cancellationToken = default)
    {
        var run = new Run(slots, practices, options, Campaign.Seasonal, cancellationToken);
        var windowsPlanned = 0;
        await foreach (var listed in practices.ListPracticesAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            PracticeCalendar calendar;
            try
            {
                calendar = PracticeCalendar.For(listed);
            }
            catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
            {
                // One practice's bad settings must not stop the others' windows.
                LogPracticeUnplannable(listed.Id, e.Message);
                continue;
            }
            var window = SeasonalWindows.OpenOn(listed.SeasonalWindows, calendar, now);
            if (window is null || listed.LastSeasonalWindowKey == window.Key) continue;
            var practice = new PracticeInRun(listed, calendar);
            var startsOn = LocalDate.FromDateOnly(window.StartsOn);
            await Parallel.ForEachAsync(patients.ListPatientsAsync(listed.Id, cancellationToken), run.Parallel, async (stored, token) =>
            {
                run.Tally.Read();
                var outcome = await PatientSaver.WithOptimisticRetryAsync(async () =>
                {
                    var current = await patients.GetPatientAsync(listed.Id, stored.Id, token).ConfigureAwait(false);
                    if (current is null) return Outcome.NotDue;
                    var patient = await saver.RefreshVisitsAsync(current.Value, now, token).ConfigureAwait(false);
                    // Patients written to within the cooldown are not in the audience at all (SPEC §5.4), rather than skipped.
                    return Planning.PlanSeasonal(listed, patient, window.Key, startsOn, now, calendar.NextAllowed) is PatientPlan.Email email
                        ? await CommitAsync(run, practice, patient, current.ETag, email, now, token).ConfigureAwait(false)
                        : Outcome.NotDue;
                }).ConfigureAwait(false);
                run.Tally.Add(outcome);
            }).ConfigureAwait(false);
            await PatientSaver.WithOptimisticRetryAsync(async () =>
            {
                var current = await practices.GetPracticeAsync(listed.Id, cancellationToken).ConfigureAwait(false);
                if (current is null) return false;
                await practices.UpdatePracticeAsync(current.Value with { LastSeasonalWindowKey = window.Key }, current.ETag, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            windowsPlanned++;
            LogSeasonalWindowPlanned(listed.Id, window.Key);
        }
        return Finish(run, windowsPlanned);
    }

    /// <summary>
    /// Writes the ledger row (or finds the one an earlier run wrote), schedules the send of a planned row, then records
    /// the touch on the patient. A planned decision takes a send slot first.
    /// </summary>
    private async Task<Outcome> CommitAsync(Run run, PracticeInRun practice, Patient patient, string etag, PatientPlan.Email email, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (draft, sendAt, decision) = (email.Draft, email.SendAt, email.Decision);
        var notBefore = sendAt;
        if (decision.Kind == DecisionKind.Planned)
        {
            var reserved = await run.Slots.ReserveSlotsAsync([new SlotRequest(draft.Earliest, practice.Calendar.NextAllowed)], options.Quota, cancellationToken).ConfigureAwait(false);
            notBefore = reserved[0];
        }
        var id = draft.KeyFor(patient.Id).Id;
        var row = new OutreachRow
        {
            PracticeId = practice.Practice.Id,
            PatientId = patient.Id,
            Campaign = draft.Campaign,
            EpisodeKey = draft.EpisodeKey,
            Step = draft.Step,
            TemplateId = draft.TemplateId,
            Locale = patient.Locale ?? practice.Practice.Locale,
            TherapistId = patient.TherapistId ?? practice.Practice.DefaultTherapistId,
            Status = decision.Status,
            PlannedAt = now,
            NotBefore = notBefore,
            OperationId = Ids.OperationIdOf(practice.Practice.Id, id),
            FailureReason = decision.Reason is { } reason ? Wire.Name(reason) : null,
            LapseEpisodeKey = draft.Campaign == Campaign.Seasonal ? draft.LapseEpisodeKey : null,
        };
        var created = await ledger.CreateOutreachAsync(row, cancellationToken).ConfigureAwait(false);
        var stored = created is not null
            ? row
            : (await ledger.GetOutreachAsync(row.PracticeId, id, cancellationToken).ConfigureAwait(false))?.Value ?? row;
        if (stored.Status == OutreachStatus.Planned)
        {
            await scheduler.ScheduleSendAsync(new SendRequest(stored.PracticeId, id, stored.NotBefore), stored.NotBefore, cancellationToken).ConfigureAwait(false);
        }
        var updated = Planning.WithOutreachRecorded(patient, stored, draft.EpisodeAfter, decision.BudgetEpisodeKey);
        await saver.SaveAsync(practice.Practice, updated, etag, now, IndexMove.Exact, cancellationToken).ConfigureAwait(false);
        observer?.Recorded(new RecordedOutreach(stored, draft, now, created is not null));
        LogOutreachRecorded(stored.PracticeId, Ids.HashForLog($"{stored.PracticeId}/{patient.Id}"), stored.OperationId, Wire.Name(stored.TemplateId), stored.Status, created is null);
        if (created is null) return Outcome.AlreadyPlanned;
        var template = new KeyValuePair<string, object?>("template", Wire.Name(stored.TemplateId));
        switch (decision.Kind)
        {
            case DecisionKind.Planned:
                telemetry.EmailsPlanned.Add(1, template);
                return Outcome.Planned;
            case DecisionKind.HeldOut:
                telemetry.EmailsHeldOut.Add(1, template);
                return Outcome.HeldOut;
            default:
                var skipReason = decision.Reason ?? throw new InvalidOperationException("A skipped decision has a reason.");
                telemetry.EmailsSkipped.Add(1, template, new KeyValuePair<string, object?>("reason", Wire.Name(skipReason)));
                return Outcome.SkippedFor(skipReason);
        }
    }

    private PlannerRunResult Finish(Run run, int seasonalWindowsPlanned)
    {
        var result = run.Tally.ToResult(run.Planner, seasonalWindowsPlanned);
        LogRunFinished(Wire.Name(run.Planner), result.EntriesRead, result.Planned, result.HeldOut, result.Skipped, result.AlreadyPlanned, result.StaleIndexRows);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Planner {Planner} finished: {EntriesRead} read, {Planned} planned, {HeldOut} held out, {Skipped} skipped, {AlreadyPlanned} already planned, {Stale} stale index rows")]
    private partial void LogRunFinished(string planner, int entriesRead, int planned, int heldOut, int skipped, int alreadyPlanned, int stale);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outreach recorded for practice {PracticeId}, patient {PatientRef}: operation {OperationId}, template {Template}, status {Status}, already planned {AlreadyPlanned}")]
    private partial void LogOutreachRecorded(string practiceId, string patientRef, string operationId, string template, string status, bool alreadyPlanned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seasonal window {WindowKey} planned for practice {PracticeId}")]
    private partial void LogSeasonalWindowPlanned(string practiceId, string windowKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Practice {PracticeId} cannot be planned: {Problem}")]
    private partial void LogPracticeUnplannable(string practiceId, string problem);

    private sealed record PracticeInRun(Practice Practice, PracticeCalendar Calendar);

    /// <summary>What became of one entry or patient.</summary>
    private sealed record Outcome(string Kind, SkipReason? Reason = null)
    {
        public static readonly Outcome Planned = new("planned");
        public static readonly Outcome HeldOut = new("held_out");
        public static readonly Outcome AlreadyPlanned = new("already_planned");
        public static readonly Outcome NotDue = new("not_due");
        public static readonly Outcome Stale = new("stale_index");

        public static Outcome SkippedFor(SkipReason reason) => new("skipped", reason);
    }

    private sealed class Tally
    {
        private readonly ConcurrentDictionary<SkipReason, int> _skipped = new();
        private int _read;
        private int _planned;
        private int _heldOut;
        private int _alreadyPlanned;
        private int _stale;

        public void Read() => Interlocked.Increment(ref _read);

        public void Add(Outcome outcome)
        {
            if (outcome.Reason is { } reason) _skipped.AddOrUpdate(reason, 1, (_, n) => n + 1);
            else if (outcome == Outcome.Planned) Interlocked.Increment(ref _planned);
            else if (outcome == Outcome.HeldOut) Interlocked.Increment(ref _heldOut);
            else if (outcome == Outcome.AlreadyPlanned) Interlocked.Increment(ref _alreadyPlanned);
            else if (outcome == Outcome.Stale) Interlocked.Increment(ref _stale);
        }

        public PlannerRunResult ToResult(Campaign planner, int seasonalWindowsPlanned) => new()
        {
            Planner = planner,
            EntriesRead = _read,
            Planned = _planned,
            HeldOut = _heldOut,
            SkippedByReason = new Dictionary<SkipReason, int>(_skipped),
            AlreadyPlanned = _alreadyPlanned,
            StaleIndexRows = _stale,
            SeasonalWindowsPlanned = seasonalWindowsPlanned,
        };
    }

    /// <summary>One run's shared state: its slot grouping, its practice cache, its counts.</summary>
    private sealed class Run(ISendSlotStore slots, IPracticeStore practices, OutreachPlannerOptions options, Campaign campaign, CancellationToken cancellationToken)
    {
        private readonly ConcurrentDictionary<string, Lazy<Task<PracticeInRun?>>> _practices = new(StringComparer.Ordinal);

        public Campaign Planner { get; } = campaign;
        public Tally Tally { get; } = new();
        public CoalescingSlotStore Slots { get; } = new(slots, cancellationToken);

        public ParallelOptions Parallel { get; } = new()
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Concurrency),
            CancellationToken = cancellationToken,
        };

        /// <summary>The practice and its calendar, read once per run; null when the practice is gone.</summary>
        public Task<PracticeInRun?> PracticeAsync(string practiceId, CancellationToken token) =>
            _practices.GetOrAdd(practiceId, id => new Lazy<Task<PracticeInRun?>>(async () =>
            {
                var found = await practices.GetPracticeAsync(id, token).ConfigureAwait(false);
                return found is null ? null : new PracticeInRun(found.Value, PracticeCalendar.For(found.Value));
            })).Value;
    }
}
