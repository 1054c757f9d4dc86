namespace Reengage.Core.Model;

public sealed record EmailConsent(bool Granted, DateTimeOffset? At, string? Source)
{
    public static EmailConsent None { get; } = new(false, null, null);
}

/// <summary>A treatment plan. <see cref="Summary"/> is health data.</summary>
public sealed record TreatmentPlan(string? Summary, DateTimeOffset? NextMilestoneAt);

public sealed record Episode
{
    /// <summary>The practice-local date of the last visit that opened the episode (<c>yyyy-MM-dd</c>).</summary>
    public required string Key { get; init; }
    public required DateTimeOffset LapsedSince { get; init; }
    /// <summary>Last cadence step dealt with (planned, held out, skipped or passed over); 0 before step 1.</summary>
    public int LastStep { get; init; }
    /// <summary>Templates already used in this episode, so that no template repeats within it.</summary>
    public IReadOnlyList<TemplateId> TemplatesUsed { get; init; } = [];
    /// <summary>Plan milestone already followed up in this episode, if any.</summary>
    public DateTimeOffset? MilestoneHandled { get; init; }
}

/// <summary>One planned (or held-out) email, kept for the per-patient budget.</summary>
public sealed record TouchRecord(DateTimeOffset At, string OutreachId, string? EpisodeKey);

public sealed record Patient
{
    public required string PracticeId { get; init; }
    public required string Id { get; init; }
    public string? FirstName { get; init; }
    public string? Email { get; init; }
    public Locale? Locale { get; init; }
    public string? TherapistId { get; init; }
    public EmailConsent EmailConsent { get; init; } = EmailConsent.None;
    public CareStatus CareStatus { get; init; } = CareStatus.InCare;
    public ContactPreference ContactPreference { get; init; } = ContactPreference.Default;
    public DateTimeOffset? PausedUntil { get; init; }
    public string? FocusArea { get; init; }
    /// <summary>Health data: never in logs, queue messages, URLs or subjects.</summary>
    public string? ProgressNote { get; init; }
    public TreatmentPlan? Plan { get; init; }
    public DateTimeOffset? LastVisitAt { get; init; }
    public DateTimeOffset? NextBookingAt { get; init; }
    public Episode? Episode { get; init; }
    public bool Suppressed { get; init; }
    /// <summary>Every touch (planned or held out) of the last 365 days, oldest first.</summary>
    public IReadOnlyList<TouchRecord> TouchLog { get; init; } = [];
    /// <summary>Last time a booking (new or rescheduled) was made for this patient.</summary>
    public DateTimeOffset? LastBookedAt { get; init; }
    /// <summary>Last time the patient answered an email (book click, not now, feedback, unsubscribe).</summary>
    public DateTimeOffset? LastAnsweredAt { get; init; }
    /// <summary>Event time of the last patient-profile event applied (a later profile event wins).</summary>
    public DateTimeOffset? ProfileEventAt { get; init; }
    /// <summary>Event time of the fact each profile field holds, so that events merge in any order (Booking/BookingMerge.cs).</summary>
    public ProfileFieldTimes ProfileFieldTimes { get; init; } = ProfileFieldTimes.None;
    /// <summary>Day (<c>yyyyMMdd</c>) of this patient's current DueIndex row, if any.</summary>
    public string? DueDay { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

public sealed record Appointment
{
    public required string PracticeId { get; init; }
    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public string? TherapistId { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required AppointmentStatus Status { get; init; }
    /// <summary>Event time of the last event applied to this appointment.</summary>
    public required DateTimeOffset LastEventAt { get; init; }
    /// <summary>When this appointment was first booked (event time of the booking event).</summary>
    public DateTimeOffset? BookedAt { get; init; }
    /// <summary>Event time of the event whose start <see cref="StartsAt"/> holds (null on rows older than it, or when guessed).</summary>
    public DateTimeOffset? StartsAtEventAt { get; init; }
    /// <summary>No event gave a start yet: <see cref="StartsAt"/> is the earliest event time, standing in until one does.</summary>
    public bool StartsAtGuessed { get; init; }
    /// <summary>Event time of the event that named <see cref="TherapistId"/>.</summary>
    public DateTimeOffset? TherapistEventAt { get; init; }
    /// <summary>Whether <see cref="TherapistId"/> is the patient's therapist, taken while no event named the appointment's own.</summary>
    public bool TherapistFromPatient { get; init; }
}

/// <summary>
/// For each profile field, the event time of the fact it holds; null when no event set it (imported or default).
/// </summary>
public sealed record ProfileFieldTimes
{
    public static ProfileFieldTimes None { get; } = new();

    public DateTimeOffset? FirstName { get; init; }
    public DateTimeOffset? Email { get; init; }
    public DateTimeOffset? Locale { get; init; }
    public DateTimeOffset? TherapistId { get; init; }
    public DateTimeOffset? EmailConsent { get; init; }
    public DateTimeOffset? CareStatus { get; init; }
    public DateTimeOffset? ContactPreference { get; init; }
    public DateTimeOffset? FocusArea { get; init; }
    public DateTimeOffset? ProgressNote { get; init; }
    public DateTimeOffset? Plan { get; init; }
}
