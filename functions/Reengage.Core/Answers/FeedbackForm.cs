using System.Text;
using System.Text.RegularExpressions;

namespace Reengage.Core.Answers;

public enum FeedbackField
{
    Rating,
    Comment,
}

public enum FeedbackProblemKind
{
    Missing,
    Invalid,
    TooLong,
}

/// <summary>One thing wrong with a posted feedback form; <see cref="Length"/> is the comment's length when too long.</summary>
public sealed record FeedbackProblem(FeedbackField Field, FeedbackProblemKind Kind, int Length = 0);

/// <summary>What the patient typed, kept so that a refused form comes back with it.</summary>
public sealed record FeedbackFormValues(string Rating, string Comment)
{
    public static FeedbackFormValues Empty { get; } = new("", "");
}

/// <summary>The outcome of checking a form: a rating 1–5 and a comment (null when empty), or the problems.</summary>
public sealed record FeedbackFormCheck(FeedbackFormValues Values, IReadOnlyList<FeedbackProblem> Problems, int? Rating, string? Comment)
{
    public bool IsValid => Problems.Count == 0 && Rating is not null;
}

/// <summary>Validation of the feedback form a patient posts (docs/answers.md): a rating 1–5 and an optional comment.</summary>
public static partial class FeedbackForm
{
    public const int MaxCommentChars = 2000;

    /// <summary>A rating longer than this is cut before being shown again: nothing typed there is ever that long.</summary>
    private const int MaxRatingEcho = 20;

    /// <summary>
    /// Browsers submit a textarea's line breaks as CRLF but count <c>maxlength</c> on LF line breaks, in UTF-16 code
    /// units: the comment is normalised the same way before it is measured, so that a comment the browser let through is
    /// never refused for its line breaks. Tabs become spaces; other control characters are removed.
    /// </summary>
    public static string CleanComment(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = LineBreaks().Replace(raw, "\n");
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\t') builder.Append(' ');
            else if (c == '\n' || !char.IsControl(c)) builder.Append(c);
        }
        return builder.ToString().Trim();
    }

    public static FeedbackFormCheck Check(string? rating, string? comment)
    {
        var cleaned = CleanComment(comment ?? "");
        var typed = (rating ?? "").Trim();
        var values = new FeedbackFormValues(typed.Length > MaxRatingEcho ? typed[..MaxRatingEcho] : typed, cleaned);
        var problems = new List<FeedbackProblem>();
        int? parsed = null;
        if (typed.Length == 0) problems.Add(new FeedbackProblem(FeedbackField.Rating, FeedbackProblemKind.Missing));
        else if (typed.Length == 1 && typed[0] is >= '1' and <= '5') parsed = typed[0] - '0';
        else problems.Add(new FeedbackProblem(FeedbackField.Rating, FeedbackProblemKind.Invalid));
        if (cleaned.Length > MaxCommentChars) problems.Add(new FeedbackProblem(FeedbackField.Comment, FeedbackProblemKind.TooLong, cleaned.Length));
        return new FeedbackFormCheck(values, problems, problems.Count == 0 ? parsed : null, problems.Count == 0 && cleaned.Length > 0 ? cleaned : null);
    }

    // CRLF, a lone CR, and the Unicode line and paragraph separators all count as one line break.
    [GeneratedRegex("\r\n?|[\u2028\u2029]")]
    private static partial Regex LineBreaks();
}
