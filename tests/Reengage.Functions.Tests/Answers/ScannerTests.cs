using Reengage.Core.Model;

namespace Reengage.Functions.Tests.Answers;

/// <summary>
/// Mail scanners open every link of every email seconds after delivery (docs/answers.md): their visits change nothing but
/// the scanner record of the email's row, and still get redirected; the patient's own click later records the answer.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScannerTests(AzuriteFixture fixture) : AnswerTestBase(fixture)
{
    private async Task<OutreachRow> ScanEveryLinkAsync(Links links, int startSecond, Func<string, Task<Answer>> visit)
    {
        World.Clock.Advance(TimeSpan.FromSeconds(startSecond));
        foreach (var link in links.All)
        {
            var answer = await visit(link);
            Assert.True(answer.Status is 200 or 302, $"{link}: {answer.Status}");
            if (link == links.Book) Assert.Equal("https://tilleuls.example/rdv", answer["Location"]);
        }
        return await World.RowAsync();
    }

    [Theory]
    [InlineData("GET", 5)]
    [InlineData("HEAD", 5)]
    [InlineData("HEAD", 7200)]
    public async Task A_scanner_opening_every_link_changes_nothing_but_the_rows_scanner_visit(string method, int secondsAfterSending)
    {
        var links = await SendEmailAsync();
        var sentRow = links.Row;
        var before = await SnapshotAsync();

        var row = await ScanEveryLinkAsync(links, secondsAfterSending, link => SendAsync(method, link));

        AssertSame(before, await SnapshotAsync(), except: "Outreach");
        Assert.Equal(World.Clock.GetUtcNow(), row.ScannerVisitAt);
        Assert.Equal(sentRow with { ScannerVisitAt = row.ScannerVisitAt }, row);
        Assert.Null(row.Response);
        Assert.Null((await PatientAsync()).LastAnsweredAt);

        // A second sweep of the same scanner writes nothing at all.
        World.Clock.Advance(TimeSpan.FromMilliseconds(500));
        var again = await SnapshotAsync();
        await ScanEveryLinkAsync(links, 0, link => SendAsync(method, link));
        AssertSame(again, await SnapshotAsync());
    }

    [Fact]
    public async Task The_patients_own_click_after_a_scanner_records_the_answer()
    {
        var links = await SendEmailAsync();
        await ScanEveryLinkAsync(links, 3, GetAsync);
        var scannedAt = World.Clock.GetUtcNow();

        World.Clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(302, (await GetAsync(links.Book)).Status);

        var row = await World.RowAsync();
        Assert.Equal((OutreachResponse.Book, World.Clock.GetUtcNow(), scannedAt), (row.Response, row.RespondedAt, row.ScannerVisitAt));
        Assert.Equal(World.Clock.GetUtcNow(), (await PatientAsync()).LastAnsweredAt);
    }

    [Fact]
    public async Task A_scanner_visit_leaves_the_patients_planned_emails_planned()
    {
        var links = await SendEmailAsync();
        var planned = World.Row() with { Step = 2, TemplateId = TemplateId.NoPressure, Status = OutreachStatus.Planned };
        planned = planned with { OperationId = Core.Ids.OperationIdOf(World.PracticeId, planned.Id) };
        Assert.NotNull(await World.Ledger.CreateOutreachAsync(planned));
        var before = await SnapshotAsync();

        World.Clock.Advance(TimeSpan.FromSeconds(2));
        await HeadAsync(links.Unsubscribe);
        await GetAsync(links.Unsubscribe);
        await GetAsync(links.Book);

        var after = await SnapshotAsync();
        AssertSame(before, after, except: "Outreach");
        Assert.Equal(OutreachStatus.Planned, (await World.Ledger.GetOutreachAsync(World.PracticeId, planned.Id))!.Value.Status);
    }
}
