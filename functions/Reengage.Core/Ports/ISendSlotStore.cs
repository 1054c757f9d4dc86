using Reengage.Core.Sending;

namespace Reengage.Core.Ports;

/// <summary>
/// Reserves ACS send slots (SPEC §7) shared by every planner: whatever the callers, no rolling minute or hour holds
/// more reservations than the limits allow (Sending/SendSlots.cs states the invariant and the store's protocol).
/// </summary>
public interface ISendSlotStore
{
    /// <summary>
    /// One slot start per request, in the order of the requests. Throws <see cref="ReengageException"/>
    /// (<see cref="ErrorCode.Throttled"/> or <see cref="ErrorCode.Conflict"/>, retryable) when no slot could be had;
    /// a failed call keeps none of its reservations.
    /// </summary>
    Task<IReadOnlyList<DateTimeOffset>> ReserveSlotsAsync(IReadOnlyList<SlotRequest> requests, QuotaLimits limits, CancellationToken cancellationToken = default);
}
