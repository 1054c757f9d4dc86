// The demo practice: three therapists and about forty patients whose histories, relative to the demo date, lead to
// every template and every reason not to write during the demo week.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Reengage.Core.Outreach;

namespace Reengage.Demo;

/// <summary>One booking-tool event: when it happens and the generic webhook body it is posted as.</summary>
internal sealed record DemoEvent(Instant OccurredAt, string Id, JsonObject Body);

/// <summary>A patient of the demo, with the events that make up their history.</summary>
/// <param name="PausedUntil">Set when the patient answers "not now" right after their last event.</param>
internal sealed record DemoPatient(string Id, string Label, string TherapistId, IReadOnlyList<DemoEvent> Events, Instant? PausedUntil);

internal sealed record DemoTherapist(string Id, string DisplayName, string Email, string Signature, string Locale);

internal static class DemoData
{
    public const string PracticeId = "cabinet-tilleuls";
    public const string PracticeName = "Cabinet des Tilleuls";
    public const int HoldoutPercent = 10;
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    /// <summary>The practice's settings, as an integrator PUTs them on practices/{id}.</summary>
    public static JsonObject PracticeSettings() => new()
    {
        ["name"] = PracticeName,
        ["timeZone"] = "Europe/Paris",
        ["locale"] = "fr",
        ["country"] = "FR",
        ["senderAddress"] = "bonjour@cabinet-tilleuls.example",
        ["senderDisplayName"] = PracticeName,
        ["bookingUrl"] = "https://cabinet-tilleuls.example/rendez-vous",
        ["holdoutPercent"] = HoldoutPercent,
        ["resources"] = new JsonArray(
            new JsonObject
            {
                ["title"] = "Apprivoiser son anxiété au quotidien",
                ["url"] = "https://cabinet-tilleuls.example/ressources/anxiete",
                ["focusArea"] = "anxiété",
            },
            new JsonObject
            {
                ["title"] = "Sleep better: a gentle guide",
                ["url"] = "https://cabinet-tilleuls.example/resources/sleep",
                ["focusArea"] = "sleep",
            }),
    };

    public const string DefaultTherapistId = "th-lea";

    public static IReadOnlyList<DemoTherapist> Therapists { get; } =
    [
        new("th-lea", "Léa Martin", "lea.martin@cabinet-tilleuls.example", "Léa Martin\nPsychologue clinicienne", "fr"),
        new("th-hugo", "Hugo Bernard", "hugo.bernard@cabinet-tilleuls.example", "Hugo Bernard\nKinésithérapeute", "fr"),
        new("th-sarah", "Sarah Collins", "sarah.collins@cabinet-tilleuls.example", "Sarah Collins\nPsychotherapist", "en"),
    ];

    /// <param name="Why">What the demo expects for this patient, shown in the first column.</param>
    /// <param name="LastVisit">Days before the demo date of the last visit.</param>
    /// <param name="Booking">An extra booking: made <c>MadeDaysBefore</c> the demo date at <c>AtHourUtc</c>, for <c>ForDaysAfter</c> it.</param>
    private sealed record Spec(
        string Name,
        string Why,
        string Therapist,
        int LastVisit,
        string Locale = "fr",
        Func<JsonObject>? Profile = null,
        bool HeldOut = false,
        (int MadeDaysBefore, int AtHourUtc, int ForDaysAfter)? Booking = null,
        int? MilestoneDaysBefore = null,
        int? PausedDaysAfter = null);

    private static JsonObject Plan(string summary) => new() { ["plan"] = new JsonObject { ["summary"] = summary } };

    private static readonly Spec[] Specs =
    [
        // Every template during the demo week.
        new("Camille", "check-in", "th-lea", 30),
        new("Thomas", "due on a holiday", "th-hugo", 34),
        new("Emma", "due on a Saturday", "th-sarah", 33, "en"),
        new("Lucas", "progress", "th-lea", 31, Profile: () => new() { ["progressNote"] = "Dort mieux, reprend le sport" }),
        new("Olivia", "progress", "th-sarah", 35, "en", () => new() { ["progressNote"] = "Fewer panic episodes" }),
        new("Chloé", "direct", "th-hugo", 32, Profile: () => new() { ["contactPreference"] = "direct" }),
        new("Jules", "plan follow-up", "th-lea", 36,
            Profile: () => new() { ["plan"] = new JsonObject { ["summary"] = "Rééducation du genou, 10 séances", ["nextMilestoneAt"] = null } }),
        new("Manon", "missed milestone", "th-hugo", 20, Profile: () => Plan("Bilan à 6 semaines"), MilestoneDaysBefore: 2),
        new("Léo", "resource (step 2)", "th-lea", 60, Profile: () => new() { ["focusArea"] = "anxiété" }),
        new("Grace", "no-pressure (step 2)", "th-sarah", 61, "en"),
        new("Hugo", "feedback (step 3)", "th-hugo", 120),
        new("Mila", "plan completed, 90 days", "th-sarah", 90, "en", () => new() { ["careStatus"] = "plan_completed" }),
        new("Inès", "seasonal", "th-lea", 200),
        new("Nathan", "seasonal (long lapsed)", "th-hugo", 400),
        new("Sophie", "seasonal", "th-sarah", 300, "en"),
        // Every reason not to write.
        new("Louise", "booked after planning", "th-lea", 30, Booking: (0, 7, 5)),
        new("Gabriel", "has a booking", "th-hugo", 40, Booking: (10, 12, 7)),
        new("Alice", "discharged", "th-lea", 30, Profile: () => new() { ["careStatus"] = "discharged" }),
        new("Raphaël", "no consent", "th-hugo", 30, Profile: () => new() { ["emailConsent"] = false }),
        new("Zoé", "said \"not now\"", "th-lea", 31, PausedDaysAfter: 60),
        new("Arthur", "cooldown", "th-hugo", 30, Profile: () => Plan("Bilan intermédiaire"), MilestoneDaysBefore: 14),
        new("Jade", "budget spent", "th-lea", 120, Profile: () => Plan("Suivi mensuel"), MilestoneDaysBefore: 115),
        new("Noah", "held out", "th-hugo", 30, HeldOut: true),
        new("Adam", "no email address", "th-lea", 30, Profile: () => new() { ["email"] = null }),
        // Patients in care, nothing due this week.
        .. new[] { "Rose", "Arthur B.", "Lina", "Paul", "Anna", "Victor", "Eva", "Louis", "Ambre", "Jack", "Alba", "Mael", "Lou", "Ethan", "Nina", "Oscar" }
            .Select((name, i) => new Spec(name, "in care", Therapists[i % 3].Id, 3 + (i * 5 % 22), i % 3 == 2 ? "en" : "fr")),
    ];

    public static IReadOnlyList<DemoPatient> Patients(LocalDate date) => [.. Specs.Select(spec => Build(spec, date))];

    /// <summary>Visits happen at 10:00 local; the practice's booking tool reports completion an hour later.</summary>
    private static ZonedDateTime VisitAt(LocalDate date, int daysBefore) =>
        date.PlusDays(-daysBefore).At(new LocalTime(10, 0)).InZoneLeniently(Zone);

    private static DemoPatient Build(Spec spec, LocalDate date)
    {
        var last = VisitAt(date, spec.LastVisit);
        var episodeKey = Cadence.EpisodeKeyOf(last.Date);
        // The id is picked so that the control group is exactly the patients meant to be in it.
        var id = $"pat-{Slug(spec.Name)}";
        for (var n = 2; Holdout.IsHeldOut(PracticeId, id, episodeKey, HoldoutPercent) != spec.HeldOut; n++)
        {
            id = $"pat-{Slug(spec.Name)}-{n}";
        }

        var profile = new JsonObject
        {
            ["id"] = id,
            ["firstName"] = spec.Name.Split(' ')[0],
            ["email"] = $"{Slug(spec.Name)}@patients.example",
            ["locale"] = spec.Locale,
            ["therapistId"] = spec.Therapist,
            ["emailConsent"] = new JsonObject { ["granted"] = true, ["source"] = "formulaire d’accueil" },
            ["careStatus"] = "in_care",
        };
        foreach (var (key, value) in spec.Profile?.Invoke() ?? [])
        {
            profile[key] = value?.DeepClone();
        }
        if (spec.MilestoneDaysBefore is { } milestoneDaysBefore)
        {
            var plan = profile["plan"] as JsonObject ?? new JsonObject { ["summary"] = null };
            plan["nextMilestoneAt"] = Utc(VisitAt(date, milestoneDaysBefore).ToInstant());
            profile["plan"] = plan;
        }

        var events = new List<DemoEvent>();
        void Add(Instant at, string type, JsonObject? patient = null, JsonObject? appointment = null)
        {
            var eventId = $"{id}-{events.Count + 1}";
            var body = new JsonObject
            {
                ["id"] = eventId,
                ["type"] = type,
                ["occurredAt"] = Utc(at),
                ["patient"] = patient ?? new JsonObject { ["id"] = id },
            };
            if (appointment is not null)
            {
                body["appointment"] = appointment;
            }
            events.Add(new DemoEvent(at, eventId, body));
        }

        const int sessions = 3;
        var first = last.LocalDateTime.PlusWeeks(-(sessions - 1));
        Add(first.PlusDays(-8).InZoneLeniently(Zone).ToInstant(), "patient.upserted", patient: profile);
        for (var s = 0; s < sessions; s++)
        {
            var visit = first.PlusWeeks(s).InZoneLeniently(Zone);
            JsonObject Appointment() => new() { ["id"] = $"{id}-rdv-{s + 1}", ["startsAt"] = Local(visit), ["therapistId"] = spec.Therapist };
            Add(visit.LocalDateTime.PlusDays(-6).InZoneLeniently(Zone).ToInstant(), "appointment.booked", appointment: Appointment());
            Add(visit.ToInstant().Plus(Duration.FromHours(1)), "appointment.completed", appointment: Appointment());
        }
        if (spec.Booking is { } booking)
        {
            // On that calendar day at the given UTC hour: Louise books at 07:00 UTC on the demo date, after the 05:00 planners
            // and before the 09:30 send. (The TypeScript demo took the UTC day of Paris midnight, the day before, so her
            // booking came before planning and "booked since planning" never showed.)
            var madeAt = date.PlusDays(-booking.MadeDaysBefore).At(new LocalTime(booking.AtHourUtc, 0)).InUtc().ToInstant();
            Add(madeAt, "appointment.booked", appointment: new JsonObject
            {
                ["id"] = $"{id}-rdv-next",
                ["startsAt"] = Local(VisitAt(date, -booking.ForDaysAfter)),
                ["therapistId"] = spec.Therapist,
            });
        }
        Instant? pausedUntil = spec.PausedDaysAfter is { } days ? date.PlusDays(days).AtStartOfDayInZone(Zone).ToInstant() : null;
        return new DemoPatient(id, $"{spec.Name} ({spec.Why})", spec.Therapist, events, pausedUntil);
    }

    private static string Utc(Instant at) => at.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Local(ZonedDateTime at) => at.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string Slug(string name)
    {
        var plain = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                plain.Append(char.ToLowerInvariant(c));
            }
        }
        var slug = new StringBuilder();
        foreach (var c in plain.ToString())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }
        return slug.ToString().TrimEnd('-');
    }
}
