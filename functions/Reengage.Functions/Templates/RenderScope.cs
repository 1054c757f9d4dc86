using System.Text.RegularExpressions;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Scriban.Runtime;

namespace Reengage.Functions.Templates;

/// <summary>
/// Turns a <see cref="RenderContext"/> into the read-only variables a template sees: strings trimmed, control
/// characters gone, blanks turned into null (so that a blank first name gives "Bonjour," and not "Bonjour ,"),
/// and the therapist's name or the practice's never repeated inside the signature.
/// </summary>
internal static partial class RenderScope
{
    // Control characters (C0, DEL, C1) and the Unicode line separators.
    private static readonly System.Buffers.SearchValues<char> Untidy = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Select(c => (char)c)) + "\u2028\u2029");

    /// <summary>Every variable a template may read, as paths; a leaf is <c>null</c>.</summary>
    public static readonly IReadOnlyDictionary<string, object?> Shape = new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["locale"] = null,
        ["patient"] = new Dictionary<string, object?> { ["firstName"] = null },
        ["therapist"] = new Dictionary<string, object?> { ["displayName"] = null, ["signature"] = null },
        ["practice"] = new Dictionary<string, object?> { ["name"] = null, ["bookingUrl"] = null },
        ["sinceLastVisit"] = null,
        ["progressNote"] = null,
        ["planSummary"] = null,
        ["resource"] = new Dictionary<string, object?> { ["title"] = null, ["url"] = null },
        ["season"] = null,
        ["links"] = new Dictionary<string, object?>
        {
            ["book"] = null,
            ["later"] = null,
            ["unsubscribe"] = null,
            ["feedback"] = null,
        },
    };

    /// <summary>The variables that hold health data: never in a subject.</summary>
    public static readonly IReadOnlySet<string> HealthVariables = new HashSet<string>(StringComparer.Ordinal) { "progressNote", "planSummary" };

    /// <summary>The variables of the body parts, and those of the subject (health data left out even there).</summary>
    public static (ScriptObject Body, ScriptObject Subject) Build(RenderContext context)
    {
        var practiceName = Line(context.Practice.Name) ?? "";
        var displayName = Line(context.Therapist.DisplayName) ?? practiceName;
        var title = Line(context.Resource?.Title);
        var url = Line(context.Resource?.Url);

        var patient = Frozen(("firstName", Line(context.Patient.FirstName)));
        var therapist = Frozen(
            ("displayName", displayName),
            ("signature", Signature(context.Therapist.Signature, displayName, practiceName)));
        var practice = Frozen(("name", practiceName), ("bookingUrl", context.Practice.BookingUrl));
        // Only web links are offered to a patient; anything else (javascript:, data:) falls back to the generic wording.
        var resource = title is not null && url is not null && WebUrl().IsMatch(url)
            ? Frozen(("title", title), ("url", url))
            : null;
        var links = Frozen(
            ("book", context.Links.Book),
            ("later", context.Links.Later),
            ("unsubscribe", context.Links.Unsubscribe),
            ("feedback", Line(context.Links.Feedback)));
        var locale = Wire.Name(context.Locale);
        var season = context.Season is { } s ? Wire.Name(s) : null;
        var sinceLastVisit = Line(context.SinceLastVisit);

        ScriptObject Root(string? progressNote, string? planSummary) => Frozen(
            ("locale", locale),
            ("patient", patient),
            ("therapist", therapist),
            ("practice", practice),
            ("sinceLastVisit", sinceLastVisit),
            ("progressNote", progressNote),
            ("planSummary", planSummary),
            ("resource", resource),
            ("season", season),
            ("links", links));

        return (Root(Line(context.ProgressNote), Line(context.PlanSummary)), Root(null, null));
    }

    private static ScriptObject Frozen(params (string Key, object? Value)[] members)
    {
        var scriptObject = new ScriptObject(members.Length);
        foreach (var (key, value) in members)
        {
            scriptObject.SetValue(key, value, readOnly: true);
        }
        // Parts of one email share these objects: a template must not change what the next part reads.
        scriptObject.IsReadOnly = true;
        return scriptObject;
    }

    /// <summary>One line: control characters (CR/LF included: header injection) become spaces; blank is null.</summary>
    internal static string? Line(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (!value.AsSpan().ContainsAny(Untidy) && !value.Contains("  ", StringComparison.Ordinal)
            && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1]))
        {
            return value;
        }
        var cleaned = Spaces().Replace(ControlCharacters().Replace(value, " "), " ").Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <summary>
    /// The signature's lines, without the therapist's name or the practice's name when the therapist typed them
    /// in: the sign-off and the practice line already say them, and a name twice at the foot reads as a mistake.
    /// </summary>
    private static string? Signature(string? signature, string displayName, string practiceName)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            return null;
        }
        var lines = signature.ReplaceLineEndings("\n")
            .Split('\n')
            .Select(Line)
            .Where(line => line is not null
                && !string.Equals(line, displayName, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(line, practiceName, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return lines.Length == 0 ? null : string.Join('\n', lines);
    }

    [GeneratedRegex(@"[\p{Cc}\u2028\u2029]")]
    private static partial Regex ControlCharacters();

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex("^https?://", RegexOptions.IgnoreCase)]
    private static partial Regex WebUrl();
}
