using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Patients;
using Reengage.Testing;

namespace Reengage.Chaos.Tests;

public sealed class AzuriteFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await Azurite.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}

/// <summary>
/// The short version of <c>dotnet run --project tools/Reengage.Chaos</c> (docs/chaos.md): the real planners and sender
/// on Azurite and the ACS stand-in, with crashes injected at the ports, duplicate and concurrent deliveries, ACS faults.
/// </summary>
public sealed class ChaosTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private string Connection => fixture.Azurite.ConnectionString;

    [Fact]
    public async Task A_crash_at_every_call_of_one_send_then_redelivery_ends_as_without_faults()
    {
        var results = await Suite.SweepAsync(Connection, "send crash sweep", seed: 1, World.OneSendKinds, sending: true, concurrency: 2);

        var baseline = results[0];
        Assert.Equal("sent", Assert.Single(baseline.Check.Statuses).Value);
        Assert.Equal(1, baseline.Check.Emails);
        var crashed = results.Skip(1).ToList();
        // Read the row, read the practice and patient, render, index the message, POST, record: every one is a crash point.
        Assert.True(crashed.Count >= 7, $"only {crashed.Count} crash points in one send");
        Assert.All(crashed, r => Assert.Single(r.Crashes));
        Assert.Contains(crashed, r => r.Crashes[0] == "sender.SendAsync:after");
        Assert.All(results, r => Assert.Empty(r.Check.Violations));
        Assert.All(crashed, r => Assert.Equal(1, r.Check.Emails));
    }

    [Fact]
    public async Task Seeded_random_runs_keep_every_invariant()
    {
        var results = new List<RunResult>();
        foreach (var index in Enumerable.Range(0, 6))
        {
            results.Add(await Scenario.RunAsync(Connection, Suite.RandomSpec(seed: 1, index)));
        }

        Assert.All(results, r => Assert.Empty(r.Check.Violations));
        Assert.True(results.Sum(r => r.Crashes.Count) > 0, "no crash was injected");
        Assert.True(results.Sum(r => r.Check.Emails) > 10, "too few emails for the runs to mean anything");
        Assert.Equal(0, results.Sum(r => r.Check.Duplicates));
    }

    [Fact]
    public async Task Every_message_delivered_twice_to_two_hosts_at_once_while_two_planners_race_sends_each_step_once()
    {
        var result = await Scenario.RunAsync(Connection, new RunSpec
        {
            Label = "duplicates",
            Seed = 5,
            Planners = Concurrency.TwoHosts,
            DuplicateMessages = true,
            SendingHosts = 2,
        });

        Assert.Empty(result.Check.Violations);
        Assert.True(result.Check.Emails > 0);
        Assert.Equal(result.Check.Emails, result.Check.RowsByStatus.GetValueOrDefault("sent"));
    }

    [Fact]
    public async Task Azurite_stopped_after_the_first_message_of_the_drain_and_restarted_on_its_data_loses_and_repeats_nothing()
    {
        var result = await Scenario.RunStorageOutageAsync(new RunSpec
        {
            Label = "storage outage",
            Seed = 5,
            Features = ["storage outage"],
        }, stopAfter: 1, down: TimeSpan.FromSeconds(4));

        Assert.Equal(1, result.Outages);
        Assert.Empty(result.Check.Violations);
        Assert.True(result.Check.Emails > 1, "the drain had nothing left to send after the first message");
        Assert.Equal(result.Check.Emails, result.Check.RowsByStatus.GetValueOrDefault("sent"));
    }

    [Fact]
    public async Task The_checker_reports_a_second_POST_a_row_put_back_to_planned_and_a_deleted_row()
    {
        await using var env = await ChaosEnv.CreateAsync(Connection, acsChaos: null, World.PlanningInstant.AddDays(-400));
        var world = World.Build(1, [PatientKind.CheckIn, PatientKind.StepTwo, PatientKind.NoConsent]);
        await world.SeedAsync(env.Services.GetRequiredService<IPracticeStore>(), env.Services.GetRequiredService<PatientSaver>());
        env.Clock.SetUtcNow(world.PlanAt);
        await QueueHost.RunPlannersAsync(env.Planner(0, new SimulatedProcess()));
        await QueueHost.DrainAsync(env, env.SendFunction(0, new SimulatedProcess()), null);
        var clean = await CheckAsync(env, world);
        Assert.Empty(clean.Violations);
        Assert.Equal(2, clean.Emails);

        var ledger = env.Services.GetRequiredService<IOutreachLedger>();
        var rows = new List<OutreachRow>();
        await foreach (var row in ledger.ListOutreachAsync(world.Practices[0].Id)) rows.Add(row);
        var sent = rows.Where(r => r.Status == OutreachStatus.Sent).ToList();
        // A second POST of the first email, as a blind retry would make it.
        var again = Assert.Single(env.Acs.Sent, e => e.OperationId == sent[0].OperationId.ToLowerInvariant());
        var sender = new Reengage.Functions.Acs.AcsEmailSender(env.Acs.ConnectionString, ChaosEnv.SenderOptions(env.Clock));
        await sender.SendAsync(new OutgoingEmail
        {
            From = new EmailAddress("bonjour@paris.example", "Cabinet Paris"),
            To = new EmailAddress(again.Body["recipients"]!["to"]![0]!["address"]!.GetValue<string>(), null),
            Subject = "again",
            Html = "<p>again</p>",
            Text = "again",
        }, sent[0].OperationId);
        // The second sent row put back to planned, and the skipped row deleted.
        var current = await ledger.GetOutreachAsync(sent[1].PracticeId, sent[1].Id);
        await ledger.UpdateOutreachAsync(current!.Value with { Status = OutreachStatus.Planned }, current.ETag);
        var skipped = rows.Single(r => OutreachStatus.IsSkipped(r.Status));
        await ledger.DeleteOutreachAsync(skipped.PracticeId, skipped.Id);

        var broken = await CheckAsync(env, world);

        Assert.Contains(broken.Violations, v => v.StartsWith("duplicate: ACS took operation", StringComparison.Ordinal));
        Assert.Contains(broken.Violations, v => v.StartsWith("leftover: ", StringComparison.Ordinal) && v.Contains(sent[1].Id, StringComparison.Ordinal));
        Assert.Contains(broken.Violations, v => v.StartsWith("email sent for row", StringComparison.Ordinal));
        Assert.Contains(broken.Violations, v => v.StartsWith("dropped: NoConsent", StringComparison.Ordinal));
        Assert.Equal(1, broken.Duplicates);
    }

    private static async Task<CheckResult> CheckAsync(ChaosEnv env, World world) =>
        await Invariants.CheckAsync(env.Services, world, env.Acs.Requests, env.Acs.Sent, await QueueHost.DepthAsync(env.Queue), await QueueHost.DepthAsync(env.Poison));
}
