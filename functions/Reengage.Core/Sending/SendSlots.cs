/*
 * Send slots: when each planned email may go out so that the ACS quota is never exceeded, in any rolling minute and
 * any rolling hour, however many planners and workers share it.
 *
 * THE INVARIANT. For the limits in force (perMinute, perHour), no half-open span of 60 s holds more than perMinute
 * reservations and no half-open span of 3600 s more than perHour, counting every reservation stored in the grid's
 * rows, not only those of one call. Every reservation is at or after its request's Earliest and at an instant its
 * calendar allows (NextAllowed(t) == t).
 *
 * THE GRID. Time is cut into slots of L whole seconds aligned on the Unix epoch, so every process agrees on them
 * without talking; a reservation is a slot start, and a slot carries at most C reservations.
 *   L = max(ceil(60 / perMinute), ceil(3600 / perHour)), floored at 1 s, and C = 1 when L > 1: the even spacing of the
 *   TypeScript implementation, exactly (36 s at 30/min and 100/h, 360 s at 5/min and 10/h).
 *   C = ceil(perMinute / 60) when L = 1: a raised quota is no longer throttled to one email a second; 1,800/min gives
 *   30 emails per one-second slot, so 1,000 emails with the same earliest instant take 34 slots, not 1,000 s.
 * A half-open span of S seconds contains the starts of at most ceil(S / L) consecutive slots; call these runs the
 * windows of S (kMinute = ceil(60 / L), kHour = ceil(3600 / L) slots).
 *
 * WHY IT HOLDS.
 *   1. Slots longer than a second (C = 1): L >= 60 / perMinute gives kMinute = ceil(60 / L) <= perMinute (an integer),
 *      likewise kHour <= perHour, so even every slot taken keeps both limits: a free slot may always be taken. Rows of
 *      such a grid are shared only by limits that give the same L, all with one email per slot, so this holds over
 *      every stored reservation, whichever of those limits reserved it.
 *   2. One-second slots (SlotGrid.ChecksRollingWindows): a slot is taken only if every window of 60 s and of 3600 s
 *      containing it holds fewer reservations than its limit; taking it adds one to exactly those windows, so they stay
 *      within it, and no other window changes. Counting makes this hold whatever the capacity that reserved the
 *      stored ones, so every raised quota shares the one-second rows, and a change of limits is honoured at once.
 *      Every window of a slot lies within one hour either side of it ((k - 1) * L < 3600), so the counts of the hour
 *      buckets before and after it are read too.
 *   Both arguments need the counts the decision read to still be the stored ones when the reservation is written:
 *   the store writes the changed buckets with their ETags and re-asserts the ETags of the other buckets the
 *   reservation relied on (SlotsReserved.ReliedOn), in one transaction, and reruns Reserve on a conflict.
 *
 * STORAGE SHAPE. One row per grid and UTC hour ("bucket", hours since the epoch), holding SlotCounts: the number of
 * reservations at each slot starting in that hour. Rows of one grid (SlotGrid.Key: "36s", "360s", "1s") are never
 * read under another: after a change of limits that changes a slot length, sends already reserved for the next hours
 * may share a minute with new ones, and a 429 then re-queues after Retry-After (as in the TypeScript store).
 * Keeping every bucket of a grid in one partition lets a reservation and its neighbours go in one transaction.
 * Only the current hour and later ones are ever read (and the one before the current): older rows can be deleted.
 *
 * USE FROM A STORE (one round trip reserves a whole batch; group concurrent callers with the same limits into one):
 *   grid = SlotGrid.For(limits); read the rows of SendSlots.BucketsToRead(grid, requests), an absent row being
 *   SlotCounts.Empty; then loop on SendSlots.Reserve(grid, requests, loaded):
 *     BucketsNeeded  -> read those rows too and call again (the call is pure: it starts over from the same inputs);
 *     SlotsReserved  -> in one transaction, write each Updated bucket (insert where there was no row, else replace
 *                       with the ETag read) and re-assert the ETag of every other ReliedOn bucket (an If-Match merge
 *                       of nothing; an insert of an empty row where there was none); on 409/412 re-read the stale rows
 *                       and call again; else hand out Instants (one per request, in order).
 *   A store that gives up after writing some rows gives its reservations back with counts.Minus(Added[bucket]).
 */
using System.Buffers;
using System.Globalization;

namespace Reengage.Core.Sending;

/// <summary>The ACS send quota of the subscription (SPEC §7).</summary>
public sealed record QuotaLimits(int PerMinute, int PerHour)
{
    /// <summary>ACS with a custom domain: 30 emails a minute, 100 an hour.</summary>
    public static QuotaLimits CustomDomainDefault { get; } = new(30, 100);

    /// <summary>ACS with an Azure-managed domain: 5 emails a minute, 10 an hour.</summary>
    public static QuotaLimits AzureManagedDomainDefault { get; } = new(5, 10);
}

/// <summary>One email to place.</summary>
/// <param name="Earliest">The earliest instant it may go out (callers clamp it to now: a past slot is handed out as readily).</param>
/// <param name="NextAllowed">The practice's calendar: the first instant at or after its argument inside the send window
/// (typically <c>PracticeCalendar.NextAllowed</c>). Pure, and never earlier than its argument.</param>
public sealed record SlotRequest(DateTimeOffset Earliest, Func<DateTimeOffset, DateTimeOffset> NextAllowed);

/// <summary>The slot grid of a pair of limits: slot length, capacity, and the slot and bucket arithmetic.</summary>
public sealed class SlotGrid
{
    public const int BucketSeconds = 3600;
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    private SlotGrid(QuotaLimits limits, int slotSeconds, int capacity)
    {
        Limits = limits;
        SlotSeconds = slotSeconds;
        Capacity = capacity;
        SlotsPerMinuteWindow = CeilDiv(60, slotSeconds);
        SlotsPerHourWindow = CeilDiv(BucketSeconds, slotSeconds);
        Key = string.Create(CultureInfo.InvariantCulture, $"{slotSeconds}s");
    }

    /// <exception cref="ArgumentOutOfRangeException">A limit below 1.</exception>
    public static SlotGrid For(QuotaLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.PerMinute, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.PerHour, 1, nameof(limits));
        var slotSeconds = Math.Max(CeilDiv(60, limits.PerMinute), CeilDiv(BucketSeconds, limits.PerHour));
        var capacity = slotSeconds == 1 ? CeilDiv(limits.PerMinute, 60) : 1;
        return new SlotGrid(limits, slotSeconds, capacity);
    }

    public QuotaLimits Limits { get; }

    /// <summary>Seconds between two slot starts.</summary>
    public int SlotSeconds { get; }

    /// <summary>Most reservations one slot carries.</summary>
    public int Capacity { get; }

    /// <summary>Most slot starts in a rolling minute: ceil(60 / SlotSeconds).</summary>
    public int SlotsPerMinuteWindow { get; }

    /// <summary>Most slot starts in a rolling hour: ceil(3600 / SlotSeconds).</summary>
    public int SlotsPerHourWindow { get; }

    /// <summary>One-second slots: every rolling minute and hour around a slot is counted before it is taken, so a
    /// reservation reads the hour buckets either side of its own. Longer slots keep both limits by their spacing.</summary>
    public bool ChecksRollingWindows => SlotSeconds == 1;

    /// <summary>Names the grid in storage by its slot length (<c>36s</c>, <c>360s</c>, <c>1s</c>): rows of one grid
    /// mean nothing under another.</summary>
    public string Key { get; }

    /// <summary>The first slot starting at or after <paramref name="at"/>.</summary>
    public long SlotIndexOf(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - EpochTicks;
        ArgumentOutOfRangeException.ThrowIfNegative(ticks, nameof(at));
        var slotTicks = SlotSeconds * TicksPerSecond;
        return (ticks / slotTicks) + (ticks % slotTicks == 0 ? 0 : 1);
    }

    public DateTimeOffset SlotStart(long slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return DateTimeOffset.UnixEpoch.AddTicks(checked(slot * SlotSeconds * TicksPerSecond));
    }

    /// <summary>The UTC hour, counted from the epoch, in which a slot starts.</summary>
    public long BucketOf(long slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return slot * SlotSeconds / BucketSeconds;
    }

    /// <summary>The first slot starting in a bucket.</summary>
    public long FirstSlotOf(long bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        return CeilDiv(bucket * BucketSeconds, SlotSeconds);
    }

    /// <summary>How many slots start in a bucket (the floor or the ceiling of 3600 / SlotSeconds, by alignment).</summary>
    public int SlotsInBucket(long bucket) => (int)(FirstSlotOf(bucket + 1) - FirstSlotOf(bucket));

    /// <summary>A slot's rank inside its bucket: the index into the bucket's <see cref="SlotCounts"/>.</summary>
    public int PositionOf(long slot) => (int)(slot - FirstSlotOf(BucketOf(slot)));

    public long SlotAt(long bucket, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, SlotsInBucket(bucket));
        return FirstSlotOf(bucket) + position;
    }

    public static DateTimeOffset BucketStart(long bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        return DateTimeOffset.UnixEpoch.AddHours(bucket);
    }

    /// <summary>The bucket an instant falls in.</summary>
    public static long BucketAt(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - EpochTicks;
        ArgumentOutOfRangeException.ThrowIfNegative(ticks, nameof(at));
        return ticks / TimeSpan.TicksPerHour;
    }

    /// <summary>A sortable UTC name for a bucket, <c>yyyyMMddHH</c>, usable in partition and row keys.</summary>
    public static string BucketKey(long bucket) => BucketStart(bucket).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public override string ToString() => $"{Key} for {Limits.PerMinute}/min and {Limits.PerHour}/h";

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}

/// <summary>What <see cref="SendSlots.Reserve"/> answers: the slots, or the buckets it must see first.</summary>
public abstract record SlotReservation;

/// <summary>Read these buckets (an absent row is <see cref="SlotCounts.Empty"/>) and call again with them added.</summary>
public sealed record BucketsNeeded(IReadOnlyList<long> Buckets) : SlotReservation;

/// <summary>Every request got a slot.</summary>
/// <param name="Instants">One slot start per request, in the order of the requests.</param>
/// <param name="Updated">For each changed bucket, its new counts (stored + added): what to write.</param>
/// <param name="Added">For each changed bucket, this call's reservations alone: what to give back if the write is abandoned.</param>
/// <param name="ReliedOn">Every bucket whose stored counts the answer depends on (the changed ones included): the
/// write must fail if any of them changed since it was read.</param>
public sealed record SlotsReserved(
    IReadOnlyList<DateTimeOffset> Instants,
    IReadOnlyDictionary<long, SlotCounts> Updated,
    IReadOnlyDictionary<long, SlotCounts> Added,
    IReadOnlySet<long> ReliedOn) : SlotReservation;

public static class SendSlots
{
    /// <summary>How far past its earliest instant a request may be pushed before the reservation gives up.</summary>
    public const int DefaultMaxSearchDays = 60;

    private const int MaxLookAheadHours = 24;

    /// <summary>
    /// The buckets a reservation of <paramref name="requests"/> will most likely read: those of each request's first
    /// allowed slot (and the hours either side for one-second slots). Reading them
    /// together before the first <see cref="Reserve"/> saves round trips; anything missed is asked for by
    /// <see cref="BucketsNeeded"/>.
    /// </summary>
    public static IReadOnlyList<long> BucketsToRead(SlotGrid grid, IEnumerable<SlotRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(requests);
        var buckets = new SortedSet<long>();
        foreach (var request in requests)
        {
            var slot = grid.SlotIndexOf(request.NextAllowed(request.Earliest));
            foreach (var bucket in BucketsAround(grid, slot)) buckets.Add(bucket);
        }
        return [.. buckets];
    }

    /// <summary>
    /// Gives each request, in order, the first slot at or after its earliest instant that its calendar allows and
    /// that keeps the invariant (see the top of this file), given the counts already stored. Pure: nothing changes
    /// until the store writes <see cref="SlotsReserved.Updated"/>.
    /// </summary>
    /// <param name="stored">The counts of the buckets read so far; a bucket not in it is not known, and the answer is
    /// then <see cref="BucketsNeeded"/> as soon as the search reaches it.</param>
    /// <exception cref="ReengageException"><see cref="ErrorCode.Throttled"/> (retryable) when a request finds no slot
    /// within <paramref name="maxSearchDays"/> days of its earliest instant; a calendar's own error passes through.</exception>
    /// <exception cref="InvalidOperationException">A calendar answered an instant before the one it was asked about.</exception>
    public static SlotReservation Reserve(
        SlotGrid grid,
        IReadOnlyList<SlotRequest> requests,
        IReadOnlyDictionary<long, SlotCounts> stored,
        int maxSearchDays = DefaultMaxSearchDays)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSearchDays, 1);
        var state = new Reservation(grid, stored);
        var instants = new DateTimeOffset[requests.Count];
        for (var n = 0; n < requests.Count; n++)
        {
            var request = requests[n] ?? throw new ArgumentException($"request {n} is null", nameof(requests));
            var slot = state.Place(request, maxSearchDays);
            if (slot is null)
            {
                state.LookAhead(requests.Count - n);
                return new BucketsNeeded([.. state.Missing]);
            }
            instants[n] = grid.SlotStart(slot.Value);
        }
        return state.Result(instants);
    }

    internal static IEnumerable<long> BucketsAround(SlotGrid grid, long slot)
    {
        var bucket = grid.BucketOf(slot);
        if (!grid.ChecksRollingWindows) return [bucket];
        return bucket == 0 ? [0, 1] : [bucket - 1, bucket, bucket + 1];
    }

    /// <summary>The mutable working state of one <see cref="Reserve"/> call.</summary>
    private sealed class Reservation(SlotGrid grid, IReadOnlyDictionary<long, SlotCounts> stored)
    {
        private readonly Dictionary<long, int[]> _counts = [];
        private readonly Dictionary<long, int[]> _added = [];
        private readonly Dictionary<long, long> _totals = [];
        private readonly HashSet<long> _reliedOn = [];
        // Slot -> a later slot such that every slot in between is full or inside a full window. Counts only grow
        // during a call, so this stays true, and later requests skip the runs earlier ones walked.
        private readonly Dictionary<long, long> _unavailableUntil = [];
        // By calendar (delegates of the same method on the same target are equal): slot -> the slot a request of that
        // calendar last reserved after passing over it. Every slot in between is closed in that calendar, full, or in a
        // full window, and stays so, so later requests with the same calendar start their search there.
        private readonly Dictionary<Func<DateTimeOffset, DateTimeOffset>, Dictionary<long, long>> _passedOver = [];

        public SortedSet<long> Missing { get; } = [];

        /// <summary>
        /// Adds to <see cref="Missing"/> the hours after the last missing one that <paramref name="remaining"/> requests
        /// would fill at the most (up to a day), so that a large batch needs a few round trips, not one per hour.
        /// </summary>
        public void LookAhead(int remaining)
        {
            var last = Missing.Max;
            var perBucket = Math.Min((long)grid.SlotsInBucket(last) * grid.Capacity, grid.Limits.PerHour);
            var hours = Math.Min(MaxLookAheadHours, (remaining + perBucket - 1) / perBucket);
            for (var bucket = last + 1; bucket < last + hours; bucket++)
            {
                if (!stored.ContainsKey(bucket)) Missing.Add(bucket);
            }
        }

        /// <summary>The slot reserved for <paramref name="request"/>, or null when a bucket it needs is not loaded.</summary>
        public long? Place(SlotRequest request, int maxSearchDays)
        {
            ArgumentNullException.ThrowIfNull(request.NextAllowed);
            var earliest = request.Earliest;
            var slot = grid.SlotIndexOf(earliest);
            var last = grid.SlotIndexOf(earliest.AddDays(maxSearchDays));
            if (!_passedOver.TryGetValue(request.NextAllowed, out var passedOver))
            {
                passedOver = [];
                _passedOver[request.NextAllowed] = passedOver;
            }
            var visited = new List<long>();
            while (slot <= last)
            {
                if (passedOver.TryGetValue(slot, out var further))
                {
                    visited.Add(slot);
                    slot = further;
                    continue;
                }
                // The calendar is asked first, so that nights and weekends are jumped over without reading their buckets.
                var start = grid.SlotStart(slot);
                var allowed = request.NextAllowed(start);
                if (allowed != start)
                {
                    if (allowed < start)
                    {
                        throw new InvalidOperationException($"the calendar went back in time from {start:O} to {allowed:O}");
                    }
                    visited.Add(slot);
                    slot = grid.SlotIndexOf(allowed);
                    continue;
                }
                var available = FirstAvailable(slot, last);
                if (available is null) return null;
                if (available != slot)
                {
                    // The slot the walk ends on is asked about again.
                    visited.Add(slot);
                    slot = available.Value;
                    continue;
                }
                if (grid.ChecksRollingWindows)
                {
                    var unblocked = FirstSlotPastFullWindows(slot);
                    if (unblocked > slot)
                    {
                        _unavailableUntil[slot] = unblocked;
                        visited.Add(slot);
                        slot = unblocked;
                        continue;
                    }
                }
                Take(slot);
                foreach (var passed in visited) passedOver[passed] = slot;
                return slot;
            }
            throw new ReengageException(
                ErrorCode.Throttled,
                $"no free send slot within {maxSearchDays} days of {earliest.UtcDateTime:O} ({grid})",
                retryable: true);
        }

        public SlotsReserved Result(DateTimeOffset[] instants)
        {
            var updated = _added.Keys.ToDictionary(b => b, b => SlotCounts.Own(_counts[b]));
            var added = _added.ToDictionary(kv => kv.Key, kv => SlotCounts.Own(kv.Value));
            return new SlotsReserved(instants, updated, added, _reliedOn.ToHashSet());
        }

        /// <summary>The first slot from <paramref name="slot"/> on below capacity and not known to be blocked (past
        /// <paramref name="last"/> when there is none); null when a bucket it must read is not loaded.</summary>
        private long? FirstAvailable(long slot, long last)
        {
            var current = slot;
            List<long>? walked = null;
            while (current <= last)
            {
                if (_unavailableUntil.TryGetValue(current, out var next))
                {
                    (walked ??= []).Add(current);
                    current = next;
                    continue;
                }
                if (!Loaded(current)) return null;
                if (CountAt(current) < grid.Capacity) break;
                (walked ??= []).Add(current);
                current++;
            }
            if (walked is not null)
            {
                foreach (var s in walked) _unavailableUntil[s] = current;
            }
            return current;
        }

        /// <summary>Whether every bucket the slot's decision reads is known; records those that are not.</summary>
        private bool Loaded(long slot)
        {
            var complete = true;
            foreach (var bucket in BucketsAround(grid, slot))
            {
                if (_counts.ContainsKey(bucket)) continue;
                if (stored.TryGetValue(bucket, out var counts))
                {
                    _counts[bucket] = counts.ToArray(grid.SlotsInBucket(bucket), bucket);
                    _totals[bucket] = counts.Total;
                    continue;
                }
                Missing.Add(bucket);
                complete = false;
            }
            return complete;
        }

        private int CountAt(long slot) => _counts[grid.BucketOf(slot)][grid.PositionOf(slot)];

        private void Take(long slot)
        {
            var bucket = grid.BucketOf(slot);
            var position = grid.PositionOf(slot);
            _counts[bucket][position]++;
            _totals[bucket]++;
            if (!_added.TryGetValue(bucket, out var added))
            {
                added = new int[grid.SlotsInBucket(bucket)];
                _added[bucket] = added;
            }
            added[position]++;
            foreach (var relied in BucketsAround(grid, slot)) _reliedOn.Add(relied);
        }

        /// <summary>
        /// <paramref name="slot"/> itself when every 60 s and 3600 s window containing it is below its limit; else the
        /// first slot after the last full window containing it (every slot before that lies in that full window).
        /// </summary>
        private long FirstSlotPastFullWindows(long slot)
        {
            // Every window containing the slot lies in the buckets around it: below a limit in total, none can be full.
            var around = BucketsAround(grid, slot).Sum(b => _totals[b]);
            var next = slot;
            if (around >= grid.Limits.PerMinute) next = Math.Max(next, PastFullWindows(slot, grid.SlotsPerMinuteWindow, grid.Limits.PerMinute));
            if (around >= grid.Limits.PerHour) next = Math.Max(next, PastFullWindows(slot, grid.SlotsPerHourWindow, grid.Limits.PerHour));
            return next;
        }

        private long PastFullWindows(long slot, int k, int limit)
        {
            var from = Math.Max(0, slot - k + 1);
            var length = (int)(slot + k - from);
            var counts = ArrayPool<int>.Shared.Rent(length);
            try
            {
                CopyCounts(from, counts.AsSpan(0, length));
                return PastFullWindow(counts, (int)(slot - from), k, limit, from);
            }
            finally
            {
                ArrayPool<int>.Shared.Return(counts);
            }
        }

        private void CopyCounts(long firstSlot, Span<int> target)
        {
            var slot = firstSlot;
            while (!target.IsEmpty)
            {
                var bucket = grid.BucketOf(slot);
                var position = grid.PositionOf(slot);
                var source = _counts[bucket].AsSpan(position);
                var n = Math.Min(source.Length, target.Length);
                source[..n].CopyTo(target);
                target = target[n..];
                slot += n;
            }
        }

        /// <summary>Over the windows of <paramref name="k"/> slots containing position <paramref name="at"/> of
        /// <paramref name="counts"/>: the slot after the last one holding <paramref name="limit"/> or more, else 0.</summary>
        private static long PastFullWindow(int[] counts, int at, int k, int limit, long firstSlot)
        {
            var first = Math.Max(0, at - k + 1);
            long sum = 0;
            for (var i = first; i < first + k; i++) sum += counts[i];
            var past = 0L;
            for (var start = first; ; start++)
            {
                if (sum >= limit) past = firstSlot + start + k;
                if (start == at) return past;
                sum += counts[start + k] - counts[start];
            }
        }
    }
}

/// <summary>
/// The reservations at each slot of one hour bucket, by position: what a store row holds. Immutable; trailing zeros
/// are not kept, so an empty bucket is <see cref="Empty"/> and encodes as "".
/// </summary>
public sealed class SlotCounts : IEquatable<SlotCounts>
{
    private readonly int[] _counts;

    public SlotCounts(IEnumerable<int> counts)
        : this(Checked([.. counts ?? throw new ArgumentNullException(nameof(counts))]))
    {
    }

    private SlotCounts(int[] counts)
    {
        var length = counts.Length;
        while (length > 0 && counts[length - 1] == 0) length--;
        _counts = length == counts.Length ? counts : counts[..length];
    }

    /// <summary>Takes <paramref name="counts"/> without copying: the caller never touches the array again.</summary>
    internal static SlotCounts Own(int[] counts) => new(Checked(counts));

    private static int[] Checked(int[] counts)
    {
        foreach (var count in counts)
        {
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(counts), "counts cannot be negative");
        }
        return counts;
    }

    public static SlotCounts Empty { get; } = new([]);

    /// <summary>The count at a position; 0 past the last reservation.</summary>
    public int this[int position]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(position);
            return position < _counts.Length ? _counts[position] : 0;
        }
    }

    /// <summary>One past the last position holding a reservation.</summary>
    public int Length => _counts.Length;

    public long Total => _counts.Sum(c => (long)c);

    public SlotCounts Plus(SlotCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new int[Math.Max(Length, other.Length)];
        for (var i = 0; i < result.Length; i++) result[i] = checked(this[i] + other[i]);
        return Own(result);
    }

    /// <summary>These counts without <paramref name="other"/>'s (a store giving back what it reserved).</summary>
    /// <exception cref="InvalidOperationException">Some count would go below zero.</exception>
    public SlotCounts Minus(SlotCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new int[Math.Max(Length, other.Length)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = this[i] - other[i];
            if (result[i] < 0) throw new InvalidOperationException($"position {i} holds fewer reservations than are taken away");
        }
        return Own(result);
    }

    /// <summary>Base64 of one unsigned LEB128 number per position: a byte a slot below 128, 4,800 characters for a
    /// full hour of one-second slots.</summary>
    public string Encode()
    {
        var bytes = new List<byte>(_counts.Length);
        foreach (var count in _counts)
        {
            var value = (uint)count;
            while (value >= 0x80)
            {
                bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }
            bytes.Add((byte)value);
        }
        return Convert.ToBase64String([.. bytes]);
    }

    /// <exception cref="FormatException">The text is not what <see cref="Encode"/> writes.</exception>
    public static SlotCounts Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var bytes = Convert.FromBase64String(encoded);
        var counts = new List<int>(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            long value = 0;
            var shift = 0;
            while (true)
            {
                if (i == bytes.Length || shift > 28) throw new FormatException("slot counts end in the middle of a number");
                var b = bytes[i++];
                value |= (long)(b & 0x7f) << shift;
                shift += 7;
                if ((b & 0x80) == 0) break;
            }
            if (value > int.MaxValue) throw new FormatException("a slot count is out of range");
            counts.Add((int)value);
        }
        return Own([.. counts]);
    }

    public bool Equals(SlotCounts? other) => other is not null && _counts.AsSpan().SequenceEqual(other._counts);

    public override bool Equals(object? obj) => Equals(obj as SlotCounts);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var count in _counts) hash.Add(count);
        return hash.ToHashCode();
    }

    public override string ToString() => $"[{string.Join(",", _counts)}]";

    internal int[] ToArray(int slotsInBucket, long bucket)
    {
        if (_counts.Length > slotsInBucket)
        {
            throw new ArgumentException($"bucket {bucket} has {slotsInBucket} slots, its counts hold {_counts.Length}", nameof(bucket));
        }
        var array = new int[slotsInBucket];
        _counts.CopyTo(array, 0);
        return array;
    }
}
