// The body of PUT practices/{practiceId}/therapists/{therapistId}: fields not given keep their value.
using System.Text.Json;
using Reengage.Core;
using Reengage.Core.Model;

namespace Reengage.Functions.Admin;

public sealed record TherapistInput
{
    private static readonly HashSet<string> Known = ["id", "practiceId", "displayName", "email", "signature", "locale", "active"];
    private static readonly string[] LocaleNames = ["fr", "en"];

    public string? Id { get; init; }
    public string? PracticeId { get; init; }
    public string? DisplayName { get; init; }
    public string? Email { get; init; }
    public string? Signature { get; init; }
    public Locale? Locale { get; init; }
    public bool? Active { get; init; }

    /// <summary>The therapist's fields in <paramref name="body"/>, or null with every problem found in it.</summary>
    public static TherapistInput? Parse(JsonElement body, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var fields = JsonFields.Of(body, "", Known, problems, "must be a JSON object");
        if (fields is null) return null;
        var input = new TherapistInput
        {
            Id = fields.Id("id"),
            PracticeId = fields.Id("practiceId"),
            DisplayName = fields.Text("displayName", 100),
            Email = fields.Email("email"),
            Signature = fields.Text("signature", 1000, multiline: true, allowEmpty: true),
            Locale = fields.OneOf("locale", LocaleNames, "must be fr or en") is { } locale ? Wire.Parse<Locale>(locale) : null,
            Active = fields.Bool("active"),
        };
        return problems.Count == 0 ? input : null;
    }
}
