using System.Text.Json;

namespace Reengage.Core.Booking.Vendors;

/// <summary>
/// Reads a vendor's JSON payload field by field, collecting one problem per invalid field (named by its dotted path, as the
/// TypeScript zod schemas name them) so that a rejected payload names everything wrong at once. A field that is absent or
/// <c>null</c> is "not given": an error only where it is required.
/// </summary>
public sealed class VendorFields
{
    private readonly List<FieldProblem> _problems = [];

    public IReadOnlyList<FieldProblem> Problems => _problems;

    public bool Ok => _problems.Count == 0;

    public void Fail(string path, string message) => _problems.Add(new FieldProblem(path, message));

    public static string PathOf(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>The property when present and not null.</summary>
    public static JsonElement? Given(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public JsonElement? Object(JsonElement parent, string name, string path, bool required)
    {
        var at = PathOf(path, name);
        if (Given(parent, name) is not { } value)
        {
            if (required) Fail(at, "is required");
            return null;
        }
        if (value.ValueKind == JsonValueKind.Object) return value;
        Fail(at, "must be an object");
        return null;
    }

    public IReadOnlyList<JsonElement>? Array(JsonElement parent, string name, string path, int min, string tooFew)
    {
        var at = PathOf(path, name);
        if (Given(parent, name) is not { } value)
        {
            Fail(at, "is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            Fail(at, "must be an array");
            return null;
        }
        var items = value.EnumerateArray().ToList();
        if (items.Count < min) Fail(at, tooFew);
        return items;
    }

    public string? Text(JsonElement parent, string name, string path, bool required = false, int max = VendorText.MaxText)
    {
        var at = PathOf(path, name);
        if (Given(parent, name) is not { } value)
        {
            if (required) Fail(at, "is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(at, "must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (text.Length > max)
        {
            Fail(at, $"must be at most {max} characters");
            return null;
        }
        return text;
    }

    public DateTimeOffset? Instant(JsonElement parent, string name, string path, bool required)
    {
        var at = PathOf(path, name);
        if (Given(parent, name) is null)
        {
            if (required) Fail(at, "is required");
            return null;
        }
        var text = Text(parent, name, path, max: 40);
        if (text is null) return null;
        var instant = VendorText.ParseInstant(text);
        if (instant is null) Fail(at, VendorText.InstantRule);
        return instant;
    }

    public string? Email(JsonElement parent, string name, string path, bool required, bool emptyAllowed = false)
    {
        var text = Text(parent, name, path, required, max: VendorText.MaxEmail + 100);
        if (text is null) return null;
        if (emptyAllowed && text.Length == 0) return null;
        if (VendorText.EmailProblem(text) is { } problem)
        {
            Fail(PathOf(path, name), problem);
            return null;
        }
        return text.Trim();
    }

    public bool? Boolean(JsonElement parent, string name, string path, bool required)
    {
        var at = PathOf(path, name);
        if (Given(parent, name) is not { } value)
        {
            if (required) Fail(at, "is required");
            return null;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Fail(at, "must be a boolean");
        return null;
    }
}
