// A practice and a patient as they start out, with the defaults of SPEC §3.
using Reengage.Core.Calendar;
using Reengage.Core.Model;

namespace Reengage.Core;

public static class PracticeDefaults
{
    public const int LapseDays = 30;

    /// <summary>
    /// A practice with every default of SPEC §3: Europe/Paris, FR holidays, Monday to Friday 09:30-17:30, cadence from
    /// <paramref name="lapseDays"/>, the seasonal windows of <paramref name="locale"/>. Change anything else with <c>with</c>.
    /// </summary>
    public static Practice NewPractice(string id, string name, Locale locale = Locale.Fr, int lapseDays = LapseDays)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(lapseDays, 1);
        return new Practice
        {
            Id = id,
            Name = name,
            SenderDisplayName = name,
            Locale = locale,
            LapseDays = lapseDays,
            CadenceDays = Outreach.Cadence.DefaultCadenceDays(lapseDays),
            SeasonalWindows = SeasonalWindows.DefaultsFor(locale),
        };
    }

    /// <summary>A patient known by id only: no email, no consent, in care, created and updated at <paramref name="now"/>.</summary>
    public static Patient NewPatient(string practiceId, string id, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(practiceId);
        ArgumentException.ThrowIfNullOrEmpty(id);
        var at = now.ToUniversalTime();
        return new Patient { PracticeId = practiceId, Id = id, CreatedAt = at, UpdatedAt = at };
    }
}
