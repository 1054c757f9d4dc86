using Reengage.Core.Model;

namespace Reengage.Functions.Tests.Storage;

/// <summary>Records with every field set to a value other than its default, and their bare twins.</summary>
internal static class Builders
{
    public static readonly DateTimeOffset Now = new(2027, 1, 5, 5, 0, 0, TimeSpan.Zero);

    public static Practice FullPractice(string id) => new()
    {
        Id = id,
        Name = "Cabinet des Tilleuls — Zoé & Léa",
        TimeZone = "America/Montreal",
        Locale = Locale.En,
        Country = "CA",
        SenderAddress = "bonjour@tilleuls.example",
        SenderDisplayName = "Cabinet des Tilleuls",
        BookingUrl = "https://tilleuls.example/rdv?x=1&y=2",
        LapseDays = 45,
        CooldownDays = 14,
        MaxTouchesPerEpisode = 2,
        MaxTouchesPer365Days = 4,
        CadenceDays = [45, 80, 150],
        SendWindow = new SendWindow { Days = [DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Sunday], Start = new TimeOnly(10, 0), End = new TimeOnly(16, 45) },
        ClosedDates = [new DateOnly(2027, 8, 15), new DateOnly(2027, 12, 24)],
        SeasonalWindows =
        [
            new SeasonalWindow { Id = SeasonalWindowId.NewYear, StartMonth = 1, StartDay = 5, LengthInDays = 14, Enabled = true },
            new SeasonalWindow { Id = SeasonalWindowId.Rentree, StartMonth = 9, StartDay = 8, LengthInDays = 10, Enabled = false },
        ],
        AllowClinicalDetails = true,
        HoldoutPercent = 12,
        Resources = [new PracticeResource("Respirer", "https://tilleuls.example/respirer", "anxiety")],
        DefaultTherapistId = "th_2",
        LastSeasonalWindowKey = "2027:new-year",
    };

    public static Practice BarePractice(string id) => new()
    {
        Id = id,
        Name = "Cabinet",
        SenderDisplayName = "Cabinet",
        CadenceDays = [30, 60, 120],
        SeasonalWindows = [],
    };

    public static Patient FullPatient(string practiceId, string id) => new()
    {
        PracticeId = practiceId,
        Id = id,
        FirstName = "Zoé",
        Email = "zoe@example.org",
        Locale = Locale.En,
        TherapistId = "th_1",
        EmailConsent = new EmailConsent(true, new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.FromHours(2)), "import"),
        CareStatus = CareStatus.PlanCompleted,
        ContactPreference = ContactPreference.Direct,
        PausedUntil = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero),
        FocusArea = "sleep",
        ProgressNote = "Meilleur sommeil depuis novembre",
        Plan = new TreatmentPlan("Six séances", new DateTimeOffset(2027, 2, 1, 9, 0, 0, TimeSpan.FromHours(1))),
        LastVisitAt = new DateTimeOffset(2026, 12, 1, 10, 0, 0, 123, TimeSpan.FromHours(1)),
        NextBookingAt = new DateTimeOffset(2027, 4, 1, 10, 0, 0, TimeSpan.Zero),
        Episode = new Episode
        {
            Key = "2026-12-01",
            LapsedSince = new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
            LastStep = 1,
            TemplatesUsed = [TemplateId.CheckIn, TemplateId.PlanFollowUp],
            MilestoneHandled = new DateTimeOffset(2027, 2, 1, 8, 0, 0, TimeSpan.Zero),
        },
        Suppressed = true,
        TouchLog = [new TouchRecord(new DateTimeOffset(2027, 1, 4, 9, 30, 36, TimeSpan.Zero), $"{id}|lapse|2026-12-01|1", "2026-12-01"), new TouchRecord(Now, "x", null)],
        LastBookedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
        LastAnsweredAt = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero),
        ProfileEventAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero).AddTicks(1234567),
        ProfileFieldTimes = new ProfileFieldTimes
        {
            FirstName = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
            Email = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero),
            Locale = new DateTimeOffset(2026, 11, 3, 8, 0, 0, TimeSpan.Zero),
            TherapistId = new DateTimeOffset(2026, 11, 4, 8, 0, 0, TimeSpan.Zero),
            EmailConsent = new DateTimeOffset(2026, 11, 5, 8, 0, 0, TimeSpan.Zero),
            CareStatus = new DateTimeOffset(2026, 11, 6, 8, 0, 0, TimeSpan.Zero),
            ContactPreference = new DateTimeOffset(2026, 11, 7, 8, 0, 0, TimeSpan.Zero),
            FocusArea = new DateTimeOffset(2026, 11, 8, 8, 0, 0, TimeSpan.Zero),
            ProgressNote = new DateTimeOffset(2026, 11, 9, 8, 0, 0, TimeSpan.Zero),
            Plan = new DateTimeOffset(2026, 11, 10, 8, 0, 0, TimeSpan.Zero),
        },
        DueDay = "20270204",
        CreatedAt = Now.AddDays(-60),
        UpdatedAt = Now,
    };

    public static Patient BarePatient(string practiceId, string id, string? email = null, DateTimeOffset? createdAt = null) => new()
    {
        PracticeId = practiceId,
        Id = id,
        Email = email,
        CreatedAt = createdAt ?? Now,
        UpdatedAt = createdAt ?? Now,
    };

    public static Appointment AnAppointment(string practiceId, string patientId, string id) => new()
    {
        PracticeId = practiceId,
        Id = id,
        PatientId = patientId,
        TherapistId = "th_1",
        StartsAt = new DateTimeOffset(2027, 1, 12, 14, 0, 0, TimeSpan.FromHours(1)),
        Status = AppointmentStatus.Booked,
        LastEventAt = Now,
        BookedAt = Now.AddMinutes(-5),
        StartsAtEventAt = Now.AddMinutes(-2),
        StartsAtGuessed = true,
        TherapistEventAt = Now.AddMinutes(-3),
        TherapistFromPatient = true,
    };

    public static OutreachRow ARow(string practiceId, string patientId, int step) => new()
    {
        PracticeId = practiceId,
        PatientId = patientId,
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = step,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        Status = OutreachStatus.Planned,
        PlannedAt = Now,
        NotBefore = Now.AddHours(4).AddSeconds(36),
        OperationId = "6f1c1f0e-3b1a-5c2d-9e8f-0a1b2c3d4e5f",
    };

    public static OutreachRow FullRow(string practiceId, string patientId) => ARow(practiceId, patientId, 1) with
    {
        Campaign = Campaign.Seasonal,
        EpisodeKey = "2027:new-year",
        TemplateId = TemplateId.Seasonal,
        Locale = Locale.En,
        TherapistId = "th_1",
        Status = OutreachStatus.Delivered,
        ClaimedAt = Now.AddHours(4).AddSeconds(37),
        SentAt = Now.AddHours(4).AddSeconds(38),
        DeliveryStatus = "Delivered",
        DeliveryAt = Now.AddHours(4).AddMinutes(1),
        Response = OutreachResponse.Later,
        RespondedAt = Now.AddDays(1),
        RebookedAt = Now.AddDays(15),
        FailureReason = "none",
        Attempts = 2,
        LapseEpisodeKey = "2026-12-01",
        ViewedAt = Now.AddHours(5),
        ClickedAt = Now.AddHours(6),
        ErasedAt = Now.AddDays(400),
    };
}
