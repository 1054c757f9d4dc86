// A deterministic population for the benchmarks: practices of different sizes, a share of patients due on the planning
// date, the others in the states a real practice holds (recent visits, future bookings, mid-cadence, done, discharged).
// The same shapes as the TypeScript bench that measured the recorded baseline, stored as PatientSaver would have stored
// them.
using NodaTime;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Bench;

/// <summary>Why a patient is in the population: only <see cref="Due"/> patients are planned on the planning date.</summary>
internal enum PatientKind
{
    Due,
    RecentVisit,
    FutureBooking,
    MidCadence,
    CadenceDone,
    Discharged,
    NeverVisited,
}

internal sealed record PracticeSetup(Practice Practice, IReadOnlyList<Therapist> Therapists, int PatientCount);

internal sealed record SeededPatient(Patient Patient, PatientKind Kind);

/// <param name="DueShare">Share of patients due on the planning date (0.01 = 1%).</param>
/// <param name="HoldoutPercent">Overrides every practice's holdout (by default one practice in five keeps 10% back).</param>
internal sealed record PopulationOptions(int Patients, int Practices, DateTimeOffset PlanningAt, double DueShare, int? HoldoutPercent = null, int Seed = 7);

internal sealed class Population
{
    private static readonly (string Zone, Locale Locale, string Country)[] Zones =
    [
        ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Paris", Locale.Fr, "FR"),
        ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Paris", Locale.Fr, "FR"),
        ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Paris", Locale.Fr, "FR"), ("Europe/Brussels", Locale.Fr, "BE"),
        ("Europe/London", Locale.En, "GB"),
    ];

    private static readonly string[] FirstNames = ["Camille", "Léa", "Hugo", "Inès", "Noah", "Chloé", "Jules", "Emma", "Louis", "Zoé"];

    private readonly PopulationOptions _options;
    private readonly int _dueEvery;
    private readonly int[] _firstIndex;

    public Population(PopulationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Patients, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Practices, 1);
        _options = options;
        var practiceCount = Math.Min(options.Practices, options.Patients);
        PlanningDay = Cadence.DueDayKeyOf(LocalDate.FromDateTime(options.PlanningAt.UtcDateTime));
        _dueEvery = Math.Max(1, (int)Math.Round(1 / options.DueShare));
        // Sizes from 1x to 7x of the smallest, so the scan reads partitions of very different lengths.
        var weights = Enumerable.Range(0, practiceCount).Select(p => 1 + (p * 3 % 7)).ToArray();
        var total = weights.Sum();
        var counts = weights.Select(w => (int)((long)options.Patients * w / total)).ToArray();
        var left = options.Patients - counts.Sum();
        for (var p = 0; left > 0; p = (p + 1) % practiceCount, left--) counts[p]++;
        Practices = [.. counts.Select((count, p) => Setup(p, count, options.HoldoutPercent))];
        _firstIndex = new int[practiceCount];
        for (var p = 1; p < practiceCount; p++) _firstIndex[p] = _firstIndex[p - 1] + counts[p - 1];
    }

    public IReadOnlyList<PracticeSetup> Practices { get; }

    /// <summary>The planning date, <c>yyyyMMdd</c> (the DueIndex partition of the due patients).</summary>
    public string PlanningDay { get; }

    public int PatientCount => _options.Patients;

    /// <summary>The first and last DueIndex days the planner reads on the planning date.</summary>
    public (string From, string To) PlannerWindow()
    {
        var day = LocalDate.FromDateTime(_options.PlanningAt.UtcDateTime);
        return (Cadence.DueDayKeyOf(day.PlusDays(-Reengage.Functions.Outreach.OutreachPlanner.CatchUpDays)), Cadence.DueDayKeyOf(day.PlusDays(1)));
    }

    /// <summary>The patients of one practice, built on demand so that 100,000 never sit in memory at once.</summary>
    public IEnumerable<SeededPatient> PatientsOf(int practiceIndex)
    {
        var setup = Practices[practiceIndex];
        for (var k = 0; k < setup.PatientCount; k++)
        {
            var index = _firstIndex[practiceIndex] + k;
            var random = new Mulberry32((uint)((_options.Seed * 1_000_003L) + index));
            var kind = index % _dueEvery == _dueEvery >> 1 ? PatientKind.Due : PickKind(random.Next());
            yield return new SeededPatient(Build(setup, index, kind, random), kind);
        }
    }

    private Patient Build(PracticeSetup setup, int index, PatientKind kind, Mulberry32 random)
    {
        var practice = setup.Practice;
        var zone = Cadence.ZoneOf(practice);
        var planningAt = _options.PlanningAt;
        var planningDate = Cadence.LocalDateOf(planningAt, zone);
        var id = $"pat-{index:D7}";
        int Between(int low, int high) => low + (int)Math.Floor(random.Next() * (high - low + 1));
        DateTimeOffset LocalAt(LocalDate date, int hour, int minute = 0) =>
            zone.AtLeniently(date.At(new LocalTime(hour, minute))).ToDateTimeOffset().ToUniversalTime();
        (LocalDate Date, DateTimeOffset At) Visit(int daysAgo)
        {
            var date = planningDate.PlusDays(-daysAgo);
            return (date, LocalAt(date, Between(9, 18), 15 * Between(0, 3)));
        }
        var therapist = setup.Therapists[index % setup.Therapists.Count];
        var basePatient = PracticeDefaults.NewPatient(practice.Id, id, planningAt) with
        {
            FirstName = FirstNames[index % FirstNames.Length],
            Email = $"{id}@patients.example",
            Locale = practice.Locale,
            TherapistId = therapist.Id,
            EmailConsent = new EmailConsent(true, new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero), "booking-tool"),
            FocusArea = random.Next() < 0.3 ? "sleep" : null,
            // Known to the booking tool since before the oldest visit below.
            CreatedAt = planningAt.AddDays(-450),
        };
        Patient patient;
        DateTimeOffset savedAt;
        var lapse = practice.LapseDays;
        switch (kind)
        {
            case PatientKind.Due:
                {
                    // Step 1 due today: the last visit is exactly lapseDays before the planning date.
                    var lastVisit = Visit(lapse);
                    var flavour = random.Next();
                    patient = basePatient with
                    {
                        LastVisitAt = lastVisit.At,
                        Plan = flavour < 0.2 ? new TreatmentPlan("Six séances puis un bilan", null) : null,
                        ProgressNote = flavour is >= 0.2 and < 0.4 ? "Dort mieux depuis un mois" : null,
                        ContactPreference = flavour is >= 0.4 and < 0.5 ? ContactPreference.Direct : ContactPreference.Default,
                    };
                    savedAt = lastVisit.At.AddHours(1);
                    break;
                }
            case PatientKind.RecentVisit:
                {
                    var lastVisit = Visit(Between(1, lapse - 2));
                    patient = basePatient with { LastVisitAt = lastVisit.At, CareStatus = random.Next() < 0.15 ? CareStatus.PlanCompleted : CareStatus.InCare };
                    savedAt = lastVisit.At.AddHours(1);
                    break;
                }
            case PatientKind.FutureBooking:
                {
                    var lastVisit = Visit(Between(3, 150));
                    var booking = LocalAt(planningDate.PlusDays(Between(1, 60)), Between(9, 18));
                    var bookedAt = Max(lastVisit.At.AddHours(2), planningAt.AddDays(-Between(1, 20)));
                    patient = basePatient with { LastVisitAt = lastVisit.At, NextBookingAt = booking, LastBookedAt = bookedAt };
                    savedAt = bookedAt;
                    break;
                }
            case PatientKind.MidCadence:
                {
                    // Step 1 went out; step 2 (lapseDays + 30) falls 2 to 29 days after the planning date.
                    var lastVisit = Visit(lapse + Between(1, 28));
                    var stepOneRun = RunAt(lastVisit.Date.PlusDays(lapse));
                    patient = WithTouches(basePatient, practice, lastVisit, [(1, TemplateId.CheckIn, stepOneRun)]);
                    savedAt = stepOneRun;
                    break;
                }
            case PatientKind.CadenceDone:
                {
                    var lastVisit = Visit(Between(140, 400));
                    var days = practice.CadenceDays;
                    var stepThreeRun = RunAt(lastVisit.Date.PlusDays(days[2]));
                    patient = WithTouches(basePatient, practice, lastVisit,
                    [
                        (1, TemplateId.CheckIn, RunAt(lastVisit.Date.PlusDays(days[0]))),
                    (2, TemplateId.NoPressure, RunAt(lastVisit.Date.PlusDays(days[1]))),
                    (3, TemplateId.Feedback, stepThreeRun),
                ]);
                    savedAt = stepThreeRun;
                    break;
                }
            case PatientKind.Discharged:
                {
                    var lastVisit = Visit(Between(1, 300));
                    patient = basePatient with { LastVisitAt = lastVisit.At, CareStatus = CareStatus.Discharged };
                    savedAt = lastVisit.At.AddHours(1);
                    break;
                }
            default:
                patient = basePatient;
                savedAt = planningAt.AddDays(-Between(1, 90));
                break;
        }
        return SavedLike(practice, patient, savedAt);
    }

    /// <summary>The patient as PatientSaver stores it at <paramref name="savedAt"/>: touches pruned, dueDay its true due day.</summary>
    private static Patient SavedLike(Practice practice, Patient patient, DateTimeOffset savedAt)
    {
        var pruned = Planning.PruneTouches(patient, savedAt);
        return pruned with { DueDay = Cadence.DueDayFor(practice, pruned, savedAt), UpdatedAt = savedAt };
    }

    private static Patient WithTouches(Patient basePatient, Practice practice, (LocalDate Date, DateTimeOffset At) lastVisit, IReadOnlyList<(int Step, TemplateId Template, DateTimeOffset At)> touches)
    {
        var key = Cadence.EpisodeKeyOf(lastVisit.Date);
        var zone = Cadence.ZoneOf(practice);
        return basePatient with
        {
            LastVisitAt = lastVisit.At,
            Episode = new Episode
            {
                Key = key,
                LapsedSince = zone.AtStartOfDay(lastVisit.Date.PlusDays(practice.LapseDays)).ToDateTimeOffset(),
                LastStep = touches.Count,
                TemplatesUsed = [.. touches.Select(t => t.Template)],
            },
            // Each touch is the send slot the planner reserved that morning, inside the practice's window.
            TouchLog = [.. touches.Select(t => new TouchRecord(t.At.AddHours(5), new OutreachKey(basePatient.Id, Campaign.Lapse, key, t.Step).Id, key))],
        };
    }

    /// <summary>The planner's timer on a calendar date: 05:00 UTC.</summary>
    private static DateTimeOffset RunAt(LocalDate date) => new(date.Year, date.Month, date.Day, 5, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static PatientKind PickKind(double r) => r switch
    {
        < 0.4 => PatientKind.RecentVisit,
        < 0.72 => PatientKind.FutureBooking,
        < 0.84 => PatientKind.MidCadence,
        < 0.92 => PatientKind.CadenceDone,
        < 0.97 => PatientKind.Discharged,
        _ => PatientKind.NeverVisited,
    };

    private static PracticeSetup Setup(int p, int patientCount, int? holdoutPercent)
    {
        var (zone, locale, country) = Zones[p % Zones.Length];
        var id = $"prac-{p:D3}";
        var therapists = Enumerable.Range(0, 2 + (p % 5)).Select(t => new Therapist
        {
            PracticeId = id,
            Id = $"th-{t}",
            DisplayName = $"{FirstNames[(p + t) % FirstNames.Length]} Martin",
            Email = $"th-{t}@{id}.example",
            Signature = locale == Locale.Fr ? "Psychologue clinicienne" : "Clinical psychologist",
            Locale = locale,
            Active = true,
        }).ToList();
        // Most practices keep the default 30 days; a few wait longer before writing.
        var practice = PracticeDefaults.NewPractice(id, $"Cabinet {p}", locale, p % 4 == 3 ? 45 : 30) with
        {
            TimeZone = zone,
            Country = country,
            SenderAddress = $"bonjour@{id}.example",
            BookingUrl = $"https://{id}.example/rdv",
            HoldoutPercent = holdoutPercent ?? (p % 5 == 0 ? 10 : 0),
            DefaultTherapistId = therapists[0].Id,
            Resources = [new PracticeResource("Mieux dormir", $"https://{id}.example/sommeil", "sleep")],
        };
        return new PracticeSetup(practice, therapists, patientCount);
    }

    /// <summary>The TypeScript bench's generator (mulberry32): the same seeds give the same population.</summary>
    internal sealed class Mulberry32(uint seed)
    {
        private uint _state = seed;

        public double Next()
        {
            unchecked
            {
                _state += 0x6D2B79F5;
                var t = _state;
                t = (t ^ (t >> 15)) * (t | 1);
                t ^= t + ((t ^ (t >> 7)) * (t | 61));
                return (t ^ (t >> 14)) / 4294967296.0;
            }
        }
    }
}
