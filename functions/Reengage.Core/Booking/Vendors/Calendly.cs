// Calendly API v2 webhooks: Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")> (the generic
// source's scheme and 300 s window) and invitee events mapped onto vendor-neutral appointment changes.
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reengage.Core.Booking.Vendors;

public static partial class Calendly
{
    public const string SignatureHeader = "Calendly-Webhook-Signature";
    private const string InviteeRule = "must be a Calendly invitee URI (…/scheduled_events/<uuid>/invitees/<uuid>)";

    /// <summary>Same shape and window as the generic source; any of the practice's signing keys may match.</summary>
    public static SignatureCheck Verify(string? header, ReadOnlySpan<byte> rawBody, IReadOnlyList<string> signingKeys, DateTimeOffset now) =>
        WebhookSignature.Verify(header, rawBody, signingKeys, now);

    private sealed record Scheduled(DateTimeOffset StartTime, IReadOnlyList<string> Keys);

    /// <summary><paramref name="body"/> is the parsed JSON; the signature has been verified over the raw bytes already.</summary>
    public static VendorParse Parse(JsonElement body)
    {
        var f = new VendorFields();
        if (body.ValueKind != JsonValueKind.Object)
        {
            f.Fail("(body)", "must be a JSON object");
            return VendorParse.Invalid(f.Problems);
        }
        var name = f.Text(body, "event", "", required: true, max: 100);
        if (name is { Length: 0 }) f.Fail("event", "must not be empty");
        if (!f.Ok || name is null) return VendorParse.Invalid(f.Problems);
        BookingEventType? noShowType = name switch
        {
            "invitee_no_show.created" => BookingEventType.AppointmentNoShow,
            // The host took the no-show mark back: the meeting took place.
            "invitee_no_show.deleted" => BookingEventType.AppointmentCompleted,
            _ => null,
        };
        if (name is not ("invitee.created" or "invitee.canceled") && noShowType is null)
        {
            return VendorParse.Of(new VendorMessage.Ignored($"event {(name.Length > 40 ? name[..40] : name)} is not used"));
        }

        var createdAt = f.Instant(body, "created_at", "", required: true);
        var p = f.Object(body, "payload", "", required: true);
        string? uuid = null, oldUuid = null, newUuid = null, email = null, firstName = null;
        bool? rescheduled = null;
        Scheduled? scheduled = null;
        if (p is { } payload)
        {
            uuid = Invitee(f, payload, "uri", required: true);
            email = f.Email(payload, "email", "payload", required: true);
            firstName = VendorText.FirstNameOf(f.Text(payload, "first_name", "payload"), f.Text(payload, "name", "payload"));
            rescheduled = f.Boolean(payload, "rescheduled", "payload", required: false);
            oldUuid = Invitee(f, payload, "old_invitee", required: false);
            newUuid = Invitee(f, payload, "new_invitee", required: false);
            // A no-show is about an invitee already known: the scheduled event is not needed to apply it.
            if (f.Object(payload, "scheduled_event", "payload", required: noShowType is null) is { } s) scheduled = ScheduledEvent(f, s);
        }
        if (!f.Ok || uuid is null || email is null || createdAt is not { } at) return VendorParse.Invalid(f.Problems);

        // Calendly sends no event id: the invitee, the event and its time identify a delivery.
        var reference = $"calendly:{name}:{uuid}:{VendorText.Iso(at)}";
        var person = new VendorPerson(email, firstName, null);
        var appointmentId = $"calendly:{uuid}";
        var startsAt = scheduled?.StartTime;
        if (noShowType is { } type)
        {
            return VendorParse.Of(new VendorMessage.Changes(reference, [new(reference, type, at, appointmentId, startsAt, person)], []));
        }
        var keys = scheduled?.Keys ?? [];
        if (name == "invitee.created")
        {
            // A reschedule is a new invitee pointing at the old one; cancelling the old one here means the pair ends the
            // same whichever webhook comes first.
            var changes = new List<VendorAppointmentChange>
            {
                new(reference, oldUuid is null ? BookingEventType.AppointmentBooked : BookingEventType.AppointmentRescheduled, at, appointmentId, startsAt, person),
            };
            if (oldUuid is not null && oldUuid != uuid)
            {
                changes.Add(new($"{reference}:previous", BookingEventType.AppointmentCancelled, at, $"calendly:{oldUuid}", null, person));
            }
            return VendorParse.Of(new VendorMessage.Changes(reference, changes, keys));
        }
        if (rescheduled == true && newUuid is not null && newUuid != uuid)
        {
            // The old half of a reschedule: the new invitee's invitee.created cancels this booking when it books the new
            // time. Cancelling it now would leave the patient, until then, with no future booking: a lapsed look the
            // planner could act on. So the old booking stands until its replacement arrives.
            return VendorParse.Of(new VendorMessage.Ignored($"a rescheduled invitee is cancelled by the invitee.created of calendly:{newUuid}"));
        }
        return VendorParse.Of(new VendorMessage.Changes(reference, [new(reference, BookingEventType.AppointmentCancelled, at, appointmentId, startsAt, person)], keys));
    }

    private static Scheduled? ScheduledEvent(VendorFields f, JsonElement s)
    {
        const string path = "payload.scheduled_event";
        f.Text(s, "uri", path, required: true, max: 300);
        var start = f.Instant(s, "start_time", path, required: true);
        f.Instant(s, "end_time", path, required: false);
        var eventType = f.Text(s, "event_type", path, max: 300);
        var keys = new List<string>();
        if (VendorFields.Given(s, "event_memberships") is { } memberships)
        {
            if (memberships.ValueKind != JsonValueKind.Array)
            {
                f.Fail($"{path}.event_memberships", "must be an array");
            }
            else
            {
                var index = 0;
                foreach (var m in memberships.EnumerateArray())
                {
                    var at = $"{path}.event_memberships.{index}";
                    if (m.ValueKind != JsonValueKind.Object)
                    {
                        f.Fail(at, "must be an object");
                    }
                    else
                    {
                        var user = f.Text(m, "user", at, max: 300);
                        var userEmail = f.Email(m, "user_email", at, required: false);
                        // The first membership is the host.
                        if (index == 0)
                        {
                            if (!string.IsNullOrEmpty(user)) keys.Add(TherapistKeys.Key("calendly", "user", user));
                            if (userEmail is not null) keys.Add(TherapistKeys.Key("calendly", "organizer", userEmail));
                        }
                    }
                    index++;
                }
            }
        }
        if (!string.IsNullOrEmpty(eventType)) keys.Add(TherapistKeys.Key("calendly", "eventType", eventType));
        return start is { } startTime ? new Scheduled(startTime, keys) : null;
    }

    private static string? Invitee(VendorFields f, JsonElement payload, string name, bool required)
    {
        var text = f.Text(payload, name, "payload", required, max: 300);
        if (text is null) return null;
        var match = InviteeUri().Match(text);
        if (match.Success) return match.Groups[1].Value;
        f.Fail($"payload.{name}", InviteeRule);
        return null;
    }

    [GeneratedRegex(@"^https://[^\s/]+/scheduled_events/[A-Za-z0-9_-]{1,64}/invitees/([A-Za-z0-9_-]{1,64})\z", RegexOptions.CultureInvariant)]
    private static partial Regex InviteeUri();
}
