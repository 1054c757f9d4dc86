// SendSlots table: the ACS send slots every planner reserves from, one row per slot grid and UTC hour.
//
// PartitionKey = SlotGrid.Key ("36s", "1s"), RowKey = SlotGrid.BucketKey (yyyyMMddHH), property `counts` =
// SlotCounts.Encode(). The write protocol is the one Reengage.Core/Sending/SendSlots.cs states: each reservation writes
// the buckets it changed with their ETags and re-asserts the ETag of every other bucket it relied on, in one
// entity-group transaction (every bucket of a grid shares its partition), and starts over from a fresh read on 409/412.
using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Core.Sending;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Sending;

public sealed record TableSendSlotStoreOptions
{
    /// <summary>Rounds of read → reserve → write for one group of requests before giving up under contention.</summary>
    public int MaxAttempts { get; init; } = 20;

    /// <summary>
    /// Requests committed by one transaction at most. A larger call commits in several transactions, and gives back
    /// what it committed if a later one fails.
    /// </summary>
    public int MaxRequestsPerTransaction { get; init; } = 1_000;

    public int MaxSearchDays { get; init; } = SendSlots.DefaultMaxSearchDays;
}

public sealed class TableSendSlotStore : ISendSlotStore
{
    /// <summary>An entity-group transaction holds at most 100 operations.</summary>
    private const int MaxRowsPerTransaction = 100;

    /// <summary>Past this many remembered buckets the memory starts over, so that it cannot grow without bound.</summary>
    private const int MaxKnown = 10_000;

    private const string CountsProperty = "counts";
    private const string SlotSecondsProperty = "slotSeconds";

    private readonly TableOperations _slots;
    private readonly TableSendSlotStoreOptions _options;

    // Buckets as this store last read or wrote them, with their ETags. A planner run reserves for one group after
    // another in the same few hours, and is usually the only writer of them: the next group starts from what the last
    // one wrote instead of reading the hour again (a read per group was half the planner's entities read, and a round
    // trip each group waited for). Nothing is trusted blindly: the ETag is asserted whenever a reservation relies on the
    // bucket, so a bucket that someone else changed makes the write fail and is read afresh.
    private readonly ConcurrentDictionary<(string Grid, long Bucket), Row> _known = new();

    public TableSendSlotStore(TableClient sendSlotsTable, TableSendSlotStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sendSlotsTable);
        _slots = new TableOperations(sendSlotsTable);
        _options = options ?? new TableSendSlotStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRequestsPerTransaction, 1, nameof(options));
    }

    public async Task<IReadOnlyList<DateTimeOffset>> ReserveSlotsAsync(IReadOnlyList<SlotRequest> requests, QuotaLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) return [];
        var grid = SlotGrid.For(limits);
        ForgetPastBuckets(grid, requests);
        var loaded = new Dictionary<long, Row>();
        var instants = new List<DateTimeOffset>(requests.Count);
        var committed = new List<IReadOnlyDictionary<long, SlotCounts>>();
        try
        {
            var offset = 0;
            while (offset < requests.Count)
            {
                var take = Math.Min(requests.Count - offset, _options.MaxRequestsPerTransaction);
                var reserved = await CommitGroupAsync(grid, requests, offset, take, loaded, cancellationToken).ConfigureAwait(false);
                committed.Add(reserved.Added);
                instants.AddRange(reserved.Instants);
                offset += reserved.Instants.Count;
            }
            return instants;
        }
        catch
        {
            await GiveBackAsync(grid, committed).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reserves and commits, in one transaction, the requests from <paramref name="offset"/> on (at most
    /// <paramref name="take"/>, fewer when their rows would not fit in one transaction).</summary>
    private async Task<SlotsReserved> CommitGroupAsync(SlotGrid grid, IReadOnlyList<SlotRequest> requests, int offset, int take, Dictionary<long, Row> loaded, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            SlotsReserved reserved;
            while (true)
            {
                var group = requests.Skip(offset).Take(take).ToList();
                await LoadAsync(grid, SendSlots.BucketsToRead(grid, group), loaded, cancellationToken).ConfigureAwait(false);
                reserved = await ReserveLoadingAsync(grid, group, loaded, cancellationToken).ConfigureAwait(false);
                // Reservation is greedy in request order, so a shorter prefix gets the same first slots.
                if (reserved.ReliedOn.Count <= MaxRowsPerTransaction || take == 1) break;
                take = Math.Max(1, take / 2);
            }
            if (await TryCommitAsync(grid, reserved, loaded, cancellationToken).ConfigureAwait(false)) return reserved;
            if (attempt >= _options.MaxAttempts)
            {
                throw new ReengageException(
                    ErrorCode.Conflict,
                    $"{_slots.Table}: send slots still contended after {_options.MaxAttempts} attempts ({grid})",
                    retryable: true);
            }
            // Someone else wrote one of these rows since it was read: read them all again and reserve again.
            foreach (var bucket in reserved.ReliedOn)
            {
                loaded.Remove(bucket);
                _known.TryRemove((grid.Key, bucket), out _);
            }
            // Spread the retries of planners that keep colliding on the same rows (a backoff, not domain time).
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 25 * attempt)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SlotsReserved> ReserveLoadingAsync(SlotGrid grid, IReadOnlyList<SlotRequest> group, Dictionary<long, Row> loaded, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = loaded.ToDictionary(kv => kv.Key, kv => kv.Value.Counts);
            switch (SendSlots.Reserve(grid, group, stored, _options.MaxSearchDays))
            {
                case SlotsReserved reserved:
                    return reserved;
                case BucketsNeeded needed:
                    await LoadAsync(grid, needed.Buckets, loaded, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException("SendSlots.Reserve answered something unknown.");
            }
        }
    }

    /// <summary>One transaction: the changed buckets written, the others relied on re-asserted. False on 409/412.</summary>
    private async Task<bool> TryCommitAsync(SlotGrid grid, SlotsReserved reserved, Dictionary<long, Row> loaded, CancellationToken cancellationToken)
    {
        var buckets = reserved.ReliedOn.Order().ToList();
        var actions = new List<TableTransactionAction>(buckets.Count);
        foreach (var bucket in buckets)
        {
            var row = loaded[bucket];
            if (reserved.Updated.TryGetValue(bucket, out var counts))
            {
                var entity = EntityOf(grid, bucket, counts);
                actions.Add(row.ETag is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(row.ETag)));
            }
            else if (row.ETag is null)
            {
                // Relied on as empty: inserting it empty fails if someone created it meanwhile.
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, EntityOf(grid, bucket, SlotCounts.Empty)));
            }
            else
            {
                // Relied on as read: a merge of nothing under If-Match fails if it changed meanwhile.
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(grid.Key, SlotGrid.BucketKey(bucket)), new ETag(row.ETag)));
            }
        }
        IReadOnlyList<Response> responses;
        try
        {
            var response = await StorageErrors.GuardAsync($"{_slots.Table} reserve", () => _slots.Client.SubmitTransactionAsync(actions, cancellationToken)).ConfigureAwait(false);
            responses = response.Value;
        }
        catch (ReengageException e) when (e.Code is ErrorCode.Conflict or ErrorCode.PreconditionFailed)
        {
            return false;
        }
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var etag = responses[i].Headers.ETag?.ToString() ?? throw new InvalidOperationException($"{_slots.Table} reserve: the service returned no ETag.");
            var counts = reserved.Updated.TryGetValue(bucket, out var updated) ? updated : loaded[bucket].Counts;
            loaded[bucket] = new Row(counts, etag);
            Remember(grid, bucket, loaded[bucket]);
        }
        return true;
    }

    /// <summary>Reads the buckets not loaded yet (a missing row is empty), those remembered excepted.</summary>
    private async Task LoadAsync(SlotGrid grid, IEnumerable<long> buckets, Dictionary<long, Row> loaded, CancellationToken cancellationToken)
    {
        var toRead = new List<long>();
        foreach (var bucket in buckets.Distinct())
        {
            if (loaded.ContainsKey(bucket)) continue;
            if (_known.TryGetValue((grid.Key, bucket), out var known)) loaded[bucket] = known;
            else toRead.Add(bucket);
        }
        var rows = await Task.WhenAll(toRead.Select(bucket => ReadAsync(grid, bucket, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < toRead.Count; i++)
        {
            loaded[toRead[i]] = rows[i];
            Remember(grid, toRead[i], rows[i]);
        }
    }

    private async Task<Row> ReadAsync(SlotGrid grid, long bucket, CancellationToken cancellationToken)
    {
        var rowKey = SlotGrid.BucketKey(bucket);
        var found = await _slots.GetAsync(grid.Key, rowKey, cancellationToken).ConfigureAwait(false);
        if (found is not { } row) return new Row(SlotCounts.Empty, null);
        try
        {
            var counts = SlotCounts.Decode(row.Entity.GetString(CountsProperty) ?? "");
            if (counts.Length > grid.SlotsInBucket(bucket)) throw new FormatException("more positions than the bucket has slots");
            return new Row(counts, row.ETag);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{_slots.Table}: row {grid.Key}/{rowKey} does not hold the slot counts of its bucket.", e);
        }
    }

    /// <summary>Best effort: gives back what the committed transactions of a failed call reserved, so those slots are
    /// not wasted. Runs even when the call was cancelled.</summary>
    private async Task GiveBackAsync(SlotGrid grid, List<IReadOnlyDictionary<long, SlotCounts>> committed)
    {
        var added = new Dictionary<long, SlotCounts>();
        foreach (var (bucket, counts) in committed.SelectMany(c => c))
        {
            added[bucket] = added.TryGetValue(bucket, out var earlier) ? earlier.Plus(counts) : counts;
        }
        await Task.WhenAll(added.Select(kv => GiveBackAsync(grid, kv.Key, kv.Value))).ConfigureAwait(false);
    }

    private async Task GiveBackAsync(SlotGrid grid, long bucket, SlotCounts added)
    {
        _known.TryRemove((grid.Key, bucket), out _);
        for (var attempt = 0; attempt < _options.MaxAttempts; attempt++)
        {
            try
            {
                var row = await ReadAsync(grid, bucket, CancellationToken.None).ConfigureAwait(false);
                if (row.ETag is null) return;
                await _slots.ReplaceAsync(EntityOf(grid, bucket, row.Counts.Minus(added)), row.ETag, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (ReengageException e) when (e.Code == ErrorCode.PreconditionFailed)
            {
                // Another reservation landed meanwhile: read again.
            }
            catch (Exception e) when (e is ReengageException or InvalidOperationException or RequestFailedException)
            {
                // Left as reserved: a slot unused, never one used twice.
                return;
            }
        }
    }

    private void Remember(SlotGrid grid, long bucket, Row row)
    {
        // An absent row is not remembered: another store may create it at any time, and reading it again is cheap.
        if (row.ETag is null) return;
        if (_known.Count >= MaxKnown) _known.Clear();
        _known[(grid.Key, bucket)] = row;
    }

    /// <summary>Only the hour before the earliest request and later ones are ever read again.</summary>
    private void ForgetPastBuckets(SlotGrid grid, IReadOnlyList<SlotRequest> requests)
    {
        var first = requests.Min(r => SlotGrid.BucketAt(r.Earliest)) - 1;
        foreach (var key in _known.Keys)
        {
            if (key.Grid == grid.Key && key.Bucket < first) _known.TryRemove(key, out _);
        }
    }

    private static TableEntity EntityOf(SlotGrid grid, long bucket, SlotCounts counts) =>
        new(grid.Key, SlotGrid.BucketKey(bucket))
        {
            [CountsProperty] = counts.Encode(),
            [SlotSecondsProperty] = grid.SlotSeconds,
        };

    private sealed record Row(SlotCounts Counts, string? ETag);
}
