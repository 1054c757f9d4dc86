using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Booking;
using Reengage.Functions.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Sending;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Tests.Planning;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>
/// A patient erased and then imported again by the booking tool (the generic webhook's <c>patient.upserted</c>) is never
/// written to: the salted hash of the address outlived the erasure. A patient imported the same way who was never erased
/// is planned in the same run, so the planners did look.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ErasureReimportTests(AzuriteFixture fixture) : PrivacyTestBase(fixture, new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero))
{
    private const string PracticeId = "prac_reimport";
    private const string ControlId = "pat_control";

    private static readonly ReengageTelemetry Telemetry =
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private PatientSaver Saver => new(Patients, DueIndex, Appointments);

    private BookingWebhookFunctions Webhook
    {
        get
        {
            var ingestion = new BookingIngestion(Practices, Patients, Appointments, InboundEvents, Ledger, DueIndex, Suppressions, Saver, Clock, NullLogger<BookingIngestion>.Instance);
            return new(ingestion, new VendorIngestion(Practices, Patients, Appointments, new HttpAcuityApi(new HttpClient(), new Uri("http://127.0.0.1:9/api/v1"), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(20), TimeProvider.System), ingestion, Clock, NullLogger<VendorIngestion>.Instance), Telemetry);
        }
    }

    private OutreachPlanner Planner(ISendScheduler scheduler) => new(
        Practices, Patients, DueIndex, Ledger, scheduler, new TableSendSlotStore(Clients.SendSlots), Saver,
        new OutreachPlannerOptions(QuotaLimits.CustomDomainDefault, 4), Telemetry, Clock, NullLogger<OutreachPlanner>.Instance);

    private static JsonObject PatientJson(string patientId) => new()
    {
        ["id"] = patientId,
        ["firstName"] = patientId == PatientId ? FirstName : "Louis",
        ["email"] = patientId == PatientId ? EmailOf(PracticeId, PatientId) : "louis.control@example.org",
        ["locale"] = "fr",
        ["therapistId"] = "th_1",
        ["emailConsent"] = true,
        ["careStatus"] = "in_care",
    };

    private async Task PostAsync(string secret, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.ContentType = "application/json";
        request.ContentLength = bytes.Length;
        request.Body = new MemoryStream(bytes);
        request.Headers["Reengage-Signature"] = WebhookSignature.HeaderValue(secret, Clock.GetUtcNow().ToUnixTimeSeconds(), bytes);
        var answer = await Booking.BookingWebhookTestBase.Answer.Of(await Webhook.BookingWebhook(request, "generic", PracticeId, CancellationToken.None));
        Assert.True(answer.Status == 202, $"webhook answered {answer.Status}: {answer.Body?.ToJsonString()}");
    }

    private Task VisitAsync(string secret, string eventId, string patientId, string day) => PostAsync(secret, new JsonObject
    {
        ["id"] = eventId,
        ["type"] = "appointment.completed",
        ["occurredAt"] = $"{day}T12:00:00Z",
        ["patient"] = PatientJson(patientId),
        ["appointment"] = new JsonObject { ["id"] = $"apt_{eventId}", ["startsAt"] = $"{day}T10:00:00+01:00", ["therapistId"] = "th_1" },
    });

    [Fact]
    public async Task An_erased_patient_imported_again_gets_no_email_from_any_planner()
    {
        var key = await CreatePracticeAsync(PracticeId);
        var secret = (await Practices.GetSecretsAsync(PracticeId))!.Value.Webhooks[WebhookSource.Generic].Current;
        await VisitAsync(secret, "evt_0001", PatientId, "2026-11-01");
        Clock.SetUtcNow(At("2026-11-20T10:00:00Z"));
        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);

        // The booking tool imports the patient again, and their next visit; the control patient the same way.
        Clock.SetUtcNow(At("2026-11-21T12:00:00Z"));
        await PostAsync(secret, new JsonObject
        {
            ["id"] = "evt_0002",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-11-21T12:00:00Z",
            ["patient"] = PatientJson(PatientId),
        });
        await VisitAsync(secret, "evt_0003", PatientId, "2026-11-21");
        await PostAsync(secret, new JsonObject
        {
            ["id"] = "evt_0004",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2026-11-21T12:00:00Z",
            ["patient"] = PatientJson(ControlId),
        });
        await VisitAsync(secret, "evt_0005", ControlId, "2026-11-21");
        Assert.True((await Patients.GetPatientAsync(PracticeId, PatientId))!.Value.Suppressed);

        // 30 days later, when step 1 of both is due; then the milestone and seasonal timers of that morning.
        Clock.SetUtcNow(At("2026-12-21T05:00:00Z"));
        var scheduler = new RecordingScheduler(new StorageQueueSendScheduler(Clients.OutreachSend, Clock));
        var planner = Planner(scheduler);
        var functions = new PlannerFunctions(planner);
        await functions.PlanLapsedOutreach(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await functions.PlanMilestoneOutreach(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await functions.PlanSeasonalOutreach(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        var control = await CollectAsync(Ledger.ListOutreachForPatientAsync(PracticeId, ControlId));
        Assert.Equal([OutreachStatus.Planned], control.Select(r => r.Status));
        Assert.Equal([$"{ControlId}|lapse|2026-11-21|1"], scheduler.Sent.Select(s => s.Request.OutreachId));
        var erasedAndBack = await CollectAsync(Ledger.ListOutreachForPatientAsync(PracticeId, PatientId));
        Assert.All(erasedAndBack, r => Assert.StartsWith(OutreachStatus.SkippedPrefix, r.Status, StringComparison.Ordinal));
        Assert.DoesNotContain(scheduler.Sent, s => s.Request.OutreachId.StartsWith(PatientId + "|", StringComparison.Ordinal));
    }
}
