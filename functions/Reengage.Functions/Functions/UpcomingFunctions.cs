// Admin API: GET practices/{practiceId}/upcoming?days=7, what the planners will do for the practice in the next days.
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Primitives;
using Reengage.Core;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;
using Reengage.Functions.Outreach;

namespace Reengage.Functions.Functions;

public sealed class UpcomingFunctions(UpcomingForecast forecast, PracticeKeyAuthorizer authorizer)
{
    /// <summary>200 with the forecast; 401 for any refused key (whether the practice exists or not); 400 naming <c>days</c>.</summary>
    [Function("upcomingSends")]
    public Task<IActionResult> UpcomingSends(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/upcoming")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(request);
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            if (DaysOf(request.Query["days"]) is not { } days)
            {
                return Problems.Invalid("Invalid query", [new FieldProblem("days", $"must be a whole number from 1 to {UpcomingForecast.MaxDays}")]);
            }
            var report = await forecast.ForecastAsync(practice.Value, days, cancellationToken).ConfigureAwait(false);
            return AdminHttp.Json(StatusCodes.Status200OK, UpcomingReportJson.Of(report), UpcomingJsonContext.Default.UpcomingReportJson);
        });

    /// <summary>Absent: the default; once, as one or two digits from 1 to the maximum; anything else (repeated too) is refused.</summary>
    private static int? DaysOf(StringValues given)
    {
        if (given.Count == 0) return UpcomingForecast.DefaultDays;
        if (given.Count > 1 || given[0] is not { Length: >= 1 and <= 2 } text || !text.All(char.IsAsciiDigit)) return null;
        var days = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return days is >= 1 and <= UpcomingForecast.MaxDays ? days : null;
    }
}
