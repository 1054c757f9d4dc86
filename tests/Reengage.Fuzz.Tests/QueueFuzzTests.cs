using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Queues;
using Reengage.LocalHost;

namespace Reengage.Fuzz.Tests;

/// <summary>
/// The two queue consumers with arbitrary messages, invoked as the host invokes them (<see cref="LocalFunctionsHost.InvokeAsync"/>)
/// and delivered through the real queues: no message makes them throw (a throw is the retry path, for storage failures
/// only), none changes a table or sends an email; a malformed <c>sendOutreach</c> message is dropped with a log, a
/// malformed <c>processEmailEvents</c> one goes to <c>email-events-poison</c> (the C# code's choices, see the functions).
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class QueueFuzzTests(FuzzHostFixture host) : IAsyncLifetime
{
    private const int MessagesPerConsumer = 60;

    /// <summary>
    /// About the largest a queue message can carry: 64 KiB of Base64 is 48 KiB of text, less the JSON around the
    /// padding. A bigger message never reaches a consumer (the service refuses it).
    /// </summary>
    private const int MaxMessageChars = 47_000;
    private OutreachRow _sentRowOfB = null!;

    public async Task InitializeAsync()
    {
        // A row of practice B that was sent already: messages naming it (as A's, or as B's again) must change nothing.
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        _sentRowOfB = new OutreachRow
        {
            PracticeId = host.B.Id,
            PatientId = "pat_1",
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-01-01",
            Step = 1,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            Status = OutreachStatus.Sent,
            PlannedAt = at,
            NotBefore = at,
            SentAt = at,
            OperationId = Guid.NewGuid().ToString(),
        };
        await host.Host.Services.GetRequiredService<IOutreachLedger>().CreateOutreachAsync(_sentRowOfB);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Gen<string> Odd => Gen.Elements("", "a/b", "x#y", "\ud800", "%2F", new string('p', 300), new string('o', 600), "pat_1|lapse|2026-01-01|1", "'; DROP", "\u0000");

    private Gen<string> SendMessages()
    {
        var practice = Gen.Frequency((3, Gen.Elements(host.A.Id, host.B.Id, "prac_unknown")), (1, Odd));
        var outreach = Gen.Frequency((3, Gen.Elements(_sentRowOfB.Id, "pat_9|lapse|2026-01-01|1", Guid.NewGuid().ToString())), (1, Odd));
        var notBefore = Gen.Elements("2027-01-01T00:00:00Z", "2027-01-01T00:00:00", "yesterday", DateTimeOffset.UtcNow.ToString("O"), "9999-12-31T23:59:59+14:00", "");
        var version = Gen.Frequency((5, Gen.Constant("1")), (1, Gen.Elements("2", "\"1\"", "1.0", "null", "-1")));
        var valid = from v in version
                    from p in practice
                    from o in outreach
                    from t in notBefore
                    select $"{{\"v\":{v},\"practiceId\":{JsonSerializer.Serialize(p)},\"outreachId\":{JsonSerializer.Serialize(o)},\"notBefore\":{JsonSerializer.Serialize(t)}}}";
        return Gen.Frequency(
            (5, valid),
            (1, valid.Select(m => Convert.ToBase64String(Encoding.UTF8.GetBytes(m)))),
            (2, Generators.Json()),
            (1, ArbMap.Default.GeneratorFor<byte[]>().Select(b => Encoding.UTF8.GetString(b))),
            (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")),
            (1, Gen.Elements(20_000, MaxMessageChars).Select(n => $"{{\"v\":1,\"practiceId\":\"{new string('a', n)}\",\"outreachId\":\"x\",\"notBefore\":\"2027-01-01T00:00:00Z\"}}")));
    }

    private static Gen<string> EmailEventMessages()
    {
        var messageId = Gen.Frequency((3, Gen.Fresh(() => Guid.NewGuid().ToString())), (1, Odd));
        var type = Gen.Frequency((4, Gen.Elements(EmailReports.DeliveryReportType, EmailReports.EngagementReportType)), (1, Gen.Elements("Microsoft.Storage.BlobCreated", "", "x")));
        var status = Gen.Elements("Delivered", "Bounced", "Suppressed", "Failed", "Quarantined", "FilteredSpam", "Expanded", "Weird", "");
        var at = Gen.Elements("2027-01-01T00:00:00Z", "2027-01-01", "not a time", "");
        var data = from id in messageId
                   from s in status
                   from t in at
                   from engagement in Gen.Elements("view", "click", "open", "")
                   select new Dictionary<string, object?>
                   {
                       ["sender"] = "bonjour@cabinet.example",
                       ["recipient"] = "patient@example.org",
                       ["messageId"] = id,
                       ["status"] = s,
                       ["deliveryAttemptTimeStamp"] = t,
                       ["engagementType"] = engagement,
                       ["userActionTimestamp"] = t,
                   };
        var eventGrid = from d in data
                        from ty in type
                        from t in at
                        select JsonSerializer.Serialize(new[] { new Dictionary<string, object?> { ["id"] = Guid.NewGuid().ToString(), ["topic"] = "/acs", ["subject"] = "sender/x", ["eventType"] = ty, ["data"] = d, ["dataVersion"] = "1.0", ["metadataVersion"] = "1", ["eventTime"] = t } });
        var cloudEvent = from d in data
                         from ty in type
                         select JsonSerializer.Serialize(new Dictionary<string, object?> { ["specversion"] = "1.0", ["id"] = "1", ["source"] = "/acs", ["type"] = ty, ["time"] = "2027-01-01T00:00:00Z", ["data"] = d });
        return Gen.Frequency(
            (3, eventGrid),
            (2, cloudEvent),
            (1, eventGrid.Select(m => Convert.ToBase64String(Encoding.UTF8.GetBytes(m)))),
            (2, Generators.Json()),
            (1, ArbMap.Default.GeneratorFor<byte[]>().Select(b => Encoding.UTF8.GetString(b))),
            // Bytes that are not UTF-8 (a broken producer): each becomes U+FFFD, three bytes, in the text the consumer gets.
            (1, Gen.Elements(1_000, 30_000).Select(n => Encoding.UTF8.GetString(Enumerable.Repeat((byte)0xFF, n).ToArray()))),
            (1, Gen.Elements(20_000, MaxMessageChars).Select(n => $"[{{\"eventType\":\"{EmailReports.DeliveryReportType}\",\"data\":{{\"messageId\":\"{new string('m', n)}\",\"status\":\"Delivered\"}}}}]")));
    }

    [Fact]
    public async Task SendOutreach_with_arbitrary_messages_never_throws_changes_nothing_and_sends_nothing()
    {
        var messages = SendMessages().Sample(30, Fuzzing.Seed("sendOutreach"), MessagesPerConsumer * Fuzzing.Scale);
        var violations = new List<string>();

        foreach (var message in messages)
        {
            violations.AddRange(await InvokeAsync("sendOutreach", message, "(none)"));
        }

        Assert.True(violations.Count == 0, string.Join("\n\n", violations.Take(8)));
    }

    [Fact]
    public async Task ProcessEmailEvents_with_arbitrary_messages_never_throws_and_changes_nothing_but_its_poison_queue()
    {
        var messages = EmailEventMessages().Sample(30, Fuzzing.Seed("processEmailEvents"), MessagesPerConsumer * Fuzzing.Scale);
        var violations = new List<string>();

        foreach (var message in messages)
        {
            violations.AddRange(await InvokeAsync("processEmailEvents", message, "email-events-poison"));
        }

        Assert.True(violations.Count == 0, string.Join("\n\n", violations.Take(8)));
    }

    /// <summary>
    /// Through the queues as the host polls them: Base64 messages and raw text that is not Base64. Every message is
    /// settled without a retry (the queues drain), the ones that are not Base64 go to the poison queue without running the function.
    /// </summary>
    [Fact]
    public async Task Arbitrary_messages_on_the_real_queues_are_settled_without_a_retry_and_change_no_table_and_send_nothing()
    {
        var connection = host.Azurite.ConnectionString;
        var raw = new QueueServiceClient(connection, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queues = host.Host.Functions.Where(f => f.Trigger == TriggerKind.Queue).ToDictionary(f => f.Name, f => f.QueueName!);
        var before = await host.Snapshots.TakeAsync();
        host.Drain();
        var sent = new Dictionary<string, (int Base64, int NotBase64)>();
        foreach (var (function, messages) in new[] { ("sendOutreach", SendMessages()), ("processEmailEvents", EmailEventMessages()) })
        {
            // What a queue can carry (Base64 of at most 48 KiB), and bytes that are not UTF-8 as a broken producer writes them.
            var sample = messages.Sample(10, Fuzzing.Seed(function + " queue"), 8 * Fuzzing.Scale)
                .Select(Encoding.UTF8.GetBytes)
                .Where(b => b.Length <= StorageQueuePoisonQueue.MaxMessageBytes)
                .Append(Enumerable.Repeat((byte)0xFF, 30_000).ToArray())
                .ToArray();
            var queue = raw.GetQueueClient(queues[function]);
            foreach (var message in sample) await queue.SendMessageAsync(Convert.ToBase64String(message));
            await queue.SendMessageAsync("not base64 at all!");
            sent[function] = (sample.Length, 1);
        }

        Snapshot after;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        try
        {
            do
            {
                await Task.Delay(250);
                after = await host.Snapshots.TakeAsync();
            }
            while (DateTime.UtcNow < deadline && queues.Values.Any(q => after.Queues.GetValueOrDefault(q) != 0));
        }
        finally
        {
            // A message left behind (one being retried) would be taken for a change made by the next test's requests.
            foreach (var queue in queues.Values) await raw.GetQueueClient(queue).ClearMessagesAsync();
        }
        var (invocations, exceptions) = host.Drain();

        Assert.All(queues.Values, q => Assert.Equal(0, after.Queues.GetValueOrDefault(q)));
        Assert.Empty(before.Differences(after, [.. queues.Values.Select(q => q + "-poison")]));
        Assert.Empty(invocations.Where(i => i.Error is not null).Select(i => $"{i.FunctionName}: {i.Error}"));
        Assert.Empty(exceptions);
        Assert.Equal(sent["sendOutreach"].Base64, invocations.Count(i => i.FunctionName == "sendOutreach"));
        Assert.Equal(sent["processEmailEvents"].Base64, invocations.Count(i => i.FunctionName == "processEmailEvents"));
        // sendOutreach drops what it cannot read: only what is not Base64 reaches its poison queue.
        Assert.Equal(sent["sendOutreach"].NotBase64, after.Queues[queues["sendOutreach"] + "-poison"] - before.Queues.GetValueOrDefault(queues["sendOutreach"] + "-poison"));
        var eventsPoisoned = after.Queues[queues["processEmailEvents"] + "-poison"] - before.Queues.GetValueOrDefault(queues["processEmailEvents"] + "-poison");
        Assert.InRange(eventsPoisoned, sent["processEmailEvents"].NotBase64, sent["processEmailEvents"].NotBase64 + sent["processEmailEvents"].Base64);
    }

    /// <summary>Runs one message and lists what went wrong: a throw, a logged exception, a change outside <paramref name="allowedQueue"/>.</summary>
    private async Task<List<string>> InvokeAsync(string function, string message, string allowedQueue)
    {
        var what = $"{function} <- {(message.Length > 300 ? message[..300] + $"…({message.Length} chars)" : message)}";
        var violations = new List<string>();
        var before = await host.Snapshots.TakeAsync();
        host.Drain();
        try
        {
            await host.Host.InvokeAsync(function, message);
        }
        catch (Exception e)
        {
            violations.Add($"threw {e}: {what}");
        }
        var after = await host.Snapshots.TakeAsync();
        var (_, exceptions) = host.Drain();
        violations.AddRange(exceptions.Select(e => $"exception logged {e}: {what}"));
        violations.AddRange(before.Differences(after, allowedQueue).Select(d => $"changed {d}: {what}"));
        var poisoned = after.Queues.GetValueOrDefault(allowedQueue) - before.Queues.GetValueOrDefault(allowedQueue);
        if (poisoned is < 0 or > 1) violations.Add($"{allowedQueue} went from {before.Queues.GetValueOrDefault(allowedQueue)} to {after.Queues.GetValueOrDefault(allowedQueue)}: {what}");
        return violations;
    }
}
