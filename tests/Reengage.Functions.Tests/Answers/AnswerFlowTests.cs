using System.Net;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Tests.Sending;

namespace Reengage.Functions.Tests.Answers;

/// <summary>Each answer, end to end, from the links of a real email (docs/answers.md).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AnswerFlowTests(AzuriteFixture fixture) : AnswerTestBase(fixture)
{
    /// <summary>The patient reads the email two hours after it left: well past any scanner.</summary>
    private void PatientReadsLater() => World.Clock.Advance(TimeSpan.FromHours(2));

    [Fact]
    public async Task A_book_click_is_recorded_once_on_the_row_and_the_patient_and_redirected_without_referrer()
    {
        var links = await SendEmailAsync();
        PatientReadsLater();
        var clickedAt = World.Clock.GetUtcNow();

        var answer = await GetAsync(links.Book);

        Assert.Equal(302, answer.Status);
        Assert.Equal("https://tilleuls.example/rdv", answer["Location"]);
        Assert.Equal("no-referrer", answer["Referrer-Policy"]);
        Assert.Equal("no-store", answer["Cache-Control"]);
        var row = await World.RowAsync();
        Assert.Equal((OutreachResponse.Book, clickedAt), (row.Response, row.RespondedAt));
        Assert.Null(row.ScannerVisitAt);
        Assert.Equal(clickedAt, (await PatientAsync()).LastAnsweredAt);

        // The same answer again writes nothing: respondedAt stays the first click.
        World.Clock.Advance(TimeSpan.FromMinutes(5));
        await ExpectUnchangedAsync(() => GetAsync(links.Book), 302);
        Assert.Equal(303, (await ExpectUnchangedAsync(() => PostFormAsync(links.Book), 303)).Status);
    }

    [Theory]
    [InlineData(Locale.En, "lang=\"en\"", "Not right now?", "6\u00a0April\u00a02027")]
    [InlineData(Locale.Fr, "lang=\"fr\"", "Pas pour le moment\u202f?", "6\u00a0avril\u00a02027")]
    public async Task Not_now_shows_a_confirm_page_that_changes_nothing_and_its_post_pauses_90_days(Locale locale, string lang, string title, string until)
    {
        var links = await SendEmailAsync(locale);
        PatientReadsLater();

        var page = await ExpectUnchangedAsync(() => GetAsync(links.Later), 200);
        AssertPageHeaders(page);
        Assert.Contains(lang, page.Body, StringComparison.Ordinal);
        Assert.Contains(title, WebUtility.HtmlDecode(page.Body), StringComparison.Ordinal);
        Assert.Contains("<p class=\"practice\">Cabinet des Tilleuls</p>", page.Body, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\">", page.Body, StringComparison.Ordinal);

        // Confirmed at 22:00 UTC on 5 January (23:00 in Paris): paused until 5 April 22:00 UTC, which is 6 April in
        // Paris. The page gives the practice-local date.
        World.Clock.Advance(TimeSpan.FromHours(10));
        var now = World.Clock.GetUtcNow();
        var done = await PostFormAsync(links.Later);

        Assert.Equal(200, done.Status);
        AssertPageHeaders(done);
        Assert.Contains(until, done.Body, StringComparison.Ordinal);
        var patient = await PatientAsync();
        Assert.Equal(now.AddDays(90), patient.PausedUntil);
        Assert.Equal(now, patient.LastAnsweredAt);
        var row = await World.RowAsync();
        Assert.Equal((OutreachResponse.Later, now), (row.Response, row.RespondedAt));
    }

    [Fact]
    public async Task A_longer_pause_already_in_place_is_kept()
    {
        var links = await SendEmailAsync();
        PatientReadsLater();
        var longer = World.Clock.GetUtcNow().AddDays(200);
        var stored = await World.Patients.GetPatientAsync(World.PracticeId, World.PatientId);
        await World.Patients.UpdatePatientAsync(stored!.Value with { PausedUntil = longer }, stored.ETag);

        Assert.Equal(200, (await PostFormAsync(links.Later)).Status);

        Assert.Equal(longer, (await PatientAsync()).PausedUntil);
    }

    [Fact]
    public async Task Feedback_shows_the_form_refuses_bad_input_beside_the_fields_keeping_what_was_typed_then_stores_one_per_email()
    {
        var links = await SendEmailAsync();
        Assert.NotNull(links.Feedback);
        PatientReadsLater();

        var form = await ExpectUnchangedAsync(() => GetAsync(links.Feedback), 200);
        AssertPageHeaders(form);
        Assert.Contains("<fieldset>", form.Body, StringComparison.Ordinal);
        Assert.Contains("<legend>Overall, how did your care go?</legend>", form.Body, StringComparison.Ordinal);
        Assert.Contains("maxlength=\"2000\"", form.Body, StringComparison.Ordinal);
        var action = $"../feedback/{TokenOf(links.Feedback)}";
        Assert.Contains($"action=\"{action}\"", form.Body, StringComparison.Ordinal);
        var feedbackUrl = new Uri(new Uri(links.Feedback), action).AbsoluteUri;
        Assert.Equal($"{Base}feedback/{TokenOf(links.Feedback)}", feedbackUrl);

        var typed = "Très <b>bien</b> & merci " + new string('x', 2000);
        var refused = await ExpectUnchangedAsync(() => PostFormAsync(feedbackUrl, $"rating=7&comment={Uri.EscapeDataString(typed)}"), 400);
        AssertPageHeaders(refused);
        Assert.Contains("<title>Error: Your feedback matters – Cabinet des Tilleuls</title>", refused.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"rating-error\"", refused.Body, StringComparison.Ordinal);
        Assert.Contains("Choose a rating from 1 to 5 among the options shown.", refused.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"comment-error\"", refused.Body, StringComparison.Ordinal);
        Assert.Contains("Your message is 2,025 characters long", refused.Body, StringComparison.Ordinal);
        Assert.Contains("Très &lt;b&gt;bien&lt;/b&gt; &amp; merci", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bien</b>", refused.Body, StringComparison.Ordinal);

        var firstAt = World.Clock.GetUtcNow();
        var thanks = await PostFormAsync(feedbackUrl, "rating=4&comment=Tr%C3%A8s+%C3%A0+l%27%C3%A9coute%0D%0Amerci");
        Assert.Equal(200, thanks.Status);
        Assert.Contains("Thank you for your feedback", thanks.Body, StringComparison.Ordinal);
        var stored = await FeedbackAsync();
        Assert.Equal((4, "Très à l'écoute\nmerci", firstAt), (stored!.Rating, stored.Comment, stored.CreatedAt));
        var row = await World.RowAsync();
        Assert.Equal((OutreachResponse.Feedback, firstAt), (row.Response, row.RespondedAt));
        Assert.Equal(firstAt, (await PatientAsync()).LastAnsweredAt);

        World.Clock.Advance(TimeSpan.FromDays(1));
        var again = await PostFormAsync(feedbackUrl, "rating=5");
        Assert.Contains("It replaces your previous answer.", again.Body, StringComparison.Ordinal);
        var replaced = await FeedbackAsync();
        Assert.Equal((5, null, firstAt, World.Clock.GetUtcNow()), (replaced!.Rating, replaced.Comment, replaced.CreatedAt, replaced.UpdatedAt));
        Assert.Equal(firstAt, (await World.RowAsync()).RespondedAt);
        Assert.Contains("You have already answered", (await GetAsync(links.Feedback)).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unsubscribe_shows_a_page_then_one_click_withdraws_consent_suppresses_skips_every_planned_email_once(bool multipart)
    {
        var links = await SendEmailAsync(Locale.Fr);
        var planned = World.Row() with { Step = 2, EpisodeKey = "2026-12-05", TemplateId = TemplateId.NoPressure, Status = OutreachStatus.Planned };
        planned = planned with { OperationId = Ids.OperationIdOf(World.PracticeId, planned.Id) };
        Assert.NotNull(await World.Ledger.CreateOutreachAsync(planned));
        PatientReadsLater();

        var page = await ExpectUnchangedAsync(() => GetAsync(links.Unsubscribe), 200);
        Assert.Contains("<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">", page.Body, StringComparison.Ordinal);
        Assert.Contains("Me désinscrire", page.Body, StringComparison.Ordinal);

        var now = World.Clock.GetUtcNow();
        var done = multipart ? await PostOneClickAsync(links.Unsubscribe) : await PostFormAsync(links.Unsubscribe, "List-Unsubscribe=One-Click");

        Assert.Equal(200, done.Status);
        AssertPageHeaders(done);
        Assert.Contains("Désinscription confirmée", done.Body, StringComparison.Ordinal);
        var patient = await PatientAsync();
        Assert.Equal(new EmailConsent(false, now, "unsubscribed"), patient.EmailConsent);
        Assert.True(patient.Suppressed);
        var suppression = await new Reengage.Functions.Tables.TableSuppressionStore(Clients.Suppressions).GetSuppressionAsync(World.PracticeId, Ids.AddressHashOf(World.PracticeId, SendWorld.PatientEmail));
        Assert.Equal(SuppressionReason.Unsubscribed, suppression!.Reason);
        Assert.Equal("skipped:unsubscribed", (await World.Ledger.GetOutreachAsync(World.PracticeId, planned.Id))!.Value.Status);
        var row = await World.RowAsync();
        Assert.Equal((OutreachResponse.Unsubscribe, now, OutreachStatus.Sent), (row.Response, row.RespondedAt, row.Status));

        // Idempotent: the same page, nothing written.
        World.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Contains("Désinscription confirmée", (await ExpectUnchangedAsync(() => PostOneClickAsync(links.Unsubscribe), 200)).Body, StringComparison.Ordinal);
        // A weaker answer after it does not replace it.
        await ExpectUnchangedAsync(() => GetAsync(links.Book), 302);
    }

    [Fact]
    public async Task A_validly_signed_unsubscribe_link_still_unsubscribes_after_a_year_while_an_expired_book_link_answers_410()
    {
        var links = await SendEmailAsync(Locale.Fr);
        World.Clock.Advance(TimeSpan.FromDays(400));

        var expired = await ExpectUnchangedAsync(() => GetAsync(links.Book), 410);
        AssertPageHeaders(expired);
        Assert.Contains("Ce lien a expiré", expired.Body, StringComparison.Ordinal);
        Assert.Contains("href=\"https://tilleuls.example/rdv\"", expired.Body, StringComparison.Ordinal);
        await ExpectUnchangedAsync(() => PostFormAsync(links.Later), 410);
        await ExpectUnchangedAsync(() => PostFormAsync($"{Base}feedback/{TokenOf(links.Feedback!)}", "rating=5"), 410);

        Assert.Equal(200, (await PostOneClickAsync(links.Unsubscribe)).Status);
        Assert.True((await PatientAsync()).Suppressed);
    }

    [Fact]
    public async Task An_erased_patients_feedback_link_collects_nothing()
    {
        var links = await SendEmailAsync();
        PatientReadsLater();
        await World.Patients.DeletePatientAsync(World.PracticeId, World.PatientId);

        await ExpectUnchangedAsync(() => GetAsync(links.Feedback!), 404);
        await ExpectUnchangedAsync(() => PostFormAsync($"{Base}feedback/{TokenOf(links.Feedback!)}", "rating=5"), 404);
    }
}
