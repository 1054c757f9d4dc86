// The practice report's figures: what the emails did per template, therapist or month, and whether they help.
using System.Globalization;
using NodaTime;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Core.Report;

public sealed record SkippedFigures(int Total, IReadOnlyDictionary<string, int> ByReason);

public sealed record FeedbackFigures(int Count, double? MeanRating);

/// <summary>The figures of a group of ledger rows (see docs/report.md, "Figures per group and in total").</summary>
public sealed record ReportFigures
{
    /// <summary>Rows meant to be sent: every status except <c>skipped:*</c> and <c>held_out</c>.</summary>
    public required int Planned { get; init; }
    /// <summary>Not sent yet (<c>planned</c> or <c>sending</c>).</summary>
    public required int Pending { get; init; }
    /// <summary>Rows with a send time.</summary>
    public required int Sent { get; init; }
    public required int Delivered { get; init; }
    public required int Bounced { get; init; }
    public required int Failed { get; init; }
    public required int HeldOut { get; init; }
    public required SkippedFigures Skipped { get; init; }
    /// <summary>Rows answered "book again" by the patient.</summary>
    public required int BookClicks { get; init; }
    /// <summary>Rows whose book link a mail scanner opened (<see cref="OutreachRow.ScannerVisitAt"/>): not an intention.</summary>
    public required int ScannerVisits { get; init; }
    public required int NotNow { get; init; }
    public required int Unsubscribes { get; init; }
    public required FeedbackFigures Feedback { get; init; }
    /// <summary>Sent rows to which a booking was attributed.</summary>
    public required int Rebooked { get; init; }
    /// <summary><see cref="Rebooked"/> / <see cref="Sent"/>, 4 decimals; null when nothing was sent.</summary>
    public required double? RebookedRate { get; init; }
}

/// <summary>One group: a template id, a therapist id (null: no therapist) or a month <c>yyyy-MM</c>, and its label.</summary>
public sealed record ReportGroup(string? Key, string Label, ReportFigures Figures);

public sealed record ReportPeriod(DateOnly From, DateOnly To, string TimeZone);

public sealed record PracticeReportFigures(
    ReportPeriod Period,
    ReportGroupBy GroupBy,
    Locale Language,
    IReadOnlyList<ReportGroup> Groups,
    ReportFigures Total,
    HoldoutComparison Holdout);

/// <summary>
/// Adds up a practice's ledger one row at a time, so the rows can be streamed from storage page by page: it keeps the
/// tallies of the groups and of the lapse episodes, never the rows. Everything about a row (its send, delivery, answer,
/// feedback and rebooking) counts with the row, in the period and group where the row was planned.
/// </summary>
public sealed class PracticeReportBuilder
{
    /// <summary>Reasons with a CSV column of their own whether or not they occur.</summary>
    public static IReadOnlyList<string> KnownSkipReasons { get; } =
        [.. Eligibility.AllReasons.Select(r => Wire.Name(r)), "patient_deleted", "patient_erased"];

    private static readonly Dictionary<TemplateId, (string En, string Fr)> TemplateLabels = new()
    {
        [TemplateId.CheckIn] = ("Check-in", "Comment allez-vous ?"),
        [TemplateId.Progress] = ("Progress reminder", "Rappel des progrès"),
        [TemplateId.Seasonal] = ("New start (seasonal)", "Nouveau départ (saisonnier)"),
        [TemplateId.Resource] = ("Resource share", "Partage de ressource"),
        [TemplateId.Direct] = ("Direct invitation", "Invitation directe"),
        [TemplateId.PlanFollowUp] = ("Plan follow-up", "Suivi du plan"),
        [TemplateId.NoPressure] = ("No pressure", "Sans pression"),
        [TemplateId.Feedback] = ("Feedback request", "Demande d’avis"),
    };

    private static readonly string[] MonthsEn =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] MonthsFr =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private readonly ReportQuery _query;
    private readonly string _timeZone;
    private readonly DateTimeZone _zone;
    private readonly DateTimeOffset _now;
    private readonly Instant _from;
    private readonly Instant _to;
    private readonly Dictionary<string, List<int>> _ratings = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _therapistNames;
    // Keyed by the group key; null (no therapist) under "\0", which no template, id or month can be.
    private readonly Dictionary<string, (string? Key, Tally Tally)> _groups = new(StringComparer.Ordinal);
    private readonly Tally _total = new();
    private readonly Dictionary<string, EpisodeTally> _episodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _lapseKeys = new(StringComparer.Ordinal);
    private readonly List<(string PatientId, string WindowKey, string PlannedDay, Touch Touch)> _legacySeasonal = [];

    /// <param name="ratings">Every feedback of the practice: outreach row id and rating 1–5.</param>
    /// <param name="therapistNames">Display names of the practice's therapists by id (its staff; never patients).</param>
    /// <param name="now">Held-out rows whose would-be send time is still ahead are not in the comparison yet.</param>
    /// <exception cref="ReengageException"><see cref="ErrorCode.InvalidConfiguration"/> for an unknown time zone.</exception>
    public PracticeReportBuilder(
        ReportQuery query,
        string timeZone,
        DateTimeOffset now,
        IEnumerable<(string OutreachId, int Rating)> ratings,
        IReadOnlyDictionary<string, string> therapistNames)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(therapistNames);
        _query = query;
        _timeZone = timeZone;
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone)
            ?? throw new ReengageException(ErrorCode.InvalidConfiguration, $"unknown time zone \"{timeZone}\"");
        _now = now;
        _therapistNames = therapistNames;
        _from = _zone.AtStartOfDay(LocalDate.FromDateOnly(query.From)).ToInstant();
        _to = _zone.AtStartOfDay(LocalDate.FromDateOnly(query.To)).ToInstant();
        foreach (var (outreachId, rating) in ratings)
        {
            if (!_ratings.TryGetValue(outreachId, out var list)) _ratings[outreachId] = list = [];
            list.Add(rating);
        }
        // Every template and every month of the period appear even when empty, so gaps are visible.
        switch (query.GroupBy)
        {
            case ReportGroupBy.Template:
                foreach (var template in Enum.GetValues<TemplateId>()) Group(Wire.Name(template));
                break;
            case ReportGroupBy.Month:
                // Counted in months rather than dates, so that a period ending in December 9999 does not step past the calendar.
                var last = query.To.AddDays(-1);
                for (var month = query.From.Year * 12 + query.From.Month - 1; month <= last.Year * 12 + last.Month - 1; month++)
                {
                    Group(MonthKey(new LocalDate(month / 12, month % 12 + 1, 1)));
                }
                break;
            case ReportGroupBy.Therapist:
                break;
        }
    }

    /// <summary>The practice-local date at <paramref name="now"/>: what "today" means for the default period.</summary>
    public static DateOnly TodayIn(string timeZone, DateTimeOffset now)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone)
            ?? throw new ReengageException(ErrorCode.InvalidConfiguration, $"unknown time zone \"{timeZone}\"");
        return Instant.FromDateTimeOffset(now).InZone(zone).Date.ToDateOnly();
    }

    public void Add(OutreachRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (InPeriod(row.PlannedAt))
        {
            var key = row.GroupKeyFor(_query.GroupBy, _zone);
            var ratings = _ratings.TryGetValue(row.Id, out var list) ? list : [];
            Group(key).Add(row, ratings);
            _total.Add(row, ratings);
        }
        AddToEpisode(row);
    }

    public PracticeReportFigures Build()
    {
        var groups = _groups.Values.Select(g => new ReportGroup(g.Key, LabelOf(g.Key), g.Tally.Finish())).ToList();
        if (_query.GroupBy == ReportGroupBy.Therapist)
        {
            // By name, the rows without a therapist last: the order a manager scans a staff list in.
            var byName = StringComparer.Create(CultureInfo.GetCultureInfo(Wire.Name(_query.Language)), ignoreCase: false);
            groups = [.. groups.OrderBy(g => g.Key is null).ThenBy(g => g.Label, byName)];
        }
        var (emailed, heldOut, mixed) = EpisodeOutcomes();
        return new PracticeReportFigures(
            new ReportPeriod(_query.From, _query.To, _timeZone),
            _query.GroupBy,
            _query.Language,
            groups,
            _total.Finish(),
            ReportStatistics.Compare(emailed, heldOut, mixed, _query.Language));
    }

    private bool InPeriod(DateTimeOffset at)
    {
        var instant = Instant.FromDateTimeOffset(at);
        return instant >= _from && instant < _to;
    }

    private Tally Group(string? key)
    {
        var slot = key ?? "\0";
        if (!_groups.TryGetValue(slot, out var group)) _groups[slot] = group = (key, new Tally());
        return group.Tally;
    }

    private static string MonthKey(LocalDate date) => date.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private string LabelOf(string? key)
    {
        var fr = _query.Language == Locale.Fr;
        switch (_query.GroupBy)
        {
            case ReportGroupBy.Template:
                var template = Wire.Parse<TemplateId>(key!);
                return fr ? TemplateLabels[template].Fr : TemplateLabels[template].En;
            case ReportGroupBy.Therapist:
                if (key is null) return fr ? "Sans thérapeute" : "No therapist";
                return _therapistNames.TryGetValue(key, out var name) ? name : key;
            default:
                var month = int.Parse(key![5..], CultureInfo.InvariantCulture);
                return $"{(fr ? MonthsFr : MonthsEn)[month - 1]} {key[..4]}";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Episodes: the holdout draws lapse episodes (patient + episode key), not rows, so the comparison counts episodes.

    /// <summary>What one row tells about its episode: touched (sent, or held out and due) when, and rebooked.</summary>
    private readonly record struct Touch(DateTimeOffset? At, bool Sent, bool HeldOut, bool Rebooked);

    private sealed class EpisodeTally
    {
        public DateTimeOffset? FirstTouch { get; private set; }
        public bool Sent { get; private set; }
        public bool HeldOut { get; private set; }
        public bool Rebooked { get; private set; }

        public void Add(Touch touch)
        {
            if (touch.At is { } at && (FirstTouch is null || at < FirstTouch)) FirstTouch = at;
            Sent |= touch.Sent;
            HeldOut |= touch.HeldOut;
            Rebooked |= touch.Rebooked;
        }
    }

    private void AddToEpisode(OutreachRow row)
    {
        // An email counts once sent; a control episode only once its email would have gone.
        var touch = row.SentAt is { } sentAt
            ? new Touch(sentAt, true, false, row.RebookedAt is not null)
            : row.Status == OutreachStatus.HeldOut && row.NotBefore <= _now
                ? new Touch(row.NotBefore, false, true, row.RebookedAt is not null)
                : new Touch(null, false, false, row.RebookedAt is not null);
        if (row.Campaign != Campaign.Seasonal)
        {
            if (!_lapseKeys.TryGetValue(row.PatientId, out var keys)) _lapseKeys[row.PatientId] = keys = new(StringComparer.Ordinal);
            keys.Add(row.EpisodeKey);
            Episode(row.PatientId, row.EpisodeKey).Add(touch);
        }
        else if (row.LapseEpisodeKey is { } lapseEpisodeKey)
        {
            // A seasonal email's holdout draw used the patient's lapse episode, which the row records.
            Episode(row.PatientId, lapseEpisodeKey).Add(touch);
        }
        else
        {
            // Planned before that was recorded: attached once every lapse key of the patient is known (see Build).
            var plannedDay = Instant.FromDateTimeOffset(row.PlannedAt).InZone(_zone).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            _legacySeasonal.Add((row.PatientId, row.EpisodeKey, plannedDay, touch));
        }
    }

    private EpisodeTally Episode(string patientId, string key)
    {
        var id = $"{patientId}|{key}";
        if (!_episodes.TryGetValue(id, out var episode)) _episodes[id] = episode = new EpisodeTally();
        return episode;
    }

    private (GroupOutcome Emailed, GroupOutcome HeldOut, int Mixed) EpisodeOutcomes()
    {
        // A seasonal row without its lapse key joins the patient's latest lapse episode that began on or before the day
        // it was planned, or stands alone when there is none.
        foreach (var (patientId, windowKey, plannedDay, touch) in _legacySeasonal)
        {
            var attached = _lapseKeys.TryGetValue(patientId, out var keys)
                ? keys.Where(k => string.CompareOrdinal(k, plannedDay) <= 0).Max(StringComparer.Ordinal)
                : null;
            Episode(patientId, attached ?? $"seasonal:{windowKey}").Add(touch);
        }
        _legacySeasonal.Clear();

        int emailed = 0, emailedRebooked = 0, heldOut = 0, heldOutRebooked = 0, mixed = 0;
        foreach (var episode in _episodes.Values)
        {
            // An episode counts in the period in which it was first touched.
            if (episode.FirstTouch is not { } first || !InPeriod(first)) continue;
            if (episode.Sent && episode.HeldOut)
            {
                mixed++;
            }
            else if (episode.Sent)
            {
                emailed++;
                if (episode.Rebooked) emailedRebooked++;
            }
            else
            {
                heldOut++;
                if (episode.Rebooked) heldOutRebooked++;
            }
        }
        return (new GroupOutcome(emailed, emailedRebooked), new GroupOutcome(heldOut, heldOutRebooked), mixed);
    }

    // ---------------------------------------------------------------------------------------------------------

    private sealed class Tally
    {
        private readonly SortedDictionary<string, int> _skipped = new(StringComparer.Ordinal);
        private int _planned, _pending, _sent, _delivered, _bounced, _failed, _heldOut, _skippedTotal;
        private int _bookClicks, _scannerVisits, _notNow, _unsubscribes, _feedbackCount, _ratingSum, _rebooked;

        public void Add(OutreachRow row, IReadOnlyList<int> ratings)
        {
            if (OutreachStatus.IsSkipped(row.Status))
            {
                var reason = row.Status[OutreachStatus.SkippedPrefix.Length..];
                if (reason.Length == 0) reason = "unknown";
                _skippedTotal++;
                _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
            }
            else if (row.Status == OutreachStatus.HeldOut)
            {
                _heldOut++;
            }
            else
            {
                _planned++;
                if (row.Status is OutreachStatus.Planned or OutreachStatus.Sending) _pending++;
                if (row.Status == OutreachStatus.Delivered) _delivered++;
                if (row.Status == OutreachStatus.Bounced) _bounced++;
                if (row.Status == OutreachStatus.Failed) _failed++;
            }
            if (row.SentAt is not null)
            {
                _sent++;
                if (row.RebookedAt is not null) _rebooked++;
            }
            if (row.Response == OutreachResponse.Book) _bookClicks++;
            if (row.ScannerVisitAt is not null) _scannerVisits++;
            if (row.Response == OutreachResponse.Later) _notNow++;
            if (row.Response == OutreachResponse.Unsubscribe) _unsubscribes++;
            foreach (var rating in ratings)
            {
                _feedbackCount++;
                _ratingSum += rating;
            }
        }

        public ReportFigures Finish() => new()
        {
            Planned = _planned,
            Pending = _pending,
            Sent = _sent,
            Delivered = _delivered,
            Bounced = _bounced,
            Failed = _failed,
            HeldOut = _heldOut,
            Skipped = new SkippedFigures(_skippedTotal, new SortedDictionary<string, int>(_skipped, StringComparer.Ordinal)),
            BookClicks = _bookClicks,
            ScannerVisits = _scannerVisits,
            NotNow = _notNow,
            Unsubscribes = _unsubscribes,
            Feedback = new FeedbackFigures(_feedbackCount, _feedbackCount > 0 ? ReportStatistics.Round((double)_ratingSum / _feedbackCount, 2) : null),
            Rebooked = _rebooked,
            RebookedRate = _sent > 0 ? ReportStatistics.Round((double)_rebooked / _sent, 4) : null,
        };
    }
}

internal static class ReportRowExtensions
{
    public static string? GroupKeyFor(this OutreachRow row, ReportGroupBy groupBy, DateTimeZone zone) => groupBy switch
    {
        ReportGroupBy.Template => Wire.Name(row.TemplateId),
        ReportGroupBy.Therapist => row.TherapistId,
        _ => Instant.FromDateTimeOffset(row.PlannedAt).InZone(zone).Date.ToString("yyyy-MM", CultureInfo.InvariantCulture),
    };
}
