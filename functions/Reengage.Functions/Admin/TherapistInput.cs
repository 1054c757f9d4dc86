// The body of PUT practices/{practiceId}/therapists/{therapistId}: fields not given keep their value.
using System.Text.Json;
using Reengage.Core;
using Reengage.Core.Model;

namespace Reengage.Functions.Admin;

public sealed record TherapistInput
{
    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("TherapistInput", "must be a JSON object",
    [
        FieldRule.Id("id") with { Description = "Ignored when it is the route's therapist id; another id is refused." },
        FieldRule.Id("practiceId") with { Description = "Ignored when it is the route's practice id; another id is refused." },
        FieldRule.Text("displayName", 100) with { Description = "Required when the therapist is created." },
        FieldRule.Email("email") with { Description = "Reply-To of the therapist's emails. Required when the therapist is created." },
        FieldRule.Text("signature", 1000, multiline: true, allowEmpty: true),
        FieldRule.OneOf("locale", ["fr", "en"], "must be fr or en"),
        FieldRule.Bool("active"),
    ], "A therapist: fields left out keep their value (defaults on creation: locale fr, active true, signature empty).");

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
        var fields = JsonFields.Of(body, "", Shape, problems);
        if (fields is null) return null;
        var input = new TherapistInput
        {
            Id = fields.Id(Shape["id"]),
            PracticeId = fields.Id(Shape["practiceId"]),
            DisplayName = fields.Text(Shape["displayName"]),
            Email = fields.Email(Shape["email"]),
            Signature = fields.Text(Shape["signature"]),
            Locale = fields.OneOf(Shape["locale"]) is { } locale ? Wire.Parse<Locale>(locale) : null,
            Active = fields.Bool(Shape["active"]),
        };
        return problems.Count == 0 ? input : null;
    }
}
