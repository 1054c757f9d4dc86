// Acuity Scheduling webhooks: a form-encoded body of ids (action, id, calendarID, appointmentTypeID) signed with
// X-Acuity-Signature (base64 HMAC-SHA256 of the raw body under the API key). The appointment itself is fetched from
// Acuity's API and mapped here.
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reengage.Core.Booking.Vendors;

/// <summary>An Acuity notification: its action without the dynamic <c>appointment.</c> prefix, and the appointment id.</summary>
public sealed record AcuityNotification(string Action, string AppointmentId);

/// <summary>A notification read: exactly one of <see cref="Notification"/>, <see cref="Ignored"/> or problems.</summary>
public sealed record AcuityNotificationParse(AcuityNotification? Notification, string? Ignored, IReadOnlyList<FieldProblem> Problems);

public static partial class Acuity
{
    public const string SignatureHeader = "X-Acuity-Signature";
    private const string DigitsRule = "must be a numeric Acuity id";

    /// <summary>Static webhooks send the bare action; dynamic ones (created through the API) prefix <c>appointment.</c>.</summary>
    private static readonly string[] Actions = ["scheduled", "rescheduled", "canceled", "changed"];

    public static SignatureCheck Verify(string? header, ReadOnlySpan<byte> rawBody, IReadOnlyList<string> apiKeys)
    {
        if (string.IsNullOrEmpty(header)) return SignatureCheck.Missing;
        var value = header.Trim();
        if (!Base64Signature().IsMatch(value)) return SignatureCheck.Malformed;
        var candidate = Convert.FromBase64String(value);
        var body = rawBody.ToArray();
        return VendorText.SignedByAny(apiKeys, key => VendorText.HmacSha256(key, body), candidate) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The raw form body; an action that is not about an appointment (<c>order.completed</c>) is ignored.</summary>
    public static AcuityNotificationParse ParseNotification(ReadOnlySpan<byte> rawBody)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Encoding.UTF8.GetString(rawBody).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(at < 0 ? pair : pair[..at]);
            var value = at < 0 ? "" : Decode(pair[(at + 1)..]);
            // As URLSearchParams into Object.fromEntries: the last value of a repeated name wins.
            form[name] = value;
        }
        var rawAction = form.GetValueOrDefault("action") ?? "";
        var action = rawAction.StartsWith("appointment.", StringComparison.Ordinal) ? rawAction["appointment.".Length..] : rawAction;
        if (rawAction.Length > 0 && !Actions.Contains(action))
        {
            return new(null, $"action {(rawAction.Length > 40 ? rawAction[..40] : rawAction)} is not used", []);
        }
        var problems = new List<FieldProblem>();
        if (!form.ContainsKey("action")) problems.Add(new("action", "is required"));
        else if (rawAction.Length == 0) problems.Add(new("action", "must not be empty"));
        if (!form.TryGetValue("id", out var id)) problems.Add(new("id", "is required"));
        else if (!Digits().IsMatch(id)) problems.Add(new("id", DigitsRule));
        foreach (var optional in new[] { "calendarID", "appointmentTypeID" })
        {
            if (form.TryGetValue(optional, out var v) && !Digits().IsMatch(v)) problems.Add(new(optional, DigitsRule));
        }
        return problems.Count > 0 ? new(null, null, problems) : new(new AcuityNotification(action, id!), null, []);
    }

    /// <summary>
    /// Maps what the API returned. The API is the source of truth, whatever the action said: a webhook delivered late or
    /// twice applies the appointment's current state, at the time it was read (<paramref name="fetchedAt"/>).
    /// </summary>
    public static VendorParse MapAppointment(AcuityNotification note, JsonElement body, DateTimeOffset fetchedAt)
    {
        ArgumentNullException.ThrowIfNull(note);
        var f = new VendorFields();
        if (body.ValueKind != JsonValueKind.Object)
        {
            f.Fail("(body)", "must be a JSON object");
            return VendorParse.Invalid(f.Problems);
        }
        var id = NumericId(f, body, "id", required: true);
        var firstName = f.Text(body, "firstName", "");
        f.Text(body, "lastName", "");
        var email = f.Email(body, "email", "", required: false, emptyAllowed: true);
        var datetime = f.Instant(body, "datetime", "", required: true);
        var calendar = NumericId(f, body, "calendarID", required: false);
        var appointmentType = NumericId(f, body, "appointmentTypeID", required: false);
        var canceled = f.Boolean(body, "canceled", "", required: false) == true;
        var noShow = f.Boolean(body, "noShow", "", required: false) == true;
        if (!f.Ok || id is null || datetime is not { } startsAt) return VendorParse.Invalid(f.Problems);
        if (id != note.AppointmentId) return VendorParse.Invalid([new FieldProblem("id", "is not the appointment that was requested")]);
        if (email is null) return VendorParse.Of(new VendorMessage.Ignored("the appointment has no email address"));
        var type = canceled ? BookingEventType.AppointmentCancelled
            : noShow ? BookingEventType.AppointmentNoShow
            : note.Action == "scheduled" ? BookingEventType.AppointmentBooked
            // rescheduled, changed (which also fires for edits not about the time) and a canceled one the API says is not.
            : BookingEventType.AppointmentRescheduled;
        // Acuity sends neither an event id nor a time: each read is its own event, and a redelivery is recognized by the
        // state it brings.
        var reference = $"acuity:{note.Action}:{id}";
        var keys = new List<string>();
        if (calendar is not null) keys.Add(TherapistKeys.Key("acuity", "calendar", calendar));
        if (appointmentType is not null) keys.Add(TherapistKeys.Key("acuity", "appointmentType", appointmentType));
        var change = new VendorAppointmentChange(
            $"{reference}:{VendorText.Iso(fetchedAt)}", type, fetchedAt, $"acuity:{id}", startsAt,
            new VendorPerson(email, VendorText.FirstNameOf(firstName, null), null), DuplicateWhenStateHeld: true);
        return VendorParse.Of(new VendorMessage.Changes(reference, [change], keys));
    }

    private static string? NumericId(VendorFields f, JsonElement body, string name, bool required)
    {
        if (VendorFields.Given(body, name) is not { } value)
        {
            if (required) f.Fail(name, "is required");
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)) return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (value.ValueKind == JsonValueKind.String && Digits().IsMatch(value.GetString()!)) return value.GetString();
        f.Fail(name, DigitsRule);
        return null;
    }

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9+/]{43}=$", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Signature();

    [GeneratedRegex(@"^[0-9]{1,20}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();
}
