using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Reengage.Core.Model;
using Reengage.Core.Security;
using Reengage.Functions.Functions;
using Reengage.Functions.Outbox;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.Functions.Tests.Storage;
using Reengage.LocalHost;

namespace Reengage.Functions.Tests.Sending;

/// <summary>The queue function over the outbox transport: what a developer's machine runs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SendOutreachFunctionTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "reengage-send-" + Guid.NewGuid().ToString("N"));
    private SendWorld _world = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new SendWorld(Clients);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        _world.Dispose();
        if (Directory.Exists(_outbox)) Directory.Delete(_outbox, recursive: true);
        await DisposeAsync();
    }

    private SendOutreachFunctions Function(OutboxEmailSender outbox) =>
        new(_world.Sender(outbox), NullLogger<SendOutreachFunctions>.Instance);

    private string[] Emails() => Directory.Exists(_outbox) ? Directory.GetFiles(_outbox, "*.eml") : [];

    [Fact]
    public async Task A_queue_message_becomes_one_eml_file_with_every_header_and_a_second_delivery_adds_none()
    {
        var planned = await _world.SeedAsync();
        var function = Function(new OutboxEmailSender(_outbox, _world.Clock));
        var message = SendRequestMessage.Serialize(_world.Request);

        await function.SendOutreachAsync(message, CancellationToken.None);
        await function.SendOutreachAsync(message, CancellationToken.None);

        var file = Assert.Single(Emails());
        using var email = await MimeMessage.LoadAsync(file);
        Assert.Equal("\"Léa Martin · Cabinet des Tilleuls\" <bonjour@tilleuls.example>", email.From.ToString());
        Assert.Equal(SendWorld.PatientEmail, Assert.Single(email.To.Mailboxes).Address);
        Assert.Equal(SendWorld.TherapistEmail, Assert.Single(email.ReplyTo.Mailboxes).Address);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("check-in", email.Headers["X-Reengage-Template"]);
        Assert.Equal(planned.OperationId, email.Headers["X-Reengage-Outreach"]);
        var unsubscribe = email.Headers["List-Unsubscribe"] ?? "";
        Assert.StartsWith("<https://reengage.example/api/unsubscribe/", unsubscribe, StringComparison.Ordinal);
        var token = unsubscribe["<https://reengage.example/api/unsubscribe/".Length..^1];
        var check = LinkTokens.Verify(token, [SendWorld.Key], SendWorld.Slot);
        Assert.True(check.IsValid);
        Assert.Equal((LinkAction.Unsubscribe, planned.OperationId), (check.Token!.Action, check.Token.OutreachRef));
        Assert.Contains(token, email.TextBody, StringComparison.Ordinal);
        Assert.Equal(OutreachStatus.Sent, (await _world.RowAsync()).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"v\":2,\"practiceId\":\"p\",\"outreachId\":\"o\",\"notBefore\":\"2027-01-05T10:00:00Z\"}")]
    [InlineData("{\"v\":1,\"practiceId\":\"p\",\"outreachId\":\"o\",\"notBefore\":\"tomorrow\"}")]
    [InlineData("{\"v\":1,\"outreachId\":\"o\",\"notBefore\":\"2027-01-05T10:00:00Z\"}")]
    public async Task A_malformed_message_is_completed_without_throwing_and_changes_nothing(string message)
    {
        await _world.SeedAsync();

        await Function(new OutboxEmailSender(_outbox, _world.Clock)).SendOutreachAsync(message, CancellationToken.None);

        Assert.Empty(Emails());
        Assert.Equal(OutreachStatus.Planned, (await _world.RowAsync()).Status);
        Assert.Empty(await _world.QueuedAsync());
    }

    [Theory]
    [InlineData("{\"v\":1,\"practiceId\":\"p\",\"outreachId\":\"\\ud800\",\"notBefore\":\"2027-01-05T10:00:00Z\"}")]
    [InlineData("{\"v\":1,\"practiceId\":\"\\udc00x\",\"outreachId\":\"o\",\"notBefore\":\"2027-01-05T10:00:00Z\"}")]
    [InlineData("{\"v\":1,\"practiceId\":\"p/#?\\u0001\",\"outreachId\":\"a|b|c|d\",\"notBefore\":\"2027-01-05T10:00:00+01:00\"}")]
    public async Task A_request_whose_ids_no_table_key_holds_completes_and_changes_nothing(string message)
    {
        await _world.SeedAsync();

        await Function(new OutboxEmailSender(_outbox, _world.Clock)).SendOutreachAsync(message, CancellationToken.None);

        Assert.Empty(Emails());
        Assert.Equal(OutreachStatus.Planned, (await _world.RowAsync()).Status);
        Assert.Empty(await _world.QueuedAsync());
    }

    [Fact]
    public async Task Under_arbitrary_messages_on_healthy_storage_it_never_throws_and_sends_the_row_exactly_once()
    {
        var planned = await _world.SeedAsync();
        var function = Function(new OutboxEmailSender(_outbox, _world.Clock));
#pragma warning disable CA5394 // A seeded generator, so that a failure replays; nothing here is a secret.
        var random = new Random(20270105);
        string Pick(params string[] choices) => choices[random.Next(choices.Length)];
        string Noise() => new([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(0, 0x3000))]);
#pragma warning restore CA5394
        string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);
        for (var i = 0; i < 150; i++)
        {
            var practiceId = Pick(_world.PracticeId, _world.PracticeId, "prac_other", new string('p', 600), "\\ud800");
            var outreachId = Pick(planned.Id, planned.Id, planned.Id + "x", "pat_zoe|lapse|2026-12-05|2", "\\udfff");
            var notBefore = Pick("2027-01-05T10:00:00Z", "2027-01-05T11:00:00+01:00", "2027-01-05T10:00:00", "soon", "2027-03-01T10:00:00Z");
            var v = Pick("1", "1", "2", "\"1\"", "null");
            var json = $"{{\"v\":{v},\"practiceId\":{(practiceId.StartsWith('\\') ? $"\"{practiceId}\"" : Json(practiceId))},\"outreachId\":{(outreachId.StartsWith('\\') ? $"\"{outreachId}\"" : Json(outreachId))},\"notBefore\":{Json(notBefore)}}}";
            var message = Pick("json", "json", "base64", "noise", "truncated") switch
            {
                "json" => json,
                "base64" => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)),
                "noise" => Noise(),
                _ => json[..(json.Length / 2)],
            };
            // Storage and the outbox are healthy: nothing here may fail, retryably or not.
            await function.SendOutreachAsync(message, CancellationToken.None);
        }

        Assert.Single(Emails());
        Assert.Equal(OutreachStatus.Sent, (await _world.RowAsync()).Status);
    }

    [Fact]
    public async Task The_local_host_picks_a_Base64_message_from_outreach_send_and_the_email_lands_in_the_outbox()
    {
        // The host's composition uses the app's own table and queue names; this practice id is this test's alone.
        var clock = new FakeTimeProvider(SendWorld.Slot);
        var key = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        var handled = new TaskCompletionSource<FunctionInvocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            TypeFilter = type => type == typeof(SendOutreachFunctions),
            Settings = new Dictionary<string, string?>
            {
                ["ReengageStorage"] = Fixture.ConnectionString,
                ["AzureWebJobsStorage"] = Fixture.ConnectionString,
                ["EMAIL_TRANSPORT"] = "outbox",
                ["OUTBOX_DIR"] = _outbox,
                ["PUBLIC_BASE_URL"] = "https://reengage.example",
                ["LINK_SIGNING_KEYS"] = "k1:" + key,
            },
            Configure = builder =>
            {
                builder.AddReengage();
                builder.Services.AddSingleton<TimeProvider>(clock);
            },
            OnInvocationCompleted = invocation => handled.TrySetResult(invocation),
        });
        var clients = host.Services.GetRequiredService<ReengageStorageClients>();
        Assert.Equal(StorageNames.OutreachSendQueue, clients.OutreachSend.Name);
        var world = new SendWorld(clients);
        try
        {
            var planned = await world.SeedAsync();
            // The app's queue client writes Base64, as the Functions host expects.
            await clients.OutreachSend.SendMessageAsync(SendRequestMessage.Serialize(world.Request));

            var invocation = await handled.Task.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(("sendOutreach", null, 1L), (invocation.FunctionName, invocation.Error, invocation.DequeueCount));
            var file = Assert.Single(Emails());
            using var email = await MimeMessage.LoadAsync(file);
            Assert.Equal(planned.OperationId, email.Headers["X-Reengage-Outreach"]);
            Assert.Contains(planned.OperationId, Path.GetFileName(file), StringComparison.Ordinal);
            var row = await world.RowAsync();
            Assert.Equal(OutreachStatus.Sent, row.Status);
            Assert.Equal(SendWorld.Slot, row.SentAt);
        }
        finally
        {
            await world.Ledger.DeleteOutreachAsync(world.PracticeId, world.Row().Id);
            await world.Patients.DeletePatientAsync(world.PracticeId, world.PatientId);
            world.Dispose();
        }
    }
}
