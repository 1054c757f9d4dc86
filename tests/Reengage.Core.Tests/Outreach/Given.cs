using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Outreach;

/// <summary>Valid default practices and patients, changed per test with <c>with</c>.</summary>
internal static class Given
{
    public static Practice APractice() => new()
    {
        Id = "prac_1",
        Name = "Cabinet des Tilleuls",
        SenderDisplayName = "Cabinet des Tilleuls",
        SenderAddress = "bonjour@tilleuls.example",
        BookingUrl = "https://tilleuls.example/rdv",
        CadenceDays = [30, 60, 120],
        SeasonalWindows = [],
    };

    public static Patient APatient() => new()
    {
        PracticeId = "prac_1",
        Id = "pat_1",
        FirstName = "Camille",
        Email = "camille@example.org",
        Locale = Model.Locale.Fr,
        TherapistId = "th_1",
        EmailConsent = new EmailConsent(true, At("2026-09-01T10:00:00Z"), "booking-tool"),
        CreatedAt = At("2027-01-05T05:00:00Z"),
        UpdatedAt = At("2027-01-05T05:00:00Z"),
    };

    public static DateTimeOffset At(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static LocalDate Day(string iso) => LocalDatePattern.Iso.Parse(iso).GetValueOrThrow();

    public static TouchRecord Touch(string at, string outreachId, string? episodeKey) => new(At(at), outreachId, episodeKey);
}
