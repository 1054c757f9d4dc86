// Renders the outcome of a patient's answer as an accessible page in the language of their email. Every value written
// into the page goes through E (HTML-escaped); markup is written only from this file's constants.
using System.Text;
using NodaTime;
using Reengage.Core.Answers;
using Reengage.Core.Model;
using Reengage.Core.Security;
using Reengage.Functions.Templates;

namespace Reengage.Functions.Answers;

public static class AnswerPages
{
    public static string Render(AnswerView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view switch
        {
            AnswerView.LaterConfirm v => LaterConfirm(v.Context),
            AnswerView.LaterDone v => LaterDone(v.Context, v.PausedUntil),
            AnswerView.FeedbackFormPage v => FeedbackForm(v),
            AnswerView.FeedbackThanks v => Thanks(v.Context, v.Updated),
            AnswerView.UnsubscribeConfirm v => UnsubscribeConfirm(v.Context),
            AnswerView.UnsubscribeDone v => UnsubscribeDone(v.Context),
            AnswerView.BookUnavailable v => Page(v.Context, W(v.Context).BookUnavailableTitle, P(W(v.Context).BookUnavailableBody(v.Context.PracticeName))),
            AnswerView.ExpiredLink v => Expired(v),
            AnswerView.InvalidLink v => Problem(v.Route, w => w.Invalid),
            AnswerView.UnknownLink v => Problem(v.Route, w => w.Unknown),
            AnswerView.UnreadableForm v => Problem(v.Route, w => w.Unreadable),
            AnswerView.TooLarge v => Problem(v.Route, w => w.TooLarge),
            AnswerView.MethodNotAllowed v => Problem(v.Route, w => w.NotAllowed),
            AnswerView.Unavailable v => Problem(v.Route, w => w.Unavailable),
            AnswerView.Redirect => throw new ArgumentException("A redirect has no page.", nameof(view)),
            _ => throw new ArgumentOutOfRangeException(nameof(view), view.GetType().Name, null),
        };
    }

    private static PageWording W(PageContext context) => PageWording.For(context.Locale);

    /// <summary>HTML-escaped text, safe in element content and in quoted attribute values alike.</summary>
    private static string E(string text) => HtmlText.Escape(text);

    private static string P(string text) => $"<p>{E(text)}</p>\n";

    private static string Page(PageContext context, string title, string body, string titlePrefix = "") =>
        Layout(Wire.Name(context.Locale), $"{titlePrefix}{title} – {context.PracticeName}", context.PracticeName, $"<h1>{E(title)}</h1>\n{body}");

    private static string BookingLink(PageContext context, string lead) =>
        context.BookingUrl is { } url ? $"<p>{E(lead)} <a href=\"{E(url)}\">{E(W(context).BookLinkLabel)}</a></p>\n" : "";

    private static string LaterConfirm(PageContext context)
    {
        var w = W(context);
        // No action attribute: the form posts back to this very link, which only a person pressing the button does.
        var body = string.Concat(w.LaterConfirmBody(context.PracticeName).Select(P))
            + $"<form method=\"post\">\n<button type=\"submit\" class=\"button\">{E(w.LaterConfirmButton)}</button>\n</form>\n";
        return Page(context, w.LaterConfirmTitle, body);
    }

    private static string LaterDone(PageContext context, DateTimeOffset pausedUntil)
    {
        var w = W(context);
        var until = w.LongDate(LocalDate(pausedUntil, context.TimeZone));
        return Page(context, w.LaterDoneTitle, P(w.LaterDoneBody(context.PracticeName, until)) + BookingLink(context, w.LaterDoneBookLead) + P(w.LaterDoneClosing));
    }

    /// <summary>The practice-local date; an unknown zone name must not cost the patient their confirmation page.</summary>
    private static DateOnly LocalDate(DateTimeOffset at, string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;
        var date = Instant.FromDateTimeOffset(at).InZone(zone).Date;
        return new DateOnly(date.Year, date.Month, date.Day);
    }

    private static string FeedbackForm(AnswerView.FeedbackFormPage view)
    {
        var context = view.Context;
        var w = W(context);
        var rating = view.Problems.FirstOrDefault(p => p.Field == FeedbackField.Rating);
        var comment = view.Problems.FirstOrDefault(p => p.Field == FeedbackField.Comment);
        var ratingError = rating is null ? null : rating.Kind == FeedbackProblemKind.Missing ? w.FeedbackRatingMissing : w.FeedbackRatingInvalid;
        var commentError = comment is null ? null : w.FeedbackCommentTooLong(comment.Length);
        string ErrorLine(string id, string? message) => message is null
            ? ""
            : $"<p class=\"error\" id=\"{id}\"><span class=\"visually-hidden\">{E(w.ErrorPrefix)}</span>{E(message)}</p>\n";

        var html = new StringBuilder();
        if (ratingError is not null || commentError is not null)
        {
            html.Append("<div class=\"error-summary\" aria-labelledby=\"error-summary-title\">\n")
                .Append(Invariant($"<h2 id=\"error-summary-title\">{E(w.FeedbackSummaryTitle)}</h2>\n<ul>\n"));
            if (ratingError is not null) html.Append(Invariant($"<li><a href=\"#rating-1\">{E(ratingError)}</a></li>\n"));
            if (commentError is not null) html.Append(Invariant($"<li><a href=\"#comment\">{E(commentError)}</a></li>\n"));
            html.Append("</ul>\n</div>\n");
        }
        html.Append(P(w.FeedbackIntro(context.PracticeName)));
        if (view.AnsweredBefore) html.Append(P(w.FeedbackAnsweredBefore));
        // The form posts to the feedback function whether this page was opened from r/{token} or is the answer of
        // feedback/{token}: both resolve ../feedback/{token} to the same address.
        html.Append(Invariant($"<form method=\"post\" action=\"../feedback/{E(context.Token)}\" novalidate>\n"))
            .Append(ratingError is null ? "<fieldset>\n" : "<fieldset aria-describedby=\"rating-error\">\n")
            .Append(Invariant($"<legend>{E(w.FeedbackLegend)}</legend>\n"))
            .Append(ErrorLine("rating-error", ratingError));
        for (var value = 1; value <= 5; value++)
        {
            var isChecked = view.Values.Rating == value.ToString(System.Globalization.CultureInfo.InvariantCulture) ? " checked" : "";
            html.Append(Invariant($"<div class=\"choice\">\n<input type=\"radio\" id=\"rating-{value}\" name=\"rating\" value=\"{value}\"{isChecked}>\n"))
                .Append(Invariant($"<label for=\"rating-{value}\">{E(w.FeedbackRatings[value - 1])}</label>\n</div>\n"));
        }
        var describedBy = commentError is null ? "comment-hint" : "comment-hint comment-error";
        html.Append("</fieldset>\n")
            .Append(commentError is null ? "<div>\n" : "<div class=\"invalid\">\n")
            .Append(Invariant($"<label class=\"field\" for=\"comment\">{E(w.FeedbackCommentLabel)}</label>\n"))
            .Append(Invariant($"<p class=\"hint\" id=\"comment-hint\">{E(w.FeedbackCommentHint)}</p>\n"))
            .Append(ErrorLine("comment-error", commentError))
            .Append(Invariant($"<textarea id=\"comment\" name=\"comment\" rows=\"6\" maxlength=\"{Core.Answers.FeedbackForm.MaxCommentChars}\" aria-describedby=\"{describedBy}\"{(commentError is null ? "" : " aria-invalid=\"true\"")}>"))
            // A textarea drops one leading line break: one is written first so that what the patient typed comes back whole.
            .Append('\n').Append(E(view.Values.Comment)).Append("</textarea>\n</div>\n")
            .Append(Invariant($"<button type=\"submit\" class=\"button\">{E(w.FeedbackButton)}</button>\n</form>\n"));
        var prefix = ratingError is not null || commentError is not null ? w.ErrorTitlePrefix : "";
        return Page(context, w.FeedbackTitle, html.ToString(), prefix);
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Thanks(PageContext context, bool updated)
    {
        var w = W(context);
        var body = w.ThanksBody(context.PracticeName) + (updated ? " " + w.ThanksReplaced : "");
        return Page(context, w.ThanksTitle, P(body) + BookingLink(context, w.ThanksBookLead));
    }

    private static string UnsubscribeConfirm(PageContext context)
    {
        var w = W(context);
        // The button sends the same body as a mail client's RFC 8058 one-click request.
        var body = string.Concat(w.UnsubscribeBody(context.PracticeName).Select(P))
            + "<form method=\"post\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
            + $"<button type=\"submit\" class=\"button\">{E(w.UnsubscribeButton)}</button>\n</form>\n";
        return Page(context, w.UnsubscribeTitle, body);
    }

    private static string UnsubscribeDone(PageContext context)
    {
        var w = W(context);
        return Page(context, w.UnsubscribedTitle, P(w.UnsubscribedBody(context.PracticeName)) + P(w.UnsubscribedChangeMind) + BookingLink(context, w.UnsubscribedBookLead));
    }

    private static string Expired(AnswerView.ExpiredLink view)
    {
        string Body(PageWording w, PageContext? context)
        {
            var next = view.Action == LinkAction.Book && context?.BookingUrl is not null
                ? BookingLink(context, w.ExpiredBookLead)
                : P(view.Action == LinkAction.Later ? w.ExpiredLater : w.ExpiredOther(context?.PracticeName));
            return P(w.ExpiredWhy) + next;
        }
        return view.Context is { } context
            ? Page(context, W(context).ExpiredTitle, Body(W(context), context))
            : Bilingual(w => w.ExpiredTitle, w => Body(w, null));
    }

    /// <summary>A problem page of a link whose email is unknown: French first, then English, each marked with its language.</summary>
    private static string Problem(AnswerRoute route, Func<PageWording, TitleBody> pick) =>
        Bilingual(w => pick(w).Title, w => P(pick(w).Body) + (route == AnswerRoute.Unsubscribe ? P(w.UnsubscribeOtherWay) : ""));

    private static string Bilingual(Func<PageWording, string> title, Func<PageWording, string> body)
    {
        var fr = title(PageWording.Fr);
        var en = title(PageWording.En);
        var content = $"<h1>{E(fr)} <span lang=\"en\">· {E(en)}</span></h1>\n{body(PageWording.Fr)}<div lang=\"en\" class=\"other-language\">\n{body(PageWording.En)}</div>\n";
        return Layout("fr", $"{fr} · {en}", null, content);
    }

    // Contrast (WCAG AA and better): body text #2b2b2b on white 14:1; links and buttons #2f5d50 on white, and white on
    // #2f5d50, 7.5:1; muted text #595959 on the page background 6:1; errors #a4262c on white 7:1. The focus ring is dark
    // and offset, so it stands out on white, on the beige background and around buttons.
    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f3efe9; color: #2b2b2b; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 1.0625rem; line-height: 1.6; }
        .page { max-width: 38rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
        .practice { margin: 0 0 1rem; font-family: Georgia, "Times New Roman", serif; font-size: 1.25rem; color: #2f5d50; }
        main { background: #fff; border-radius: 8px; padding: 1.5rem; }
        h1 { margin: 0 0 1rem; font-size: 1.6rem; line-height: 1.25; color: #1f3d35; }
        h2 { margin: 0 0 .5rem; font-size: 1.15rem; }
        p { margin: 0 0 1rem; }
        a { color: #2f5d50; text-decoration: underline; text-underline-offset: 2px; }
        a:hover { color: #1f3d35; }
        .button { display: inline-block; min-height: 44px; padding: .7rem 1.3rem; border: 2px solid #2f5d50; border-radius: 6px; background: #2f5d50; color: #fff; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
        .button:hover { background: #1f3d35; border-color: #1f3d35; color: #fff; }
        :focus-visible { outline: 3px solid #1a1a1a; outline-offset: 3px; }
        fieldset { margin: 0 0 1.5rem; padding: 0; border: 0; }
        legend { margin-bottom: .5rem; padding: 0; font-weight: 600; }
        .choice { display: flex; align-items: center; gap: .6rem; margin: 0 0 .4rem; }
        .choice input { width: 1.4rem; height: 1.4rem; margin: 0; accent-color: #2f5d50; }
        .choice label { padding: .2rem 0; }
        label.field { display: block; margin-bottom: .25rem; font-weight: 600; }
        .hint { margin: 0 0 .5rem; color: #595959; }
        textarea { display: block; width: 100%; min-height: 8rem; margin-bottom: 1.5rem; padding: .6rem; border: 2px solid #595959; border-radius: 4px; font: inherit; color: inherit; background: #fff; }
        .invalid textarea { border-color: #a4262c; }
        .error { margin: 0 0 .5rem; color: #a4262c; font-weight: 600; }
        .error-summary { margin: 0 0 1.5rem; padding: 1rem; border: 3px solid #a4262c; border-radius: 4px; }
        .error-summary ul { margin: 0; padding-left: 1.2rem; }
        .error-summary a { color: #a4262c; font-weight: 600; }
        .other-language { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #d9d4cc; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
        """;

    /// <summary>The frame of every page: one language, one h1, inline styles only (the CSP allows nothing else).</summary>
    private static string Layout(string lang, string title, string? practiceName, string content) => $"""
        <!DOCTYPE html>
        <html lang="{lang}" dir="ltr">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow">
        <meta name="referrer" content="no-referrer">
        <title>{E(title)}</title>
        <style>
        {Style}
        </style>
        </head>
        <body>
        <div class="page">
        {(practiceName is null ? "" : $"<p class=\"practice\">{E(practiceName)}</p>")}
        <main>
        {content}</main>
        </div>
        </body>
        </html>

        """;
}
