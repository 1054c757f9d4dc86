using Reengage.Core.Calendar;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Calendar;

public sealed class PracticeDefaultsTests
{
    [Fact]
    public void A_new_practice_has_the_defaults_of_the_spec()
    {
        var practice = PracticeDefaults.NewPractice("cab_1", "Cabinet des Lilas");
        Assert.Equal("cab_1", practice.Id);
        Assert.Equal("Cabinet des Lilas", practice.Name);
        Assert.Equal("Cabinet des Lilas", practice.SenderDisplayName);
        Assert.Equal("Europe/Paris", practice.TimeZone);
        Assert.Equal(Locale.Fr, practice.Locale);
        Assert.Equal("FR", practice.Country);
        Assert.Equal(30, practice.LapseDays);
        Assert.Equal(21, practice.CooldownDays);
        Assert.Equal(3, practice.MaxTouchesPerEpisode);
        Assert.Equal(6, practice.MaxTouchesPer365Days);
        Assert.Equal([30, 60, 120], practice.CadenceDays);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], practice.SendWindow.Days);
        Assert.Equal((new TimeOnly(9, 30), new TimeOnly(17, 30)), (practice.SendWindow.Start, practice.SendWindow.End));
        Assert.Empty(practice.ClosedDates);
        Assert.Equal(["01-05", "04-01", "09-08"], practice.SeasonalWindows.Select(SeasonalWindows.FormatStart));
        Assert.False(practice.AllowClinicalDetails);
        Assert.Equal(0, practice.HoldoutPercent);
        Assert.Null(practice.LastSeasonalWindowKey);
    }

    [Fact]
    public void The_cadence_follows_the_lapse_and_the_seasonal_windows_the_locale()
    {
        var practice = PracticeDefaults.NewPractice("cab_2", "Clinic", Locale.En, lapseDays: 45);
        Assert.Equal([45, 75, 135], practice.CadenceDays);
        Assert.Equal(45, practice.LapseDays);
        Assert.Equal(Locale.En, practice.Locale);
        Assert.Equal(3, practice.SeasonalWindows.Count);
    }

    [Fact]
    public void A_new_patient_has_no_address_no_consent_and_is_in_care()
    {
        var now = new DateTimeOffset(2027, 1, 5, 6, 0, 0, TimeSpan.FromHours(1));
        var patient = PracticeDefaults.NewPatient("cab_1", "pat_42", now);
        Assert.Equal(("cab_1", "pat_42"), (patient.PracticeId, patient.Id));
        Assert.Null(patient.Email);
        Assert.False(patient.EmailConsent.Granted);
        Assert.Equal(CareStatus.InCare, patient.CareStatus);
        Assert.Equal(ContactPreference.Default, patient.ContactPreference);
        Assert.Null(patient.Episode);
        Assert.Empty(patient.TouchLog);
        Assert.False(patient.Suppressed);
        Assert.Equal(new DateTimeOffset(2027, 1, 5, 5, 0, 0, TimeSpan.Zero), patient.CreatedAt);
        Assert.Equal(TimeSpan.Zero, patient.CreatedAt.Offset);
        Assert.Equal(patient.CreatedAt, patient.UpdatedAt);
    }
}
