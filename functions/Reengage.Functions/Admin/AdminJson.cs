// The admin API's answers, field for field as the TypeScript app wrote them (camelCase, nulls kept, instants as
// toISOString() writes them), and the source-generated serializer that writes them.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reengage.Functions.Admin;

public sealed record SendWindowJson(IReadOnlyList<int> Days, string Start, string End);

public sealed record SeasonalWindowJson(string Id, string StartsOn, int LengthInDays, bool Enabled);

public sealed record ResourceJson(string Title, string Url, string FocusArea);

public sealed record ApiKeyStateJson(bool Current, DateTimeOffset? ValidUntil);

public sealed record WebhookSecretStateJson(DateTimeOffset? RotatedAt, DateTimeOffset? PreviousAcceptedUntil);

/// <summary>Which credentials are live and until when: never their value.</summary>
public sealed record CredentialsJson(IReadOnlyList<ApiKeyStateJson> ApiKeys, IReadOnlyDictionary<string, WebhookSecretStateJson> Webhooks);

/// <summary>GET practices/{practiceId}: the settings and the state of the credentials.</summary>
public sealed record PracticeJson(
    string Id,
    string Name,
    string TimeZone,
    string Locale,
    string Country,
    string SenderAddress,
    string SenderDisplayName,
    string BookingUrl,
    int LapseDays,
    int CooldownDays,
    int MaxTouchesPerEpisode,
    int MaxTouchesPer365Days,
    IReadOnlyList<int> CadenceDays,
    SendWindowJson SendWindow,
    IReadOnlyList<string> ClosedDates,
    IReadOnlyList<SeasonalWindowJson> SeasonalWindows,
    bool AllowClinicalDetails,
    int HoldoutPercent,
    IReadOnlyList<ResourceJson> Resources,
    string? DefaultTherapistId,
    string? LastSeasonalWindowKey,
    CredentialsJson Credentials);

public sealed record WebhookSecretsJson(string Generic);

/// <summary>The bootstrap's 201: the practice, and its API key and generic webhook secret, shown this once.</summary>
public sealed record CreatedPracticeJson(PracticeJson Practice, string ApiKey, WebhookSecretsJson WebhookSecrets);

public sealed record TherapistJson(string PracticeId, string Id, string DisplayName, string Email, string Signature, string Locale, bool Active);

public sealed record TherapistListJson(IReadOnlyList<TherapistJson> Therapists);

public sealed record EmailConsentJson(bool Granted, DateTimeOffset? At, string? Source);

public sealed record TreatmentPlanJson(string? Summary, DateTimeOffset? NextMilestoneAt);

public sealed record EpisodeJson(string Key, DateTimeOffset LapsedSince, int LastStep, IReadOnlyList<string> TemplatesUsed, DateTimeOffset? MilestoneHandled);

public sealed record TouchRecordJson(DateTimeOffset At, string OutreachId, string? EpisodeKey);

public sealed record ProfileFieldTimesJson(
    DateTimeOffset? FirstName,
    DateTimeOffset? Email,
    DateTimeOffset? Locale,
    DateTimeOffset? TherapistId,
    DateTimeOffset? EmailConsent,
    DateTimeOffset? CareStatus,
    DateTimeOffset? ContactPreference,
    DateTimeOffset? FocusArea,
    DateTimeOffset? ProgressNote,
    DateTimeOffset? Plan);

/// <summary>The patient row as stored, health data included (the TypeScript fields, then when each profile fact was learnt).</summary>
public sealed record PatientJson(
    string PracticeId,
    string Id,
    string? FirstName,
    string? Email,
    string? Locale,
    string? TherapistId,
    EmailConsentJson EmailConsent,
    string CareStatus,
    string ContactPreference,
    DateTimeOffset? PausedUntil,
    string? FocusArea,
    string? ProgressNote,
    TreatmentPlanJson? Plan,
    DateTimeOffset? LastVisitAt,
    DateTimeOffset? NextBookingAt,
    EpisodeJson? Episode,
    bool Suppressed,
    IReadOnlyList<TouchRecordJson> TouchLog,
    DateTimeOffset? LastBookedAt,
    DateTimeOffset? LastAnsweredAt,
    DateTimeOffset? ProfileEventAt,
    string? DueDay,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ProfileFieldTimesJson ProfileFieldTimes);

public sealed record AppointmentJson(
    string PracticeId,
    string Id,
    string PatientId,
    string? TherapistId,
    DateTimeOffset StartsAt,
    string Status,
    DateTimeOffset LastEventAt,
    DateTimeOffset? BookedAt,
    DateTimeOffset? StartsAtEventAt,
    bool StartsAtGuessed,
    DateTimeOffset? TherapistEventAt,
    bool TherapistFromPatient);

public sealed record OutreachRowJson(
    string PatientId,
    string Campaign,
    string EpisodeKey,
    int Step,
    string PracticeId,
    string Id,
    string TemplateId,
    string Locale,
    string? TherapistId,
    string Status,
    DateTimeOffset PlannedAt,
    DateTimeOffset NotBefore,
    string OperationId,
    DateTimeOffset? ClaimedAt,
    DateTimeOffset? SentAt,
    string? DeliveryStatus,
    DateTimeOffset? DeliveryAt,
    string? Response,
    DateTimeOffset? RespondedAt,
    DateTimeOffset? RebookedAt,
    string? FailureReason,
    int Attempts,
    string? LapseEpisodeKey,
    DateTimeOffset? ViewedAt,
    DateTimeOffset? ClickedAt,
    DateTimeOffset? ErasedAt);

public sealed record FeedbackJson(string PracticeId, string OutreachId, string PatientId, int Rating, string? Comment, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <param name="Listed">Whether the patient's current address is on the suppression list; null without an address.</param>
public sealed record SuppressionStatusJson(bool? Listed, string? Reason, DateTimeOffset? At);

/// <summary>GET practices/{practiceId}/patients/{patientId}/export: everything held about one patient.</summary>
public sealed record PatientExportJson(
    string Format,
    string PracticeId,
    string PatientId,
    DateTimeOffset ExportedAt,
    PatientJson? Patient,
    IReadOnlyList<AppointmentJson> Appointments,
    IReadOnlyList<OutreachRowJson> Outreach,
    IReadOnlyList<FeedbackJson> Feedback,
    SuppressionStatusJson Suppression,
    IReadOnlyList<string> Notes);

/// <summary>Instants as JavaScript's <c>toISOString()</c> writes them (<c>2027-02-08T08:00:00.000Z</c>), as the TypeScript app answered.</summary>
public sealed class IsoInstantConverter : JsonConverter<DateTimeOffset>
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(PracticeJson))]
[JsonSerializable(typeof(CreatedPracticeJson))]
[JsonSerializable(typeof(TherapistJson))]
[JsonSerializable(typeof(TherapistListJson))]
[JsonSerializable(typeof(PatientExportJson))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
