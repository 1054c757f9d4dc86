using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Functions;
using Reengage.Functions.Privacy;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>
/// The weekly sweep on Azurite, on Sunday 7 January 2029 at 03:00 UTC with RETENTION_DAYS 730: rows planned before
/// 2027-01-08T03:00Z lose their content, booking-event records received before 2028-12-08T03:00Z go.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetentionSweepTests(AzuriteFixture fixture) : PrivacyTestBase(fixture, Now)
{
    private static readonly DateTimeOffset Now = new(2029, 1, 7, 3, 0, 0, TimeSpan.Zero);
    private const string PracticeId = "prac_ret";

    private static OutreachRow RowOf(string practiceId, string patientId, string episodeKey, string status = OutreachStatus.Delivered)
    {
        var row = DeliveredRowOf(practiceId, patientId) with
        {
            EpisodeKey = episodeKey,
            Status = status,
            PlannedAt = At($"{episodeKey}T05:00:00Z"),
            NotBefore = At($"{episodeKey}T09:30:00Z"),
            SentAt = status == OutreachStatus.Delivered ? At($"{episodeKey}T09:30:02Z") : null,
            DeliveryAt = status == OutreachStatus.Delivered ? At($"{episodeKey}T09:31:00Z") : null,
            DeliveryStatus = status == OutreachStatus.Delivered ? "Delivered" : null,
            Response = null,
            RespondedAt = null,
            ViewedAt = null,
        };
        return row with { OperationId = Ids.OperationIdOf(practiceId, row.Id) };
    }

    private static InboundEventRecord EventOf(string practiceId, string eventId, string receivedAt) => new()
    {
        PracticeId = practiceId,
        Source = WebhookSource.Generic,
        EventId = eventId,
        Type = "appointment.booked",
        Status = InboundEventStatus.Applied,
        ReceivedAt = At(receivedAt),
        BodyHash = new string('a', 64),
    };

    private static readonly OutreachRow Old = RowOf(PracticeId, "pat_1", "2027-01-05");
    private static readonly OutreachRow OldPlanned = RowOf(PracticeId, "pat_1", "2027-01-06", OutreachStatus.Planned);
    private static readonly OutreachRow OldSending = RowOf(PracticeId, "pat_1", "2027-01-07", OutreachStatus.Sending) with { ClaimedAt = At("2027-01-07T09:30:00Z") };
    /// <summary>Planned exactly at the cut-off: kept (strictly older rows go).</summary>
    private static readonly OutreachRow AtCutOff = RowOf(PracticeId, "pat_1", "2027-01-08") with { PlannedAt = At("2027-01-08T03:00:00Z") };
    private static readonly OutreachRow Recent = RowOf(PracticeId, "pat_1", "2027-01-09") with { ViewedAt = At("2027-01-09T12:00:00Z") };
    private static readonly OutreachRow Answered = RowOf(PracticeId, "pat_2", "2026-06-01") with
    {
        Response = OutreachResponse.Feedback,
        RespondedAt = At("2026-06-02T10:00:00Z"),
        RebookedAt = At("2026-06-10T10:00:00Z"),
    };

    private RetentionSweep Sweep(IOutreachLedger? ledger = null) => new(
        Practices, InboundEvents, ledger ?? Ledger, new LedgerRowEraser(ledger ?? Ledger, MessageIndex, Feedback),
        new PseudonymKeys(Practices, NullLogger<PseudonymKeys>.Instance), new RetentionOptions(730), Clock, NullLogger<RetentionSweep>.Instance);

    private async Task SeedAsync()
    {
        await Practices.CreatePracticeAsync(PracticeDefaults.NewPractice(PracticeId, "Cabinet"));
        await Practices.CreatePracticeAsync(PracticeDefaults.NewPractice("prac_empty", "Cabinet vide"));
        await Patients.CreatePatientAsync(PatientOf(PracticeId, "pat_1"));
        foreach (var row in new[] { Old, OldPlanned, OldSending, AtCutOff, Recent, Answered }) await Ledger.CreateOutreachAsync(row);
        await MessageIndex.UpsertMessageAsync(new MessageIndexEntry(Answered.OperationId, PracticeId, Answered.Id));
        await Feedback.UpsertFeedbackAsync(new FeedbackEntry(PracticeId, Answered.Id, "pat_2", 5, "Merci pour tout", At("2026-06-02T10:00:00Z"), At("2026-06-02T10:00:00Z")));
        await InboundEvents.RecordIfNewAsync(EventOf(PracticeId, "evt_old", "2028-12-08T02:59:59.999Z"));
        await InboundEvents.RecordIfNewAsync(EventOf(PracticeId, "evt/with#odd?chars", "2028-11-01T00:00:00Z"));
        await InboundEvents.RecordIfNewAsync(EventOf(PracticeId, "evt_edge", "2028-12-08T03:00:00Z"));
        await InboundEvents.RecordIfNewAsync(EventOf(PracticeId, "evt_new", "2029-01-01T00:00:00Z"));
    }

    [Fact]
    public async Task Deletes_booking_events_after_30_days_and_erases_outreach_content_after_the_retention_period()
    {
        await SeedAsync();

        var report = await Sweep().SweepAsync(CancellationToken.None);

        Assert.Equal(new RetentionReport(Practices: 2, InboundEventsDeleted: 2, OutreachErased: 2, FailedPractices: 0), report);
        Assert.Null(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt_old"));
        Assert.Null(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt/with#odd?chars"));
        Assert.NotNull(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt_edge"));
        Assert.NotNull(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt_new"));
    }

    [Fact]
    public async Task Keeps_the_statistics_of_an_erased_row_under_a_pseudonym_and_re_points_its_message_index()
    {
        await SeedAsync();

        await Sweep().SweepAsync(CancellationToken.None);

        var pseudonym = await PseudonymOfAsync(PracticeId, "pat_2");
        var id = $"{pseudonym}|lapse|2026-06-01|1";
        Assert.Null(await Ledger.GetOutreachAsync(PracticeId, Answered.Id));
        Assert.Equal(Answered with { PatientId = pseudonym, TherapistId = null, ErasedAt = Now }, (await Ledger.GetOutreachAsync(PracticeId, id))!.Value);
        Assert.Equal(new MessageIndexEntry(Answered.OperationId, PracticeId, id), await MessageIndex.GetMessageAsync(Answered.OperationId));
    }

    [Fact]
    public async Task Keeps_a_feedbacks_rating_for_the_report_without_its_comment_or_the_patient_id()
    {
        await SeedAsync();

        await Sweep().SweepAsync(CancellationToken.None);

        var pseudonym = await PseudonymOfAsync(PracticeId, "pat_2");
        Assert.Equal(
            [new FeedbackEntry(PracticeId, $"{pseudonym}|lapse|2026-06-01|1", pseudonym, 5, null, At("2026-06-02T10:00:00Z"), At("2026-06-02T10:00:00Z"))],
            await CollectAsync(Feedback.ListFeedbackAsync(PracticeId)));
    }

    [Fact]
    public async Task Leaves_recent_rows_rows_waiting_to_be_sent_or_being_sent_and_the_patient_alone()
    {
        await SeedAsync();

        await Sweep().SweepAsync(CancellationToken.None);

        var rows = await CollectAsync(Ledger.ListOutreachForPatientAsync(PracticeId, "pat_1"));
        Assert.Equal(
            new[] { OldPlanned, OldSending, AtCutOff, Recent }.OrderBy(r => r.Id, StringComparer.Ordinal),
            rows.OrderBy(r => r.Id, StringComparer.Ordinal));
        Assert.NotNull(await Patients.GetPatientAsync(PracticeId, "pat_1"));
        var erasedOld = (await Ledger.GetOutreachAsync(PracticeId, $"{await PseudonymOfAsync(PracticeId, "pat_1")}|lapse|2027-01-05|1"))!.Value;
        Assert.Equal(Old with { PatientId = erasedOld.PatientId, TherapistId = null, ErasedAt = Now }, erasedOld);
    }

    [Fact]
    public async Task Creates_a_pseudonym_key_on_first_need_only_for_a_practice_with_rows_to_erase()
    {
        await SeedAsync();
        Assert.Null(await StoredPseudonymKeyAsync(PracticeId));

        await Sweep().SweepAsync(CancellationToken.None);

        Assert.Equal(32, Convert.FromBase64String((await StoredPseudonymKeyAsync(PracticeId))!).Length);
        Assert.Null(await StoredPseudonymKeyAsync("prac_empty"));
    }

    [Fact]
    public async Task A_second_sweep_changes_nothing()
    {
        await SeedAsync();
        await Sweep().SweepAsync(CancellationToken.None);
        var before = await SnapshotAsync();

        var report = await Sweep().SweepAsync(CancellationToken.None);

        Assert.Equal(new RetentionReport(2, 0, 0, 0), report);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_timer_function_runs_the_sweep_on_the_injected_clock()
    {
        await SeedAsync();
        Clock.SetUtcNow(Now.AddDays(7));

        await new RetentionFunctions(Sweep()).SweepRetention(new TimerInfo(), CancellationToken.None);

        // A week later the cut-offs are a week later: the rows of 8 and 9 January 2027 and the event at the edge passed them.
        Assert.Null(await Ledger.GetOutreachAsync(PracticeId, AtCutOff.Id));
        Assert.Null(await Ledger.GetOutreachAsync(PracticeId, Recent.Id));
        Assert.NotNull(await Ledger.GetOutreachAsync(PracticeId, OldPlanned.Id));
        Assert.Null(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt_edge"));
        Assert.NotNull(await InboundEvents.GetEventAsync(PracticeId, WebhookSource.Generic, "evt_new"));
    }

    /// <summary>The real ledger, except that one practice's listing fails as a storage outage would.</summary>
    private sealed class OnePracticeFails(IOutreachLedger inner, string failing) : IOutreachLedger
    {
        public Task<Versioned<OutreachRow>?> GetOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default) => inner.GetOutreachAsync(practiceId, outreachId, cancellationToken);

        public Task<string?> CreateOutreachAsync(OutreachRow row, CancellationToken cancellationToken = default) => inner.CreateOutreachAsync(row, cancellationToken);

        public Task<string> UpdateOutreachAsync(OutreachRow row, string etag, CancellationToken cancellationToken = default) => inner.UpdateOutreachAsync(row, etag, cancellationToken);

        public IAsyncEnumerable<OutreachRow> ListOutreachForPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default) => inner.ListOutreachForPatientAsync(practiceId, patientId, cancellationToken);

        public IAsyncEnumerable<OutreachRow> ListOutreachAsync(string practiceId, CancellationToken cancellationToken = default) => inner.ListOutreachAsync(practiceId, cancellationToken);

        public IAsyncEnumerable<OutreachRow> ListOutreachPlannedBeforeAsync(string practiceId, DateTimeOffset before, CancellationToken cancellationToken = default) =>
            practiceId == failing
                ? throw new ReengageException(ErrorCode.StorageUnavailable, "storage unavailable", retryable: true)
                : inner.ListOutreachPlannedBeforeAsync(practiceId, before, cancellationToken);

        public Task DeleteOutreachAsync(string practiceId, string outreachId, CancellationToken cancellationToken = default) => inner.DeleteOutreachAsync(practiceId, outreachId, cancellationToken);
    }

    [Fact]
    public async Task A_practice_whose_sweep_fails_fails_the_run_after_the_others_were_swept()
    {
        // "prac_a" is listed before "prac_ret": the failing practice comes first, the other is still swept.
        await Practices.CreatePracticeAsync(PracticeDefaults.NewPractice("prac_a", "Cabinet A"));
        await Ledger.CreateOutreachAsync(RowOf("prac_a", "pat_1", "2026-06-01"));
        await SeedAsync();

        var error = await Assert.ThrowsAsync<ReengageException>(() => Sweep(new OnePracticeFails(Ledger, "prac_a")).SweepAsync(CancellationToken.None));

        Assert.Contains("1 practice(s)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await Ledger.GetOutreachAsync("prac_a", RowOf("prac_a", "pat_1", "2026-06-01").Id));
        Assert.Null(await Ledger.GetOutreachAsync(PracticeId, Answered.Id));
        Assert.Null(await Ledger.GetOutreachAsync(PracticeId, Old.Id));
    }
}
