// Cal.com webhooks: X-Cal-Signature-256 (hex HMAC-SHA256 of the raw body, no timestamp) and the booking triggers mapped
// onto vendor-neutral appointment changes (docs/integrations.md, "Cal.com").
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reengage.Core.Booking.Vendors;

public static partial class Calcom
{
    public const string SignatureHeader = "X-Cal-Signature-256";
    private const string UidRule = "must be a Cal.com booking uid (letters, digits, _ . : - …)";

    public static string Sign(string secret, ReadOnlySpan<byte> rawBody) => Convert.ToHexStringLower(VendorText.HmacSha256(secret, rawBody));

    /// <summary>Cal.com signs the exact body it sends; any of the practice's secrets (rotation) may match.</summary>
    public static SignatureCheck Verify(string? header, ReadOnlySpan<byte> rawBody, IReadOnlyList<string> secrets)
    {
        if (string.IsNullOrEmpty(header)) return SignatureCheck.Missing;
        var value = header.Trim();
        if (!HexSignature().IsMatch(value)) return SignatureCheck.Malformed;
        var candidate = Convert.FromHexString(value);
        var body = rawBody.ToArray();
        return VendorText.SignedByAny(secrets, secret => VendorText.HmacSha256(secret, body), candidate) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary><paramref name="body"/> is the parsed JSON; the signature has been verified over the raw bytes already.</summary>
    public static VendorParse Parse(JsonElement body)
    {
        var f = new VendorFields();
        if (body.ValueKind != JsonValueKind.Object)
        {
            f.Fail("(body)", "must be a JSON object");
            return VendorParse.Invalid(f.Problems);
        }
        var name = f.Text(body, "triggerEvent", "", required: true, max: 100);
        if (name is { Length: 0 }) f.Fail("triggerEvent", "must not be empty");
        if (!f.Ok || name is null) return VendorParse.Invalid(f.Problems);

        switch (name)
        {
            case "PING":
                return VendorParse.Of(new VendorMessage.Ping());
            case "BOOKING_CREATED":
                return BookingTrigger(body, name, BookingEventType.AppointmentBooked);
            case "BOOKING_RESCHEDULED":
                return BookingTrigger(body, name, BookingEventType.AppointmentRescheduled);
            case "BOOKING_CANCELLED":
                return BookingTrigger(body, name, BookingEventType.AppointmentCancelled);
            case "BOOKING_NO_SHOW_UPDATED":
                return NoShow(body, name);
            case "MEETING_ENDED":
                return MeetingEnded(body, name);
            default:
                return VendorParse.Of(new VendorMessage.Ignored($"trigger {(name.Length > 40 ? name[..40] : name)} is not used"));
        }
    }

    private sealed record Booking(
        string Uid,
        DateTimeOffset StartTime,
        DateTimeOffset? EndTime,
        string? OrganizerEmail,
        VendorPerson Booker,
        string? EventTypeId,
        string? Previous,
        DateTimeOffset? PreviousStart);

    private static VendorParse BookingTrigger(JsonElement body, string name, BookingEventType type)
    {
        var f = new VendorFields();
        var createdAt = f.Instant(body, "createdAt", "", required: true);
        var payload = f.Object(body, "payload", "", required: true);
        var b = payload is { } p ? ReadBooking(f, p, "payload") : null;
        if (!f.Ok || b is null || createdAt is not { } at) return VendorParse.Invalid(f.Problems);

        // No event id and no timestamp header: the booking, the trigger and its time identify a delivery.
        var reference = $"calcom:{name}:{b.Uid}:{VendorText.Iso(at)}";
        var changes = new List<VendorAppointmentChange>
        {
            new(reference, type, at, $"calcom:{b.Uid}", b.StartTime, b.Booker),
        };
        if (type == BookingEventType.AppointmentRescheduled && b.Previous is { } previous && previous != b.Uid)
        {
            changes.Add(new($"{reference}:previous", BookingEventType.AppointmentCancelled, at, $"calcom:{previous}", b.PreviousStart, b.Booker));
        }
        return VendorParse.Of(new VendorMessage.Changes(reference, changes, KeysOf(b.OrganizerEmail, b.EventTypeId)));
    }

    /// <summary>
    /// MEETING_ENDED is sent from a scheduled job: the booking itself, flat (no <c>payload</c>), with the trigger name added;
    /// the organizer is its <c>user</c>. A wrapped one is read as well.
    /// </summary>
    private static VendorParse MeetingEnded(JsonElement body, string name)
    {
        var f = new VendorFields();
        var wrapped = body.TryGetProperty("payload", out _);
        var source = wrapped ? f.Object(body, "payload", "", required: true) : body;
        var path = wrapped ? "payload" : "";
        var b = source is { } s ? ReadBooking(f, s, path) : null;
        string? userEmail = null;
        if (source is { } s2 && f.Object(s2, "user", path, required: false) is { } user)
        {
            userEmail = f.Email(user, "email", VendorFields.PathOf(path, "user"), required: false);
        }
        if (!f.Ok || b is null) return VendorParse.Invalid(f.Problems);
        var reference = $"calcom:{name}:{b.Uid}";
        // The flat payload carries the booking's own createdAt, not the trigger's: the meeting's end is the event.
        var endedAt = b.EndTime ?? b.StartTime;
        var change = new VendorAppointmentChange(reference, BookingEventType.AppointmentCompleted, endedAt, $"calcom:{b.Uid}", b.StartTime, b.Booker);
        return VendorParse.Of(new VendorMessage.Changes(reference, [change], KeysOf(b.OrganizerEmail ?? userEmail, b.EventTypeId)));
    }

    private static VendorParse NoShow(JsonElement body, string name)
    {
        var f = new VendorFields();
        var createdAt = f.Instant(body, "createdAt", "", required: true);
        var payload = f.Object(body, "payload", "", required: true);
        string? uid = null;
        var attendees = new List<(string Email, bool NoShow)>();
        if (payload is { } p)
        {
            uid = Uid(f, p, "bookingUid", "payload", required: true);
            var items = f.Array(p, "attendees", "payload", 1, "must list an attendee");
            for (var i = 0; items is not null && i < items.Count; i++)
            {
                var at = $"payload.attendees.{i}";
                if (items[i].ValueKind != JsonValueKind.Object)
                {
                    f.Fail(at, "must be an object");
                    continue;
                }
                var email = f.Email(items[i], "email", at, required: true);
                var noShow = f.Boolean(items[i], "noShow", at, required: true);
                if (email is not null && noShow is { } flag) attendees.Add((email, flag));
            }
        }
        if (!f.Ok || uid is null || createdAt is not { } when) return VendorParse.Invalid(f.Problems);
        var reference = $"calcom:{name}:{uid}:{VendorText.Iso(when)}";
        var changes = attendees.Select(a => new VendorAppointmentChange(
            // Keyed by the address, not the position, so a reordered list names the same events.
            $"{reference}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(a.Email.ToLowerInvariant())))[..16]}",
            // Cal.com lets a host mark attendance only once the meeting is over: not a no-show means it took place.
            a.NoShow ? BookingEventType.AppointmentNoShow : BookingEventType.AppointmentCompleted,
            when,
            $"calcom:{uid}",
            null,
            new VendorPerson(a.Email, null, null),
            KnownPatientOnly: true)).ToList();
        return VendorParse.Of(new VendorMessage.Changes(reference, changes, []));
    }

    private static Booking? ReadBooking(VendorFields f, JsonElement b, string path)
    {
        var uid = Uid(f, b, "uid", path, required: true);
        var start = f.Instant(b, "startTime", path, required: true);
        var end = f.Instant(b, "endTime", path, required: false);
        string? organizer = null;
        if (f.Object(b, "organizer", path, required: false) is { } o)
        {
            // The Ping test sends an empty address.
            organizer = f.Email(o, "email", VendorFields.PathOf(path, "organizer"), required: false, emptyAllowed: true);
        }
        var attendees = f.Array(b, "attendees", path, 1, "must list at least one attendee");
        VendorPerson? booker = null;
        for (var i = 0; attendees is not null && i < attendees.Count; i++)
        {
            var at = VendorFields.PathOf(path, $"attendees.{i}");
            var a = attendees[i];
            if (a.ValueKind != JsonValueKind.Object)
            {
                f.Fail(at, "must be an object");
                continue;
            }
            var email = f.Email(a, "email", at, required: true);
            var fullName = f.Text(a, "name", at);
            var firstName = f.Text(a, "firstName", at);
            f.Text(a, "timeZone", at);
            var locale = f.Text(a, "locale", at);
            string? languageLocale = null;
            if (f.Object(a, "language", at, required: false) is { } language) languageLocale = f.Text(language, "locale", VendorFields.PathOf(at, "language"));
            f.Boolean(a, "noShow", at, required: false);
            // Cal.com lists the person who booked first; the others are guests they added.
            if (i == 0 && email is not null)
            {
                booker = new VendorPerson(email, VendorText.FirstNameOf(firstName, fullName), VendorText.LocaleOf(languageLocale ?? locale));
            }
        }
        var eventTypeId = EventTypeId(f, b, path);
        var previous = Uid(f, b, "rescheduleUid", path, required: false);
        var fromReschedule = Uid(f, b, "fromReschedule", path, required: false);
        var previousStart = f.Instant(b, "rescheduleStartTime", path, required: false);
        if (uid is null || start is not { } startTime || booker is null) return null;
        return new Booking(uid, startTime, end, organizer, booker, eventTypeId, previous ?? fromReschedule, previousStart);
    }

    private static string? EventTypeId(VendorFields f, JsonElement b, string path)
    {
        if (VendorFields.Given(b, "eventTypeId") is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) && number >= 0 && number == decimal.Truncate(number))
        {
            return number.ToString("0", CultureInfo.InvariantCulture);
        }
        if (value.ValueKind == JsonValueKind.String && Digits().IsMatch(value.GetString()!)) return value.GetString();
        f.Fail(VendorFields.PathOf(path, "eventTypeId"), "must be a non-negative integer");
        return null;
    }

    private static string? Uid(VendorFields f, JsonElement parent, string name, string path, bool required)
    {
        var text = f.Text(parent, name, path, required, max: 200);
        if (text is null) return null;
        if (UidPattern().IsMatch(text)) return text;
        f.Fail(VendorFields.PathOf(path, name), UidRule);
        return null;
    }

    private static List<string> KeysOf(string? organizerEmail, string? eventTypeId)
    {
        var keys = new List<string>();
        if (!string.IsNullOrEmpty(organizerEmail)) keys.Add(TherapistKeys.Key("calcom", "organizer", organizerEmail));
        if (eventTypeId is not null) keys.Add(TherapistKeys.Key("calcom", "eventType", eventTypeId));
        return keys;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexSignature();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,110}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();

    [GeneratedRegex(@"^[0-9]{1,20}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();
}
