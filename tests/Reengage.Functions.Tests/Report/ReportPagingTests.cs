using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Model;
using Reengage.Core.Report;
using Reengage.Functions.Report;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Report;

/// <summary>The report reads the practice's own partition of the ledger, page after page, and nothing else.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReportPagingTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    [Fact]
    public async Task A_ledger_of_more_than_one_page_is_read_page_by_page_from_the_practice_partition_only()
    {
        var practiceId = FreshPracticeId();
        var otherId = FreshPracticeId();
        var ledger = new TableOutreachLedger(Clients.Outreach);
        var planned = new DateTimeOffset(2027, 1, 5, 5, 0, 0, TimeSpan.Zero);
        OutreachRow RowOf(string practice, int i) => new()
        {
            PracticeId = practice,
            PatientId = $"pat_{i:D5}",
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-01",
            Step = 1,
            TemplateId = i % 3 == 0 ? TemplateId.Progress : TemplateId.CheckIn,
            Locale = Locale.Fr,
            Status = OutreachStatus.Delivered,
            PlannedAt = planned,
            NotBefore = planned,
            SentAt = planned.AddHours(4),
            OperationId = "00000000-0000-5000-8000-000000000000",
            RebookedAt = i % 4 == 0 ? planned.AddDays(10) : null,
        };
        // 1,203 rows: a Table query answers at most 1,000 entities a page. 1,203 / 3 -> 401 progress rows (i = 0, 3, …,
        // 1200); 1,203 / 4 -> 301 rebooked (i = 0, 4, …, 1200). The other practice's 7 rows must not count.
        var rows = Enumerable.Range(0, 1203).Select(i => RowOf(practiceId, i)).Concat(Enumerable.Range(0, 7).Select(i => RowOf(otherId, i)));
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (row, ct) => Assert.NotNull(await ledger.CreateOutreachAsync(row, ct)));
        Counter.Reset();

        var reporting = new PracticeReporting(
            ledger,
            new TableFeedbackStore(Clients.Feedback),
            new TablePracticeStore(Clients.Practices, Clients.Therapists),
            new FakeTimeProvider(new DateTimeOffset(2027, 6, 1, 12, 0, 0, TimeSpan.Zero)),
            NullLogger<PracticeReporting>.Instance);
        var practice = new Practice { Id = practiceId, Name = "Cabinet", SenderDisplayName = "Cabinet", CadenceDays = [30, 60, 120], SeasonalWindows = [] };
        var outcome = await reporting.ReportAsync(practice, name => name switch { "from" => "2027-01-01", "to" => "2027-04-01", _ => null }, CancellationToken.None);

        var figures = Assert.IsType<ReportOutcome.Built>(outcome).Report.Figures;
        Assert.Equal((1203, 1203, 301), (figures.Total.Planned, figures.Total.Sent, figures.Total.Rebooked));
        Assert.Equal(401, figures.Groups.Single(g => g.Key == "progress").Figures.Planned);
        Assert.Equal(new OutcomeFigures(1203, 301, 0.2502), figures.Holdout.Emailed);
        // Two pages of the ledger and one of the feedback: never a point read per row.
        Assert.Equal(2, Counter.Count(Clients.Outreach.Name, "GET"));
        Assert.Equal(1, Counter.Count(Clients.Feedback.Name, "GET"));
        Assert.Equal(3, Counter.Total);
    }
}
