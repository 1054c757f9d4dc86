using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Functions.Queues;

namespace Reengage.Functions.Tests.Planning;

[Collection(AzuriteCollection.Name)]
public sealed class OutreachPlannerTests(AzuriteFixture fixture) : PlannerTestBase(fixture)
{
    [Fact]
    public async Task Due_patients_are_planned_once_with_the_template_and_step_of_the_cadence_in_the_send_window()
    {
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_a");
        await AddPatientAsync(practice, "pat_d", edit: p => p with { ProgressNote = "Gère mieux les crises" });
        await AddPatientAsync(practice, "pat_later", LastVisit.AddDays(3));
        Assert.Equal(2, (await DueAsync("20270105")).Count);

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal((2, 2, 0, 0), (result.EntriesRead, result.Planned, result.HeldOut, result.Skipped));
        var rows = (await LedgerAsync(practice.Id)).ToDictionary(r => r.PatientId);
        Assert.Equal(["pat_a", "pat_d"], rows.Keys.Order());
        var a = rows["pat_a"];
        Assert.Equal("pat_a|lapse|2026-12-06|1", a.Id);
        Assert.Equal((Campaign.Lapse, 1, TemplateId.CheckIn, OutreachStatus.Planned, "2026-12-06"), (a.Campaign, a.Step, a.TemplateId, a.Status, a.EpisodeKey));
        Assert.Equal(TemplateId.Progress, rows["pat_d"].TemplateId);
        Assert.Equal(Ids.OperationIdOf(practice.Id, a.Id), a.OperationId);
        Assert.Equal((Locale.Fr, "th_1", Now), (a.Locale, a.TherapistId, a.PlannedAt));
        // 09:30 in Paris, then one 36 s slot later.
        Assert.Equal([ParisOpening, ParisOpening.AddSeconds(36)], rows.Values.Select(r => r.NotBefore).Order());
        // The touch is recorded and the index row moved to step 2 (60 days after the visit).
        var patient = await PatientAsync(practice, "pat_a");
        Assert.Equal(a.Id, Assert.Single(patient.TouchLog).OutreachId);
        Assert.Equal(1, patient.Episode!.LastStep);
        Assert.Equal([TemplateId.CheckIn], patient.Episode.TemplatesUsed);
        Assert.Equal("20270204", patient.DueDay);
        Assert.Empty(await DueAsync("20270105"));
        Assert.Equal(2, (await DueAsync("20270204")).Count);
    }

    [Fact]
    public async Task Each_planned_row_gets_one_message_with_ids_only_visible_at_its_slot()
    {
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_a", edit: p => p with { ProgressNote = "Secret de santé" });
        await AddPatientAsync(practice, "pat_b");
        await AddPatientAsync(practice, "pat_c", edit: p => p with { EmailConsent = EmailConsent.None });

        await Planner().PlanLapsedAsync();

        var planned = (await LedgerAsync(practice.Id)).Where(r => r.Status == OutreachStatus.Planned).ToList();
        Assert.Equal(2, planned.Count);
        Assert.Equal(
            planned.Select(r => (r.PracticeId, r.Id, r.NotBefore, r.NotBefore)).Order(),
            Scheduler.Sent.Select(s => (s.Request.PracticeId, s.Request.OutreachId, s.Request.NotBefore, s.VisibleAt)).Order());
        // Hidden until 09:30 in Paris and later: on the queue, not yet visible.
        Assert.Equal(2, await QueuedAsync());
        Assert.Empty((await Clients.OutreachSend.ReceiveMessagesAsync(32)).Value);

        // Read once their slots passed: the bodies carry ids and an instant, never a name, address or note.
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now.AddDays(8));
        foreach (var (request, _) in Scheduler.Sent) await new StorageQueueSendScheduler(Clients.EmailEvents, later).ScheduleSendAsync(request, request.NotBefore);
        var bodies = (await Clients.EmailEvents.ReceiveMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(2, bodies.Count);
        foreach (var body in bodies)
        {
            Assert.True(SendRequestMessage.TryParse(body, out var request, out _));
            Assert.Contains(planned, r => r.Id == request!.OutreachId && r.NotBefore == request.NotBefore);
            Assert.DoesNotContain("Camille", body, StringComparison.Ordinal);
            Assert.DoesNotContain("example.org", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Secret", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_control_group_episode_is_recorded_held_out_and_never_scheduled()
    {
        var practice = await AddPracticeAsync(p => p with { HoldoutPercent = 100 });
        await AddPatientAsync(practice, "pat_a");

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal((0, 1), (result.Planned, result.HeldOut));
        var row = Assert.Single(await LedgerAsync(practice.Id));
        Assert.Equal(OutreachStatus.HeldOut, row.Status);
        Assert.Empty(Scheduler.Sent);
        Assert.Equal(0, await QueuedAsync());
        Assert.Equal(row.Id, Assert.Single((await PatientAsync(practice, "pat_a")).TouchLog).OutreachId);
    }

    [Fact]
    public async Task Each_skip_reason_is_recorded_on_the_row_and_counted()
    {
        var practice = await AddPracticeAsync();
        var recently = SlotRows.At("2026-12-28T10:00:00Z");
        await AddPatientAsync(practice, "pat_noemail", edit: p => p with { Email = null });
        await AddPatientAsync(practice, "pat_noconsent", edit: p => p with { EmailConsent = EmailConsent.None });
        await AddPatientAsync(practice, "pat_suppressed", edit: p => p with { Suppressed = true });
        await AddPatientAsync(practice, "pat_paused", edit: p => p with { PausedUntil = SlotRows.At("2027-03-01T00:00:00Z") });
        await AddPatientAsync(practice, "pat_cooldown", edit: p => p with { TouchLog = [new TouchRecord(recently, "pat_cooldown|seasonal|2026:rentree|1", null)] });
        await AddPatientAsync(practice, "pat_episode", edit: p => p with
        {
            TouchLog = [.. Enumerable.Range(1, 3).Select(k => new TouchRecord(LastVisit.AddDays(k), $"old{k}", "2026-12-06"))],
        });
        await AddPatientAsync(practice, "pat_yearly", edit: p => p with
        {
            TouchLog = [.. Enumerable.Range(1, 6).Select(k => new TouchRecord(LastVisit.AddDays(-30 * k), $"old{k}", null))],
        });

        var result = await Planner().PlanLapsedAsync();

        var expected = new Dictionary<string, SkipReason>
        {
            ["pat_noemail"] = SkipReason.NoEmail,
            ["pat_noconsent"] = SkipReason.NoConsent,
            ["pat_suppressed"] = SkipReason.Suppressed,
            ["pat_paused"] = SkipReason.Paused,
            ["pat_cooldown"] = SkipReason.Cooldown,
            ["pat_episode"] = SkipReason.EpisodeBudget,
            ["pat_yearly"] = SkipReason.YearlyBudget,
        };
        var rows = (await LedgerAsync(practice.Id)).ToDictionary(r => r.PatientId);
        Assert.Equal(expected.Keys.Order(), rows.Keys.Order());
        foreach (var (patientId, reason) in expected)
        {
            Assert.Equal("skipped:" + Wire.Name(reason), rows[patientId].Status);
            Assert.Equal(Wire.Name(reason), rows[patientId].FailureReason);
        }
        Assert.Equal(expected.Values.Order(), result.SkippedByReason.SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).Order());
        Assert.Equal(0, result.Planned);
        Assert.Empty(Scheduler.Sent);
        // A skipped step is dealt with: the episode moves on to step 2.
        Assert.Equal(1, (await PatientAsync(practice, "pat_noconsent")).Episode!.LastStep);
    }

    [Fact]
    public async Task Stale_index_rows_are_removed()
    {
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_moved", LastVisit.AddDays(10));
        await DueIndex.UpsertDueAsync(new DueEntry("20270105", practice.Id, "pat_moved"));
        await DueIndex.UpsertDueAsync(new DueEntry("20270104", practice.Id, "pat_gone"));
        await DueIndex.UpsertDueAsync(new DueEntry("20270105", "prac_gone", "pat_x"));

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal((3, 3, 0), (result.EntriesRead, result.StaleIndexRows, result.Planned));
        Assert.Empty(await DueAsync("20270105"));
        Assert.Empty(await DueAsync("20270104"));
        // The moved patient's own row stays where it belongs.
        Assert.Equal([new DueEntry("20270115", practice.Id, "pat_moved")], await DueAsync("20270115"));
        Assert.Empty(await LedgerAsync(practice.Id));
    }

    [Fact]
    public async Task A_day_missed_by_the_timer_is_caught_up_and_sent_today()
    {
        var practice = await AddPracticeAsync();
        // Due on Saturday 2 January; no run planned it.
        await AddPatientAsync(practice, "pat_missed", LastVisit.AddDays(-3));
        Assert.Single(await DueAsync("20270102"));

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal(1, result.Planned);
        var row = Assert.Single(await LedgerAsync(practice.Id));
        Assert.Equal("pat_missed|lapse|2026-12-03|1", row.Id);
        Assert.Equal(ParisOpening, row.NotBefore);
        Assert.Empty(await DueAsync("20270102"));
    }

    [Fact]
    public async Task Running_twice_plans_nothing_new_and_enqueues_nothing_new()
    {
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_a");
        await AddPatientAsync(practice, "pat_b");
        await AddPatientAsync(practice, "pat_c", edit: p => p with { Email = null });
        await Planner().PlanLapsedAsync();
        var before = await LedgerAsync(practice.Id);
        Assert.Equal(2, await QueuedAsync());

        var again = await Planner().PlanLapsedAsync();
        var milestones = await Planner().PlanMilestonesAsync();

        Assert.Equal((0, 0, 0, 0), (again.Planned, again.HeldOut, again.Skipped, again.AlreadyPlanned));
        Assert.Equal((0, 0, 0), (milestones.Planned, milestones.HeldOut, milestones.Skipped));
        Assert.Equal(
            before.Select(r => (r.Id, r.Status, r.NotBefore)).Order(),
            (await LedgerAsync(practice.Id)).Select(r => (r.Id, r.Status, r.NotBefore)).Order());
        Assert.Equal(2, await QueuedAsync());
        Assert.Equal(2, Scheduler.Sent.Count);
    }

    [Fact]
    public async Task A_row_left_planned_by_a_run_that_died_before_enqueueing_is_scheduled_again()
    {
        var practice = await AddPracticeAsync();
        await AddPatientAsync(practice, "pat_a");
        var id = "pat_a|lapse|2026-12-06|1";
        var notBefore = ParisOpening.AddMinutes(3);
        await Ledger.CreateOutreachAsync(new OutreachRow
        {
            PracticeId = practice.Id,
            PatientId = "pat_a",
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-06",
            Step = 1,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            Status = OutreachStatus.Planned,
            PlannedAt = Now.AddMinutes(-1),
            NotBefore = notBefore,
            OperationId = Ids.OperationIdOf(practice.Id, id),
        });

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal((1, 0), (result.AlreadyPlanned, result.Planned));
        var (request, visibleAt) = Assert.Single(Scheduler.Sent);
        Assert.Equal((practice.Id, id, notBefore, notBefore), (request.PracticeId, request.OutreachId, request.NotBefore, visibleAt));
        Assert.Equal(1, await QueuedAsync());
        var row = Assert.Single(await LedgerAsync(practice.Id));
        Assert.Equal((notBefore, Now.AddMinutes(-1)), (row.NotBefore, row.PlannedAt));
        var patient = await PatientAsync(practice, "pat_a");
        Assert.Equal(new TouchRecord(notBefore, id, "2026-12-06"), Assert.Single(patient.TouchLog));
        Assert.Equal(1, patient.Episode!.LastStep);
    }

    [Fact]
    public async Task A_missed_plan_milestone_is_the_milestone_planners_and_only_its()
    {
        var practice = await AddPracticeAsync();
        // Last visit 20 December; the plan's milestone on 3 January passed with no booking.
        await AddPatientAsync(practice, "pat_plan", SlotRows.At("2026-12-20T09:00:00Z"), p => p with
        {
            Plan = new TreatmentPlan("Six séances", SlotRows.At("2027-01-03T09:00:00Z")),
        });

        var lapse = await Planner().PlanLapsedAsync();
        Assert.Equal((1, 0), (lapse.EntriesRead, lapse.Planned));
        Assert.Empty(await LedgerAsync(practice.Id));

        var milestone = await Planner().PlanMilestonesAsync();

        Assert.Equal(1, milestone.Planned);
        var row = Assert.Single(await LedgerAsync(practice.Id));
        Assert.Equal(("pat_plan|milestone|2026-12-20|1", TemplateId.PlanFollowUp, OutreachStatus.Planned), (row.Id, row.TemplateId, row.Status));
        Assert.Equal(ParisOpening, row.NotBefore);
    }

    [Fact]
    public async Task A_practice_east_of_utc_is_planned_on_its_own_date_by_a_run_still_on_the_previous_utc_day()
    {
        // 23:00 UTC on 4 January is noon on 5 January in Auckland, inside its send window.
        Time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SlotRows.At("2027-01-04T23:00:00Z"));
        var practice = await AddPracticeAsync(p => p with { TimeZone = "Pacific/Auckland" });
        await AddPatientAsync(practice, "pat_nz", SlotRows.At("2026-12-05T21:00:00Z"));
        Assert.Single(await DueAsync("20270105"));

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal(1, result.Planned);
        Assert.Equal(SlotRows.At("2027-01-04T23:00:00Z"), Assert.Single(await LedgerAsync(practice.Id)).NotBefore);
    }

    [Fact]
    public async Task A_practice_west_of_utc_is_planned_for_its_own_window()
    {
        // 05:00 UTC on 5 January is still the evening of 4 January in Los Angeles; the window opens at 09:30 there.
        var practice = await AddPracticeAsync(p => p with { TimeZone = "America/Los_Angeles" });
        await AddPatientAsync(practice, "pat_la", SlotRows.At("2026-12-06T18:00:00Z"));

        var result = await Planner().PlanLapsedAsync();

        Assert.Equal(1, result.Planned);
        Assert.Equal(SlotRows.At("2027-01-05T17:30:00Z"), Assert.Single(await LedgerAsync(practice.Id)).NotBefore);
    }
}
