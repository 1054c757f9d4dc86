using Reengage.Core.Ports;
using Reengage.Core.Sending;

namespace Reengage.Functions.Sending;

/// <summary>
/// Group commit for send-slot reservations. While one call is on the wire, the reservations that arrive wait and then
/// go together in the next call: every planned email takes a slot in the same few hour rows, so with many entries in
/// flight one read and one conditional write of a row serve a whole group instead of one email each, and the work of
/// one planner run never races itself for a row. Each caller gets its own instants, in its own order; reservations
/// under different limits never share a call; a failed call fails its own callers only. One instance per planner run.
/// </summary>
/// <param name="runCancellation">Cancels the calls to <paramref name="inner"/> (the run's token): a call serves several
/// callers, so one caller's token only stops that caller's wait.</param>
public sealed class CoalescingSlotStore(ISendSlotStore inner, CancellationToken runCancellation = default) : ISendSlotStore
{
    private readonly Lock _lock = new();
    private readonly List<Waiting> _waiting = [];
    private bool _flushing;

    public Task<IReadOnlyList<DateTimeOffset>> ReserveSlotsAsync(IReadOnlyList<SlotRequest> requests, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(limits);
        if (requests.Count == 0) return Task.FromResult<IReadOnlyList<DateTimeOffset>>([]);
        var waiting = new Waiting([.. requests], limits);
        bool start;
        lock (_lock)
        {
            _waiting.Add(waiting);
            start = !_flushing;
            _flushing = true;
        }
        // Started inline: the first caller's call goes on the wire at once, alone.
        if (start) _ = FlushAsync();
        return waiting.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                var limits = _waiting[0].Limits;
                batch = _waiting.Where(w => w.Limits == limits).ToList();
                _waiting.RemoveAll(w => w.Limits == limits);
            }
            try
            {
                var all = batch.SelectMany(w => w.Requests).ToList();
                var instants = await inner.ReserveSlotsAsync(all, batch[0].Limits, runCancellation).ConfigureAwait(false);
                if (instants.Count != all.Count)
                {
                    throw new InvalidOperationException($"the slot store answered {instants.Count} instants for {all.Count} requests");
                }
                var offset = 0;
                foreach (var w in batch)
                {
                    w.Completion.TrySetResult([.. instants.Skip(offset).Take(w.Requests.Count)]);
                    offset += w.Requests.Count;
                }
            }
            catch (Exception e)
            {
                foreach (var w in batch) w.Completion.TrySetException(e);
            }
        }
    }

    private sealed record Waiting(IReadOnlyList<SlotRequest> Requests, QuotaLimits Limits)
    {
        public TaskCompletionSource<IReadOnlyList<DateTimeOffset>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
