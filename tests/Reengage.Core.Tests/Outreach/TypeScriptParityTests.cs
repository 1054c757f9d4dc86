using System.Globalization;
using System.Text.Json;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Core.Tests.Outreach;

/// <summary>
/// Decisions of the TypeScript implementation on 260 generated patients (tests/fixtures/outreach-rules), recorded with
/// its own nextAction, dueDayOf, whyIneligible, decideOutreach and inSeasonalAudience before it was retired: the same
/// patients must get the same next step, DueIndex day, skip reason, holdout draw and seasonal audience.
/// </summary>
public sealed class TypeScriptParityTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        return [.. document.RootElement.EnumerateArray().Select(c => c.Clone())];
    });

    public static TheoryData<int> CaseNumbers()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases.Value.Length; i++) data.Add(i);
        return data;
    }

    [Fact]
    public void The_fixture_covers_every_kind_of_next_action() =>
        Assert.Equal(
            ["lapse", "milestone", "none", "wait"],
            Cases.Value.Select(c => c.GetProperty("action").GetProperty("kind").GetString()).Distinct().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void Same_decisions_as_the_TypeScript_implementation(int number)
    {
        var c = Cases.Value[number];
        var practice = PracticeOf(c.GetProperty("practice"));
        var patient = PatientOf(c.GetProperty("patient"));
        var now = Instant(c.GetProperty("now"))!.Value;

        var today = Cadence.TodayFor(practice, now);
        Assert.Equal(c.GetProperty("today").GetString(), Cadence.EpisodeKeyOf(today));
        var action = Cadence.NextActionFor(practice, patient, today, now);
        Assert.Equal(Describe(c.GetProperty("action")), Describe(action));
        Assert.Equal(Text(c, "dueDay"), Cadence.DueDayOf(action, today));

        var query = c.GetProperty("query");
        var reason = Eligibility.WhyIneligible(new EligibilityQuestion
        {
            Practice = practice,
            Patient = patient,
            At = now,
            EpisodeKey = Text(query, "episodeKey"),
            PlannedAt = Instant(query, "plannedAt"),
            OutreachId = Text(query, "outreachId"),
        });
        Assert.Equal(Text(c, "reason"), reason is { } r ? Wire.Name(r) : null);
        Assert.Equal(Text(c, "decisionLapse"), Planning.Decide(practice, patient, Campaign.Lapse, "2026-03-03", now).Status);
        Assert.Equal(Text(c, "decisionSeasonal"), Planning.Decide(practice, patient, Campaign.Seasonal, "2026-03-03", now).Status);
        Assert.Equal(c.GetProperty("audience").GetBoolean(), Planning.InSeasonalAudience(practice, patient, now));
    }

    private static string Describe(NextAction action) => action switch
    {
        NextAction.Nothing => "none",
        NextAction.Wait wait => $"wait {Cadence.EpisodeKeyOf(wait.DueDate)}",
        NextAction.Lapse lapse =>
            $"lapse {Cadence.EpisodeKeyOf(lapse.DueDate)} step {lapse.Step} {Wire.Name(lapse.TemplateId)} passed over [{string.Join(",", lapse.PassedOver)}] episode {lapse.Episode.Key}",
        NextAction.Milestone milestone =>
            $"milestone {Cadence.EpisodeKeyOf(milestone.DueDate)} at {milestone.MilestoneAt.ToUnixTimeMilliseconds()} episode {milestone.Episode.Key}",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static string Describe(JsonElement action) => action.GetProperty("kind").GetString() switch
    {
        "none" => "none",
        "wait" => $"wait {Text(action, "dueDate")}",
        "lapse" =>
            $"lapse {Text(action, "dueDate")} step {action.GetProperty("step").GetInt32()} {Text(action, "templateId")} passed over [{string.Join(",", Array(action, "passedOver").Select(x => x.GetInt32()))}] episode {Text(action, "episodeKey")}",
        "milestone" =>
            $"milestone {Text(action, "dueDate")} at {Instant(action, "milestoneAt")!.Value.ToUnixTimeMilliseconds()} episode {Text(action, "episodeKey")}",
        var other => throw new ArgumentOutOfRangeException(nameof(action), other),
    };

    private static Practice PracticeOf(JsonElement p) => Given.APractice() with
    {
        TimeZone = p.GetProperty("timeZone").GetString()!,
        LapseDays = p.GetProperty("lapseDays").GetInt32(),
        CooldownDays = p.GetProperty("cooldownDays").GetInt32(),
        MaxTouchesPerEpisode = p.GetProperty("maxTouchesPerEpisode").GetInt32(),
        MaxTouchesPer365Days = p.GetProperty("maxTouchesPer365Days").GetInt32(),
        CadenceDays = [.. Array(p, "cadenceDays").Select(x => x.GetInt32())],
        HoldoutPercent = p.GetProperty("holdoutPercent").GetInt32(),
        Resources = [.. Array(p, "resources").Select(x => new PracticeResource("R", "https://r.example", x.GetString()!))],
    };

    private static Patient PatientOf(JsonElement p)
    {
        Episode? episode = null;
        if (p.TryGetProperty("episode", out var e))
        {
            episode = new Episode
            {
                Key = e.GetProperty("key").GetString()!,
                LapsedSince = DateTimeOffset.UnixEpoch,
                LastStep = e.GetProperty("lastStep").GetInt32(),
                TemplatesUsed = [.. Array(e, "templatesUsed").Select(x => Wire.Parse<TemplateId>(x.GetString()!))],
                MilestoneHandled = Instant(e, "milestoneHandled"),
            };
        }
        TreatmentPlan? plan = p.TryGetProperty("plan", out var pl) ? new TreatmentPlan(Text(pl, "summary"), Instant(pl, "nextMilestoneAt")) : null;
        return Given.APatient() with
        {
            Id = p.GetProperty("id").GetString()!,
            Email = Text(p, "email"),
            EmailConsent = new EmailConsent(p.TryGetProperty("consent", out var consent) && consent.GetBoolean(), null, null),
            Suppressed = p.TryGetProperty("suppressed", out var suppressed) && suppressed.GetBoolean(),
            CareStatus = Wire.Parse<CareStatus>(p.GetProperty("careStatus").GetString()!),
            ContactPreference = Wire.Parse<ContactPreference>(p.GetProperty("contactPreference").GetString()!),
            PausedUntil = Instant(p, "pausedUntil"),
            FocusArea = Text(p, "focusArea"),
            ProgressNote = Text(p, "progressNote"),
            LastVisitAt = Instant(p, "lastVisitAt"),
            NextBookingAt = Instant(p, "nextBookingAt"),
            Plan = plan,
            LastBookedAt = Instant(p, "lastBookedAt"),
            LastAnsweredAt = Instant(p, "lastAnsweredAt"),
            Episode = episode,
            TouchLog = [.. Array(p, "touchLog").Select(t => new TouchRecord(Instant(t, "at")!.Value, t.GetProperty("outreachId").GetString()!, Text(t, "episodeKey")))],
        };
    }

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Instant(JsonElement e, string name) => Text(e, name) is { } text ? Instant(text) : null;

    private static DateTimeOffset? Instant(JsonElement e) => e.ValueKind == JsonValueKind.String ? Instant(e.GetString()!) : null;

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string FixturePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "outreach-rules", "typescript-decisions.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/fixtures/outreach-rules/typescript-decisions.json not found above " + AppContext.BaseDirectory);
    }
}
