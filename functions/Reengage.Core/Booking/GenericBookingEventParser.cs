using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Reengage.Core.Model;

namespace Reengage.Core.Booking;

/// <summary>What became of a generic webhook body: an event, or the reason the HTTP layer answers 400 or 413.</summary>
public abstract record BookingEventParse
{
    private BookingEventParse()
    {
    }

    /// <summary>202 once applied (or 200 duplicate).</summary>
    public sealed record Valid(GenericBookingEvent Event) : BookingEventParse;

    /// <summary>400 problem+json whose <c>errors</c> are the problems, one per invalid field (a field may appear twice).</summary>
    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : BookingEventParse;

    /// <summary>400 problem+json "Invalid JSON": the body does not parse at all.</summary>
    public sealed record NotJson : BookingEventParse;

    /// <summary>413: more than <see cref="GenericBookingEvent.MaxBytes"/>.</summary>
    public sealed record TooLarge : BookingEventParse;
}

/// <summary>
/// Parses and validates the generic booking event of SPEC §8 with the rules of the TypeScript implementation
/// (its zod schema): the same bodies are accepted, and a rejected one names the same fields. Every problem is
/// reported, not just the first, so an integrator fixes a payload in one round trip. Messages are plainer than
/// zod's where zod's misled (it said "is required" for a number where a string belongs).
/// </summary>
public static partial class GenericBookingEventParser
{
    private const string IdRule = "must be 1-128 characters: letters, digits and _ . : @ + = ~ -";
    private const string InstantRule = "must be an ISO 8601 date-time with a time zone";
    private static readonly string TypeRule = $"must be one of {string.Join(", ", Wire.Names<BookingEventType>())}";

    /// <summary>The raw request body, as it arrived (after the signature was verified over the same bytes).</summary>
    public static BookingEventParse Parse(ReadOnlySpan<byte> utf8Body)
    {
        if (utf8Body.Length > GenericBookingEvent.MaxBytes) return new BookingEventParse.TooLarge();
        // JSON.parse refuses a byte-order mark; so does this, whatever the reader would forgive.
        if (utf8Body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return new BookingEventParse.NotJson();
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize(utf8Body, BookingJsonContext.Default.JsonElement);
        }
        catch (JsonException)
        {
            return new BookingEventParse.NotJson();
        }
        return Parse(root);
    }

    /// <summary>
    /// A canonical event built from a vendor's payload (as a <see cref="JsonNode"/>), held to the same rules. A null
    /// node is JSON's <c>null</c>.
    /// </summary>
    public static BookingEventParse Parse(JsonNode? node) =>
        Parse(JsonSerializer.SerializeToElement(node, BookingJsonContext.Default.JsonNode));

    /// <summary>An already parsed JSON value, held to the same rules.</summary>
    public static BookingEventParse Parse(JsonElement root)
    {
        var v = new Validator();
        if (root.ValueKind != JsonValueKind.Object)
        {
            v.Fail("(body)", "must be a JSON object", structural: true);
            return new BookingEventParse.Invalid(v.Problems);
        }
        var wire = root.Deserialize(BookingJsonContext.Default.EventWire)!;
        var id = v.EventId(wire.Id, "id");
        var type = v.Type(wire.Type, "type");
        var occurredAt = v.RequiredInstant(wire.OccurredAt, "occurredAt");
        var patient = v.Patient(wire.Patient, "patient");
        var appointment = v.Appointment(wire.Appointment, "appointment");

        // As zod's superRefine: only once every field has the right type, so the messages stay about one thing.
        if (!v.HasStructuralProblem && type is { } t && t is not (BookingEventType.PatientUpserted or BookingEventType.PatientDeleted))
        {
            var name = Wire.Name(t);
            if (!appointment.IsPresent) v.Fail("appointment", $"is required for {name}");
            else if (t is BookingEventType.AppointmentBooked or BookingEventType.AppointmentRescheduled && appointment.Value!.StartsAt is null)
                v.Fail("appointment.startsAt", $"is required for {name}");
        }

        if (v.Problems.Count > 0) return new BookingEventParse.Invalid(v.Problems);
        return new BookingEventParse.Valid(new GenericBookingEvent(id!, type!.Value, occurredAt!.Value, patient!, appointment.Value));
    }

    // zod's iso.datetime({ offset: true }): a real Gregorian date, seconds required, any fraction, Z or ±hh:mm.
    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{2})-(?<d>[0-9]{2})T(?<h>[01][0-9]|2[0-3]):(?<mi>[0-5][0-9]):(?<s>[0-5][0-9])(?:\.(?<f>[0-9]+))?(?:Z|(?<sign>[+-])(?<oh>[01][0-9]|2[0-3]):(?<om>[0-5][0-9]))\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    // zod's z.email() (its default pattern), anchored with \z: .NET's $ would let a trailing newline through.
    [GeneratedRegex(@"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+\-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex EmailPattern();

    /// <summary>Whether <paramref name="text"/> is an address the generic format accepts (vendor payloads are held to it too).</summary>
    public static bool IsValidEmail(string text) => EmailPattern().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex LocalePattern();

    /// <summary>An id of the safe alphabet. <see cref="Ids.Pattern"/> ends in <c>$</c>, which also matches before a final newline.</summary>
    private static bool IsValidId(string value) => Ids.IsValid(value) && !value.EndsWith('\n');

    internal static DateTimeOffset? ParseInstant(string text)
    {
        var m = InstantPattern().Match(text);
        if (!m.Success) return null;
        int Part(string name) => int.Parse(m.Groups[name].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        var (year, month, day) = (Part("y"), Part("mo"), Part("d"));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var offset = m.Groups["sign"].Success
            ? new TimeSpan(Part("oh"), Part("om"), 0) * (m.Groups["sign"].ValueSpan[0] == '-' ? -1 : 1)
            : TimeSpan.Zero;
        // Milliseconds, as JavaScript's Date kept them: two events in the same millisecond are simultaneous.
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value : "";
        var milliseconds = int.Parse(fraction.PadRight(3, '0')[..3], NumberStyles.None, CultureInfo.InvariantCulture);
        var local = new DateTime(year, month, day, Part("h"), Part("mi"), Part("s"), milliseconds, DateTimeKind.Unspecified);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks) return null;
        return new DateTimeOffset(utcTicks, TimeSpan.Zero);
    }

    /// <summary>Tabs and line breaks are fine in free text; other C0 controls and DEL are not.</summary>
    private static bool HasControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c == 0x7F) return true;
        }
        return false;
    }

    /// <summary>
    /// Collects problems in the schema's order. A structural problem (missing, wrong type, unknown value) is what
    /// zod aborts on: the cross-field rules (appointment required for appointment events) then stay silent.
    /// </summary>
    private sealed class Validator
    {
        public List<FieldProblem> Problems { get; } = [];
        public bool HasStructuralProblem { get; private set; }

        public void Fail(string field, string message, bool structural = false)
        {
            Problems.Add(new FieldProblem(field, message));
            HasStructuralProblem |= structural;
        }

        private static string Path(string parent, string name) => $"{parent}.{name}";

        private bool TryText(JsonElement e, string path, out string text)
        {
            try
            {
                text = e.GetString()!;
                return true;
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate (\ud800) or bytes that are not UTF-8: not text any table, URL or email can hold.
                Fail(path, "must be valid Unicode text", structural: true);
                text = "";
                return false;
            }
        }

        private string? RequiredString(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Undefined:
                    Fail(path, "is required", structural: true);
                    return null;
                case JsonValueKind.String:
                    return TryText(e, path, out var text) ? text : null;
                default:
                    Fail(path, "must be a string", structural: true);
                    return null;
            }
        }

        /// <summary>Absent, null, or a string; <paramref name="ok"/> is false when the value was of another type.</summary>
        private Optional<string?> NullableString(JsonElement e, string path, out bool ok)
        {
            ok = true;
            switch (e.ValueKind)
            {
                case JsonValueKind.Undefined:
                    return Optional<string?>.Absent;
                case JsonValueKind.Null:
                    return Optional.Of<string?>(null);
                case JsonValueKind.String:
                    ok = TryText(e, path, out var text);
                    return ok ? Optional.Of<string?>(text) : Optional<string?>.Absent;
                default:
                    Fail(path, "must be a string or null", structural: true);
                    ok = false;
                    return Optional<string?>.Absent;
            }
        }

        public string? EventId(JsonElement e, string path)
        {
            var id = RequiredString(e, path);
            if (id is null) return null;
            if (id.Length < 1) Fail(path, "must not be empty");
            if (id.Length > 200) Fail(path, "must be at most 200 characters");
            return id;
        }

        private string? Id(JsonElement e, string path)
        {
            var id = RequiredString(e, path);
            if (id is not null && !IsValidId(id)) Fail(path, IdRule);
            return id;
        }

        private Optional<string?> NullableId(JsonElement e, string path)
        {
            var id = NullableString(e, path, out _);
            if (id.Value is { } text && !IsValidId(text)) Fail(path, IdRule);
            return id;
        }

        public BookingEventType? Type(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                if (!TryText(e, path, out var text)) return null;
                if (Wire.TryParse<BookingEventType>(text, out var type)) return type;
            }
            Fail(path, TypeRule, structural: true);
            return null;
        }

        private DateTimeOffset? Instant(string text, string path)
        {
            var instant = ParseInstant(text);
            if (instant is null) Fail(path, InstantRule);
            return instant;
        }

        public DateTimeOffset? RequiredInstant(JsonElement e, string path)
        {
            var text = RequiredString(e, path);
            return text is null ? null : Instant(text, path);
        }

        private Optional<DateTimeOffset?> NullableInstant(JsonElement e, string path)
        {
            var text = NullableString(e, path, out _);
            if (!text.IsPresent || text.Value is null) return text.IsPresent ? Optional.Of<DateTimeOffset?>(null) : default;
            return Optional.Of(Instant(text.Value, path));
        }

        /// <summary>Trimmed (as JavaScript trims), at most <paramref name="max"/> characters, no control characters.</summary>
        private Optional<string?> FreeText(JsonElement e, string path, int max, bool nonEmpty = false)
        {
            var raw = NullableString(e, path, out _);
            if (raw.Value is not { } text) return raw;
            var trimmed = JsText.Trim(text);
            if (trimmed.Length > max) Fail(path, $"must be at most {max} characters");
            if (HasControlCharacter(trimmed)) Fail(path, "must not contain control characters");
            if (nonEmpty && trimmed.Length == 0) Fail(path, "must not be empty");
            return Optional.Of<string?>(trimmed);
        }

        private Optional<T> Enum<T>(JsonElement e, string path) where T : struct, Enum
        {
            if (e.ValueKind == JsonValueKind.Undefined) return Optional<T>.Absent;
            if (e.ValueKind == JsonValueKind.String)
            {
                if (!TryText(e, path, out var text)) return Optional<T>.Absent;
                if (Wire.TryParse<T>(text, out var value)) return Optional.Of(value);
            }
            Fail(path, $"must be one of {string.Join(", ", Wire.Names<T>())}", structural: true);
            return Optional<T>.Absent;
        }

        private Optional<string?> Email(JsonElement e, string path)
        {
            var email = NullableString(e, path, out _);
            if (email.Value is not { } text) return email;
            // Length first: no pattern runs over a megabyte of junk.
            if (text.Length > 254) Fail(path, "must be at most 254 characters");
            else if (!EmailPattern().IsMatch(text)) Fail(path, "must be a valid email address");
            return email;
        }

        /// <summary>Any BCP 47 tag is accepted; only fr and en have templates, others become null (the practice's locale).</summary>
        private Optional<Locale?> Locale(JsonElement e, string path)
        {
            var tag = NullableString(e, path, out _);
            if (!tag.IsPresent) return Optional<Locale?>.Absent;
            if (tag.Value is not { } text) return Optional.Of<Locale?>(null);
            if (!LocalePattern().IsMatch(text))
            {
                Fail(path, "must be a language tag such as \"fr\" or \"en-GB\"");
                return Optional<Locale?>.Absent;
            }
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            var language = (dash < 0 ? text : text[..dash]).ToLowerInvariant();
            return Optional.Of<Locale?>(Wire.TryParse<Model.Locale>(language, out var locale) ? locale : null);
        }

        /// <summary>
        /// <c>true</c>/<c>false</c>, or <c>{ granted, at?, source? }</c>. As zod's union: a value of the wrong shape
        /// is one problem at <paramref name="path"/>; an object of the right shape names its own bad fields.
        /// </summary>
        private Optional<EmailConsent> Consent(JsonElement e, string path)
        {
            const string shape = "must be true, false or an object { granted, at, source }";
            switch (e.ValueKind)
            {
                case JsonValueKind.Undefined:
                    return Optional<EmailConsent>.Absent;
                case JsonValueKind.True or JsonValueKind.False:
                    return Optional.Of(new EmailConsent(e.GetBoolean(), null, null));
                case JsonValueKind.Object:
                    var wire = e.Deserialize(BookingJsonContext.Default.ConsentWire)!;
                    var inner = new Validator();
                    var granted = wire.Granted.ValueKind is JsonValueKind.True or JsonValueKind.False ? wire.Granted.GetBoolean() : (bool?)null;
                    if (granted is null) inner.HasStructuralProblem = true;
                    var at = inner.NullableInstant(wire.At, Path(path, "at"));
                    var source = inner.FreeText(wire.Source, Path(path, "source"), 100);
                    if (inner.HasStructuralProblem)
                    {
                        Fail(path, shape, structural: true);
                        return Optional<EmailConsent>.Absent;
                    }
                    foreach (var problem in inner.Problems) Fail(problem.Field, problem.Message);
                    return Optional.Of(new EmailConsent(granted!.Value, at.Value, source.Value));
                default:
                    Fail(path, shape, structural: true);
                    return Optional<EmailConsent>.Absent;
            }
        }

        private Optional<TreatmentPlan?> Plan(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Undefined:
                    return Optional<TreatmentPlan?>.Absent;
                case JsonValueKind.Null:
                    return Optional.Of<TreatmentPlan?>(null);
                case JsonValueKind.Object:
                    var wire = e.Deserialize(BookingJsonContext.Default.PlanWire)!;
                    var summary = FreeText(wire.Summary, Path(path, "summary"), 2000);
                    var milestone = NullableInstant(wire.NextMilestoneAt, Path(path, "nextMilestoneAt"));
                    return Optional.Of<TreatmentPlan?>(new TreatmentPlan(summary.Value, milestone.Value));
                default:
                    Fail(path, "must be an object or null", structural: true);
                    return Optional<TreatmentPlan?>.Absent;
            }
        }

        public BookingPatient? Patient(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                Fail(path, e.ValueKind == JsonValueKind.Undefined ? "is required" : "must be an object", structural: true);
                return null;
            }
            var wire = e.Deserialize(BookingJsonContext.Default.PatientWire)!;
            var id = Id(wire.Id, Path(path, "id"));
            var patient = new BookingPatient
            {
                Id = id ?? "",
                FirstName = FreeText(wire.FirstName, Path(path, "firstName"), 100, nonEmpty: true),
                Email = Email(wire.Email, Path(path, "email")),
                Locale = Locale(wire.Locale, Path(path, "locale")),
                TherapistId = NullableId(wire.TherapistId, Path(path, "therapistId")),
                EmailConsent = Consent(wire.EmailConsent, Path(path, "emailConsent")),
                CareStatus = Enum<CareStatus>(wire.CareStatus, Path(path, "careStatus")),
                ContactPreference = Enum<ContactPreference>(wire.ContactPreference, Path(path, "contactPreference")),
                FocusArea = FreeText(wire.FocusArea, Path(path, "focusArea"), 100),
                ProgressNote = FreeText(wire.ProgressNote, Path(path, "progressNote"), 2000),
                Plan = Plan(wire.Plan, Path(path, "plan")),
            };
            return patient;
        }

        public Optional<BookingAppointment?> Appointment(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Undefined) return Optional<BookingAppointment?>.Absent;
            if (e.ValueKind != JsonValueKind.Object)
            {
                Fail(path, "must be an object", structural: true);
                return Optional<BookingAppointment?>.Absent;
            }
            var wire = e.Deserialize(BookingJsonContext.Default.AppointmentWire)!;
            var id = Id(wire.Id, Path(path, "id"));
            DateTimeOffset? startsAt = null;
            if (wire.StartsAt.ValueKind == JsonValueKind.String)
            {
                if (TryText(wire.StartsAt, Path(path, "startsAt"), out var text)) startsAt = Instant(text, Path(path, "startsAt"));
            }
            else if (wire.StartsAt.ValueKind != JsonValueKind.Undefined)
            {
                Fail(Path(path, "startsAt"), "must be a date-time string, or left out", structural: true);
            }
            var therapistId = NullableId(wire.TherapistId, Path(path, "therapistId"));
            return Optional.Of<BookingAppointment?>(new BookingAppointment(id ?? "", startsAt, therapistId.Value));
        }
    }
}

// The wire shapes: every member a JsonElement, so that missing (Undefined), null and a value of the wrong type
// stay distinguishable and every problem gets reported, where a typed member would stop at the first.
internal sealed class EventWire
{
    public JsonElement Id { get; set; }
    public JsonElement Type { get; set; }
    public JsonElement OccurredAt { get; set; }
    public JsonElement Patient { get; set; }
    public JsonElement Appointment { get; set; }
}

internal sealed class PatientWire
{
    public JsonElement Id { get; set; }
    public JsonElement FirstName { get; set; }
    public JsonElement Email { get; set; }
    public JsonElement Locale { get; set; }
    public JsonElement TherapistId { get; set; }
    public JsonElement EmailConsent { get; set; }
    public JsonElement CareStatus { get; set; }
    public JsonElement ContactPreference { get; set; }
    public JsonElement FocusArea { get; set; }
    public JsonElement ProgressNote { get; set; }
    public JsonElement Plan { get; set; }
}

internal sealed class ConsentWire
{
    public JsonElement Granted { get; set; }
    public JsonElement At { get; set; }
    public JsonElement Source { get; set; }
}

internal sealed class PlanWire
{
    public JsonElement Summary { get; set; }
    public JsonElement NextMilestoneAt { get; set; }
}

internal sealed class AppointmentWire
{
    public JsonElement Id { get; set; }
    public JsonElement StartsAt { get; set; }
    public JsonElement TherapistId { get; set; }
}

// Names are matched exactly (camelCase, case-sensitive) as JSON.parse + zod did; unknown members are ignored and
// a repeated member keeps its last value, as JSON.parse does.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(EventWire))]
[JsonSerializable(typeof(PatientWire))]
[JsonSerializable(typeof(ConsentWire))]
[JsonSerializable(typeof(PlanWire))]
[JsonSerializable(typeof(AppointmentWire))]
internal sealed partial class BookingJsonContext : JsonSerializerContext;
