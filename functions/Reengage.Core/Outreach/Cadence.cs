using NodaTime;
using NodaTime.Text;
using Reengage.Core.Model;

namespace Reengage.Core.Outreach;

/// <summary>What is next for one patient: nothing, a wait until a practice-local date, a lapse step or a milestone.</summary>
public abstract record NextAction
{
    private NextAction()
    {
    }

    /// <summary>Nothing will ever be due in the current state (discharged, no visit yet, cadence finished).</summary>
    public sealed record Nothing : NextAction
    {
        public static Nothing Instance { get; } = new();
    }

    /// <summary>Come back on this practice-local date.</summary>
    public sealed record Wait(LocalDate DueDate) : NextAction;

    /// <summary>
    /// A lapse cadence step is due now. <paramref name="PassedOver"/> lists earlier steps that were too late and are
    /// dropped silently (setting the episode's LastStep to <paramref name="Step"/> deals with them).
    /// </summary>
    public sealed record Lapse(Episode Episode, int Step, LocalDate DueDate, TemplateId TemplateId, IReadOnlyList<int> PassedOver)
        : NextAction;

    /// <summary>The plan milestone passed with no booking since: template 6 at once, counted as a touch of the episode.</summary>
    public sealed record Milestone(Episode Episode, DateTimeOffset MilestoneAt, LocalDate DueDate) : NextAction;
}

/// <summary>Lapse episodes, the cadence of SPEC §5.2, the missed-milestone follow-up, and which template each step uses.</summary>
public static class Cadence
{
    /// <summary>A step whose due date passed more than this many days ago is passed over rather than sent late.</summary>
    public const int StaleAfterDays = 30;

    /// <summary><c>plan_completed</c> patients get one check-in, this many days after the last visit.</summary>
    public const int PlanCompletedCheckInDays = 90;

    private static readonly LocalDatePattern DayPattern = LocalDatePattern.CreateWithInvariantCulture("uuuuMMdd");

    /// <summary>The default days after the last visit of steps 1, 2 and 3.</summary>
    public static IReadOnlyList<int> DefaultCadenceDays(int lapseDays) => [lapseDays, lapseDays + 30, lapseDays + 90];

    /// <summary>The practice's time zone (IANA id).</summary>
    public static DateTimeZone ZoneOf(Practice practice)
    {
        ArgumentNullException.ThrowIfNull(practice);
        return ZoneOf(practice.TimeZone);
    }

    public static DateTimeZone ZoneOf(string timeZone) => DateTimeZoneProviders.Tzdb[timeZone];

    /// <summary>The date an instant falls on in the given zone.</summary>
    public static LocalDate LocalDateOf(DateTimeOffset instant, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(instant).InZone(zone).Date;

    public static LocalDate LocalDateOf(DateTimeOffset instant, string timeZone) => LocalDateOf(instant, ZoneOf(timeZone));

    /// <summary>
    /// The planners' notion of today for a practice: its local date, or the UTC date when that is later, so that a
    /// practice west of UTC is not planned a day late by a timer that fires at 05:00 UTC.
    /// </summary>
    public static LocalDate TodayFor(Practice practice, DateTimeOffset now)
    {
        var local = LocalDateOf(now, ZoneOf(practice));
        var utc = LocalDate.FromDateTime(now.UtcDateTime);
        return LocalDate.Max(local, utc);
    }

    /// <summary>An episode key: the practice-local date of the last visit, <c>yyyy-MM-dd</c>.</summary>
    public static string EpisodeKeyOf(LocalDate lastVisitDate) => LocalDatePattern.Iso.Format(lastVisitDate);

    /// <summary>The lapse episode a patient whose last visit was at <paramref name="lastVisitAt"/> is (or would be) in.</summary>
    public static string EpisodeKeyOf(Practice practice, DateTimeOffset lastVisitAt) =>
        EpisodeKeyOf(LocalDateOf(lastVisitAt, ZoneOf(practice)));

    /// <summary>A DueIndex partition key: <c>yyyyMMdd</c>.</summary>
    public static string DueDayKeyOf(LocalDate date) => DayPattern.Format(date);

    /// <summary>Parses a DueIndex partition key (<c>yyyyMMdd</c>); null when it is not one.</summary>
    public static LocalDate? ParseDueDayKey(string? day)
    {
        if (day is null) return null;
        var parsed = DayPattern.Parse(day);
        return parsed.Success ? parsed.Value : null;
    }

    public static Episode FreshEpisode(string key, DateTimeOffset lapsedSince) =>
        new() { Key = key, LapsedSince = lapsedSince, LastStep = 0, TemplatesUsed = [], MilestoneHandled = null };

    /// <summary>
    /// What is next for this patient. <paramref name="today"/> is the planner's run date (see <see cref="TodayFor"/>);
    /// <paramref name="now"/> decides whether a booking is still in the future. Visits must already be derived.
    /// </summary>
    public static NextAction NextActionFor(Practice practice, Patient patient, LocalDate today, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        if (patient.CareStatus == CareStatus.Discharged) return NextAction.Nothing.Instance;
        var zone = ZoneOf(practice);
        if (patient.NextBookingAt is { } nextBooking && nextBooking > now)
        {
            // The booking will become the last visit; look again when it could lapse.
            return new NextAction.Wait(LocalDateOf(nextBooking, zone).PlusDays(practice.LapseDays));
        }
        if (patient.LastVisitAt is not { } lastVisitAt) return NextAction.Nothing.Instance;
        var lastVisitDate = LocalDateOf(lastVisitAt, zone);
        var key = EpisodeKeyOf(lastVisitDate);
        var episode = patient.Episode?.Key == key
            ? patient.Episode
            : FreshEpisode(key, zone.AtStartOfDay(lastVisitDate.PlusDays(practice.LapseDays)).ToDateTimeOffset());

        var candidates = new List<NextAction>();
        var candidateDates = new List<LocalDate>();
        var waits = new List<LocalDate>();

        if (patient.CareStatus == CareStatus.InCare
            && patient.Plan?.NextMilestoneAt is { } milestoneAt
            && episode.MilestoneHandled != milestoneAt
            && milestoneAt > lastVisitAt)
        {
            // "Passed" means the whole milestone day went by without a booking.
            var dueDate = LocalDateOf(milestoneAt, zone).PlusDays(1);
            var lateBy = Period.Between(dueDate, today, PeriodUnits.Days).Days;
            if (lateBy < 0)
            {
                waits.Add(dueDate);
            }
            else if (lateBy <= StaleAfterDays)
            {
                candidates.Add(new NextAction.Milestone(episode, milestoneAt, dueDate));
                candidateDates.Add(dueDate);
            }
        }

        IReadOnlyList<int> stepDays = patient.CareStatus == CareStatus.PlanCompleted
            ? [PlanCompletedCheckInDays]
            : practice.CadenceDays;
        var episodeTouchDates = patient.TouchLog
            .Where(touch => touch.EpisodeKey == episode.Key)
            .Select(touch => LocalDateOf(touch.At, zone))
            .ToList();
        LocalDate? lastEpisodeTouch = episodeTouchDates.Count > 0 ? episodeTouchDates.Max() : null;
        var passedOver = new List<int>();
        for (var step = episode.LastStep + 1; step <= stepDays.Count; step++)
        {
            var dueDate = lastVisitDate.PlusDays(stepDays[step - 1]);
            if (step > 1 && lastEpisodeTouch is { } lastTouch)
            {
                // When an earlier step went out late (a patient imported long after lapsing, a long closure), the next
                // one waits out the cooldown instead of landing inside it and being skipped.
                var spaced = lastTouch.PlusDays(practice.CooldownDays);
                if (spaced > dueDate) dueDate = spaced;
            }
            var lateBy = Period.Between(dueDate, today, PeriodUnits.Days).Days;
            if (lateBy < 0)
            {
                waits.Add(dueDate);
                break;
            }
            if (lateBy > StaleAfterDays)
            {
                passedOver.Add(step);
                continue;
            }
            candidates.Add(new NextAction.Lapse(episode, step, dueDate, ChooseTemplate(practice, patient, episode, step), passedOver));
            candidateDates.Add(dueDate);
            break;
        }

        if (candidates.Count > 0)
        {
            // The earliest due wins; on a tie the milestone, found first, does.
            var first = 0;
            for (var i = 1; i < candidates.Count; i++)
            {
                if (candidateDates[i] < candidateDates[first]) first = i;
            }
            return candidates[first];
        }
        return waits.Count > 0 ? new NextAction.Wait(waits.Min()) : NextAction.Nothing.Instance;
    }

    /// <summary>The template of a lapse cadence step (SPEC §5.2), never repeating one already used in the episode.</summary>
    public static TemplateId ChooseTemplate(Practice practice, Patient patient, Episode episode, int step)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(episode);
        if (patient.CareStatus == CareStatus.PlanCompleted) return TemplateId.CheckIn;
        var used = episode.TemplatesUsed;
        switch (step)
        {
            case 1:
                var hasPlan = patient.Plan is { } plan && (!string.IsNullOrEmpty(plan.Summary) || plan.NextMilestoneAt is not null);
                if (hasPlan && !used.Contains(TemplateId.PlanFollowUp)) return TemplateId.PlanFollowUp;
                if (!string.IsNullOrEmpty(patient.ProgressNote)) return TemplateId.Progress;
                return patient.ContactPreference == ContactPreference.Direct ? TemplateId.Direct : TemplateId.CheckIn;
            case 2:
                return ResourceFor(practice, patient) is not null && !used.Contains(TemplateId.Resource)
                    ? TemplateId.Resource
                    : TemplateId.NoPressure;
            default:
                return TemplateId.Feedback;
        }
    }

    /// <summary>The practice's resource for the patient's focus area (template 4), matched without regard to case.</summary>
    public static PracticeResource? ResourceFor(Practice practice, Patient patient)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        if (string.IsNullOrEmpty(patient.FocusArea)) return null;
        var wanted = patient.FocusArea.Trim();
        return practice.Resources.FirstOrDefault(resource =>
            string.Equals(resource.FocusArea.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The DueIndex day (<c>yyyyMMdd</c>) of the patient's next action, or null when nothing is ever due. An overdue
    /// step is indexed today.
    /// </summary>
    public static string? DueDayOf(NextAction action, LocalDate today) => action switch
    {
        NextAction.Nothing => null,
        NextAction.Wait wait => DueDayKeyOf(wait.DueDate),
        NextAction.Lapse lapse => DueDayKeyOf(LocalDate.Max(lapse.DueDate, today)),
        NextAction.Milestone milestone => DueDayKeyOf(LocalDate.Max(milestone.DueDate, today)),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>The DueIndex day of this patient as it stands: <see cref="NextActionFor"/> then <see cref="DueDayOf"/>.</summary>
    public static string? DueDayFor(Practice practice, Patient patient, DateTimeOffset now)
    {
        var today = TodayFor(practice, now);
        return DueDayOf(NextActionFor(practice, patient, today, now), today);
    }
}
