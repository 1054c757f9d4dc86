// GET upcoming's use case: what the planners will do for one practice in the coming days, told by the planners themselves.
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Patients;
using Reengage.Functions.Telemetry;

namespace Reengage.Functions.Outreach;

/// <summary>When the three planners run each day (UTC), from their timer schedules.</summary>
public sealed record PlannerSchedule(TimeOnly Lapse, TimeOnly Milestone, TimeOnly Seasonal)
{
    /// <summary>The defaults of LAPSED_SCAN_SCHEDULE, MILESTONE_SCAN_SCHEDULE and SEASONAL_SCAN_SCHEDULE.</summary>
    public static PlannerSchedule Default { get; } = new(new TimeOnly(5, 0), new TimeOnly(5, 15), new TimeOnly(5, 30));

    /// <summary>
    /// The schedules' time of day when each is once a day at a fixed time (<c>s m h * * *</c>); the default time of that
    /// planner otherwise (a forecast then takes the same decisions, possibly a day apart).
    /// </summary>
    public static PlannerSchedule FromCron(string lapsed, string milestone, string seasonal) =>
        new(DailyTimeOf(lapsed) ?? Default.Lapse, DailyTimeOf(milestone) ?? Default.Milestone, DailyTimeOf(seasonal) ?? Default.Seasonal);

    /// <summary>The time of day of a six-field NCRONTAB expression that fires once a day, or null.</summary>
    public static TimeOnly? DailyTimeOf(string? cron)
    {
        var fields = cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length != 6 || fields[3] != "*" || fields[4] != "*" || fields[5] != "*") return null;
        return Number(fields[0], 59) is { } s && Number(fields[1], 59) is { } m && Number(fields[2], 23) is { } h
            ? new TimeOnly(h, m, s)
            : null;

        static int? Number(string field, int max) =>
            field.Length <= 2 && field.All(char.IsAsciiDigit) && int.Parse(field, CultureInfo.InvariantCulture) is var n && n <= max ? n : null;
    }

    /// <summary>Every run from <paramref name="from"/> (included) to <paramref name="until"/> (excluded), in order.</summary>
    public IReadOnlyList<(Campaign Planner, DateTimeOffset At)> RunsBetween(DateTimeOffset from, DateTimeOffset until)
    {
        var runs = new List<(Campaign, DateTimeOffset)>();
        for (var day = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero); day < until; day = day.AddDays(1))
        {
            foreach (var (planner, time) in new[] { (Campaign.Lapse, Lapse), (Campaign.Milestone, Milestone), (Campaign.Seasonal, Seasonal) })
            {
                var at = day + time.ToTimeSpan();
                if (at >= from && at < until) runs.Add((planner, at));
            }
        }
        return [.. runs.OrderBy(r => r.Item2)];
    }
}

/// <summary>What the route answers about one email. <see cref="Decision"/> is <c>will_send</c>, <c>held_out</c>,
/// <c>planned</c> or <c>skip:&lt;reason&gt;</c>.</summary>
/// <param name="DueDate">The practice-local date the step became due; null for a row already planned.</param>
/// <param name="PlannedOn">The practice's date of the planner run that plans it (or planned it).</param>
/// <param name="PredictedSendAt">The row's notBefore: the calendar's first allowed instant, spread under the quota.</param>
public sealed record UpcomingItem(
    string PatientId,
    string? FirstName,
    string? TherapistId,
    TemplateId TemplateId,
    Campaign Campaign,
    int Step,
    LocalDate? DueDate,
    LocalDate PlannedOn,
    DateTimeOffset PredictedSendAt,
    string Decision);

public sealed record UpcomingReport(
    string PracticeId,
    string TimeZone,
    DateTimeOffset GeneratedAt,
    DateTimeOffset Until,
    int Days,
    IReadOnlyList<UpcomingItem> Items,
    IReadOnlyDictionary<string, int> Totals);

/// <param name="Quota">The ACS limits the real planner spreads the sends under.</param>
public sealed record UpcomingForecastOptions(QuotaLimits Quota, PlannerSchedule Schedule);

/// <summary>
/// The planners' dry run. Lists the practice's rows already planned (due before the horizon), then runs the real
/// <see cref="OutreachPlanner"/> at each of its scheduled times until the horizon, on <see cref="DryRunStores"/>: the
/// practice's rows read from storage, every write (ledger rows, patients, DueIndex rows, the seasonal window key, send
/// slots, queue messages) kept in memory and dropped at the end. What those runs record is the forecast: the same
/// decisions, by the same code, as the timers will take if nothing changes meanwhile.
/// </summary>
public sealed class UpcomingForecast(
    IPracticeStore practices,
    IPatientStore patients,
    IDueIndex dueIndex,
    IOutreachLedger ledger,
    IAppointmentStore appointments,
    UpcomingForecastOptions options,
    TimeProvider time)
{
    public const int DefaultDays = 7;
    public const int MaxDays = 31;

    public async Task<UpcomingReport> ForecastAsync(Practice practice, int days, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        var now = time.GetUtcNow();
        var until = now.AddDays(days);
        var dryPatients = new DryRunPatientStore(patients, practice.Id);
        var dryLedger = new DryRunLedger(ledger, practice.Id);
        var items = new List<UpcomingItem>();
        var alreadyPlanned = new List<DateTimeOffset>();

        await foreach (var row in ledger.ListOutreachAsync(practice.Id, cancellationToken).ConfigureAwait(false))
        {
            if (row.Status != OutreachStatus.Planned) continue;
            alreadyPlanned.Add(row.NotBefore);
            if (row.NotBefore >= until) continue;
            var patient = (await dryPatients.GetPatientAsync(practice.Id, row.PatientId, cancellationToken).ConfigureAwait(false))?.Value;
            items.Add(new UpcomingItem(
                row.PatientId,
                patient?.FirstName,
                row.TherapistId,
                row.TemplateId,
                row.Campaign,
                row.Step,
                DueDate: null,
                PlannedOn: Cadence.LocalDateOf(row.PlannedAt, practice.TimeZone),
                PredictedSendAt: row.NotBefore,
                Decision: PlannedDecision(practice, patient, row)));
        }

        var observer = new Recorder();
        var clock = new DryRunClock(now);
        var dryIndex = new DryRunDueIndex(dueIndex, practice.Id);
        using var telemetry = ReengageTelemetry.Unexported();
        var planner = new OutreachPlanner(
            new DryRunPracticeStore(practices, practice),
            dryPatients,
            dryIndex,
            dryLedger,
            new DryRunScheduler(),
            new DryRunSlotStore(alreadyPlanned),
            new PatientSaver(dryPatients, dryIndex, appointments),
            // One entry at a time: the slots are then taken in the DueIndex's order, the same on every forecast.
            new OutreachPlannerOptions(options.Quota, Concurrency: 1),
            telemetry,
            clock,
            NullLogger<OutreachPlanner>.Instance,
            observer);
        foreach (var (kind, at) in options.Schedule.RunsBetween(now, until))
        {
            clock.Now = at;
            await (kind switch
            {
                Campaign.Lapse => planner.PlanLapsedAsync(cancellationToken),
                Campaign.Milestone => planner.PlanMilestonesAsync(cancellationToken),
                _ => planner.PlanSeasonalAsync(cancellationToken),
            }).ConfigureAwait(false);
        }

        foreach (var recorded in observer.Created)
        {
            var row = recorded.Row;
            var patient = (await dryPatients.GetPatientAsync(practice.Id, row.PatientId, cancellationToken).ConfigureAwait(false))?.Value;
            items.Add(new UpcomingItem(
                row.PatientId,
                patient?.FirstName,
                row.TherapistId,
                row.TemplateId,
                row.Campaign,
                row.Step,
                recorded.Draft.DueDate,
                Cadence.TodayFor(practice, recorded.PlannedAt),
                row.NotBefore,
                DecisionOf(row.Status)));
        }

        var sorted = items.OrderBy(i => i.PredictedSendAt).ThenBy(i => i.PatientId, StringComparer.Ordinal).ToList();
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in sorted) totals[item.Decision] = totals.GetValueOrDefault(item.Decision) + 1;
        return new UpcomingReport(practice.Id, practice.TimeZone, now, until, days, sorted, totals);
    }

    /// <summary>A row already planned: it goes, unless the check made right before sending would stop it.</summary>
    private static string PlannedDecision(Practice practice, Patient? patient, OutreachRow row)
    {
        if (patient is null) return "skip:patient_deleted";
        return Eligibility.WhyIneligibleToSend(practice, patient, row, row.NotBefore) is { } reason
            ? $"skip:{Wire.Name(reason)}"
            : "planned";
    }

    /// <summary>The ledger status the dry run recorded, as the forecast names it.</summary>
    private static string DecisionOf(string status) => status switch
    {
        OutreachStatus.Planned => "will_send",
        OutreachStatus.HeldOut => "held_out",
        _ when OutreachStatus.IsSkipped(status) => $"skip:{status[OutreachStatus.SkippedPrefix.Length..]}",
        _ => throw new InvalidOperationException($"A planner recorded a new row in status {status}."),
    };

    private sealed class DryRunClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The rows the dry run's planner created, in the order it recorded them.</summary>
    private sealed class Recorder : IPlanningObserver
    {
        private readonly Lock _lock = new();
        private readonly List<RecordedOutreach> _created = [];

        public IReadOnlyList<RecordedOutreach> Created
        {
            get
            {
                lock (_lock) return [.. _created];
            }
        }

        public void Recorded(RecordedOutreach recorded)
        {
            ArgumentNullException.ThrowIfNull(recorded);
            if (!recorded.Created) return;
            lock (_lock) _created.Add(recorded);
        }
    }
}
