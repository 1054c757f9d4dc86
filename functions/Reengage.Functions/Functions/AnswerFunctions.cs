using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Reengage.Functions.Answers;

namespace Reengage.Functions.Functions;

/// <summary>
/// A patient's answer links (SPEC §4, docs/answers.md): <c>r/{token}</c> (book, not now, feedback), <c>feedback/{token}</c>
/// and <c>unsubscribe/{token}</c>. Anonymous: the signed token is the only key. A GET or HEAD (what mail scanners send)
/// shows a page or follows a book link; only a POST pauses, stores feedback or unsubscribes.
/// </summary>
public sealed partial class AnswerFunctions(PatientAnswers answers, ILogger<AnswerFunctions> logger)
{
    private static readonly string[] PageMethods = ["GET", "HEAD", "POST"];
    private static readonly string[] PostOnly = ["POST"];

    [Function("respond")]
    public Task<IActionResult> Respond(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "r/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        AnswerAsync(request, AnswerRoute.Respond, PageMethods, async () =>
        {
            if (!HttpMethods.IsPost(request.Method)) return await answers.OpenAsync(token, HttpMethods.IsHead(request.Method), cancellationToken).ConfigureAwait(false);
            var form = await AnswerHttp.ReadFormAsync(request, AnswerRoute.Respond, cancellationToken).ConfigureAwait(false);
            return form.Problem ?? await answers.ConfirmAsync(token, form.Fields!, cancellationToken).ConfigureAwait(false);
        });

    [Function("feedback")]
    public Task<IActionResult> Feedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "feedback/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        AnswerAsync(request, AnswerRoute.Feedback, PostOnly, async () =>
        {
            var form = await AnswerHttp.ReadFormAsync(request, AnswerRoute.Feedback, cancellationToken).ConfigureAwait(false);
            return form.Problem ?? await answers.SubmitFeedbackAsync(token, form.Fields!, cancellationToken).ConfigureAwait(false);
        });

    [Function("unsubscribe")]
    public Task<IActionResult> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", Route = "unsubscribe/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        AnswerAsync(request, AnswerRoute.Unsubscribe, PageMethods, async () =>
        {
            // A GET (a scanner, a mail client prefetching the List-Unsubscribe address) never unsubscribes.
            if (!HttpMethods.IsPost(request.Method)) return await answers.ShowUnsubscribeAsync(token, cancellationToken).ConfigureAwait(false);
            // Any form body will do: a one-click client sends List-Unsubscribe=One-Click, the page's button the same.
            var form = await AnswerHttp.ReadFormAsync(request, AnswerRoute.Unsubscribe, cancellationToken).ConfigureAwait(false);
            return form.Problem ?? await answers.UnsubscribeAsync(token, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// Runs one answer and turns its outcome into a response. A storage outage or any other failure becomes a friendly
    /// 503 page (logged with no personal data) rather than the host's bare error: the patient is told to try again, and
    /// on an unsubscribe link how else to stop the emails.
    /// </summary>
    private async Task<IActionResult> AnswerAsync(HttpRequest request, AnswerRoute route, string[] methods, Func<Task<AnswerView>> answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!methods.Contains(request.Method.ToUpperInvariant())) return AnswerHttp.ToResult(new AnswerView.MethodNotAllowed(route, methods));
        try
        {
            return AnswerHttp.ToResult(await answer().ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(route, e.GetType().Name, (e as Core.ReengageException)?.Code.ToString());
            return AnswerHttp.ToResult(new AnswerView.Unavailable(route));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Answer on {Route} failed: {ErrorType} {ErrorCode}")]
    private partial void LogFailed(AnswerRoute route, string errorType, string? errorCode);
}
