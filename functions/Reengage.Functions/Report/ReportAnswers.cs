// How the report is answered: JSON by default, CSV when the Accept header asks for it.
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reengage.Core.Report;
using Reengage.Functions.Admin;

namespace Reengage.Functions.Report;

public static class ReportAnswers
{
    public static IActionResult Of(PracticeReport report, string? accept)
    {
        ArgumentNullException.ThrowIfNull(report);
        // The answer depends on Accept: a cache in between must not hand a CSV to a JSON client.
        var vary = new Dictionary<string, string> { ["Vary"] = "Accept" };
        if (!WantsCsv(accept))
        {
            return AdminHttp.Json(StatusCodes.Status200OK, PracticeReportJson.Of(report), ReportJsonContext.Default.PracticeReportJson, vary);
        }
        var period = report.Figures.Period;
        var filename = string.Create(CultureInfo.InvariantCulture, $"reengage-report-{report.PracticeId}-{period.From:yyyy-MM-dd}-{period.To:yyyy-MM-dd}.csv");
        return new CsvAnswer(ReportCsv.Encode(report.Figures), filename);
    }

    /// <summary>CSV when the client names <c>text/csv</c> and does not prefer <c>application/json</c> (by q-value).</summary>
    public static bool WantsCsv(string? accept)
    {
        if (string.IsNullOrEmpty(accept)) return false;
        double csv = 0, json = 0;
        foreach (var range in accept.Split(','))
        {
            var parts = range.Split(';').Select(p => p.Trim().ToLowerInvariant()).ToArray();
            var q = 1.0;
            if (parts.Skip(1).FirstOrDefault(p => p.StartsWith("q=", StringComparison.Ordinal)) is { } qParameter
                && !double.TryParse(qParameter[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out q))
            {
                continue;
            }
            if (!double.IsFinite(q)) continue;
            if (parts[0] == "text/csv") csv = Math.Max(csv, q);
            if (parts[0] == "application/json") json = Math.Max(json, q);
        }
        return csv > 0 && csv >= json;
    }

    private sealed class CsvAnswer(byte[] csv, string filename) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ReportCsv.ContentType;
            response.Headers.CacheControl = "no-store";
            response.Headers.Vary = "Accept";
            response.Headers.ContentDisposition = $"attachment; filename=\"{filename}\"";
            response.ContentLength = csv.Length;
            await response.Body.WriteAsync(csv, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
