using Reengage.Core.Model;

namespace Reengage.Core.Answers;

/// <summary>The rules of a patient's answers that do not depend on storage (docs/answers.md).</summary>
public static class AnswerRules
{
    /// <summary>How long "not now" pauses the patient.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromDays(90);

    /// <summary>
    /// One answer per email: a stronger one replaces a weaker one (unsubscribe over not now and feedback, which are over
    /// a book click), never the reverse; the same answer again writes nothing, so <c>respondedAt</c> stays the first.
    /// </summary>
    public static bool Replaces(OutreachResponse answer, OutreachResponse? previous) =>
        previous is not { } before || (before != answer && Rank(answer) >= Rank(before));

    private static int Rank(OutreachResponse response) => response switch
    {
        OutreachResponse.Book => 1,
        OutreachResponse.Later or OutreachResponse.Feedback => 2,
        OutreachResponse.Unsubscribe => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(response), response, null),
    };

    /// <summary>The patient answered at <paramref name="now"/>; a later answer already recorded is kept.</summary>
    public static Patient Answered(Patient patient, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var last = patient.LastAnsweredAt is { } at && at > now ? at : now;
        return patient with { LastAnsweredAt = last, UpdatedAt = now };
    }
}
