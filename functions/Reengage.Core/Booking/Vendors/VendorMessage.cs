// What a booking tool's webhook says once verified and validated: the vendor-neutral step between each vendor's payload
// (Calcom.cs, …) and the canonical GenericBookingEvent that BookingIngestion applies.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Reengage.Core.Model;

namespace Reengage.Core.Booking.Vendors;

/// <summary>
/// The person an appointment is for, as the booking tool knows them. Booking tools have no stable id for a person, so the
/// address is what matches them to a patient.
/// </summary>
public sealed record VendorPerson(string Email, string? FirstName, Locale? Locale);

/// <param name="EventId">Vendor-derived and stable across redeliveries: the idempotency key of the canonical event.</param>
/// <param name="KnownPatientOnly">Apply only to a patient already held: a guest's no-show flag must not create a patient.</param>
/// <param name="DuplicateWhenStateHeld">
/// The tool sends no event id or time (Acuity): a delivery whose state is already held is a duplicate, whatever its id.
/// </param>
public sealed record VendorAppointmentChange(
    string EventId,
    BookingEventType Type,
    DateTimeOffset OccurredAt,
    string AppointmentId,
    DateTimeOffset? StartsAt,
    VendorPerson Person,
    bool KnownPatientOnly = false,
    bool DuplicateWhenStateHeld = false);

public abstract record VendorMessage
{
    private VendorMessage()
    {
    }

    /// <summary>A connection test: answered <c>200 {"ok":true}</c>, nothing changes.</summary>
    public sealed record Ping : VendorMessage;

    /// <summary>A trigger Reengage does not use: acknowledged (202), nothing changes.</summary>
    public sealed record Ignored(string Reason) : VendorMessage;

    /// <param name="Reference">Names the delivery in the answer (<c>id</c>).</param>
    /// <param name="Items">Applied in order.</param>
    /// <param name="TherapistKeys">Candidate therapist keys, most specific first; empty when the payload names no organizer.</param>
    public sealed record Changes(string Reference, IReadOnlyList<VendorAppointmentChange> Items, IReadOnlyList<string> TherapistKeys) : VendorMessage;
}

/// <summary>A vendor payload parsed: its message, or the problems (400) naming each field.</summary>
public sealed record VendorParse(VendorMessage? Message, IReadOnlyList<FieldProblem> Problems)
{
    public static VendorParse Of(VendorMessage message) => new(message, []);

    public static VendorParse Invalid(IReadOnlyList<FieldProblem> problems) => new(null, problems);
}

/// <summary>The rules every vendor's payload is read with (names, locales, instants, addresses, signatures).</summary>
public static partial class VendorText
{
    public const int MaxText = 1000;
    public const int MaxEmail = 254;
    public const string InstantRule = "must be an ISO 8601 date-time with a time zone";

    /// <summary>The given first name, else the first word of the full name; at most 100 characters; null when empty.</summary>
    public static string? FirstNameOf(string? firstName, string? fullName)
    {
        var explicitName = WithoutControls(firstName ?? "").Trim();
        var words = WithoutControls(fullName ?? "").Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var chosen = explicitName.Length > 0 ? explicitName : words.FirstOrDefault() ?? "";
        chosen = (chosen.Length > 100 ? chosen[..100] : chosen).Trim();
        return chosen.Length > 0 ? chosen : null;
    }

    /// <summary>Only fr and en have templates; any other language leaves the patient on the practice's locale.</summary>
    public static Locale? LocaleOf(string? tag)
    {
        var language = (tag ?? "").Trim().ToLowerInvariant().Split('-', '_')[0];
        return language switch
        {
            "fr" => Locale.Fr,
            "en" => Locale.En,
            _ => null,
        };
    }

    /// <summary>An ISO 8601 instant with a zone as the vendors write it (microseconds, <c>-0700</c>, <c>+01</c>), to the millisecond.</summary>
    public static DateTimeOffset? ParseInstant(string text)
    {
        if (text.Length > 40) return null;
        var match = InstantPattern().Match(text);
        if (!match.Success) return null;
        var zone = match.Groups["zone"].Value;
        var offset = TimeSpan.Zero;
        if (zone != "Z")
        {
            var digits = zone[1..].Replace(":", "", StringComparison.Ordinal);
            var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
            var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
            if (hours > 23 || minutes > 59) return null;
            offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
        }
        var fraction = match.Groups["f"].Value;
        var ms = fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(3, '0')[..3], CultureInfo.InvariantCulture);
        if (!DateTime.TryParseExact(match.Groups["dt"].Value, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }
        try
        {
            return new DateTimeOffset(local.AddMilliseconds(ms), offset).ToUniversalTime();
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The canonical form of an instant (as JavaScript's <c>toISOString</c>).</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Null when <paramref name="text"/> is a valid address (trimmed), else the problem's message.</summary>
    public static string? EmailProblem(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > MaxEmail) return $"must be at most {MaxEmail} characters";
        return GenericBookingEventParser.IsValidEmail(trimmed) ? null : "must be a valid email address";
    }

    /// <summary>
    /// The id of a patient first met through a booking tool: derived from the address (salted with the practice), so that two
    /// webhooks racing for the same new person name the same patient.
    /// </summary>
    public static string PatientIdForEmail(string practiceId, string email) =>
        "em-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"reengage-patient\n{practiceId}\n{email.Trim().ToLowerInvariant()}")))[..24];

    /// <summary>
    /// True when <paramref name="candidate"/> is the signature under any of the secrets (rotation). Every secret is tried, so
    /// that timing does not tell which one matched.
    /// </summary>
    public static bool SignedByAny(IEnumerable<string> secrets, Func<string, byte[]> sign, ReadOnlySpan<byte> candidate)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(sign);
        var matched = false;
        foreach (var secret in secrets)
        {
            matched |= CryptographicOperations.FixedTimeEquals(sign(secret), candidate);
        }
        return matched;
    }

    public static byte[] HmacSha256(string secret, ReadOnlySpan<byte> data) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);

    /// <summary>C0 controls and DEL never reach a stored name.</summary>
    private static string WithoutControls(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = source[i] < 0x20 || source[i] == 0x7f ? ' ' : source[i];
        });

    [GeneratedRegex(@"^(?<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(?<f>\d{1,9}))?(?<zone>Z|[+-]\d{2}(?::?\d{2})?)\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();
}
