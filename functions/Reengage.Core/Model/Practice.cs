namespace Reengage.Core.Model;

/// <summary>When emails may go out, in the practice's own time zone.</summary>
public sealed record SendWindow
{
    /// <summary>ISO days of the week on which emails may go out.</summary>
    public required IReadOnlyList<DayOfWeek> Days { get; init; }
    public required TimeOnly Start { get; init; }
    public required TimeOnly End { get; init; }

    public static SendWindow Default { get; } = new()
    {
        Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
        Start = new TimeOnly(9, 30),
        End = new TimeOnly(17, 30),
    };
}

public sealed record SeasonalWindow
{
    public required SeasonalWindowId Id { get; init; }
    /// <summary>The window opens on the first working day on or after this month and day (any year).</summary>
    public required int StartMonth { get; init; }
    public required int StartDay { get; init; }
    public required int LengthInDays { get; init; }
    public required bool Enabled { get; init; }
}

public sealed record PracticeResource(string Title, string Url, string FocusArea);

public sealed record Practice
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string TimeZone { get; init; } = "Europe/Paris";
    public Locale Locale { get; init; } = Locale.Fr;
    /// <summary>ISO 3166 code whose public holidays close the practice.</summary>
    public string Country { get; init; } = "FR";
    public string SenderAddress { get; init; } = "DoNotReply@example.org";
    public required string SenderDisplayName { get; init; }
    public string BookingUrl { get; init; } = "https://example.org/book";
    public int LapseDays { get; init; } = 30;
    public int CooldownDays { get; init; } = 21;
    public int MaxTouchesPerEpisode { get; init; } = 3;
    public int MaxTouchesPer365Days { get; init; } = 6;
    /// <summary>Days after the last visit of cadence steps 1, 2 and 3 (defaults lapseDays, +30, +90).</summary>
    public required IReadOnlyList<int> CadenceDays { get; init; }
    public SendWindow SendWindow { get; init; } = SendWindow.Default;
    /// <summary>Local dates on which nothing is sent.</summary>
    public IReadOnlyList<DateOnly> ClosedDates { get; init; } = [];
    public required IReadOnlyList<SeasonalWindow> SeasonalWindows { get; init; }
    public bool AllowClinicalDetails { get; init; }
    public int HoldoutPercent { get; init; }
    public IReadOnlyList<PracticeResource> Resources { get; init; } = [];
    /// <summary>Therapist used when a booking names none we know.</summary>
    public string? DefaultTherapistId { get; init; }
    /// <summary>Key of the last seasonal window whose planning completed (e.g. <c>2027:new-year</c>).</summary>
    public string? LastSeasonalWindowKey { get; init; }
}

public sealed record Therapist
{
    public required string PracticeId { get; init; }
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>Used as Reply-To.</summary>
    public required string Email { get; init; }
    public string Signature { get; init; } = "";
    public Locale Locale { get; init; } = Locale.Fr;
    public bool Active { get; init; } = true;
}
