using Microsoft.Extensions.DependencyInjection;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tests.Admin;

[Collection(AzuriteCollection.Name)]
public sealed class PatientExportTests(AzuriteFixture fixture) : AdminTestBase(fixture, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero))
{
    private const string PracticeId = "prac_gdpr";
    private const string OtherId = "prac_other";
    private static readonly DateTimeOffset Dec1 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static Patient PatientOf(string practiceId, string patientId, string email) => new()
    {
        PracticeId = practiceId,
        Id = patientId,
        FirstName = "Camille",
        Email = email,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        EmailConsent = new EmailConsent(true, Dec1, "booking"),
        ProgressNote = "Sommeil amélioré",
        Plan = new TreatmentPlan("Dix séances", At("2027-01-15T09:00:00Z")),
        LastVisitAt = At("2026-12-01T09:00:00Z"),
        TouchLog = [new TouchRecord(At("2026-12-31T05:00:00Z"), $"{patientId}|lapse|2026-12-01|1", "2026-12-01")],
        CreatedAt = Dec1,
        UpdatedAt = Dec1,
    };

    private static OutreachRow RowOf(string practiceId, string patientId) => new()
    {
        PracticeId = practiceId,
        PatientId = patientId,
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = OutreachStatus.Delivered,
        PlannedAt = At("2026-12-31T05:00:00Z"),
        NotBefore = At("2026-12-31T08:30:00Z"),
        OperationId = "3f1c9a52-1b2c-5d3e-8f40-0123456789ab",
        SentAt = At("2026-12-31T08:31:00Z"),
        DeliveryStatus = "Delivered",
        DeliveryAt = At("2026-12-31T09:00:00Z"),
        Response = OutreachResponse.Feedback,
        RespondedAt = At("2027-01-02T10:00:00Z"),
        Attempts = 1,
    };

    private async Task<(string Key, string OtherKey)> SeedAsync()
    {
        var key = await CreatePracticeAsync(PracticeId);
        var otherKey = await CreatePracticeAsync(OtherId);
        var patients = Services.GetRequiredService<IPatientStore>();
        var appointments = Services.GetRequiredService<IAppointmentStore>();
        var ledger = Services.GetRequiredService<IOutreachLedger>();
        var feedback = Services.GetRequiredService<IFeedbackStore>();
        // pat_10 shares pat_1's prefix, and prac_other has a pat_1 of its own: neither belongs in pat_1's export.
        foreach (var (practiceId, patientId, email) in new[]
        {
            (PracticeId, "pat_1", "pat_1.mail@example.org"),
            (PracticeId, "pat_10", "pat_10.mail@example.org"),
            (OtherId, "pat_1", "someone.else@example.org"),
        })
        {
            await patients.CreatePatientAsync(PatientOf(practiceId, patientId, email));
            await appointments.CreateAppointmentAsync(new Appointment
            {
                PracticeId = practiceId,
                Id = $"{patientId}-apt-2026-12-01",
                PatientId = patientId,
                TherapistId = "th_1",
                StartsAt = At("2026-12-01T09:00:00Z"),
                Status = AppointmentStatus.Completed,
                LastEventAt = Dec1,
                BookedAt = At("2026-11-20T10:00:00Z"),
            });
            var row = RowOf(practiceId, patientId);
            await ledger.CreateOutreachAsync(row);
            await feedback.UpsertFeedbackAsync(new FeedbackEntry(practiceId, row.Id, patientId, 4, $"Commentaire de {practiceId}/{patientId}", At("2027-01-02T10:00:00Z"), At("2027-01-02T10:00:00Z")));
        }
        Clock.SetUtcNow(At("2027-01-10T10:00:00Z"));
        return (key, otherKey);
    }

    [Fact]
    public async Task Returns_everything_held_about_the_patient_health_data_included_as_a_download()
    {
        var (key, _) = await SeedAsync();

        var answer = await ExportAsync(PracticeId, "pat_1", key);

        Assert.Equal(200, answer.Status);
        Assert.Equal("no-store", answer.Header("Cache-Control"));
        Assert.Equal("attachment; filename=\"patient-pat_1.json\"", answer.Header("Content-Disposition"));
        AssertJsonEqual(
            """
            { "format": "reengage.patient-export.v1", "practiceId": "prac_gdpr", "patientId": "pat_1",
              "exportedAt": "2027-01-10T10:00:00.000Z",
              "patient": {
                "practiceId": "prac_gdpr", "id": "pat_1", "firstName": "Camille", "email": "pat_1.mail@example.org",
                "locale": "fr", "therapistId": "th_1",
                "emailConsent": { "granted": true, "at": "2026-12-01T12:00:00.000Z", "source": "booking" },
                "careStatus": "in_care", "contactPreference": "default", "pausedUntil": null, "focusArea": null,
                "progressNote": "Sommeil amélioré",
                "plan": { "summary": "Dix séances", "nextMilestoneAt": "2027-01-15T09:00:00.000Z" },
                "lastVisitAt": "2026-12-01T09:00:00.000Z", "nextBookingAt": null, "episode": null, "suppressed": false,
                "touchLog": [ { "at": "2026-12-31T05:00:00.000Z", "outreachId": "pat_1|lapse|2026-12-01|1", "episodeKey": "2026-12-01" } ],
                "lastBookedAt": null, "lastAnsweredAt": null, "profileEventAt": null, "dueDay": null,
                "createdAt": "2026-12-01T12:00:00.000Z", "updatedAt": "2026-12-01T12:00:00.000Z",
                "profileFieldTimes": { "firstName": null, "email": null, "locale": null, "therapistId": null,
                                       "emailConsent": null, "careStatus": null, "contactPreference": null,
                                       "focusArea": null, "progressNote": null, "plan": null } },
              "appointments": [
                { "practiceId": "prac_gdpr", "id": "pat_1-apt-2026-12-01", "patientId": "pat_1", "therapistId": "th_1",
                  "startsAt": "2026-12-01T09:00:00.000Z", "status": "completed", "lastEventAt": "2026-12-01T12:00:00.000Z",
                  "bookedAt": "2026-11-20T10:00:00.000Z", "startsAtEventAt": null, "startsAtGuessed": false,
                  "therapistEventAt": null, "therapistFromPatient": false } ],
              "outreach": [
                { "patientId": "pat_1", "campaign": "lapse", "episodeKey": "2026-12-01", "step": 1,
                  "practiceId": "prac_gdpr", "id": "pat_1|lapse|2026-12-01|1", "templateId": "check-in", "locale": "fr",
                  "therapistId": "th_1", "status": "delivered", "plannedAt": "2026-12-31T05:00:00.000Z",
                  "notBefore": "2026-12-31T08:30:00.000Z", "operationId": "3f1c9a52-1b2c-5d3e-8f40-0123456789ab",
                  "claimedAt": null, "sentAt": "2026-12-31T08:31:00.000Z", "deliveryStatus": "Delivered",
                  "deliveryAt": "2026-12-31T09:00:00.000Z", "response": "feedback",
                  "respondedAt": "2027-01-02T10:00:00.000Z", "rebookedAt": null, "failureReason": null, "attempts": 1,
                  "lapseEpisodeKey": null, "viewedAt": null, "clickedAt": null, "erasedAt": null } ],
              "feedback": [
                { "practiceId": "prac_gdpr", "outreachId": "pat_1|lapse|2026-12-01|1", "patientId": "pat_1", "rating": 4,
                  "comment": "Commentaire de prac_gdpr/pat_1", "createdAt": "2027-01-02T10:00:00.000Z",
                  "updatedAt": "2027-01-02T10:00:00.000Z" } ],
              "suppression": { "listed": false, "reason": null, "at": null },
              "notes": [
                "Booking-tool events are kept 30 days for de-duplication, keyed by the booking tool's event id, with a hash of the body: they hold no personal data.",
                "The suppression list holds salted hashes of addresses only, never the addresses themselves.",
                "The message index maps each email's ACS message id (the operationId of the outreach rows above) to its outreach row, and holds nothing else.",
                "Outreach rows whose content was erased (after the retention period) carry a pseudonym instead of the patient id and are not part of this export." ] }
            """,
            answer.Body);
        Assert.DoesNotContain("pat_10", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("someone.else", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherId, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suppressed_address_is_reported_with_its_reason_and_time()
    {
        var (key, _) = await SeedAsync();
        await Services.GetRequiredService<ISuppressionStore>().UpsertSuppressionAsync(
            new SuppressionEntry(PracticeId, Ids.AddressHashOf(PracticeId, "PAT_1.mail@example.org "), SuppressionReason.Unsubscribed, At("2027-01-03T08:00:00Z")));

        var answer = await ExportAsync(PracticeId, "pat_1", key);

        AssertJsonEqual("""{ "listed": true, "reason": "unsubscribed", "at": "2027-01-03T08:00:00.000Z" }""", answer.Json!["suppression"]!.ToJsonString());
    }

    [Fact]
    public async Task Another_practices_key_never_reads_this_practice_and_opens_only_its_own_patient()
    {
        var (_, otherKey) = await SeedAsync();

        var refused = await ExportAsync(PracticeId, "pat_1", otherKey);
        var theirs = await ExportAsync(OtherId, "pat_1", otherKey);

        Assert.Equal(401, refused.Status);
        Assert.Equal("ApiKey header=\"x-reengage-key\"", refused.Header("WWW-Authenticate"));
        Assert.Equal(200, theirs.Status);
        Assert.Equal(OtherId, theirs.Json!["practiceId"]!.GetValue<string>());
        Assert.Equal("someone.else@example.org", theirs.Json!["patient"]!["email"]!.GetValue<string>());
        Assert.DoesNotContain("prac_gdpr", theirs.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_patient_is_a_404_and_an_id_that_cannot_be_one_a_400()
    {
        var (key, _) = await SeedAsync();

        var unknown = await ExportAsync(PracticeId, "pat_404", key);
        var bad = await ExportAsync(PracticeId, "bad id/..", key);

        AssertJsonEqual(
            """{ "type": "about:blank", "title": "Unknown patient", "status": 404, "detail": "Nothing is held about this patient in this practice." }""",
            unknown.Body);
        Assert.Equal(404, unknown.Status);
        Assert.Equal(400, bad.Status);
        Assert.Equal("Invalid patient id", bad.Json!["title"]!.GetValue<string>());
        Assert.Equal(["patientId"], bad.Fields);
    }

    [Fact]
    public async Task Appointments_and_answers_left_after_the_patient_row_are_still_exported()
    {
        var (key, _) = await SeedAsync();
        await Services.GetRequiredService<IPatientStore>().DeletePatientAsync(PracticeId, "pat_1");

        var answer = await ExportAsync(PracticeId, "pat_1", key);

        Assert.Equal(200, answer.Status);
        Assert.Null(answer.Json!["patient"]);
        Assert.Single(answer.Json!["appointments"]!.AsArray());
        AssertJsonEqual("""{ "listed": null, "reason": null, "at": null }""", answer.Json!["suppression"]!.ToJsonString());
    }
}
