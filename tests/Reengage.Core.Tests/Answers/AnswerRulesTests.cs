using Reengage.Core.Answers;
using Reengage.Core.Model;

namespace Reengage.Core.Tests.Answers;

public sealed class AnswerRulesTests
{
    [Theory]
    [InlineData(OutreachResponse.Book, null, true)]
    [InlineData(OutreachResponse.Book, OutreachResponse.Book, false)]
    [InlineData(OutreachResponse.Later, OutreachResponse.Book, true)]
    [InlineData(OutreachResponse.Feedback, OutreachResponse.Book, true)]
    [InlineData(OutreachResponse.Book, OutreachResponse.Later, false)]
    [InlineData(OutreachResponse.Book, OutreachResponse.Feedback, false)]
    [InlineData(OutreachResponse.Feedback, OutreachResponse.Later, true)]
    [InlineData(OutreachResponse.Later, OutreachResponse.Feedback, true)]
    [InlineData(OutreachResponse.Unsubscribe, OutreachResponse.Feedback, true)]
    [InlineData(OutreachResponse.Later, OutreachResponse.Unsubscribe, false)]
    [InlineData(OutreachResponse.Feedback, OutreachResponse.Unsubscribe, false)]
    [InlineData(OutreachResponse.Unsubscribe, OutreachResponse.Unsubscribe, false)]
    public void A_stronger_answer_replaces_a_weaker_one_never_the_reverse_and_the_same_one_writes_nothing(OutreachResponse answer, OutreachResponse? previous, bool replaces) =>
        Assert.Equal(replaces, AnswerRules.Replaces(answer, previous));

    [Fact]
    public void Answering_keeps_a_later_answer_already_recorded()
    {
        var now = new DateTimeOffset(2027, 1, 5, 10, 0, 0, TimeSpan.Zero);
        var patient = new Patient { PracticeId = "p", Id = "q", CreatedAt = now, UpdatedAt = now, LastAnsweredAt = now.AddHours(1) };
        Assert.Equal(now.AddHours(1), AnswerRules.Answered(patient, now).LastAnsweredAt);
        Assert.Equal(now, AnswerRules.Answered(patient with { LastAnsweredAt = now.AddDays(-1) }, now).LastAnsweredAt);
    }
}
