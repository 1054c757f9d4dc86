using Reengage.Core.Model;
using Reengage.Functions.Outbox;
using Reengage.Functions.Outreach;
using Reengage.Functions.Tests.Sending;
using Xunit.Abstractions;

namespace Reengage.Functions.Tests.Planning;

/// <summary>
/// The storage requests docs/capacity.md multiplies by a day's volume, counted on the wire: per due entry the lapse
/// planner plans, per run with nothing left to plan, and per email sent. Each is bounded here, so a change that makes
/// the common path dearer is noticed; the test output prints the counts by table (docs/capacity.md quotes them).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CapacityRequestCountTests(AzuriteFixture fixture, ITestOutputHelper output) : PlannerTestBase(fixture)
{
    private const int Due = 100;

    private void Print(string what, int units)
    {
        output.WriteLine($"{what}: {Counter.Reads} reads + {Counter.Writes} writes = {Counter.Total} requests for {units} ({(double)Counter.Total / units:0.00} each)");
        foreach (var (key, value) in Counter.Snapshot().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {key}: {value} ({(double)value / units:0.00} each)");
        }
    }

    [Fact]
    public async Task The_lapse_planner_costs_at_most_eight_requests_per_due_entry_and_a_run_with_nothing_due_writes_nothing()
    {
        var practice = await AddPracticeAsync();
        for (var n = 0; n < Due; n++) await AddPatientAsync(practice, $"pat_{n:000}");
        Counter.Reset();

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal(Due, result.Planned + result.HeldOut);
        Print($"planLapsedOutreach, {Due} due in one practice, 16 in flight, 30/min and 100/h", Due);
        Assert.True(Counter.Total <= 8 * Due, $"{Counter.Total} requests for {Due} entries");
        Assert.Equal(Due, Counter.Count(Clients.OutreachSend.Name, "POST"));

        Counter.Reset();
        var again = await Planner().PlanLapsedAsync();

        Assert.Equal(0, again.EntriesRead);
        Print("planLapsedOutreach again, nothing left to plan", 1);
        Assert.Equal(0, Counter.Writes);
        // The catch-up days and tomorrow: one DueIndex query each.
        Assert.Equal(OutreachPlanner.CatchUpDays + 2, Counter.Total);
    }

    [Fact]
    public async Task Sending_one_planned_email_costs_at_most_nine_requests()
    {
        using var world = new SendWorld(Clients);
        await world.SeedAsync();
        var outbox = Path.Combine(Path.GetTempPath(), "reengage-capacity-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sender = world.Sender(new OutboxEmailSender(outbox, world.Clock));
            Counter.Reset();

            Assert.Equal(SendResult.Sent, await sender.SendAsync(world.Request));

            Print("sendOutreach, one planned email (outbox transport: no ACS request counted)", 1);
            Assert.True(Counter.Total <= 9, $"{Counter.Total} requests");
            Assert.Equal(OutreachStatus.Sent, (await world.RowAsync()).Status);
        }
        finally
        {
            if (Directory.Exists(outbox)) Directory.Delete(outbox, recursive: true);
        }
    }
}
