using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Core.Sending;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Planning;

/// <summary>
/// GET upcoming against real storage: the forecast is what the real planners then plan on those days, and asking for it
/// writes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UpcomingSendsTests(AzuriteFixture fixture) : PlannerTestBase(fixture)
{
    private const string Key = "rk_upcoming_test_key";
    private static readonly DateTimeOffset SeededAt = SlotRows.At("2027-02-20T12:00:00Z");
    /// <summary>Monday 1 March 2027, 04:00 UTC: before that day's planner runs.</summary>
    private static readonly DateTimeOffset AskedAt = SlotRows.At("2027-03-01T04:00:00Z");

    private static DateTimeOffset Visit(string day) => SlotRows.At($"{day}T09:00:00Z"); // 10:00 in Paris

    private async Task<Practice> PracticeAsync(string id, Func<Practice, Practice>? edit = null)
    {
        var practice = PracticeDefaults.NewPractice(id, "Cabinet des Tilleuls");
        practice = edit?.Invoke(practice) ?? practice;
        await PracticeStore.CreatePracticeAsync(practice);
        await PracticeStore.CreateSecretsAsync(new PracticeSecrets { PracticeId = id, ApiKeys = [new ApiKeyRecord(ApiKeys.Hash(Key), null)] });
        return practice;
    }

    private async Task SeedAsync(Practice practice, string id, DateTimeOffset lastVisit, Func<Patient, Patient>? edit = null)
    {
        var patient = PracticeDefaults.NewPatient(practice.Id, id, SeededAt) with
        {
            FirstName = $"Prénom {id}",
            Email = $"{id}@patients.example",
            TherapistId = "th_1",
            EmailConsent = new EmailConsent(true, SeededAt, "import"),
            LastVisitAt = lastVisit,
        };
        await Saver.SaveAsync(practice, edit?.Invoke(patient) ?? patient, null, SeededAt);
    }

    /// <summary>The three planners as their default schedules run them on one UTC day.</summary>
    private async Task PlanDayAsync(string day)
    {
        var planner = Planner();
        Time.SetUtcNow(SlotRows.At($"{day}T05:00:00Z"));
        await planner.PlanLapsedAsync();
        Time.SetUtcNow(SlotRows.At($"{day}T05:15:00Z"));
        await planner.PlanMilestonesAsync();
        Time.SetUtcNow(SlotRows.At($"{day}T05:30:00Z"));
        await planner.PlanSeasonalAsync();
    }

    private UpcomingFunctions Functions => new(
        new UpcomingForecast(
            PracticeStore,
            PatientStore,
            DueIndex,
            Ledger,
            new TableAppointmentStore(Clients.Appointments),
            new UpcomingForecastOptions(QuotaLimits.CustomDomainDefault, PlannerSchedule.Default),
            Time),
        new PracticeKeyAuthorizer(PracticeStore, Time));

    private async Task<(int Status, string Body)> UpcomingAsync(string practiceId, string? key, string query = "")
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "GET";
        request.QueryString = new QueryString(query);
        if (key is not null) request.Headers[PracticeKeyAuthorizer.HeaderName] = key;
        var result = await Functions.UpcomingSends(request, practiceId, CancellationToken.None);
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }

    private async Task<JsonObject> ForecastAsync(string practiceId, int days)
    {
        var (status, body) = await UpcomingAsync(practiceId, Key, $"?days={days}");
        Assert.Equal(200, status);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static List<JsonObject> Items(JsonObject report) => [.. report["items"]!.AsArray().Select(i => i!.AsObject())];

    private static string S(JsonObject item, string field) => item[field]?.GetValue<string>() ?? "null";

    /// <summary>
    /// Runs the real planners on each day of the forecast and checks that the rows they write are the forecast's: the
    /// same patients, templates, steps and decisions, and the same send instants (the forecast reserves its slots with
    /// the same arithmetic, from the sends already planned, and only this practice plans in these tables).
    /// </summary>
    private async Task AssertPlannersDoAsync(JsonObject forecast, string practiceId, int days)
    {
        for (var day = 0; day < days; day++) await PlanDayAsync($"2027-03-{day + 1:00}");
        var planned = (await LedgerAsync(practiceId)).Where(r => r.PlannedAt >= AskedAt).ToList();
        var actual = planned
            .Select(r => (r.PatientId, Wire.Name(r.TemplateId), r.Step, r.Status == OutreachStatus.Planned ? "will_send" : r.Status.Replace("skipped:", "skip:", StringComparison.Ordinal)))
            .Order()
            .ToList();
        var predicted = Items(forecast)
            .Where(i => S(i, "decision") != "planned")
            .Select(i => (S(i, "patientId"), S(i, "templateId"), i["step"]!.GetValue<int>(), S(i, "decision")))
            .Order()
            .ToList();
        Assert.Equal(predicted, actual);
        var predictedAt = Items(forecast)
            .Where(i => S(i, "decision") != "planned")
            .Select(i => DateTimeOffset.Parse(S(i, "predictedSendAt"), System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        Assert.Equal(predictedAt, planned.Select(r => r.NotBefore).Order().ToList());
    }

    [Fact]
    public async Task Lists_what_the_next_7_days_of_planner_runs_will_do_and_why_and_the_planners_then_do_it()
    {
        Time = new FakeTimeProvider(SeededAt);
        var practice = await PracticeAsync("prac_up", p => p with { DefaultTherapistId = null });
        // Step 1 comes 30 days after the last visit. 1 March 2027 is a Monday.
        await SeedAsync(practice, "p1", Visit("2027-01-30")); // due Mon 1 Mar
        await SeedAsync(practice, "p2", Visit("2027-02-02"), p => p with { ProgressNote = "Dort mal" }); // Thu 4 Mar
        await SeedAsync(practice, "p3", Visit("2027-02-05")); // Sun 7 Mar: sent Mon 8
        await SeedAsync(practice, "p4", Visit("2027-01-31"), p => p with { EmailConsent = new EmailConsent(false, null, null) }); // Tue 2 Mar
        await SeedAsync(practice, "p5", Visit("2027-02-20")); // 22 Mar: beyond 7 days
        await SeedAsync(practice, "p6", Visit("2027-02-15"), p => p with { Plan = new TreatmentPlan("Six séances", SlotRows.At("2027-03-02T10:00:00Z")) }); // milestone passed: Wed 3 Mar
        await SeedAsync(practice, "p7", Visit("2027-01-28")); // Sat 27 Feb: planned for Mon 1 Mar
        await SeedAsync(practice, "p8", Visit("2026-12-02"), p => p with { CareStatus = CareStatus.PlanCompleted }); // 90 days: Tue 2 Mar
        await SeedAsync(practice, "p9", Visit("2027-01-30"), p => p with { CareStatus = CareStatus.Discharged });
        await SeedAsync(practice, "p10", Visit("2027-01-30"), p => p with { NextBookingAt = SlotRows.At("2027-03-20T09:00:00Z") });
        await SeedAsync(practice, "p11", Visit("2027-02-01"), p => p with { PausedUntil = SlotRows.At("2027-03-10T00:00:00Z") }); // Wed 3 Mar
        await PlanDayAsync("2027-02-27");
        Time.SetUtcNow(AskedAt);

        Counter.Reset();
        var report = await ForecastAsync(practice.Id, 7);
        Assert.Equal(0, Counter.Writes);

        Assert.Equal("prac_up", S(report, "practiceId"));
        Assert.Equal("Europe/Paris", S(report, "timeZone"));
        Assert.Equal("2027-03-01T04:00:00.000Z", S(report, "generatedAt"));
        Assert.Equal("2027-03-08T04:00:00.000Z", S(report, "until"));
        Assert.Equal(7, report["days"]!.GetValue<int>());
        var summary = Items(report).Select(i => $"{S(i, "patientId")} {S(i, "templateId")} {S(i, "campaign")} {i["step"]} {S(i, "dueDate")} {S(i, "decision")}");
        Assert.Equal(
            [
                // p7 was planned on Saturday for the window's opening; p1 takes the next slot (36 s later at 30/min and 100/h).
                "p7 check-in lapse 1 null planned",
                "p1 check-in lapse 1 2027-03-01 will_send",
                "p4 check-in lapse 1 2027-03-02 skip:no_consent",
                "p8 check-in lapse 1 2027-03-02 will_send",
                "p11 check-in lapse 1 2027-03-03 skip:paused",
                "p6 plan-follow-up milestone 1 2027-03-03 will_send",
                "p2 progress lapse 1 2027-03-04 will_send",
                "p3 check-in lapse 1 2027-03-07 will_send",
            ],
            summary);
        var byPatient = Items(report).ToDictionary(i => S(i, "patientId"));
        Assert.Equal("Prénom p1", S(byPatient["p1"], "firstName"));
        Assert.Equal("th_1", S(byPatient["p1"], "therapistId"));
        Assert.Equal("2027-03-01", S(byPatient["p1"], "plannedOn"));
        Assert.Equal("2027-03-01T09:30:36+01:00", S(byPatient["p1"], "predictedSendAt"));
        Assert.Equal("2027-02-27", S(byPatient["p7"], "plannedOn"));
        Assert.Equal("2027-03-01T09:30:00+01:00", S(byPatient["p7"], "predictedSendAt"));
        Assert.Equal("2027-03-07", S(byPatient["p3"], "plannedOn"));
        Assert.Equal("2027-03-08T09:30:00+01:00", S(byPatient["p3"], "predictedSendAt"));
        Assert.Equal("""{"planned":1,"will_send":5,"skip:no_consent":1,"skip:paused":1}""", report["totals"]!.ToJsonString());
        var text = report.ToJsonString();
        Assert.DoesNotContain("patients.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Dort mal", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Six s", text, StringComparison.Ordinal);

        await AssertPlannersDoAsync(report, practice.Id, 7);
    }

    [Fact]
    public async Task The_holdout_practice_forecasts_held_out_and_sent_patients_as_the_planners_then_record_them()
    {
        Time = new FakeTimeProvider(SeededAt);
        var practice = await PracticeAsync("prac_up_h", p => p with { HoldoutPercent = 50 });
        foreach (var id in new[] { "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8" }) await SeedAsync(practice, id, Visit("2027-01-31")); // due Tue 2 Mar
        Time.SetUtcNow(AskedAt);

        var report = await ForecastAsync(practice.Id, 3);

        var decisions = Items(report).Select(i => S(i, "decision")).ToList();
        Assert.Equal(8, decisions.Count);
        Assert.Contains("held_out", decisions);
        Assert.Contains("will_send", decisions);
        await AssertPlannersDoAsync(report, practice.Id, 3);
    }

    [Fact]
    public async Task Foresees_the_seasonal_window_opening_and_who_is_left_out_of_it_without_recording_it()
    {
        Time = new FakeTimeProvider(SeededAt);
        // A seasonal window opening on Wednesday 3 March, for the patients lapsed long ago (cadence over).
        var practice = await PracticeAsync("prac_up_s", p => p with
        {
            SeasonalWindows = [new SeasonalWindow { Id = SeasonalWindowId.Spring, StartMonth = 3, StartDay = 3, LengthInDays = 14, Enabled = true }],
        });
        await SeedAsync(practice, "s2", Visit("2026-09-01"));
        await SeedAsync(practice, "s3", Visit("2026-09-01"), p => p with { EmailConsent = new EmailConsent(false, null, null) });
        await SeedAsync(practice, "s4", Visit("2027-02-18")); // not lapsed yet
        // Step 1 two days before the window opens: written to within the cooldown, so left out of it.
        await SeedAsync(practice, "s5", Visit("2027-01-30"));
        await PlanDayAsync("2027-02-27");
        Time.SetUtcNow(AskedAt);

        Counter.Reset();
        var report = await ForecastAsync(practice.Id, 7);
        Assert.Equal(0, Counter.Writes);

        Assert.Equal(
            [
                "s5 check-in lapse 2027-03-01 will_send",
                // Both at the window's first opening, 09:30 on 3 March: s2 takes the slot, s3 is skipped (no slot), so id order.
                "s2 seasonal seasonal 2027-03-03 will_send",
                "s3 seasonal seasonal 2027-03-03 skip:no_consent",
            ],
            Items(report).Select(i => $"{S(i, "patientId")} {S(i, "templateId")} {S(i, "campaign")} {S(i, "dueDate")} {S(i, "decision")}"));
        Assert.Null((await PracticeStore.GetPracticeAsync(practice.Id))!.Value.LastSeasonalWindowKey);

        await AssertPlannersDoAsync(report, practice.Id, 7);
        Assert.NotNull((await PracticeStore.GetPracticeAsync(practice.Id))!.Value.LastSeasonalWindowKey);
    }

    [Fact]
    public async Task A_forecast_writes_no_row_no_slot_and_no_message_in_any_table_or_queue()
    {
        Time = new FakeTimeProvider(SeededAt);
        var practice = await PracticeAsync("prac_up_w", p => p with
        {
            HoldoutPercent = 30,
            SeasonalWindows = [new SeasonalWindow { Id = SeasonalWindowId.Spring, StartMonth = 3, StartDay = 3, LengthInDays = 14, Enabled = true }],
        });
        for (var n = 0; n < 12; n++) await SeedAsync(practice, $"w{n}", Visit($"2027-01-{20 + n:00}"));
        await SeedAsync(practice, "old", Visit("2026-06-01"));
        await PlanDayAsync("2027-02-27");
        Time.SetUtcNow(AskedAt);
        var before = await EverythingAsync();

        Counter.Reset();
        var report = await ForecastAsync(practice.Id, 31);

        Assert.Equal(0, Counter.Writes);
        Assert.True(Items(report).Count >= 12, $"{Items(report).Count} items");
        Assert.Equal(before, await EverythingAsync());
    }

    /// <summary>Every entity of every table and the message count of every queue, as text.</summary>
    private async Task<List<string>> EverythingAsync()
    {
        var all = new List<string>();
        var tables = new[]
        {
            Clients.Practices, Clients.Therapists, Clients.Patients, Clients.Appointments, Clients.Outreach, Clients.Suppressions,
            Clients.Feedback, Clients.InboundEvents, Clients.DueIndex, Clients.MessageIndex, Clients.SendSlots,
        };
        foreach (var table in tables)
        {
            await foreach (var entity in table.QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                all.Add($"{table.Name}/{entity.PartitionKey}/{entity.RowKey}/{entity.ETag}");
            }
        }
        foreach (var queue in new[] { Clients.OutreachSend, Clients.OutreachSendPoison, Clients.EmailEvents, Clients.EmailEventsPoison })
        {
            all.Add($"{queue.Name}: {(await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount}");
        }
        return all;
    }

    [Theory]
    [InlineData("?days=0")]
    [InlineData("?days=32")]
    [InlineData("?days=abc")]
    [InlineData("?days=7.5")]
    [InlineData("?days=")]
    [InlineData("?days=-1")]
    [InlineData("?days=+7")]
    [InlineData("?days=007")]
    [InlineData("?days=1&days=2")]
    public async Task Days_is_a_whole_number_from_1_to_31_and_anything_else_is_a_400_naming_it(string query)
    {
        var practice = await PracticeAsync(FreshPracticeId());
        Counter.Reset();

        var (status, body) = await UpcomingAsync(practice.Id, Key, query);

        Assert.Equal(400, status);
        var errors = JsonNode.Parse(body)!["errors"]!.AsArray();
        Assert.Equal(["days"], errors.Select(e => e!["field"]!.GetValue<string>()));
        Assert.Equal("must be a whole number from 1 to 31", errors[0]!["message"]!.GetValue<string>());
        Assert.Equal(0, Counter.Writes);
    }

    [Fact]
    public async Task Days_defaults_to_7()
    {
        var practice = await PracticeAsync(FreshPracticeId());

        var (status, body) = await UpcomingAsync(practice.Id, Key);

        Assert.Equal(200, status);
        Assert.Equal(7, JsonNode.Parse(body)!["days"]!.GetValue<int>());
    }

    [Fact]
    public async Task Without_the_key_or_with_a_wrong_one_the_answer_is_the_same_401_whether_the_practice_exists_or_not()
    {
        var practice = await PracticeAsync(FreshPracticeId());
        var other = await PracticeAsync(FreshPracticeId());
        await PracticeStore.UpdateSecretsAsync(
            new PracticeSecrets { PracticeId = other.Id, ApiKeys = [new ApiKeyRecord(ApiKeys.Hash("rk_other_key"), null)] },
            (await PracticeStore.GetSecretsAsync(other.Id))!.ETag);

        var answers = new[]
        {
            await UpcomingAsync(practice.Id, null),
            await UpcomingAsync(practice.Id, "rk_wrong"),
            await UpcomingAsync("prac_nobody", Key),
            await UpcomingAsync(other.Id, Key), // the first practice's key on another practice
            await UpcomingAsync(practice.Id, null, "?days=0"), // refused before the query is looked at
        };

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
    }

    [Theory]
    [InlineData("0 0 5 * * *", "05:00:00")]
    [InlineData("30 15 5 * * *", "05:15:30")]
    [InlineData("0 */5 * * * *", null)]
    [InlineData("0 0 5 * * 1-5", null)]
    [InlineData("0 0 24 * * *", null)]
    [InlineData("0 0 5 * *", null)]
    public void A_schedule_once_a_day_at_a_fixed_time_gives_that_time(string cron, string? expected)
    {
        Assert.Equal(expected, PlannerSchedule.DailyTimeOf(cron)?.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
    }
}
