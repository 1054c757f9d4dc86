// The fields of the admin JSON bodies, declared once: the parsers (JsonFields) read a body by these rules, and the
// OpenAPI document (OpenApi/FieldSchemas) describes the same rules, so names, types, limits and enums cannot drift.
namespace Reengage.Functions.Admin;

/// <summary>How a field is read; each kind is one reading of <see cref="JsonFields"/>.</summary>
public enum FieldKind
{
    /// <summary>Free text, trimmed, no control characters (line breaks when multiline).</summary>
    Text,

    /// <summary>An email address of at most <see cref="JsonFields.MaxEmailLength"/> characters.</summary>
    Email,

    /// <summary>An https:// URL of at most <see cref="JsonFields.MaxUrlLength"/> characters.</summary>
    HttpsUrl,

    /// <summary>An id of the booking tools' alphabet (<see cref="Core.Ids"/>).</summary>
    Id,

    /// <summary>A whole number from <see cref="FieldRule.Minimum"/> to <see cref="FieldRule.Maximum"/>.</summary>
    Whole,

    Bool,

    /// <summary>One of <see cref="FieldRule.Values"/>.</summary>
    OneOf,

    /// <summary>A string whose other rules are the parser's own (a time zone, a key, a credential): see the description.</summary>
    String,

    /// <summary>A list of <see cref="FieldRule.Items"/>.</summary>
    Array,

    /// <summary>An object of <see cref="FieldRule.Shape"/>.</summary>
    Object,

    /// <summary>Accepted so that a GET answer can be sent back as it is, and ignored.</summary>
    Ignored,
}

/// <summary>One field of a body: its name, how it is read, and its limits.</summary>
public sealed record FieldRule(string Name, FieldKind Kind)
{
    public bool Required { get; init; }

    /// <summary>JSON null is accepted (it clears the stored value).</summary>
    public bool Nullable { get; init; }

    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public bool Multiline { get; init; }
    public int? Minimum { get; init; }
    public int? Maximum { get; init; }
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>A JSON Schema (ECMA-262) pattern the value matches, for kinds whose rule is a pattern.</summary>
    public string? Pattern { get; init; }

    /// <summary>A JSON Schema format (date, email, uri).</summary>
    public string? Format { get; init; }

    public int? MinItems { get; init; }
    public int? MaxItems { get; init; }
    public bool UniqueItems { get; init; }
    public FieldRule? Items { get; init; }
    public BodyShape? Shape { get; init; }

    /// <summary>What the parser says when the value is not acceptable (Whole, OneOf).</summary>
    public string? Message { get; init; }

    public string? Description { get; init; }

    /// <summary>Valid values as JSON text, for the document and for whoever needs one (a field whose rule is not a pattern).</summary>
    public IReadOnlyList<string>? Examples { get; init; }

    public static FieldRule Text(string name, int maxLength, bool multiline = false, bool allowEmpty = false) =>
        new(name, FieldKind.Text) { MinLength = allowEmpty ? 0 : 1, MaxLength = maxLength, Multiline = multiline };

    public static FieldRule Email(string name) => new(name, FieldKind.Email) { MaxLength = JsonFields.MaxEmailLength, Format = "email" };

    public static FieldRule HttpsUrl(string name) =>
        new(name, FieldKind.HttpsUrl) { MaxLength = JsonFields.MaxUrlLength, Format = "uri", Pattern = "^https://" };

    public static FieldRule Id(string name) => new(name, FieldKind.Id) { Pattern = JsonFields.IdPattern, MaxLength = 128 };

    public static FieldRule Whole(string name, int minimum, int maximum, string? message = null) =>
        new(name, FieldKind.Whole) { Minimum = minimum, Maximum = maximum, Message = message ?? JsonFields.WholeMessage(minimum, maximum) };

    public static FieldRule Bool(string name) => new(name, FieldKind.Bool);

    public static FieldRule OneOf(string name, IReadOnlyList<string> values, string? message = null) =>
        new(name, FieldKind.OneOf) { Values = values, Message = message ?? $"must be one of {string.Join(", ", values)}" };

    public static FieldRule Ignored(string name, string description) => new(name, FieldKind.Ignored) { Description = description };
}

/// <summary>The fields of one JSON object; any other field is refused ("is not a known field").</summary>
public sealed class BodyShape
{
    private readonly Dictionary<string, FieldRule> _byName;

    /// <param name="name">The schema's name in the OpenAPI document.</param>
    /// <param name="notObjectMessage">What the parser says of a value that is not an object.</param>
    public BodyShape(string name, string notObjectMessage, IReadOnlyList<FieldRule> fields, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Name = name;
        NotObjectMessage = notObjectMessage;
        Fields = fields;
        Description = description;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        Names = _byName.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }
    public string NotObjectMessage { get; }
    public IReadOnlyList<FieldRule> Fields { get; }
    public string? Description { get; }
    public IReadOnlySet<string> Names { get; }

    public FieldRule this[string name] => _byName[name];
}
