using Reengage.Core.Model;

namespace Reengage.Core.Answers;

/// <summary>How a visit of a book link came in.</summary>
public sealed record LinkVisit(DateTimeOffset At, bool IsHead);

/// <summary>
/// Tells a mail scanner's visit of a book link from a patient's click (docs/answers.md, "Mail scanners"). Corporate mail
/// filters open every link of an email within seconds of delivery; a person reads the email first. A visit is a
/// scanner's when any of these holds:
/// <list type="number">
/// <item>it is a <c>HEAD</c>: browsers never send one for a link a person clicks;</item>
/// <item>it comes less than <see cref="AfterDelivery"/> after the email left or was delivered (the later of
/// <see cref="OutreachRow.SentAt"/> and <see cref="OutreachRow.DeliveryAt"/>; <see cref="OutreachRow.ClaimedAt"/> when
/// the send is not recorded yet): too soon for a person to have opened, read and clicked;</item>
/// <item>it comes less than <see cref="Burst"/> after a scanner visit already recorded on the email: the same scanner
/// following up (a GET after its HEAD, a retry, the redirect chain).</item>
/// </list>
/// </summary>
public static class ScannerVisits
{
    public static readonly TimeSpan AfterDelivery = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Burst = TimeSpan.FromSeconds(2);

    public static bool IsScanner(OutreachRow row, LinkVisit visit)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(visit);
        if (visit.IsHead) return true;
        var left = Latest(row.SentAt, row.DeliveryAt) ?? row.ClaimedAt;
        if (left is { } sent && visit.At < sent + AfterDelivery) return true;
        return row.ScannerVisitAt is { } scanned && visit.At >= scanned && visit.At < scanned + Burst;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x > y ? x : y) : a ?? b;
}
