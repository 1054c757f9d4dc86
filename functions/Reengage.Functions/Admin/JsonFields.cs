// Field-by-field reading of an admin JSON body with the TypeScript app's rules and messages: every bad field is
// named by its path (sendWindow.days.1), unknown fields are refused, free text is trimmed and clean.
using System.Text.Json;
using System.Text.RegularExpressions;
using Reengage.Core;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

/// <summary>Reads the fields of one JSON object, adding a <see cref="FieldProblem"/> per bad one, named by its path.</summary>
public sealed partial class JsonFields
{
    public const int MaxEmailLength = 254;
    public const int MaxUrlLength = 1000;

    /// <summary><see cref="Ids.Pattern"/> as JSON Schema writes it (ECMA-262 has no <c>\z</c>).</summary>
    public static readonly string IdPattern = Ids.Pattern().ToString().Replace(@"\z", "$", StringComparison.Ordinal);

    private readonly JsonElement _object;
    private readonly string _prefix;
    private readonly List<FieldProblem> _problems;

    private JsonFields(JsonElement value, string prefix, List<FieldProblem> problems)
    {
        _object = value;
        _prefix = prefix;
        _problems = problems;
    }

    /// <summary>The object's reader, or null (and a problem at <paramref name="path"/>) when the value is not an object.</summary>
    public static JsonFields? Of(JsonElement value, string path, IReadOnlySet<string> known, List<FieldProblem> problems, string notObjectMessage)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(problems);
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new FieldProblem(path.Length == 0 ? "(body)" : path, notObjectMessage));
            return null;
        }
        var prefix = path.Length == 0 ? "" : path + ".";
        foreach (var property in value.EnumerateObject())
        {
            if (!known.Contains(property.Name)) problems.Add(new FieldProblem(prefix + property.Name, "is not a known field"));
        }
        return new JsonFields(value, prefix, problems);
    }

    /// <summary>The reader of an object of <paramref name="shape"/>, or null (and a problem at <paramref name="path"/>) when the value is not an object.</summary>
    public static JsonFields? Of(JsonElement value, string path, BodyShape shape, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Of(value, path, shape.Names, problems, shape.NotObjectMessage);
    }

    public List<FieldProblem> Problems => _problems;

    /// <summary>A required field that is absent is reported as such; returns whether it is present.</summary>
    public bool Require(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Require(rule.Name);
    }

    public string? Text(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Text(rule.Name, rule.MaxLength!.Value, rule.Multiline, rule.MinLength == 0);
    }

    public string? Email(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Email(rule.Name);
    }

    public string? HttpsUrl(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return HttpsUrl(rule.Name);
    }

    public string? Id(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Id(rule.Name);
    }

    public int? Whole(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Whole(rule.Name, rule.Minimum!.Value, rule.Maximum!.Value, rule.Message);
    }

    public bool? Bool(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Bool(rule.Name);
    }

    public string? OneOf(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return OneOf(rule.Name, rule.Values!, rule.Message!);
    }

    public string PathOf(string name) => _prefix + name;

    public bool Has(string name) => _object.TryGetProperty(name, out _);

    public bool TryGet(string name, out JsonElement value) => _object.TryGetProperty(name, out value);

    public void Problem(string name, string message) => _problems.Add(new FieldProblem(PathOf(name), message));

    /// <summary>A required field that is absent is reported as such; returns whether it is present.</summary>
    public bool Require(string name)
    {
        if (Has(name)) return true;
        Problem(name, "is required");
        return false;
    }

    /// <summary>Free text, trimmed: 1 (or 0) to <paramref name="max"/> characters, no control characters (line breaks when multiline).</summary>
    public string? Text(string name, int max, bool multiline = false, bool allowEmpty = false)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(name, "must be a string");
            return null;
        }
        var text = value.GetString()!.Trim();
        var ok = true;
        if (!allowEmpty && text.Length == 0)
        {
            Problem(name, "must not be empty");
            ok = false;
        }
        if (text.Length > max)
        {
            Problem(name, $"must be at most {max} characters");
            ok = false;
        }
        if (!RequestBodies.IsCleanText(text, multiline))
        {
            Problem(name, "must not contain control characters");
            ok = false;
        }
        return ok ? text : null;
    }

    public string? Email(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(name, "must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (text.Length > MaxEmailLength)
        {
            Problem(name, $"must be at most {MaxEmailLength} characters");
            return null;
        }
        if (!EmailPattern().IsMatch(text))
        {
            Problem(name, "must be a valid email address");
            return null;
        }
        return text;
    }

    public string? HttpsUrl(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(name, "must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (text.Length > MaxUrlLength)
        {
            Problem(name, $"must be at most {MaxUrlLength} characters");
            return null;
        }
        if (!IsHttpsUrl(text))
        {
            Problem(name, "must be an https:// URL");
            return null;
        }
        return text;
    }

    /// <summary>An id of the booking tools' alphabet (<see cref="Ids.IsValid"/>).</summary>
    public string? Id(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(name, "must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (!Ids.IsValid(text))
        {
            Problem(name, AdminHttp.IdHint);
            return null;
        }
        return text;
    }

    public int? Whole(string name, int min, int max, string? message = null)
    {
        if (!TryGet(name, out var value)) return null;
        var result = WholeOf(value, min, max);
        if (result is null) Problem(name, message ?? WholeMessage(min, max));
        return result;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Problem(name, "must be true or false");
        return null;
    }

    /// <summary>A string among <paramref name="values"/> (compared exactly).</summary>
    public string? OneOf(string name, IReadOnlyList<string> values, string message)
    {
        if (!TryGet(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String && values.Contains(value.GetString()!, StringComparer.Ordinal)) return value.GetString();
        Problem(name, message);
        return null;
    }

    public static string WholeMessage(int min, int max) => $"must be a whole number from {min} to {max}";

    public static int? WholeOf(JsonElement value, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number)) return null;
        if (!double.IsFinite(number) || Math.Floor(number) != number || number < min || number > max) return null;
        return (int)number;
    }

    /// <summary>https, a host, no user or password, no whitespace or control characters.</summary>
    public static bool IsHttpsUrl(string value)
    {
        if (!RequestBodies.IsCleanText(value) || value.Any(char.IsWhiteSpace)) return false;
        return Uri.TryCreate(value, UriKind.Absolute, out var url)
            && url.Scheme == Uri.UriSchemeHttps
            && url.Host.Length > 0
            && url.UserInfo.Length == 0;
    }

    // The address rule of the TypeScript app's validator (zod's email): a dotted domain with a TLD of letters, no
    // leading, trailing or doubled dot in the local part.
    [GeneratedRegex(@"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+\-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}\z")]
    private static partial Regex EmailPattern();
}
