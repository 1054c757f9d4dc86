using FsCheck;
using FsCheck.Fluent;
using Reengage.Core.Answers;

namespace Reengage.Core.Tests.Answers;

public sealed class FeedbackFormTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 5 ", 5)]
    [InlineData("3", 3)]
    public void A_rating_from_1_to_5_is_accepted(string rating, int expected)
    {
        var check = FeedbackForm.Check(rating, null);
        Assert.True(check.IsValid);
        Assert.Equal(expected, check.Rating);
        Assert.Null(check.Comment);
    }

    [Theory]
    [InlineData(null, FeedbackProblemKind.Missing)]
    [InlineData("  ", FeedbackProblemKind.Missing)]
    [InlineData("0", FeedbackProblemKind.Invalid)]
    [InlineData("6", FeedbackProblemKind.Invalid)]
    [InlineData("4.0", FeedbackProblemKind.Invalid)]
    [InlineData("٣", FeedbackProblemKind.Invalid)]
    [InlineData("five", FeedbackProblemKind.Invalid)]
    public void A_missing_or_other_rating_is_refused_and_what_was_typed_is_kept(string? rating, FeedbackProblemKind kind)
    {
        var check = FeedbackForm.Check(rating, "Merci");
        Assert.False(check.IsValid);
        Assert.Equal([new FeedbackProblem(FeedbackField.Rating, kind)], check.Problems);
        Assert.Equal((rating ?? "").Trim(), check.Values.Rating);
        Assert.Equal("Merci", check.Values.Comment);
    }

    [Fact]
    public void A_comment_is_counted_as_the_browser_counts_maxlength_line_breaks_as_one()
    {
        // 1,000 lines of "x" joined by CRLF: 1,999 characters once the browser's LF counting applies.
        var posted = string.Join("\r\n", Enumerable.Repeat("x", 1000));
        var check = FeedbackForm.Check("4", posted);
        Assert.True(check.IsValid);
        Assert.Equal(1999, check.Comment!.Length);
    }

    [Fact]
    public void A_comment_over_2000_characters_is_refused_with_its_length_and_kept_as_typed()
    {
        var comment = new string('é', 2001);
        var check = FeedbackForm.Check("2", comment);
        Assert.False(check.IsValid);
        Assert.Equal([new FeedbackProblem(FeedbackField.Comment, FeedbackProblemKind.TooLong, 2001)], check.Problems);
        Assert.Equal(comment, check.Values.Comment);
        Assert.Null(check.Rating);
    }

    [Fact]
    public void Control_characters_are_removed_tabs_become_spaces_and_the_comment_is_trimmed() =>
        Assert.Equal("a b\nc\nd", FeedbackForm.CleanComment("  a\tb\u0000\rc\u2028d\u0007 \n"));

    [Fact]
    public void An_empty_comment_is_no_comment() => Assert.Null(FeedbackForm.Check("5", " \r\n ").Comment);

    /// <summary>Arbitrary text (null included), or the near misses of <paramref name="near"/>.</summary>
    private static Gen<string?> Field(Gen<string> near) =>
        Gen.OneOf(ArbMap.Default.GeneratorFor<string>().Select(s => (string?)s), near.Select(s => (string?)s));

    [Fact]
    public void Any_posted_fields_give_either_a_valid_rating_and_a_bounded_comment_or_problems() =>
        Prop.ForAll(Field(Gen.Elements("1", "5", " 3 ", "0", "6")).ToArbitrary(), Field(Gen.Choose(1990, 2010).Select(n => new string('a', n) + "\r\n")).ToArbitrary(), (rating, comment) =>
        {
            var check = FeedbackForm.Check(rating, comment);
            return check.IsValid
                ? check.Rating is >= 1 and <= 5 && (check.Comment?.Length ?? 0) <= FeedbackForm.MaxCommentChars && !(check.Comment ?? "").Any(c => char.IsControl(c) && c != '\n')
                : check.Problems.Count > 0 && check.Rating is null;
        }).QuickCheckThrowOnFailure();
}
