// Admin API: GET practices/{practiceId}/report, the practice report (JSON, or CSV with Accept: text/csv).
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;
using Reengage.Functions.Report;

namespace Reengage.Functions.Functions;

public sealed class ReportFunctions(PracticeReporting reporting, PracticeKeyAuthorizer authorizer)
{
    [Function("practiceReport")]
    public Task<IActionResult> PracticeReport(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "practices/{practiceId}/report")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            // The key first: a caller without it learns nothing, not even what is wrong with the query.
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();
            var outcome = await reporting.ReportAsync(practice.Value, name => request.Query[name].FirstOrDefault(), cancellationToken).ConfigureAwait(false);
            return outcome switch
            {
                ReportOutcome.Built built => ReportAnswers.Of(built.Report, request.Headers.Accept),
                ReportOutcome.Invalid invalid => Problems.Of(StatusCodes.Status400BadRequest, "Invalid report query", "Some query parameters are invalid.", invalid.Problems),
                _ => throw new InvalidOperationException($"unknown report outcome {outcome.GetType().Name}"),
            };
        });
}
