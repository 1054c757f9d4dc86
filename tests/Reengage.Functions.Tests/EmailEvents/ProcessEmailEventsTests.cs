using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.EmailEvents;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;
using Reengage.Testing;
using static Reengage.Functions.Tests.EmailEvents.AcsEvents;

namespace Reengage.Functions.Tests.EmailEvents;

/// <summary>
/// <c>processEmailEvents</c> on Azurite: ACS reports for emails the ledger holds, through the function as the host calls
/// it, in both schemas and both encodings; duplicates, reordering, unknown ids, malformed messages.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ProcessEmailEventsTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private const string Attempt = "2027-01-05T09:31:12.2855749+00:00";
    private static readonly DateTimeOffset AttemptAt = new DateTimeOffset(2027, 1, 5, 9, 31, 12, TimeSpan.Zero).AddTicks(2855749);

    private EmailEventsWorld _world = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new EmailEventsWorld(Clients);
        await _world.SeedPracticeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private Task HandleAsync(string message) => _world.Function().ProcessEmailEventsAsync(message, CancellationToken.None);

    public static TheoryData<DeliveryStatus, EventSchema, MessageEncoding> EveryStatus()
    {
        var data = new TheoryData<DeliveryStatus, EventSchema, MessageEncoding>();
        foreach (var status in Enum.GetValues<DeliveryStatus>())
        {
            foreach (var schema in Enum.GetValues<EventSchema>())
            {
                foreach (var encoding in Enum.GetValues<MessageEncoding>()) data.Add(status, schema, encoding);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public async Task Each_delivery_status_lands_on_the_row_and_only_a_bounce_or_suppression_suppresses_the_address(DeliveryStatus status, EventSchema schema, MessageEncoding encoding)
    {
        var sent = await _world.SeedSentAsync("pat_a");
        var email = EmailEventsWorld.EmailOf("pat_a");
        // The ACS spelling in another case, as some reports carry it.
        var message = Encode(Delivery(schema, sent.OperationId, Wire.Name(status).ToUpperInvariant(), email, Attempt), encoding);

        await HandleAsync(message);

        var row = await _world.RowAsync(sent);
        Assert.Equal(EmailReports.StatusAfter(status) ?? OutreachStatus.Sent, row.Status);
        Assert.Equal((Wire.Name(status), AttemptAt, EmailEventsWorld.SentAt), (row.DeliveryStatus, row.DeliveryAt!.Value, row.SentAt!.Value));
        var suppressed = status is DeliveryStatus.Bounced or DeliveryStatus.Suppressed;
        Assert.Equal(suppressed, await _world.IsSuppressedAsync("pat_a"));
        var entry = await _world.SuppressionOfAsync(email);
        Assert.Equal(
            suppressed ? new SuppressionEntry(_world.PracticeId, Ids.AddressHashOf(_world.PracticeId, email), EmailReports.SuppressionReasonOf(status)!.Value, AttemptAt) : null,
            entry);
        Assert.Empty(await _world.DrainPoisonAsync());
        Assert.DoesNotContain("example.org", _world.Log.All, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(EventSchema.EventGrid, MessageEncoding.Raw)]
    [InlineData(EventSchema.EventGrid, MessageEncoding.Base64)]
    [InlineData(EventSchema.CloudEvents, MessageEncoding.Raw)]
    [InlineData(EventSchema.CloudEvents, MessageEncoding.Base64)]
    public async Task The_same_report_again_changes_nothing_at_all(EventSchema schema, MessageEncoding encoding)
    {
        var sent = await _world.SeedSentAsync("pat_a");
        var bounce = Encode(Delivery(schema, sent.OperationId, "Bounced", EmailEventsWorld.EmailOf("pat_a"), Attempt), encoding);
        var view = Encode(Engagement(schema, sent.OperationId, "view", "2027-01-06T08:00:00Z"), encoding);
        Assert.Equal([EmailEventOutcome.Applied], (await _world.Processor().ProcessAsync(bounce)).Outcomes);
        Assert.Equal([EmailEventOutcome.Applied], (await _world.Processor().ProcessAsync(view)).Outcomes);
        var before = await _world.SnapshotAsync();

        Assert.Equal([EmailEventOutcome.Unchanged], (await _world.Processor().ProcessAsync(bounce)).Outcomes);
        Assert.Equal([EmailEventOutcome.Unchanged], (await _world.Processor().ProcessAsync(view)).Outcomes);
        await HandleAsync(bounce);

        Assert.Equal(before, await _world.SnapshotAsync());
    }

    [Fact]
    public async Task Reports_in_any_order_end_in_the_same_row_the_latest_delivery_report_and_the_first_open_and_click()
    {
        JsonObject[] Reports(string operationId, string email) =>
        [
            Delivery(EventSchema.EventGrid, operationId, "Expanded", email, "2027-01-05T09:31:00Z"),
            Delivery(EventSchema.CloudEvents, operationId, "Delivered", email, "2027-01-05T09:31:05Z"),
            Delivery(EventSchema.EventGrid, operationId, "Bounced", email, "2027-01-05T09:45:00Z"),
            Engagement(EventSchema.CloudEvents, operationId, "view", "2027-01-05T12:00:00Z"),
            Engagement(EventSchema.EventGrid, operationId, "view", "2027-01-05T11:00:00Z"),
            Engagement(EventSchema.EventGrid, operationId, "click", "2027-01-05T11:01:00Z"),
        ];
        int[][] orders = [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [2, 0, 4, 1, 5, 3], [3, 2, 2, 5, 0, 4, 1, 4]];
        var finals = new List<OutreachRow>();
        for (var o = 0; o < orders.Length; o++)
        {
            var patientId = $"pat_{o}";
            var sent = await _world.SeedSentAsync(patientId);
            var reports = Reports(sent.OperationId, EmailEventsWorld.EmailOf(patientId));
            foreach (var i in orders[o]) await HandleAsync(reports[i].ToJsonString());
            finals.Add(await _world.RowAsync(sent));
            Assert.True(await _world.IsSuppressedAsync(patientId));
        }

        var expected = new DateTimeOffset(2027, 1, 5, 9, 45, 0, TimeSpan.Zero);
        foreach (var row in finals)
        {
            Assert.Equal(
                (OutreachStatus.Bounced, "Bounced", expected, expected.AddHours(1).AddMinutes(15), expected.AddHours(1).AddMinutes(16)),
                (row.Status, row.DeliveryStatus, row.DeliveryAt!.Value, row.ViewedAt!.Value, row.ClickedAt!.Value));
        }
    }

    [Fact]
    public async Task A_bounce_suppresses_the_address_by_its_salted_hash_and_flags_the_patient_once()
    {
        var sent = await _world.SeedSentAsync("pat_a");
        var email = EmailEventsWorld.EmailOf("pat_a");
        await HandleAsync(Delivery(EventSchema.EventGrid, sent.OperationId, "Bounced", " " + email.ToUpperInvariant() + " ", "2027-01-05T09:32:00Z").ToJsonString());
        // A later Suppressed report moves the row on, but the entry keeps its first reason.
        await HandleAsync(Delivery(EventSchema.EventGrid, sent.OperationId, "Suppressed", email, "2027-01-05T09:40:00Z").ToJsonString());

        var entry = await _world.SuppressionOfAsync(email);
        Assert.Equal((SuppressionReason.Bounced, new DateTimeOffset(2027, 1, 5, 9, 32, 0, TimeSpan.Zero)), (entry!.Reason, entry.At));
        Assert.True(await _world.IsSuppressedAsync("pat_a"));
        Assert.Equal("Suppressed", (await _world.RowAsync(sent)).DeliveryStatus);
        var entities = await CollectAsync(Clients.Suppressions.QueryAsync<TableEntity>());
        Assert.DoesNotContain(entities, e => e.Any(pair => pair.Value?.ToString()?.Contains("example.org", StringComparison.OrdinalIgnoreCase) == true));
    }

    [Fact]
    public async Task A_bounce_of_an_address_the_patient_has_since_changed_suppresses_that_address_not_the_patient()
    {
        var sent = await _world.SeedSentAsync("pat_a", email: "new.address@example.org");

        await HandleAsync(Delivery(EventSchema.CloudEvents, sent.OperationId, "Bounced", "old.address@example.org", Attempt).ToJsonString());

        Assert.False(await _world.IsSuppressedAsync("pat_a"));
        Assert.NotNull(await _world.SuppressionOfAsync("old.address@example.org"));
        Assert.Null(await _world.SuppressionOfAsync("new.address@example.org"));
        Assert.Equal(OutreachStatus.Bounced, (await _world.RowAsync(sent)).Status);
    }

    [Fact]
    public async Task A_row_still_sending_is_settled_by_its_report_and_held_out_rows_stay_as_they_are()
    {
        var claimedAt = EmailEventsWorld.SentAt.AddSeconds(-1);
        var sending = await _world.SeedSentAsync("pat_a", r => r with { Status = OutreachStatus.Sending, SentAt = null, ClaimedAt = claimedAt });
        var heldOut = await _world.SeedSentAsync("pat_b", r => r with { Status = OutreachStatus.HeldOut, SentAt = null });

        await HandleAsync(Delivery(EventSchema.EventGrid, sending.OperationId, "Delivered", EmailEventsWorld.EmailOf("pat_a"), Attempt).ToJsonString());
        var before = await _world.SnapshotAsync();
        var result = await _world.Processor().ProcessAsync(Delivery(EventSchema.EventGrid, heldOut.OperationId, "Bounced", EmailEventsWorld.EmailOf("pat_b"), Attempt).ToJsonString());

        var settled = await _world.RowAsync(sending);
        Assert.Equal((OutreachStatus.Delivered, claimedAt, (DateTimeOffset?)null), (settled.Status, settled.SentAt!.Value, settled.ClaimedAt));
        Assert.Equal([EmailEventOutcome.Unchanged], result.Outcomes);
        Assert.Equal(before, await _world.SnapshotAsync());
    }

    [Fact]
    public async Task An_unknown_message_id_is_logged_hashed_and_completed_without_any_change()
    {
        await _world.SeedSentAsync("pat_a");
        const string Unknown = "00000000-0000-0000-0000-00000000beef";
        var before = await _world.SnapshotAsync();

        var result = await _world.Processor().ProcessAsync(new JsonArray(
            Delivery(EventSchema.EventGrid, Unknown, "Bounced", "x@example.org", Attempt),
            Engagement(EventSchema.CloudEvents, Unknown, "click", Attempt)).ToJsonString());

        Assert.Equal(new[] { EmailEventOutcome.UnknownMessage, EmailEventOutcome.UnknownMessage }, result.Outcomes);
        Assert.False(result.Poisoned);
        Assert.Equal(before, await _world.SnapshotAsync());
        Assert.Empty(await _world.DrainPoisonAsync());
        Assert.Contains(Ids.HashForLog(Unknown), _world.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Unknown, _world.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_entry_whose_row_is_gone_counts_as_unknown()
    {
        var sent = await _world.SeedSentAsync("pat_a");
        await _world.Ledger.DeleteOutreachAsync(_world.PracticeId, sent.Id);

        var result = await _world.Processor().ProcessAsync(Delivery(EventSchema.EventGrid, sent.OperationId, "Bounced", EmailEventsWorld.EmailOf("pat_a"), Attempt).ToJsonString());

        Assert.Equal([EmailEventOutcome.UnknownMessage], result.Outcomes);
        Assert.Null(await _world.SuppressionOfAsync(EmailEventsWorld.EmailOf("pat_a")));
    }

    public static TheoryData<string> MalformedMessages()
    {
        var valid = Delivery(EventSchema.EventGrid, "m-1", "Delivered", "z@example.org", Attempt);
        return new TheoryData<string>
        {
            "",
            "this is not json {",
            "{\"hello\":\"world\"}",
            Delivery(EventSchema.EventGrid, "m-1", "Opened", "z@example.org", Attempt).ToJsonString(),
            Base64(Delivery(EventSchema.CloudEvents, "m-1", "Delivered", "z@example.org", "yesterday").ToJsonString()),
            new JsonArray(valid, "x").ToJsonString(),
            Without(Delivery(EventSchema.CloudEvents, "m-1", "Delivered", "z@example.org", Attempt), "source").ToJsonString(),
        };
    }

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task A_malformed_message_goes_to_email_events_poison_at_once_unchanged_and_changes_nothing_else(string message)
    {
        var sent = await _world.SeedSentAsync("pat_a");
        // A valid report for a real row in the same message must not be applied either: the message is taken whole.
        var mixed = message.StartsWith('[') ? message.Replace("\"m-1\"", $"\"{sent.OperationId}\"", StringComparison.Ordinal) : message;
        var before = await _world.SnapshotAsync();

        await HandleAsync(mixed);

        Assert.Equal(before, await _world.SnapshotAsync());
        Assert.Equal([mixed], await _world.DrainPoisonAsync());
        Assert.Contains("malformed email event moved to email-events-poison", _world.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", _world.Log.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_storage_outage_throws_a_retryable_error_so_that_the_host_retries_and_nothing_is_poisoned()
    {
        var sent = await _world.SeedSentAsync("pat_a");
        const string DeadAccount = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};" +
            $"TableEndpoint=http://127.0.0.1:9/{Azurite.AccountName}";
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var deadIndex = new TableMessageIndex(new TableServiceClient(DeadAccount, options).GetTableClient("MessageIndex"));
        var message = Delivery(EventSchema.EventGrid, sent.OperationId, "Bounced", EmailEventsWorld.EmailOf("pat_a"), Attempt).ToJsonString();

        var error = await Assert.ThrowsAsync<ReengageException>(() => _world.Processor(deadIndex).ProcessAsync(message));

        Assert.True(error.Retryable);
        Assert.Empty(await _world.DrainPoisonAsync());
        Assert.Equal(OutreachStatus.Sent, (await _world.RowAsync(sent)).Status);
    }
}
