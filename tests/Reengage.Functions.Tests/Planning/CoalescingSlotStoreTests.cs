using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Sending;
using Reengage.Functions.Tests.Storage;
using static Reengage.Functions.Tests.Planning.SlotRows;

namespace Reengage.Functions.Tests.Planning;

/// <summary>The real table store, with a record of the calls that reached it (what the coalescer grouped).</summary>
internal sealed class RecordingSlotStore(ISendSlotStore inner) : ISendSlotStore
{
    private readonly Lock _lock = new();

    public List<(int Requests, QuotaLimits Limits)> Calls { get; } = [];

    public bool FailNext { get; set; }

    public Task<IReadOnlyList<DateTimeOffset>> ReserveSlotsAsync(IReadOnlyList<SlotRequest> requests, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Calls.Add((requests.Count, limits));
            if (FailNext)
            {
                FailNext = false;
                return Task.FromException<IReadOnlyList<DateTimeOffset>>(new ReengageException(ErrorCode.StorageUnavailable, "storage unavailable", retryable: true));
            }
        }
        return inner.ReserveSlotsAsync(requests, limits, cancellationToken);
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class CoalescingSlotStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private static readonly QuotaLimits Default = QuotaLimits.CustomDomainDefault;

    private static List<SlotRequest> Requests(int count, DateTimeOffset earliest) =>
        [.. Enumerable.Range(0, count).Select(_ => new SlotRequest(earliest, at => at))];

    [Fact]
    public async Task Reservations_that_arrive_while_one_is_on_the_wire_go_together_and_each_caller_gets_its_own_slots_in_order()
    {
        var recording = new RecordingSlotStore(new TableSendSlotStore(Clients.SendSlots));
        var store = new CoalescingSlotStore(recording);
        var opens = At("2027-01-05T09:00:00Z");

        var singles = Enumerable.Range(0, 30).Select(_ => store.ReserveSlotsAsync(Requests(1, opens), Default)).ToList();
        var triple = store.ReserveSlotsAsync(Requests(3, opens), Default);
        var got = await Task.WhenAll(singles);
        var three = await triple;

        // The first goes alone; the other 29 singles and the triple (32 requests) wait for it and go together.
        Assert.Equal([1, 32], recording.Calls.Select(c => c.Requests));
        Assert.All(got, list => Assert.Single(list));
        Assert.Equal(3, three.Count);
        var all = got.SelectMany(l => l).Concat(three).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 33).Select(k => opens.AddSeconds(36 * k)), all);
        // Callers are served in arrival order, and a caller's own requests keep theirs.
        Assert.Equal(all.Skip(30), three);
        Assert.Equal(got.Select(l => l[0]), all.Take(30));
    }

    [Fact]
    public async Task Reservations_under_different_limits_never_share_a_call()
    {
        var recording = new RecordingSlotStore(new TableSendSlotStore(Clients.SendSlots));
        var store = new CoalescingSlotStore(recording);
        var opens = At("2027-01-05T09:00:00Z");
        var faster = new QuotaLimits(60, 3_600);

        var pending = new[]
        {
            store.ReserveSlotsAsync(Requests(1, opens), Default),
            store.ReserveSlotsAsync(Requests(1, opens), Default),
            store.ReserveSlotsAsync(Requests(1, opens), faster),
            store.ReserveSlotsAsync(Requests(1, opens), Default),
        };
        var results = await Task.WhenAll(pending);

        Assert.Equal([(1, Default), (2, Default), (1, faster)], recording.Calls);
        Assert.Equal([opens, opens.AddSeconds(36), opens.AddSeconds(72)], new[] { results[0][0], results[1][0], results[3][0] });
        // One-second slots live in rows of their own: the faster grid starts at the opening again.
        Assert.Equal(opens, results[2][0]);
    }

    [Fact]
    public async Task A_failed_call_fails_its_own_callers_only()
    {
        var recording = new RecordingSlotStore(new TableSendSlotStore(Clients.SendSlots));
        var store = new CoalescingSlotStore(recording);
        var opens = At("2027-01-05T09:00:00Z");

        // The first goes on the wire at once; the next two wait for it and go together, and that call fails.
        var first = store.ReserveSlotsAsync(Requests(1, opens), Default);
        recording.FailNext = true;
        var failing = new[] { store.ReserveSlotsAsync(Requests(1, opens), Default), store.ReserveSlotsAsync(Requests(1, opens), Default) };

        Assert.Equal(opens, Assert.Single(await first));
        foreach (var call in failing)
        {
            var error = await Assert.ThrowsAsync<ReengageException>(() => call);
            Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        }
        Assert.Equal([1, 2], recording.Calls.Select(c => c.Requests));
        // Nothing was reserved for the failed callers, and the next caller is served normally.
        var again = await store.ReserveSlotsAsync(Requests(1, opens), Default);
        Assert.Equal(opens.AddSeconds(36), Assert.Single(again));
        Assert.Equal([1, 2, 1], recording.Calls.Select(c => c.Requests));
    }
}
