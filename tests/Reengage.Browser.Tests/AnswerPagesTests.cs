using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Reengage.Core.Model;
using Reengage.Core.Security;

namespace Reengage.Browser.Tests;

/// <summary>
/// Every answer page in a real Chromium, in French and English, from the links of real emails: each form sent by keyboard
/// only, the answer checked in storage, a visible focus ring, the CSP enforced, nothing fetched from anywhere but
/// 127.0.0.1, zero axe-core violations (WCAG 2 A and AA), and a full-page screenshot of each page in artifacts/screenshots.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class AnswerPagesTests(PagesFixture fixture) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly List<string> _requests = [];
    private readonly List<string> _blocked = [];

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = true });
        // Every request the pages make is seen here; anything not for 127.0.0.1 is refused and listed.
        await _context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            _requests.Add(route.Request.Url);
            if (url.Host == "127.0.0.1") await route.ContinueAsync();
            else
            {
                _blocked.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_blocked);
        await _context.DisposeAsync();
    }

    private static readonly AxeRunOptions Wcag2AAndAA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    /// <summary>The checks every page gets: its language, the headers, axe, and its screenshot.</summary>
    private async Task CheckPageAsync(IResponse? response, string name, string lang, int status = 200)
    {
        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
        var headers = await response.AllHeadersAsync();
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("no-store", headers["cache-control"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal(lang, await _page.GetAttributeAsync("html", "lang"));
        Assert.Equal(1, await _page.Locator("h1").CountAsync());
        var axe = await _page.RunAxe(Wcag2AAndAA);
        Assert.NotEmpty(axe.Passes);
        Assert.True(axe.Violations.Length == 0, $"{name}: " + string.Join("; ", axe.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PagesFixture.Screenshots, $"{name}.png"), FullPage = true });
    }

    /// <summary>Presses Tab until the focused element matches <paramref name="selector"/>, and checks its focus ring.</summary>
    private async Task TabToAsync(string selector)
    {
        for (var i = 0; i < 25; i++)
        {
            await _page.Keyboard.PressAsync("Tab");
            if (await _page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
            {
                var outline = await _page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; }");
                Assert.Equal("solid 3px", outline);
                return;
            }
        }
        Assert.Fail($"Tab never reached {selector}.");
    }

    /// <summary>Presses Enter on the focused button; the answer is the form's POST, then its page is loaded.</summary>
    private async Task<IResponse?> SubmitByEnterAsync()
    {
        var response = await _page.RunAndWaitForResponseAsync(() => _page.Keyboard.PressAsync("Enter"), r => r.Request.Method == "POST");
        await _page.WaitForLoadStateAsync(LoadState.Load);
        return response;
    }

    [Theory]
    [InlineData(Locale.Fr)]
    [InlineData(Locale.En)]
    public async Task Not_now_by_keyboard_pauses_the_patient(Locale locale)
    {
        var lang = Wire.Name(locale);
        await CheckPageAsync(await _page.GotoAsync(fixture.Links[locale].Later), $"later.{lang}", lang);
        Assert.Null((await fixture.PatientAsync(locale)).PausedUntil);

        await TabToAsync("button[type=submit]");
        var done = await SubmitByEnterAsync();

        await CheckPageAsync(done, $"later-done.{lang}", lang);
        Assert.Equal(fixture.Clock.GetUtcNow().AddDays(90), (await fixture.PatientAsync(locale)).PausedUntil);
    }

    [Theory]
    [InlineData(Locale.Fr)]
    [InlineData(Locale.En)]
    public async Task Feedback_by_keyboard_shows_errors_beside_the_fields_keeps_what_was_typed_then_stores_it(Locale locale)
    {
        var lang = Wire.Name(locale);
        await CheckPageAsync(await _page.GotoAsync(fixture.Links[locale].Feedback), $"feedback.{lang}", lang);

        // No rating chosen, a comment typed, sent: the form comes back with the errors and the comment.
        await TabToAsync("#comment");
        await _page.Keyboard.TypeAsync("Merci pour tout");
        await TabToAsync("button[type=submit]");
        var refused = await SubmitByEnterAsync();
        await CheckPageAsync(refused, $"feedback-error.{lang}", lang, status: 400);
        Assert.Equal("Merci pour tout", await _page.InputValueAsync("#comment"));
        Assert.True(await _page.Locator("#rating-error").IsVisibleAsync());
        Assert.Null(await fixture.FeedbackAsync(locale));

        // The first radio button, then arrow keys to the fourth.
        await TabToAsync("input[name=rating]");
        await _page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 3; i++) await _page.Keyboard.PressAsync("ArrowDown");
        Assert.True(await _page.IsCheckedAsync("#rating-4"));
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PagesFixture.Screenshots, $"feedback-filled.{lang}.png"), FullPage = true });
        await TabToAsync("button[type=submit]");
        var thanks = await SubmitByEnterAsync();

        await CheckPageAsync(thanks, $"feedback-thanks.{lang}", lang);
        var stored = await fixture.FeedbackAsync(locale);
        Assert.Equal((4, "Merci pour tout"), (stored!.Rating, stored.Comment));
    }

    [Theory]
    [InlineData(Locale.Fr)]
    [InlineData(Locale.En)]
    public async Task Unsubscribe_by_keyboard_withdraws_consent(Locale locale)
    {
        var lang = Wire.Name(locale);
        await CheckPageAsync(await _page.GotoAsync(fixture.Links[locale].Unsubscribe), $"unsubscribe.{lang}", lang);
        Assert.False((await fixture.PatientAsync(locale)).Suppressed);

        await TabToAsync("button[type=submit]");
        var done = await SubmitByEnterAsync();

        await CheckPageAsync(done, $"unsubscribe-done.{lang}", lang);
        var patient = await fixture.PatientAsync(locale);
        Assert.True(patient.Suppressed);
        Assert.False(patient.EmailConsent.Granted);
    }

    [Theory]
    [InlineData(Locale.Fr)]
    [InlineData(Locale.En)]
    public async Task An_expired_link_has_its_page_in_the_emails_language(Locale locale)
    {
        var lang = Wire.Name(locale);
        var row = fixture.Rows[locale];
        var expired = LinkTokens.Issue(PagesFixture.PracticeId, row.OperationId, LinkAction.Book, PagesFixture.Key, fixture.Clock.GetUtcNow().AddDays(-100));

        await CheckPageAsync(await _page.GotoAsync($"{fixture.BaseUrl}api/r/{expired}"), $"expired.{lang}", lang, status: 410);
        Assert.Equal(PagesFixture.BookingUrl, await _page.GetAttributeAsync("main a", "href"));
    }

    [Fact]
    public async Task A_broken_link_has_a_page_in_both_languages_and_the_csp_blocks_anything_injected()
    {
        var link = fixture.Links[Locale.Fr].Later;
        await CheckPageAsync(await _page.GotoAsync(link[..^2] + "xx"), "tampered.fr-en", "fr", status: 400);
        Assert.Equal("en", await _page.GetAttributeAsync(".other-language", "lang"));

        // What the CSP must stop if markup ever slipped through: an inline script and an image from elsewhere.
        await _page.EvaluateAsync("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.injected = true';
              document.body.appendChild(script);
              const img = document.createElement('img');
              img.src = 'https://tracker.example/pixel.gif';
              document.body.appendChild(img);
            }
            """);
        await _page.WaitForTimeoutAsync(200);
        Assert.False(await _page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.DoesNotContain(_requests, url => url.Contains("tracker.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_scanners_HEAD_through_the_host_is_redirected_with_no_body_and_noted_apart_from_the_patients_answer()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var links = fixture.Links[Locale.En];
        var answeredBefore = (await fixture.PatientAsync(Locale.En)).LastAnsweredAt;

        using var book = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, links.Book));
        using var unsubscribe = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, links.Unsubscribe));

        Assert.Equal((302, PagesFixture.BookingUrl), ((int)book.StatusCode, book.Headers.Location?.AbsoluteUri));
        Assert.Equal(200, (int)unsubscribe.StatusCode);
        Assert.Empty(await unsubscribe.Content.ReadAsByteArrayAsync());
        var row = await fixture.RowAsync(Locale.En);
        Assert.Equal(fixture.Clock.GetUtcNow(), row.ScannerVisitAt);
        Assert.NotEqual(OutreachResponse.Book, row.Response);
        Assert.Equal(answeredBefore, (await fixture.PatientAsync(Locale.En)).LastAnsweredAt);
    }
}
