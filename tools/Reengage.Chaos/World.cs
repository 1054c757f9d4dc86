// The dataset of a chaos run: two practices on Tuesday 5 January 2027 at 05:00 UTC (the timers fire, the new-year
// window opens) and patients covering every planner path that writes and every reason not to write. Seeded through the
// app's own PatientSaver, as of the moment each patient was last written.
using NodaTime;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Functions.Patients;

namespace Reengage.Chaos;

public enum PatientKind
{
    CheckIn,
    Progress,
    Direct,
    PlanFollowUp,
    CatchUp,
    StepTwo,
    StepThree,
    Milestone,
    SeasonalAudience,
    NoConsent,
    NoEmail,
    Suppressed,
    Paused,
    Discharged,
    BookedAhead,
    InCare,
}

public sealed record SeededPatient(Patient Patient, PatientKind Kind, DateTimeOffset SavedAt);

public sealed record World(DateTimeOffset PlanAt, IReadOnlyList<Practice> Practices, IReadOnlyList<Therapist> Therapists, IReadOnlyList<SeededPatient> Patients)
{
    public static readonly DateTimeOffset PlanningInstant = new(2027, 1, 5, 5, 0, 0, TimeSpan.Zero);

    /// <summary>One patient per planner path that writes (lapse step 1, 2, 3, milestone, seasonal) and two that never get one.</summary>
    public static IReadOnlyList<PatientKind> SweepKinds { get; } =
        [PatientKind.CheckIn, PatientKind.CatchUp, PatientKind.StepTwo, PatientKind.StepThree, PatientKind.Milestone, PatientKind.SeasonalAudience, PatientKind.NoConsent];

    /// <summary>One planned email: the smallest world whose drain sends something.</summary>
    public static IReadOnlyList<PatientKind> OneSendKinds { get; } = [PatientKind.CheckIn];

    /// <summary>Fixed kinds in the Paris practice only, or (seeded) 0 or 1 patient of each kind in each practice.</summary>
    public static World Build(int seed, IReadOnlyList<PatientKind>? kinds = null)
    {
        var paris = PracticeDefaults.NewPractice("cabinet-paris", "Cabinet Paris", Locale.Fr) with
        {
            SenderAddress = "bonjour@paris.example",
            BookingUrl = "https://paris.example/rdv",
            HoldoutPercent = 20,
            DefaultTherapistId = "th-1",
            Resources = [new PracticeResource("Mieux dormir", "https://paris.example/sommeil", "sleep")],
        };
        var london = PracticeDefaults.NewPractice("clinic-london", "London Clinic", Locale.En) with
        {
            TimeZone = "Europe/London",
            Country = "GB",
            SenderAddress = "hello@london.example",
            BookingUrl = "https://london.example/book",
            DefaultTherapistId = "th-1",
        };
        // The fixed worlds (sweeps, tests) hold nobody out, so that each of their patients' emails goes out.
        var practices = kinds is null ? new[] { paris, london } : [paris with { HoldoutPercent = 0 }];
        var therapists = practices.Select(p => new Therapist
        {
            PracticeId = p.Id,
            Id = "th-1",
            DisplayName = "Léa Martin",
            Email = $"lea@{p.Id}.example",
            Signature = p.Locale == Locale.Fr ? "Psychologue" : "Psychologist",
            Locale = p.Locale,
        }).ToList();
#pragma warning disable CA5394 // Seeded on purpose: a run replays from its seed.
        var random = new Random(seed);
        var patients = new List<SeededPatient>();
        foreach (var practice in practices)
        {
            foreach (var kind in kinds ?? Enum.GetValues<PatientKind>())
            {
                if (kinds is null && random.NextDouble() < 0.5) continue;
                patients.Add(PatientOf(practice, kind, patients.Count));
            }
        }
#pragma warning restore CA5394
        return new World(PlanningInstant, practices, therapists, patients);
    }

    public async Task SeedAsync(IPracticeStore practiceStore, PatientSaver saver)
    {
        foreach (var practice in Practices) await practiceStore.CreatePracticeAsync(practice);
        foreach (var therapist in Therapists) await practiceStore.UpsertTherapistAsync(therapist);
        foreach (var seeded in Patients)
        {
            var practice = Practices.Single(p => p.Id == seeded.Patient.PracticeId);
            await saver.SaveAsync(practice, seeded.Patient, etag: null, seeded.SavedAt);
        }
    }

    private static SeededPatient PatientOf(Practice practice, PatientKind kind, int index)
    {
        var zone = Cadence.ZoneOf(practice);
        var planDate = Cadence.LocalDateOf(PlanningInstant, zone);
        var id = $"pat-{index:D3}-{kind.ToString().ToLowerInvariant()}";
        DateTimeOffset LocalAt(LocalDate date, int hour) => zone.AtLeniently(date.At(new LocalTime(hour, 0))).ToDateTimeOffset().ToUniversalTime();
        (LocalDate Date, DateTimeOffset At) Visit(int daysAgo) => (planDate.PlusDays(-daysAgo), LocalAt(planDate.PlusDays(-daysAgo), 10));
        var created = PlanningInstant.AddDays(-450);
        var basePatient = PracticeDefaults.NewPatient(practice.Id, id, created) with
        {
            FirstName = "Camille",
            Email = $"{id}@patients.example",
            Locale = practice.Locale,
            TherapistId = "th-1",
            EmailConsent = new EmailConsent(true, created, "booking-tool"),
        };
        var lapse = practice.LapseDays;
        var days = practice.CadenceDays;
        Patient Visited((LocalDate Date, DateTimeOffset At) visit) => basePatient with { LastVisitAt = visit.At };
        SeededPatient Saved(Patient patient, DateTimeOffset at) => new(patient, kind, at);
        var due = Visit(lapse);
        switch (kind)
        {
            case PatientKind.CheckIn:
                return Saved(Visited(due), due.At.AddHours(1));
            case PatientKind.Progress:
                return Saved(Visited(due) with { ProgressNote = "Dort mieux depuis un mois" }, due.At.AddHours(1));
            case PatientKind.Direct:
                return Saved(Visited(due) with { ContactPreference = ContactPreference.Direct }, due.At.AddHours(1));
            case PatientKind.PlanFollowUp:
                return Saved(Visited(due) with { Plan = new TreatmentPlan("Six séances puis un bilan", null) }, due.At.AddHours(1));
            case PatientKind.CatchUp:
                {
                    var visit = Visit(lapse + 5);
                    return Saved(Visited(visit), visit.At.AddHours(1));
                }
            case PatientKind.StepTwo:
                {
                    var visit = Visit(days[1]);
                    var at = RunAt(visit.Date.PlusDays(days[0]));
                    return Saved(WithTouches(Visited(visit), practice, visit.Date, [(TemplateId.CheckIn, at)]), at.AddHours(5));
                }
            case PatientKind.StepThree:
                {
                    var visit = Visit(days[2]);
                    var second = RunAt(visit.Date.PlusDays(days[1]));
                    return Saved(WithTouches(Visited(visit), practice, visit.Date, [(TemplateId.CheckIn, RunAt(visit.Date.PlusDays(days[0]))), (TemplateId.NoPressure, second)]), second.AddHours(5));
                }
            case PatientKind.Milestone:
                {
                    var visit = Visit(12);
                    var milestone = PlanningInstant.AddDays(-2);
                    return Saved(Visited(visit) with { Plan = new TreatmentPlan("Bilan à six semaines", milestone) }, visit.At.AddHours(1));
                }
            case PatientKind.SeasonalAudience:
                {
                    // Cadence finished long ago: only the new-year window writes to her.
                    var visit = Visit(days[2] + 120);
                    var third = RunAt(visit.Date.PlusDays(days[2]));
                    return Saved(WithTouches(Visited(visit), practice, visit.Date,
                        [(TemplateId.CheckIn, RunAt(visit.Date.PlusDays(days[0]))), (TemplateId.NoPressure, RunAt(visit.Date.PlusDays(days[1]))), (TemplateId.Feedback, third)]), third.AddHours(5));
                }
            case PatientKind.NoConsent:
                return Saved(Visited(due) with { EmailConsent = EmailConsent.None }, due.At.AddHours(1));
            case PatientKind.NoEmail:
                return Saved(Visited(due) with { Email = null }, due.At.AddHours(1));
            case PatientKind.Suppressed:
                return Saved(Visited(due) with { Suppressed = true }, due.At.AddHours(1));
            case PatientKind.Paused:
                return Saved(Visited(due) with { PausedUntil = PlanningInstant.AddDays(20) }, due.At.AddHours(1));
            case PatientKind.Discharged:
                return Saved(Visited(due) with { CareStatus = CareStatus.Discharged }, due.At.AddHours(1));
            case PatientKind.BookedAhead:
                {
                    var bookedAt = PlanningInstant.AddDays(-3);
                    return Saved(Visited(due) with { NextBookingAt = LocalAt(planDate.PlusDays(6), 11), LastBookedAt = bookedAt }, bookedAt);
                }
            case PatientKind.InCare:
                {
                    var visit = Visit(10);
                    return Saved(Visited(visit), visit.At.AddHours(1));
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static Patient WithTouches(Patient patient, Practice practice, LocalDate lastVisit, IReadOnlyList<(TemplateId Template, DateTimeOffset At)> touches)
    {
        var key = Cadence.EpisodeKeyOf(lastVisit);
        var zone = Cadence.ZoneOf(practice);
        return patient with
        {
            Episode = new Episode
            {
                Key = key,
                LapsedSince = zone.AtStartOfDay(lastVisit.PlusDays(practice.LapseDays)).ToDateTimeOffset(),
                LastStep = touches.Count,
                TemplatesUsed = [.. touches.Select(t => t.Template)],
            },
            // Each touch is the send slot the planner reserved that morning, inside the practice's window.
            TouchLog = [.. touches.Select((t, i) => new TouchRecord(t.At.AddHours(5), new OutreachKey(patient.Id, Campaign.Lapse, key, i + 1).Id, key))],
        };
    }

    /// <summary>The planners' timer on a calendar date: 05:00 UTC.</summary>
    private static DateTimeOffset RunAt(LocalDate date) => new(date.Year, date.Month, date.Day, 5, 0, 0, TimeSpan.Zero);
}
