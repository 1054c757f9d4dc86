// The domain records as the admin API answers them (the TypeScript app's JSON).
using System.Globalization;
using Reengage.Core.Calendar;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;

namespace Reengage.Functions.Admin;

public static class AdminViews
{
    /// <summary>The settings, and the state (never the value) of the practice's credentials at <paramref name="now"/>.</summary>
    public static PracticeJson Practice(Practice practice, PracticeSecrets? secrets, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        var keys = secrets?.ApiKeySet ?? ApiKeySet.Empty;
        var live = ApiKeys.AcceptedHashes(keys, now).ToHashSet(StringComparer.Ordinal);
        List<ApiKeyStateJson> apiKeys =
        [
            .. keys.LegacyHashes.Select(_ => new ApiKeyStateJson(true, null)),
            .. keys.Keys.Where(key => live.Contains(key.Hash)).Select(key => new ApiKeyStateJson(key.NotAfter is null, key.NotAfter)),
        ];
        var webhooks = new Dictionary<string, WebhookSecretStateJson>(StringComparer.Ordinal);
        foreach (var source in Enum.GetValues<WebhookSource>())
        {
            if (secrets is null || !secrets.Webhooks.TryGetValue(source, out var secret)) continue;
            var until = WebhookSecrets.PreviousAcceptedUntil(secret);
            webhooks[Wire.Name(source)] = new WebhookSecretStateJson(secret.RotatedAt, until is { } u && u > now ? u : null);
        }
        return new PracticeJson(
            practice.Id,
            practice.Name,
            practice.TimeZone,
            Wire.Name(practice.Locale),
            practice.Country,
            practice.SenderAddress,
            practice.SenderDisplayName,
            practice.BookingUrl,
            practice.LapseDays,
            practice.CooldownDays,
            practice.MaxTouchesPerEpisode,
            practice.MaxTouchesPer365Days,
            practice.CadenceDays,
            new SendWindowJson(
                [.. practice.SendWindow.Days.Select(d => d == DayOfWeek.Sunday ? 7 : (int)d)],
                SendWindows.FormatTime(practice.SendWindow.Start),
                SendWindows.FormatTime(practice.SendWindow.End)),
            [.. practice.ClosedDates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
            [.. practice.SeasonalWindows.Select(w => new SeasonalWindowJson(Wire.Name(w.Id), SeasonalWindows.FormatStart(w), w.LengthInDays, w.Enabled))],
            practice.AllowClinicalDetails,
            practice.HoldoutPercent,
            [.. practice.Resources.Select(r => new ResourceJson(r.Title, r.Url, r.FocusArea))],
            practice.DefaultTherapistId,
            practice.LastSeasonalWindowKey,
            new CredentialsJson(apiKeys, webhooks));
    }

    public static TherapistJson Therapist(Therapist therapist)
    {
        ArgumentNullException.ThrowIfNull(therapist);
        return new TherapistJson(therapist.PracticeId, therapist.Id, therapist.DisplayName, therapist.Email, therapist.Signature, Wire.Name(therapist.Locale), therapist.Active);
    }

    public static PatientJson Patient(Patient p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var times = p.ProfileFieldTimes;
        return new PatientJson(
            p.PracticeId,
            p.Id,
            p.FirstName,
            p.Email,
            p.Locale is { } locale ? Wire.Name(locale) : null,
            p.TherapistId,
            new EmailConsentJson(p.EmailConsent.Granted, p.EmailConsent.At, p.EmailConsent.Source),
            Wire.Name(p.CareStatus),
            Wire.Name(p.ContactPreference),
            p.PausedUntil,
            p.FocusArea,
            p.ProgressNote,
            p.Plan is { } plan ? new TreatmentPlanJson(plan.Summary, plan.NextMilestoneAt) : null,
            p.LastVisitAt,
            p.NextBookingAt,
            p.Episode is { } e
                ? new EpisodeJson(e.Key, e.LapsedSince, e.LastStep, [.. e.TemplatesUsed.Select(t => Wire.Name(t))], e.MilestoneHandled)
                : null,
            p.Suppressed,
            [.. p.TouchLog.Select(t => new TouchRecordJson(t.At, t.OutreachId, t.EpisodeKey))],
            p.LastBookedAt,
            p.LastAnsweredAt,
            p.ProfileEventAt,
            p.DueDay,
            p.CreatedAt,
            p.UpdatedAt,
            new ProfileFieldTimesJson(
                times.FirstName, times.Email, times.Locale, times.TherapistId, times.EmailConsent,
                times.CareStatus, times.ContactPreference, times.FocusArea, times.ProgressNote, times.Plan));
    }

    public static AppointmentJson Appointment(Appointment a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new AppointmentJson(
            a.PracticeId, a.Id, a.PatientId, a.TherapistId, a.StartsAt, Wire.Name(a.Status), a.LastEventAt, a.BookedAt,
            a.StartsAtEventAt, a.StartsAtGuessed, a.TherapistEventAt, a.TherapistFromPatient);
    }

    public static OutreachRowJson Outreach(OutreachRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new OutreachRowJson(
            r.PatientId, Wire.Name(r.Campaign), r.EpisodeKey, r.Step, r.PracticeId, r.Id, Wire.Name(r.TemplateId), Wire.Name(r.Locale),
            r.TherapistId, r.Status, r.PlannedAt, r.NotBefore, r.OperationId, r.ClaimedAt, r.SentAt, r.DeliveryStatus, r.DeliveryAt,
            r.Response is { } response ? Wire.Name(response) : null, r.RespondedAt, r.RebookedAt, r.FailureReason, r.Attempts,
            r.LapseEpisodeKey, r.ViewedAt, r.ClickedAt, r.ErasedAt);
    }

    public static FeedbackJson Feedback(FeedbackEntry f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new FeedbackJson(f.PracticeId, f.OutreachId, f.PatientId, f.Rating, f.Comment, f.CreatedAt, f.UpdatedAt);
    }
}
