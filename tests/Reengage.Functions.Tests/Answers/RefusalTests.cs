using System.Text;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Security;
using Reengage.Functions.Tests.Sending;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Answers;

/// <summary>When a link cannot be used: nothing changes and the patient gets a friendly page (docs/answers.md).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RefusalTests(AzuriteFixture fixture) : AnswerTestBase(fixture)
{
    private string Url(string route, string token) => $"{Base}{route}/{token}";

    private static string Tamper(string token)
    {
        var last = token[^1] == 'A' ? 'B' : 'A';
        return token[..^1] + last;
    }

    [Fact]
    public async Task A_tampered_link_answers_400_with_a_page_in_both_languages_and_changes_nothing()
    {
        var links = await SendEmailAsync();
        World.Clock.Advance(TimeSpan.FromHours(2));
        foreach (var link in links.All)
        {
            var tampered = link[..(link.LastIndexOf('/') + 1)] + Tamper(TokenOf(link));
            var page = await ExpectUnchangedAsync(() => GetAsync(tampered), 400);
            AssertPageHeaders(page);
            Assert.Contains("<html lang=\"fr\"", page.Body, StringComparison.Ordinal);
            Assert.Contains("<div lang=\"en\" class=\"other-language\">", page.Body, StringComparison.Ordinal);
            await ExpectUnchangedAsync(() => PostOneClickAsync(tampered), 400);
        }
        var unsubscribe = await GetAsync(Url("unsubscribe", "not-a-token"));
        Assert.Contains("you can also reply to the email and ask us", unsubscribe.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_of_another_practice_another_email_or_another_route_is_refused_and_changes_nothing()
    {
        var links = await SendEmailAsync();
        World.Clock.Advance(TimeSpan.FromHours(2));
        var now = World.Clock.GetUtcNow();

        // Another practice's token naming this email: not found (no enumeration of practices).
        var foreign = LinkTokens.Issue("prac_other", links.Row.OperationId, LinkAction.Unsubscribe, SendWorld.Key, now);
        await ExpectUnchangedAsync(() => PostOneClickAsync(Url("unsubscribe", foreign)), 404);
        // This practice, an email that does not exist.
        var unknown = LinkTokens.Issue(World.PracticeId, Guid.NewGuid().ToString(), LinkAction.Book, SendWorld.Key, now);
        await ExpectUnchangedAsync(() => GetAsync(Url("r", unknown)), 404);
        // Not an operation id at all.
        await ExpectUnchangedAsync(() => GetAsync(Url("r", LinkTokens.Issue(World.PracticeId, World.Row().Id, LinkAction.Book, SendWorld.Key, now))), 404);
        // A valid link on another action's route.
        await ExpectUnchangedAsync(() => PostOneClickAsync(Url("unsubscribe", TokenOf(links.Book))), 400);
        await ExpectUnchangedAsync(() => PostFormAsync(Url("feedback", TokenOf(links.Later)), "rating=5"), 400);
        await ExpectUnchangedAsync(() => GetAsync(Url("r", TokenOf(links.Unsubscribe))), 400);
    }

    [Fact]
    public async Task A_key_still_listed_keeps_working_after_rotation_and_a_removed_key_is_refused()
    {
        var links = await SendEmailAsync();
        World.Clock.Advance(TimeSpan.FromHours(2));
        var now = World.Clock.GetUtcNow();
        var removed = new SigningKey("k9", [.. Enumerable.Range(200, 32).Select(i => (byte)i)]);

        await ExpectUnchangedAsync(() => PostFormAsync(Url("r", LinkTokens.Issue(World.PracticeId, links.Row.OperationId, LinkAction.Later, removed, now))), 400);
        // Same key id, another secret: a forged signature.
        var forged = new SigningKey(SendWorld.Key.Id, removed.Secret);
        await ExpectUnchangedAsync(() => PostFormAsync(Url("r", LinkTokens.Issue(World.PracticeId, links.Row.OperationId, LinkAction.Later, forged, now))), 400);

        var old = LinkTokens.Issue(World.PracticeId, links.Row.OperationId, LinkAction.Later, SendWorld.OldKey, now);
        Assert.Equal(200, (await PostFormAsync(Url("r", old))).Status);
        Assert.Equal(OutreachResponse.Later, (await World.RowAsync()).Response);
    }

    [Fact]
    public async Task An_expired_link_answers_410_in_the_emails_language_and_changes_nothing()
    {
        var links = await SendEmailAsync(Locale.Fr);
        World.Clock.Advance(TimeSpan.FromDays(91));

        var later = await ExpectUnchangedAsync(() => GetAsync(links.Later), 410);
        Assert.Contains("<html lang=\"fr\"", later.Body, StringComparison.Ordinal);
        Assert.Contains("répondez simplement à l’e-mail pour nous le dire", later.Body, StringComparison.Ordinal);
        await ExpectUnchangedAsync(() => GetAsync(links.Feedback!), 410);
    }

    [Fact]
    public async Task Other_methods_oversized_bodies_and_other_media_types_get_a_page_and_change_nothing()
    {
        var links = await SendEmailAsync();
        World.Clock.Advance(TimeSpan.FromHours(2));

        var put = await ExpectUnchangedAsync(() => SendAsync("PUT", links.Later), 405);
        Assert.Equal("GET, HEAD, POST", put["Allow"]);
        AssertPageHeaders(put);
        var feedbackUrl = Url("feedback", TokenOf(links.Feedback!));
        Assert.Equal("POST", (await ExpectUnchangedAsync(() => SendAsync("GET", feedbackUrl), 405))["Allow"]);

        var big = "rating=5&comment=" + new string('a', Reengage.Functions.Answers.AnswerHttp.MaxFormBytes);
        await ExpectUnchangedAsync(() => PostFormAsync(feedbackUrl, big), 413);
        await ExpectUnchangedAsync(() => SendAsync("POST", links.Unsubscribe, Encoding.UTF8.GetBytes("{\"List-Unsubscribe\":\"One-Click\"}"), "application/json"), 415);
        await ExpectUnchangedAsync(() => SendAsync("POST", links.Unsubscribe, Encoding.UTF8.GetBytes("x"), null), 415);
        await ExpectUnchangedAsync(() => SendAsync("POST", links.Unsubscribe, Encoding.UTF8.GetBytes("--b\r\ngarbage"), "multipart/form-data; boundary=b"), 400);
        await ExpectUnchangedAsync(() => SendAsync("POST", links.Unsubscribe, Encoding.UTF8.GetBytes("x"), "multipart/form-data"), 400);
    }

    private const string DeadAccount = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};" +
        $"TableEndpoint=http://127.0.0.1:9/{Azurite.AccountName}";

    [Fact]
    public async Task A_storage_outage_answers_a_friendly_503_page_with_retry_after_and_how_else_to_unsubscribe()
    {
        var links = await SendEmailAsync();
        World.Clock.Advance(TimeSpan.FromHours(2));
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var dead = new TableServiceClient(DeadAccount, options).GetTableClient("Patients");
        var functions = Functions(dead);

        var answer = await ExpectUnchangedAsync(() => SendAsync("POST", links.Unsubscribe, Encoding.UTF8.GetBytes("List-Unsubscribe=One-Click"), "application/x-www-form-urlencoded", functions), 503);

        Assert.Equal("60", answer["Retry-After"]);
        AssertPageHeaders(answer);
        Assert.Contains("Un souci technique passager", answer.Body, StringComparison.Ordinal);
        Assert.Contains("you can also reply to the email and ask us", answer.Body, StringComparison.Ordinal);
        Assert.Equal(503, (await SendAsync("POST", links.Later, Encoding.UTF8.GetBytes(""), "application/x-www-form-urlencoded", functions)).Status);
    }

    [Fact]
    public async Task A_practice_without_a_web_booking_page_gets_a_page_instead_of_a_redirect()
    {
        var links = await SendEmailAsync();
        await World.Practices.UpsertPracticeAsync(World.Practice() with { BookingUrl = "tel:+33123456789" });
        World.Clock.Advance(TimeSpan.FromHours(2));

        var page = await GetAsync(links.Book);

        Assert.Equal(200, page.Status);
        Assert.Contains("Online booking is not available at the moment", page.Body, StringComparison.Ordinal);
        Assert.Equal(OutreachResponse.Book, (await World.RowAsync()).Response);
    }
}
