// What an answer link leads to: a redirect, or a page to show (rendered by AnswerPages).
using Reengage.Core.Answers;
using Reengage.Core.Model;
using Reengage.Core.Security;

namespace Reengage.Functions.Answers;

/// <summary>The three HTTP functions that take answer links.</summary>
public enum AnswerRoute
{
    Respond,
    Feedback,
    Unsubscribe,
}

/// <summary>What a page needs to speak to the patient: their email's language and their practice.</summary>
/// <param name="BookingUrl">The practice's booking page, only when it is a web address.</param>
/// <param name="Token">The verified token, for the pages' form actions.</param>
public sealed record PageContext(Locale Locale, string PracticeName, string? BookingUrl, string TimeZone, string Token);

/// <summary>The outcome of an answer, with its HTTP status.</summary>
public abstract record AnswerView(int Status)
{
    public sealed record Redirect(int Code, string Location) : AnswerView(Code);

    public sealed record InvalidLink(AnswerRoute Route) : AnswerView(400);

    public sealed record UnknownLink(AnswerRoute Route) : AnswerView(404);

    /// <param name="Context">Null when the email cannot be identified any more: the page is then in both languages.</param>
    public sealed record ExpiredLink(LinkAction Action, PageContext? Context) : AnswerView(410);

    public sealed record BookUnavailable(PageContext Context) : AnswerView(200);

    public sealed record LaterConfirm(PageContext Context) : AnswerView(200);

    public sealed record LaterDone(PageContext Context, DateTimeOffset PausedUntil) : AnswerView(200);

    /// <param name="AnsweredBefore">The patient already sent feedback for this email: a new submission replaces it.</param>
    public sealed record FeedbackFormPage(PageContext Context, FeedbackFormValues Values, IReadOnlyList<FeedbackProblem> Problems, bool AnsweredBefore)
        : AnswerView(Problems.Count == 0 ? 200 : 400);

    public sealed record FeedbackThanks(PageContext Context, bool Updated) : AnswerView(200);

    public sealed record UnsubscribeConfirm(PageContext Context) : AnswerView(200);

    public sealed record UnsubscribeDone(PageContext Context) : AnswerView(200);

    /// <summary>415 when the body is not a form, 400 when it cannot be parsed.</summary>
    public sealed record UnreadableForm(AnswerRoute Route, int Code) : AnswerView(Code);

    public sealed record TooLarge(AnswerRoute Route) : AnswerView(413);

    public sealed record MethodNotAllowed(AnswerRoute Route, IReadOnlyList<string> Allow) : AnswerView(405);

    /// <summary>Storage unavailable or any other failure: never a bare 5xx.</summary>
    public sealed record Unavailable(AnswerRoute Route) : AnswerView(503);
}
