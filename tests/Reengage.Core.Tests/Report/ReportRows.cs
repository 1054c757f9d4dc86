using System.Globalization;
using Reengage.Core.Model;
using Reengage.Core.Report;

namespace Reengage.Core.Tests.Report;

/// <summary>Ledger rows as the report tests write them: a lapse step 1 of the December episode unless told otherwise.</summary>
internal static class ReportRows
{
    public static readonly ReportQuery Q1 = new(new(2027, 1, 1), new(2027, 4, 1), ReportGroupBy.Template, Locale.En);
    public static readonly DateTimeOffset June1 = At("2027-06-01T12:00:00Z");

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    public static OutreachRow Row(string patientId, string? plannedAt = null) => new()
    {
        PracticeId = "prac_r",
        PatientId = patientId,
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = OutreachStatus.Planned,
        PlannedAt = At(plannedAt ?? "2027-01-05T05:00:00Z"),
        NotBefore = At(plannedAt ?? "2027-01-05T05:00:00Z"),
        OperationId = "00000000-0000-5000-8000-000000000000",
        Attempts = 1,
    };

    public static OutreachRow Sent(this OutreachRow row, string at, string status = OutreachStatus.Delivered) =>
        row with { SentAt = At(at), Status = status };

    public static OutreachRow Seasonal(this OutreachRow row, string windowKey = "2027:spring") =>
        row with { Campaign = Campaign.Seasonal, EpisodeKey = windowKey, TemplateId = TemplateId.Seasonal };

    public static PracticeReportFigures Figures(
        IEnumerable<OutreachRow> rows,
        ReportQuery? query = null,
        IEnumerable<(string, int)>? feedback = null,
        IReadOnlyDictionary<string, string>? therapistNames = null,
        DateTimeOffset? now = null)
    {
        var builder = new PracticeReportBuilder(query ?? Q1, "Europe/Paris", now ?? June1, feedback ?? [], therapistNames ?? new Dictionary<string, string>());
        foreach (var row in rows) builder.Add(row);
        return builder.Build();
    }
}
