using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Acs;
using Reengage.Functions.Outreach;
using Reengage.Functions.Queues;
using Reengage.Functions.Templates;
using Reengage.Functions.Tests.Storage;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Sending;

/// <summary>
/// The send use case through the real ACS adapter against the ACS stand-in, on Azurite tables and queues. The adapter's
/// own retries are off: the host's redelivery is the retry these tests are about.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class OutreachSenderTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private SendWorld _world = null!;
    private AcsEmailStandIn _acs = null!;
    private AcsEmailSender _transport = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new SendWorld(Clients);
        _acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { TimeProvider = _world.Clock });
        var options = new AcsEmailSenderOptions { TimeProvider = _world.Clock };
        options.Retry.MaxRetries = 0;
        _transport = new AcsEmailSender(_acs.ConnectionString, options);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _acs.DisposeAsync();
        _world.Dispose();
        await DisposeAsync();
    }

    private OutreachSender Sender(ISendScheduler? scheduler = null, ITemplateRenderer? renderer = null) =>
        _world.Sender(_transport, scheduler, renderer);

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    private IEnumerable<AcsRequestRecord> Posts() => _acs.Requests.Where(r => r.Method == "POST");

    private IEnumerable<AcsRequestRecord> StatusReads() => _acs.Requests.Where(r => r.Method == "GET");

    [Fact]
    public async Task Sends_the_row_once_with_its_operation_id_every_header_and_signed_links_and_records_it_sent()
    {
        var planned = await _world.SeedAsync();

        var result = await Sender().SendAsync(_world.Request);

        Assert.Equal(SendResult.Sent, result);
        var email = Assert.Single(_acs.Sent);
        Assert.Equal(planned.OperationId, email.OperationId);
        Assert.Equal(planned.OperationId, email.Headers["operation-id"]);
        var body = email.Body;
        Assert.Equal("bonjour@tilleuls.example", Text(body["senderAddress"]));
        var to = Assert.Single(body["recipients"]!["to"]!.AsArray());
        Assert.Equal(SendWorld.PatientEmail, Text(to!["address"]));
        Assert.Equal("Zoé", Text(to["displayName"]));
        var replyTo = Assert.Single(body["replyTo"]!.AsArray());
        Assert.Equal(SendWorld.TherapistEmail, Text(replyTo!["address"]));
        Assert.Equal("Léa Martin", Text(replyTo["displayName"]));

        var headers = body["headers"]!.AsObject();
        Assert.Equal(
            ["List-Unsubscribe", "List-Unsubscribe-Post", "X-Reengage-Outreach", "X-Reengage-Template"],
            headers.Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.Equal("List-Unsubscribe=One-Click", Text(headers["List-Unsubscribe-Post"]));
        Assert.Equal("check-in", Text(headers["X-Reengage-Template"]));
        Assert.Equal(planned.OperationId, Text(headers["X-Reengage-Outreach"]));
        var unsubscribeHeader = UnsubscribeHeader().Match(Text(headers["List-Unsubscribe"]));
        Assert.True(unsubscribeHeader.Success, Text(headers["List-Unsubscribe"]));

        var text = Text(body["content"]!["plainText"]);
        var html = Text(body["content"]!["html"]);
        var links = AppLink().Matches(text).Select(m => (Kind: m.Groups[1].Value, Token: m.Groups[2].Value)).Distinct().ToList();
        var actions = links.Select(link =>
        {
            var check = LinkTokens.Verify(link.Token, [SendWorld.Key], SendWorld.Slot);
            Assert.True(check.IsValid, $"{link.Kind} link refused: {check.Failure}");
            Assert.Equal(_world.PracticeId, check.Token!.PracticeId);
            Assert.Equal(planned.OperationId, check.Token.OutreachRef);
            Assert.Equal(check.Token.Action == LinkAction.Unsubscribe ? "unsubscribe" : "r", link.Kind);
            Assert.Contains($"https://reengage.example/api/{link.Kind}/{link.Token}", html, StringComparison.Ordinal);
            return check.Token.Action;
        }).Order().ToList();
        // Check-in: book, not now, unsubscribe; no feedback link outside template 8.
        Assert.Equal([LinkAction.Book, LinkAction.Later, LinkAction.Unsubscribe], actions);
        var unsubscribe = links.Single(l => l.Kind == "unsubscribe").Token;
        Assert.Equal(unsubscribe, unsubscribeHeader.Groups[1].Value);
        Assert.DoesNotContain(_world.PatientId + "|", email.RawBody, StringComparison.Ordinal);

        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        Assert.Equal(SendWorld.Slot, row.SentAt);
        Assert.Null(row.ClaimedAt);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(new MessageIndexEntry(planned.OperationId, _world.PracticeId, planned.Id), await _world.MessageIndex.GetMessageAsync(planned.OperationId));
        Assert.Empty(StatusReads());
    }

    [Fact]
    public async Task The_feedback_template_carries_a_feedback_link_as_well()
    {
        var planned = await _world.SeedAsync(template: TemplateId.Feedback);

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        var text = Text(Assert.Single(_acs.Sent).Body["content"]!["plainText"]);
        var actions = AppLink().Matches(text)
            .Select(m => LinkTokens.Verify(m.Groups[2].Value, [SendWorld.Key], SendWorld.Slot).Token!)
            .Select(t => (t.Action, t.OutreachRef)).Distinct().OrderBy(t => t.Action).ToList();
        Assert.Equal(
            [(LinkAction.Book, planned.OperationId), (LinkAction.Later, planned.OperationId), (LinkAction.Feedback, planned.OperationId), (LinkAction.Unsubscribe, planned.OperationId)],
            actions);
    }

    [Theory]
    [InlineData(TemplateId.Progress, SendWorld.ProgressNote)]
    [InlineData(TemplateId.PlanFollowUp, SendWorld.PlanSummary)]
    public async Task Health_data_never_reaches_a_subject_or_a_header_even_when_the_practice_allows_clinical_details(TemplateId template, string healthData)
    {
        await _world.SeedAsync(template: template, allowClinicalDetails: true);

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        var body = Assert.Single(_acs.Sent).Body;
        // Allowed in the body: proves the data was there to leak.
        Assert.Contains(healthData, Text(body["content"]!["plainText"]), StringComparison.Ordinal);
        Assert.DoesNotContain(healthData, Text(body["content"]!["subject"]), StringComparison.Ordinal);
        Assert.DoesNotContain(healthData, body["headers"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_clinical_details_health_data_reaches_the_transport_nowhere()
    {
        await _world.SeedAsync(template: TemplateId.Progress);

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        Assert.DoesNotContain("panique", Assert.Single(_acs.Sent).RawBody, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, string> SkipCases => new()
    {
        { "booked_between_planning_and_sending", "skipped:booked" },
        { "future_booking", "skipped:booked" },
        { "answered", "skipped:answered" },
        { "suppressed", "skipped:suppressed" },
        { "consent_withdrawn", "skipped:no_consent" },
        { "paused", "skipped:paused" },
        { "discharged", "skipped:discharged" },
        { "no_email", "skipped:no_email" },
    };

    [Theory]
    [MemberData(nameof(SkipCases))]
    public async Task A_patient_no_longer_eligible_at_send_time_is_skipped_and_nothing_is_sent(string change, string status)
    {
        Func<Patient, Patient> changed = change switch
        {
            "booked_between_planning_and_sending" => p => p with { LastBookedAt = SendWorld.Slot.AddHours(-2) },
            "future_booking" => p => p with { NextBookingAt = SendWorld.Slot.AddDays(3) },
            "answered" => p => p with { LastAnsweredAt = SendWorld.Slot.AddHours(-2) },
            "suppressed" => p => p with { Suppressed = true },
            "consent_withdrawn" => p => p with { EmailConsent = new EmailConsent(false, SendWorld.Slot.AddHours(-3), "patient") },
            "paused" => p => p with { PausedUntil = SendWorld.Slot.AddDays(90) },
            "discharged" => p => p with { CareStatus = CareStatus.Discharged },
            "no_email" => p => p with { Email = null },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        await _world.SeedAsync(patient: changed);

        Assert.Equal(SendResult.Skipped, await Sender().SendAsync(_world.Request));

        var row = await _world.RowAsync();
        Assert.Equal(status, row.Status);
        Assert.Equal(status["skipped:".Length..], row.FailureReason);
        Assert.Null(row.ClaimedAt);
        Assert.Null(row.SentAt);
        Assert.Empty(_acs.Requests);
        // Done for good: a redelivery changes nothing.
        Assert.Equal(SendResult.AlreadyDone, await Sender().SendAsync(_world.Request));
    }

    [Fact]
    public async Task A_patient_erased_since_planning_is_skipped_as_patient_deleted()
    {
        await _world.SeedAsync();
        await _world.Patients.DeletePatientAsync(_world.PracticeId, _world.PatientId);

        Assert.Equal(SendResult.Skipped, await Sender().SendAsync(_world.Request));

        Assert.Equal("skipped:patient_deleted", (await _world.RowAsync()).Status);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task The_same_message_handled_twice_in_a_row_sends_one_email()
    {
        await _world.SeedAsync();

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));
        Assert.Equal(SendResult.AlreadyDone, await Sender().SendAsync(_world.Request));

        Assert.Single(_acs.Sent);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Equal(1, (await _world.RowAsync()).Attempts);
    }

    [Fact]
    public async Task The_same_message_handled_twice_at_once_sends_one_email()
    {
        await _world.SeedAsync();
        // The winner's POST stays in flight while the other looks at the row.
        _acs.Latency = TimeSpan.FromMilliseconds(300);

        var outcomes = await Task.WhenAll(Attempt(), Attempt());

        Assert.Equal(1, outcomes.Count(o => o == "Sent"));
        // The loser lost the claim race (the host redelivers) or saw the live claim and looks again later.
        Assert.Contains(outcomes.Single(o => o != "Sent"), new[] { "threw:PreconditionFailed", "InProgress" });
        Assert.Single(_acs.Sent);
        Assert.Equal(1, _acs.SendAttempts);
        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        Assert.Equal(1, row.Attempts);
        // A look-again, if there is one, finds the row done.
        foreach (var queued in await _world.QueuedAsync())
        {
            Assert.Equal(SendResult.AlreadyDone, await Sender().SendAsync(queued));
        }

        async Task<string> Attempt()
        {
            try
            {
                return (await Sender().SendAsync(_world.Request)).ToString();
            }
            catch (ReengageException e)
            {
                return "threw:" + e.Code;
            }
        }
    }

    [Fact]
    public async Task An_early_delivery_is_put_back_for_the_rows_notBefore()
    {
        var later = SendWorld.Slot.AddHours(3);
        await _world.SeedAsync(row: r => r with { NotBefore = later });

        Assert.Equal(SendResult.Rescheduled, await Sender().SendAsync(_world.Request));

        Assert.Equal([_world.Request with { NotBefore = later }], await _world.QueuedAsync());
        Assert.Equal(OutreachStatus.Planned, (await _world.RowAsync()).Status);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task A_delivery_less_than_a_minute_early_is_sent()
    {
        await _world.SeedAsync(row: r => r with { NotBefore = SendWorld.Slot.AddSeconds(59) });

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));
        Assert.Single(_acs.Sent);
    }

    [Fact]
    public async Task A_live_claim_is_left_alone_and_looked_at_again_once_it_expires()
    {
        var claimedAt = SendWorld.Slot.AddMinutes(-3);
        await _world.SeedAsync(row: r => r with { Status = OutreachStatus.Sending, ClaimedAt = claimedAt, Attempts = 1 });

        Assert.Equal(SendResult.InProgress, await Sender().SendAsync(_world.Request));

        Assert.Equal([_world.Request with { NotBefore = claimedAt.AddMinutes(10).AddSeconds(1) }], await _world.QueuedAsync());
        Assert.Empty(_acs.Requests);
        Assert.Equal(OutreachStatus.Sending, (await _world.RowAsync()).Status);
    }

    [Fact]
    public async Task A_worker_that_died_after_ACS_accepted_is_resolved_by_the_status_read_without_a_second_email()
    {
        var claimedAt = SendWorld.Slot.AddMinutes(-11);
        var planned = await _world.SeedAsync(row: r => r with { Status = OutreachStatus.Sending, ClaimedAt = claimedAt, Attempts = 1 });
        // What the dead worker got through before it died.
        var accepted = await _transport.SendAsync(
            new OutgoingEmail { From = new("bonjour@tilleuls.example"), To = new(SendWorld.PatientEmail), Subject = "s", Html = "<p>h</p>", Text = "t" },
            planned.OperationId);
        Assert.IsType<SendOutcome.Accepted>(accepted);

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        Assert.Single(_acs.Sent);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Equal([planned.OperationId], StatusReads().Select(r => r.OperationId));
        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        Assert.Equal(claimedAt, row.SentAt);
        Assert.Null(row.ClaimedAt);
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task ACS_taking_the_email_but_the_answer_being_lost_leaves_the_row_in_doubt_and_the_redelivery_records_it_sent()
    {
        var planned = await _world.SeedAsync();
        _acs.Script(new AcsFault.AcceptThenDrop());
        _world.Clock.Advance(TimeSpan.FromSeconds(5));

        var thrown = await Assert.ThrowsAsync<ReengageException>(() => Sender().SendAsync(_world.Request));

        Assert.True(thrown.Retryable);
        Assert.Equal(ErrorCode.TransportUnavailable, thrown.Code);
        var inDoubt = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sending, inDoubt.Status);
        Assert.Equal(OutreachSender.InDoubt, inDoubt.FailureReason);
        Assert.Equal(SendWorld.Slot.AddSeconds(5), inDoubt.ClaimedAt);
        Assert.Equal(1, inDoubt.Attempts);
        Assert.Equal([planned.OperationId], _acs.Sent.Select(e => e.OperationId));

        // The host's redelivery, at once: the row is in doubt, so ACS is asked rather than waiting out the claim.
        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        Assert.Single(_acs.Sent);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Equal([("POST", 0), ("GET", 200)], _acs.Requests.Select(r => (r.Method, r.Status)));
        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        Assert.Equal(SendWorld.Slot.AddSeconds(5), row.SentAt);
        Assert.Null(row.ClaimedAt);
        Assert.Null(row.FailureReason);
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task An_in_doubt_row_unknown_to_ACS_within_the_settling_time_is_looked_at_again_then_sent_once_after_it()
    {
        var endedAt = SendWorld.Slot.AddSeconds(-30);
        var planned = await _world.SeedAsync(row: r => r with { Status = OutreachStatus.Sending, ClaimedAt = endedAt, FailureReason = OutreachSender.InDoubt, Attempts = 1 });

        Assert.Equal(SendResult.InProgress, await Sender().SendAsync(_world.Request));

        var lookAgain = endedAt.AddMinutes(2).AddSeconds(1);
        Assert.Equal([_world.Request with { NotBefore = lookAgain }], await _world.QueuedAsync());
        Assert.Equal(0, _acs.SendAttempts);
        Assert.Equal(OutreachStatus.Sending, (await _world.RowAsync()).Status);

        _world.Clock.SetUtcNow(lookAgain);
        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request with { NotBefore = lookAgain }));

        Assert.Equal([planned.OperationId], _acs.Sent.Select(e => e.OperationId));
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Equal([404, 404], StatusReads().Select(r => r.Status));
        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        Assert.Equal(lookAgain, row.SentAt);
        Assert.Equal(2, row.Attempts);
    }

    [Fact]
    public async Task A_stale_claim_whose_operation_ACS_reports_failed_is_recorded_failed()
    {
        var planned = await _world.SeedAsync(row: r => r with { Status = OutreachStatus.Sending, ClaimedAt = SendWorld.Slot.AddMinutes(-20), Attempts = 1 });
        await _transport.SendAsync(
            new OutgoingEmail { From = new("bonjour@tilleuls.example"), To = new(SendWorld.PatientEmail), Subject = "s", Html = "<p>h</p>", Text = "t" },
            planned.OperationId);
        _acs.FailOperation(planned.OperationId);

        Assert.Equal(SendResult.Failed, await Sender().SendAsync(_world.Request));

        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Failed, row.Status);
        Assert.Equal("transport_failed", row.FailureReason);
        Assert.Equal(1, _acs.SendAttempts);
    }

    [Fact]
    public async Task A_429_puts_the_row_back_to_planned_and_requeues_the_message_after_Retry_After_with_one_request()
    {
        await _world.SeedAsync();
        _acs.Script(new AcsFault.Throttle(RetryAfter: "120"));

        Assert.Equal(SendResult.Throttled, await Sender().SendAsync(_world.Request));

        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Planned, row.Status);
        Assert.Null(row.ClaimedAt);
        Assert.Null(row.SentAt);
        Assert.Equal([_world.Request with { NotBefore = SendWorld.Slot.AddSeconds(120) }], await _world.QueuedAsync());
        Assert.Equal([429], Posts().Select(r => r.Status));
        Assert.Empty(_acs.Sent);

        // When the retry comes due, it is sent, once.
        _world.Clock.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request with { NotBefore = SendWorld.Slot.AddSeconds(120) }));
        Assert.Single(_acs.Sent);
        Assert.Equal(SendWorld.Slot.AddSeconds(120), (await _world.RowAsync()).SentAt);
    }

    [Fact]
    public async Task The_requeued_message_of_a_429_stays_hidden_on_the_real_queue_until_its_time()
    {
        await _world.SeedAsync();
        _acs.Script(new AcsFault.Throttle(RetryAfter: "120"));
        var scheduler = new StorageQueueSendScheduler(Clients.OutreachSend, _world.Clock);

        Assert.Equal(SendResult.Throttled, await Sender(scheduler).SendAsync(_world.Request));

        Assert.Empty(await _world.QueuedAsync());
        Assert.Equal(1, (await Clients.OutreachSend.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_500_throws_retryable_and_leaves_the_row_in_doubt()
    {
        await _world.SeedAsync();
        _acs.Script(new AcsFault.Error(500));

        var thrown = await Assert.ThrowsAsync<ReengageException>(() => Sender().SendAsync(_world.Request));

        Assert.True(thrown.Retryable);
        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Sending, row.Status);
        Assert.Equal(OutreachSender.InDoubt, row.FailureReason);
        Assert.Equal(SendWorld.Slot, row.ClaimedAt);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task A_400_is_recorded_failed_with_the_ACS_code_and_never_retried()
    {
        await _world.SeedAsync();
        _acs.Script(new AcsFault.Error(400, "InvalidRecipientAddress", $"The recipient {SendWorld.PatientEmail} is not valid."));

        Assert.Equal(SendResult.Failed, await Sender().SendAsync(_world.Request));

        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Failed, row.Status);
        Assert.Equal("rejected:InvalidRecipientAddress", row.FailureReason);
        Assert.Null(row.ClaimedAt);
        Assert.Equal(SendResult.AlreadyDone, await Sender().SendAsync(_world.Request));
        Assert.Equal(1, _acs.SendAttempts);
    }

    [Fact]
    public async Task A_template_that_cannot_be_rendered_is_recorded_failed_and_nothing_is_sent()
    {
        await _world.SeedAsync();
        var cramped = new ScribanTemplateRenderer(new TemplateRenderLimits { MaxHtmlChars = 40 });

        Assert.Equal(SendResult.Failed, await Sender(renderer: cramped).SendAsync(_world.Request));

        var row = await _world.RowAsync();
        Assert.Equal(OutreachStatus.Failed, row.Status);
        Assert.Equal("render_failed", row.FailureReason);
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task The_practices_template_override_is_used_when_one_is_stored()
    {
        await _world.SeedAsync();
        var library = SendWorld.Renderer.GetLibrarySources(TemplateId.CheckIn, Locale.En);
        await _world.Practices.UpsertTemplateOverrideAsync(new TemplateOverride
        {
            PracticeId = _world.PracticeId,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.En,
            Subject = "A note from the Tilleuls{{ if patient.firstName }}, {{ patient.firstName }}{{ end }}",
            Html = library.Html,
            Text = "Our own words.\n" + library.Text,
            UpdatedAt = SendWorld.Slot.AddDays(-2),
        });

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(_world.Request));

        var content = Assert.Single(_acs.Sent).Body["content"]!;
        Assert.Equal("A note from the Tilleuls, Zoé", Text(content["subject"]));
        Assert.StartsWith("Our own words.", Text(content["plainText"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_row_is_not_found_and_changes_nothing()
    {
        await _world.SeedAsync();

        Assert.Equal(SendResult.NotFound, await Sender().SendAsync(_world.Request with { OutreachId = "pat_zoe|lapse|2026-12-05|2" }));
        Assert.Equal(SendResult.NotFound, await Sender().SendAsync(_world.Request with { OutreachId = new string('o', 600) }));

        Assert.Equal(OutreachStatus.Planned, (await _world.RowAsync()).Status);
        Assert.Empty(_acs.Requests);
    }

    [GeneratedRegex("^<https://reengage\\.example/api/unsubscribe/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)>$")]
    private static partial Regex UnsubscribeHeader();

    [GeneratedRegex("https://reengage\\.example/api/(r|unsubscribe)/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)")]
    private static partial Regex AppLink();
}
