// GET practices/{practiceId}/upcoming's answer, field for field as the TypeScript app wrote it (docs/admin-api.md).
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Functions.Outreach;

namespace Reengage.Functions.Admin;

/// <param name="PredictedSendAt">Practice-local, with its offset (<c>2027-03-01T09:30:00+01:00</c>).</param>
public sealed record UpcomingItemJson(
    string PatientId,
    string? FirstName,
    string? TherapistId,
    string TemplateId,
    string Campaign,
    int Step,
    string? DueDate,
    string PlannedOn,
    string PredictedSendAt,
    string Decision);

public sealed record UpcomingReportJson(
    string PracticeId,
    string TimeZone,
    DateTimeOffset GeneratedAt,
    DateTimeOffset Until,
    int Days,
    IReadOnlyList<UpcomingItemJson> Items,
    IReadOnlyDictionary<string, int> Totals)
{
    private static readonly OffsetDateTimePattern LocalTime = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    /// <summary>Ids, first names, templates, dates: never an address, never health data.</summary>
    public static UpcomingReportJson Of(UpcomingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var zone = Cadence.ZoneOf(report.TimeZone);
        return new UpcomingReportJson(
            report.PracticeId,
            report.TimeZone,
            report.GeneratedAt,
            report.Until,
            report.Days,
            [.. report.Items.Select(i => new UpcomingItemJson(
                i.PatientId,
                i.FirstName,
                i.TherapistId,
                Wire.Name(i.TemplateId),
                Wire.Name(i.Campaign),
                i.Step,
                i.DueDate is { } due ? LocalDatePattern.Iso.Format(due) : null,
                LocalDatePattern.Iso.Format(i.PlannedOn),
                LocalTime.Format(Instant.FromDateTimeOffset(i.PredictedSendAt).InZone(zone).ToOffsetDateTime()),
                i.Decision))],
            report.Totals);
    }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(UpcomingReportJson))]
public sealed partial class UpcomingJsonContext : JsonSerializerContext;
