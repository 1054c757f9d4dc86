using System.Text;
using Reengage.Functions.Queues;

namespace Reengage.Fuzz.Tests;

/// <summary>Bugs the fuzzing found, each pinned by the smallest input that showed it.</summary>
[Collection(FuzzCollection.Name)]
public sealed class RegressionTests(FuzzHostFixture host)
{
    /// <summary>
    /// processEmailEvents put every malformed message on email-events-poison, even one whose text cannot fit a queue
    /// message (bytes that are not UTF-8 triple in size as U+FFFD): the send failed, the function threw, and the
    /// host retried a message that could never succeed. It is now dropped with a log.
    /// </summary>
    [Fact]
    public async Task A_malformed_email_event_too_large_for_the_poison_queue_is_dropped_not_retried()
    {
        var text = Encoding.UTF8.GetString(Enumerable.Repeat((byte)0xFF, 20_000).ToArray());
        var before = await host.Snapshots.TakeAsync();

        await host.Host.InvokeAsync("processEmailEvents", text);

        Assert.True(Encoding.UTF8.GetByteCount(text) > StorageQueuePoisonQueue.MaxMessageBytes);
        Assert.Empty(before.Differences(await host.Snapshots.TakeAsync()));
    }

    [Fact]
    public async Task A_malformed_email_event_of_the_largest_size_a_queue_message_holds_still_goes_to_the_poison_queue()
    {
        var text = new string('x', StorageQueuePoisonQueue.MaxMessageBytes);
        var before = await host.Snapshots.TakeAsync();

        await host.Host.InvokeAsync("processEmailEvents", text);

        var after = await host.Snapshots.TakeAsync();
        Assert.Equal(before.Queues.GetValueOrDefault("email-events-poison") + 1, after.Queues["email-events-poison"]);
        Assert.Empty(before.Differences(after, "email-events-poison"));
    }
}
