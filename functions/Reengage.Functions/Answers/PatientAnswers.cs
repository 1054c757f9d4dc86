// A patient's answers through the signed links of an email: book, not now, feedback, unsubscribe (SPEC §4, §9;
// docs/answers.md). A GET never changes anything but the record of a book-link visit: pausing, feedback and
// unsubscribing happen only on a POST, which mail scanners do not send.
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Answers;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Patients;
using Reengage.Functions.Settings;

namespace Reengage.Functions.Answers;

public sealed partial class PatientAnswers(
    IMessageIndex messageIndex,
    IOutreachLedger ledger,
    IPracticeStore practices,
    IPatientStore patients,
    IFeedbackStore feedback,
    ISuppressionStore suppressions,
    ReengageSettings settings,
    TimeProvider clock,
    ILogger<PatientAnswers> logger)
{
    private sealed record Link(LinkToken Token, OutreachRow Row, PageContext Context);

    /// <summary>A link that can be acted on, or the page that says why not.</summary>
    private sealed record Resolution(Link? Link, AnswerView? Refusal);

    /// <summary>GET (or HEAD) <c>r/{token}</c>: a book visit is recorded and redirected; not now and feedback only show a page.</summary>
    public async Task<AnswerView> OpenAsync(string token, bool isHead, CancellationToken cancellationToken = default)
    {
        var (link, refusal) = await ResolveAsync(token, AnswerRoute.Respond, cancellationToken).ConfigureAwait(false);
        if (link is null) return refusal!;
        return link.Token.Action switch
        {
            LinkAction.Book => await BookAsync(link, 302, isHead, cancellationToken).ConfigureAwait(false),
            LinkAction.Later => new AnswerView.LaterConfirm(link.Context),
            _ => await FeedbackFormAsync(link, AnswerRoute.Respond, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>POST <c>r/{token}</c>: the confirm button of the not-now page (and, as the TypeScript did, the other actions).</summary>
    public async Task<AnswerView> ConfirmAsync(string token, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (link, refusal) = await ResolveAsync(token, AnswerRoute.Respond, cancellationToken).ConfigureAwait(false);
        if (link is null) return refusal!;
        return link.Token.Action switch
        {
            LinkAction.Book => await BookAsync(link, 303, isHead: false, cancellationToken).ConfigureAwait(false),
            LinkAction.Later => await PauseAsync(link, cancellationToken).ConfigureAwait(false),
            _ => await SaveFeedbackAsync(link, form, AnswerRoute.Respond, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>POST <c>feedback/{token}</c>.</summary>
    public async Task<AnswerView> SubmitFeedbackAsync(string token, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (link, refusal) = await ResolveAsync(token, AnswerRoute.Feedback, cancellationToken).ConfigureAwait(false);
        return link is null ? refusal! : await SaveFeedbackAsync(link, form, AnswerRoute.Feedback, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET <c>unsubscribe/{token}</c>: a confirmation page only.</summary>
    public async Task<AnswerView> ShowUnsubscribeAsync(string token, CancellationToken cancellationToken = default)
    {
        var (link, refusal) = await ResolveAsync(token, AnswerRoute.Unsubscribe, cancellationToken).ConfigureAwait(false);
        return link is null ? refusal! : new AnswerView.UnsubscribeConfirm(link.Context);
    }

    /// <summary>POST <c>unsubscribe/{token}</c>: RFC 8058 one-click, or the confirmation page's button. Idempotent.</summary>
    public async Task<AnswerView> UnsubscribeAsync(string token, CancellationToken cancellationToken = default)
    {
        var (link, refusal) = await ResolveAsync(token, AnswerRoute.Unsubscribe, cancellationToken).ConfigureAwait(false);
        if (link is null) return refusal!;
        await WithdrawAsync(link, cancellationToken).ConfigureAwait(false);
        return new AnswerView.UnsubscribeDone(link.Context);
    }

    /// <summary>
    /// Verifies the token and finds its ledger row through MessageIndex (the token carries the row's opaque operation id),
    /// whose practice must be the token's: a token of practice A never acts on practice B. Every refusal comes before any write.
    /// </summary>
    private async Task<Resolution> ResolveAsync(string raw, AnswerRoute route, CancellationToken cancellationToken)
    {
        var check = LinkTokens.Verify(raw, settings.LinkSigningKeys, clock.GetUtcNow());
        if (check.Token is not { } token || !Accepts(route, token.Action))
        {
            LogRefused(route, check.Token is null ? Wire.Name(check.Failure!.Value) : "wrong_route");
            return new Resolution(null, new AnswerView.InvalidLink(route));
        }
        var link = await FindAsync(token, raw, cancellationToken).ConfigureAwait(false);
        // An unsubscribe link is honoured past its expiry when its signature is ours: stopping emails is always safe.
        if (!check.IsValid && token.Action != LinkAction.Unsubscribe)
        {
            LogRefused(route, "expired");
            return new Resolution(null, new AnswerView.ExpiredLink(token.Action, link?.Context));
        }
        if (link is null)
        {
            LogRefused(route, "unknown_outreach");
            return new Resolution(null, new AnswerView.UnknownLink(route));
        }
        return new Resolution(link, null);
    }

    private static bool Accepts(AnswerRoute route, LinkAction action) => route switch
    {
        AnswerRoute.Respond => action is LinkAction.Book or LinkAction.Later or LinkAction.Feedback,
        AnswerRoute.Feedback => action == LinkAction.Feedback,
        AnswerRoute.Unsubscribe => action == LinkAction.Unsubscribe,
        _ => false,
    };

    private async Task<Link?> FindAsync(LinkToken token, string raw, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(token.PracticeId) || !OperationId().IsMatch(token.OutreachRef)) return null;
        var entry = await messageIndex.GetMessageAsync(token.OutreachRef, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.PracticeId != token.PracticeId) return null;
        var row = await ledger.GetOutreachAsync(entry.PracticeId, entry.OutreachId, cancellationToken).ConfigureAwait(false);
        var practice = await practices.GetPracticeAsync(entry.PracticeId, cancellationToken).ConfigureAwait(false);
        if (row is null || practice is null || row.Value.OperationId != token.OutreachRef) return null;
        var context = new PageContext(row.Value.Locale, practice.Value.Name, WebAddress(practice.Value.BookingUrl), practice.Value.TimeZone, raw);
        return new Link(token, row.Value, context);
    }

    private static string? WebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    /// <summary>
    /// A book visit: the patient's click is recorded and the patient marked as having answered (an email planned since
    /// is then skipped as answered). A scanner's visit (<see cref="ScannerVisits"/>) is only noted on the row.
    /// Both are sent on to the booking page.
    /// </summary>
    private async Task<AnswerView> BookAsync(Link link, int status, bool isHead, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (scanner, written) = await UpdateRowAsync(link.Row, current =>
        {
            if (ScannerVisits.IsScanner(current, new LinkVisit(now, isHead)))
            {
                return (current.ScannerVisitAt is null ? current with { ScannerVisitAt = now } : null, true);
            }
            return (AnswerRules.Replaces(OutreachResponse.Book, current.Response) ? current with { Response = OutreachResponse.Book, RespondedAt = now } : null, false);
        }, cancellationToken).ConfigureAwait(false);
        if (scanner)
        {
            LogScanner(link.Row.PracticeId, link.Row.OperationId);
        }
        else if (written)
        {
            await UpdatePatientAsync(link.Row, patient => AnswerRules.Answered(patient, now), cancellationToken).ConfigureAwait(false);
            LogAnswer(link, OutreachResponse.Book);
        }
        return link.Context.BookingUrl is { } location ? new AnswerView.Redirect(status, location) : new AnswerView.BookUnavailable(link.Context);
    }

    private async Task<AnswerView> PauseAsync(Link link, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var pausedUntil = now + AnswerRules.Pause;
        await UpdatePatientAsync(link.Row, patient =>
        {
            // A second confirmation never shortens a longer pause already in place.
            if (patient.PausedUntil is { } longer && longer > pausedUntil) pausedUntil = longer;
            return AnswerRules.Answered(patient, now) with { PausedUntil = pausedUntil };
        }, cancellationToken).ConfigureAwait(false);
        await RecordResponseAsync(link.Row, OutreachResponse.Later, now, cancellationToken).ConfigureAwait(false);
        LogAnswer(link, OutreachResponse.Later);
        return new AnswerView.LaterDone(link.Context, pausedUntil);
    }

    private async Task<AnswerView> FeedbackFormAsync(Link link, AnswerRoute route, CancellationToken cancellationToken)
    {
        var row = link.Row;
        // An erased patient's link must not collect new personal data about them.
        if (await patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false) is null) return new AnswerView.UnknownLink(route);
        var existing = await feedback.GetFeedbackAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        return new AnswerView.FeedbackFormPage(link.Context, FeedbackFormValues.Empty, [], existing is not null);
    }

    private async Task<AnswerView> SaveFeedbackAsync(Link link, IReadOnlyDictionary<string, string> form, AnswerRoute route, CancellationToken cancellationToken)
    {
        var row = link.Row;
        if (await patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false) is null) return new AnswerView.UnknownLink(route);
        var existing = await feedback.GetFeedbackAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
        var check = FeedbackForm.Check(form.GetValueOrDefault("rating"), form.GetValueOrDefault("comment"));
        if (!check.IsValid) return new AnswerView.FeedbackFormPage(link.Context, check.Values, check.Problems, existing is not null);
        var now = clock.GetUtcNow();
        // One feedback per email: a second submission replaces the first but keeps when it was first given.
        await feedback.UpsertFeedbackAsync(
            new FeedbackEntry(row.PracticeId, row.Id, row.PatientId, check.Rating!.Value, check.Comment, existing?.CreatedAt ?? now, now),
            cancellationToken).ConfigureAwait(false);
        await RecordResponseAsync(row, OutreachResponse.Feedback, now, cancellationToken).ConfigureAwait(false);
        await UpdatePatientAsync(row, patient => AnswerRules.Answered(patient, now), cancellationToken).ConfigureAwait(false);
        LogAnswer(link, OutreachResponse.Feedback);
        return new AnswerView.FeedbackThanks(link.Context, existing is not null);
    }

    /// <summary>
    /// The suppression first (it outlives erasure and re-import), then consent withdrawn on the patient, then every email
    /// still planned skipped, then the answer on the row. Each step is idempotent, so a repeated or interrupted request
    /// converges on the same state without writing again.
    /// </summary>
    private async Task WithdrawAsync(Link link, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var row = link.Row;
        var patient = await patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(patient?.Value.Email))
        {
            var addressHash = Ids.AddressHashOf(row.PracticeId, patient.Value.Email);
            if (await suppressions.GetSuppressionAsync(row.PracticeId, addressHash, cancellationToken).ConfigureAwait(false) is null)
            {
                await suppressions.UpsertSuppressionAsync(new SuppressionEntry(row.PracticeId, addressHash, SuppressionReason.Unsubscribed, now), cancellationToken).ConfigureAwait(false);
            }
        }
        await UpdatePatientAsync(row, current =>
            current is { Suppressed: true, EmailConsent: { Granted: false, Source: Unsubscribed } }
                ? null
                : AnswerRules.Answered(current, now) with { EmailConsent = new EmailConsent(false, now, Unsubscribed), Suppressed = true },
            cancellationToken).ConfigureAwait(false);
        await foreach (var planned in ledger.ListOutreachForPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false))
        {
            if (planned.Status != OutreachStatus.Planned) continue;
            await UpdateRowAsync(planned, current => (current.Status == OutreachStatus.Planned
                ? current with { Status = OutreachStatus.Skipped(Unsubscribed), FailureReason = Unsubscribed }
                : null, true), cancellationToken).ConfigureAwait(false);
        }
        await RecordResponseAsync(row, OutreachResponse.Unsubscribe, now, cancellationToken).ConfigureAwait(false);
        LogAnswer(link, OutreachResponse.Unsubscribe);
    }

    private const string Unsubscribed = "unsubscribed";

    private Task<(bool Flag, bool Written)> RecordResponseAsync(OutreachRow row, OutreachResponse response, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateRowAsync(row, current => (AnswerRules.Replaces(response, current.Response) ? current with { Response = response, RespondedAt = now } : null, true), cancellationToken);

    /// <summary>
    /// ETag-conditional read-modify-write of a ledger row; <paramref name="change"/> returns the row to write (null: write
    /// nothing) and a flag handed back to the caller with whether it wrote. A row that is gone is left gone.
    /// </summary>
    private Task<(bool Flag, bool Written)> UpdateRowAsync(OutreachRow row, Func<OutreachRow, (OutreachRow? Next, bool Flag)> change, CancellationToken cancellationToken) =>
        PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await ledger.GetOutreachAsync(row.PracticeId, row.Id, cancellationToken).ConfigureAwait(false);
            if (current is null) return (false, false);
            var (next, flag) = change(current.Value);
            if (next is not null) await ledger.UpdateOutreachAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            return (flag, next is not null);
        });

    /// <summary>
    /// ETag-conditional read-modify-write of the row's patient; <paramref name="change"/> returns null to write nothing. A
    /// patient who is gone stays gone. The DueIndex is not touched: an answer does not move the next due day (the planner
    /// and the sender re-check eligibility, which reads the pause, the consent and lastAnsweredAt).
    /// </summary>
    private Task UpdatePatientAsync(OutreachRow row, Func<Patient, Patient?> change, CancellationToken cancellationToken) =>
        PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await patients.GetPatientAsync(row.PracticeId, row.PatientId, cancellationToken).ConfigureAwait(false);
            if (current is null) return false;
            var next = change(current.Value);
            if (next is not null) await patients.UpdatePatientAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private void LogAnswer(Link link, OutreachResponse response) =>
        LogAnswerRecorded(link.Row.PracticeId, link.Row.OperationId, Ids.HashForLog($"{link.Row.PracticeId}/{link.Row.PatientId}"), Wire.Name(response));

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\z")]
    private static partial Regex OperationId();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answer link refused on {Route}: {Reason}")]
    private partial void LogRefused(AnswerRoute route, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Answer recorded for practice {PracticeId}, outreach {Outreach}, patient ref {PatientRef}: {Response}")]
    private partial void LogAnswerRecorded(string practiceId, string outreach, string patientRef, string response);

    [LoggerMessage(Level = LogLevel.Information, Message = "Book link of practice {PracticeId}, outreach {Outreach} visited by a mail scanner")]
    private partial void LogScanner(string practiceId, string outreach);
}
