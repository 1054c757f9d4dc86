using Reengage.Core.Answers;
using Reengage.Core.Model;
using Reengage.Functions.Answers;

namespace Reengage.Functions.Tests.Answers;

/// <summary>The page writer on its own: dates in words, and every value escaped.</summary>
public sealed class AnswerPagesRenderTests
{
    private static PageContext Context(string practice, Locale locale = Locale.En) =>
        new(locale, practice, "https://x.example/book?a=1&b=\"2\"", "Europe/Paris", "tok\"en<");

    [Theory]
    [InlineData(Locale.Fr, 2027, 4, 1, "1er\u00a0avril\u00a02027")]
    [InlineData(Locale.Fr, 2027, 8, 15, "15\u00a0août\u00a02027")]
    [InlineData(Locale.En, 2027, 4, 1, "1\u00a0April\u00a02027")]
    public void Dates_are_written_in_words_on_one_line(Locale locale, int year, int month, int day, string expected) =>
        Assert.Equal(expected, PageWording.For(locale).LongDate(new DateOnly(year, month, day)));

    [Fact]
    public void A_date_is_the_practices_local_day_and_an_unknown_zone_falls_back_to_UTC()
    {
        var late = new DateTimeOffset(2027, 4, 5, 22, 30, 0, TimeSpan.Zero);
        Assert.Contains("6\u00a0April\u00a02027", AnswerPages.Render(new AnswerView.LaterDone(Context("P"), late)), StringComparison.Ordinal);
        Assert.Contains("5\u00a0April\u00a02027", AnswerPages.Render(new AnswerView.LaterDone(Context("P") with { TimeZone = "Nowhere/Else" }, late)), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_is_escaped_in_text_and_in_attributes()
    {
        var html = AnswerPages.Render(new AnswerView.FeedbackFormPage(
            Context("<script>alert(1)</script> & \"Co\""),
            new FeedbackFormValues("<b>", "</textarea><script>x</script>"),
            [new FeedbackProblem(FeedbackField.Rating, FeedbackProblemKind.Invalid)],
            AnsweredBefore: false));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</textarea><script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;", html, StringComparison.Ordinal);
        Assert.Contains("action=\"../feedback/tok&quot;en&lt;\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" checked", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rating_typed_is_checked_again_when_the_form_comes_back()
    {
        var html = AnswerPages.Render(new AnswerView.FeedbackFormPage(Context("P"), new FeedbackFormValues("3", ""),
            [new FeedbackProblem(FeedbackField.Comment, FeedbackProblemKind.TooLong, 2001)], AnsweredBefore: true));
        Assert.Contains("id=\"rating-3\" name=\"rating\" value=\"3\" checked>", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        Assert.Contains("You have already answered", html, StringComparison.Ordinal);
    }
}
