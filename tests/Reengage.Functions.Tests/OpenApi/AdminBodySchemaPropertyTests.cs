using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.OpenApi;
using Reengage.Core;
using Reengage.Functions.Admin;

namespace Reengage.Functions.Tests.OpenApi;

/// <summary>
/// Each admin request body's schema, as the served document says it, against the parser that validates it: bodies
/// generated from the schema are accepted; a body breaking one constraint of the schema is refused naming that field.
/// </summary>
public sealed class AdminBodySchemaPropertyTests
{
    private delegate bool Validator(JsonElement body, List<FieldProblem> problems);

    private static readonly Dictionary<string, Validator> Validators = new(StringComparer.Ordinal)
    {
        ["PracticeSettingsInput"] = (b, p) => PracticeSettingsInput.Parse(b, p) is not null,
        ["TherapistInput"] = (b, p) => TherapistInput.Parse(b, p) is not null,
        ["TherapistMappingInput"] = (b, p) => TherapistMappingInput.Parse(b, p) is not null,
        ["AcuityCredentialsInput"] = (b, p) => AcuityCredentialsInput.Parse(b, p) is not null,
        ["WebhookRotationInput"] = (b, p) => WebhookRotationInput.TryParse(b, p, out _),
        ["TemplateSources"] = (b, p) => TemplateSourcesInput.Parse(b, "", p) is not null,
        ["PreviewInput"] = (b, p) => PreviewInput.Parse(b, p) is not null,
    };

    public static TheoryData<string> Bodies => [.. Validators.Keys];

    private static IOpenApiSchema SchemaOf(string name) => OpenApiDocumentTests.Read.Value.Document!.Components!.Schemas![name];

    [Fact]
    public void Every_admin_JSON_request_body_of_the_document_has_a_validator_here()
    {
        var bodies = OpenApiDocumentTests.Read.Value.Document!.Paths.Values
            .SelectMany(p => p.Operations!.Values)
            .Where(o => o.Tags!.Single().Name is not ("Webhooks" or "Patient answers") && o.RequestBody?.Content?.ContainsKey("application/json") == true)
            .Select(o => o.RequestBody!.Content!["application/json"].Schema)
            .OfType<OpenApiSchemaReference>()
            .Select(r => r.Reference.Id!)
            // The import body's JSON form (a CSV inside JSON) is refused field by field in ImportPatientsTests.
            .Where(name => name != "ImportRequest")
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Validators.Keys.Order(StringComparer.Ordinal), bodies.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Bodies_generated_from_the_schema_are_accepted(string name)
    {
        var schema = SchemaOf(name);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(ObjectOf(schema).ToArbitrary(), body =>
        {
            var problems = new List<FieldProblem>();
            using var document = JsonDocument.Parse(body.ToJsonString());
            var accepted = Validators[name](document.RootElement, problems);
            Assert.True(accepted && problems.Count == 0, $"{body.ToJsonString()} refused: {string.Join("; ", problems)}");
        }));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_body_breaking_one_constraint_of_the_schema_is_refused_naming_that_field(string name)
    {
        var schema = SchemaOf(name);
        var broken =
            from body in ObjectOf(schema)
            from violation in Gen.Elements([.. Violations(schema)])
            from value in violation.Value
            select (Body: Apply(body, violation.Field, value), violation.Field, violation.What);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(broken.ToArbitrary(), c =>
        {
            var problems = new List<FieldProblem>();
            using var document = JsonDocument.Parse(c.Body.ToJsonString());
            var accepted = Validators[name](document.RootElement, problems);
            Assert.False(accepted, $"{c.What} of {c.Field} accepted: {c.Body.ToJsonString()}");
            Assert.True(
                problems.Any(p => p.Field == c.Field || p.Field.StartsWith(c.Field + ".", StringComparison.Ordinal)),
                $"{c.What} of {c.Field} refused without naming it: {string.Join("; ", problems)}");
        }));
    }

    [Fact]
    public void The_generated_bodies_cover_every_field_and_the_violations_every_kind_of_constraint()
    {
        var kinds = Validators.Keys.SelectMany(n => Violations(SchemaOf(n))).Select(v => v.What).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["missing", "wrong type", "too long", "too short", "below minimum", "above maximum", "not in enum", "too many items", "too few items", "unknown field"], StringComparer.Ordinal), kinds);
        var practice = SchemaOf("PracticeSettingsInput");
        var seen = ObjectOf(practice).Sample(50, 20).SelectMany(b => b.Select(p => p.Key)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(practice.Properties!.Where(p => !p.Value.ReadOnly).Select(p => p.Key).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    private static JsonObject Apply(JsonObject body, string field, JsonNode? value)
    {
        var copy = body.DeepClone().AsObject();
        if (ReferenceEquals(value, Missing)) copy.Remove(field);
        else copy[field] = value?.DeepClone();
        return copy;
    }

    /// <summary>A marker value: remove the field.</summary>
    private static readonly JsonNode Missing = JsonValue.Create("(remove the field)");

    private static IEnumerable<(string Field, string What, Gen<JsonNode?> Value)> Violations(IOpenApiSchema schema)
    {
        yield return ("zzUnknown", "unknown field", Gen.Constant<JsonNode?>(JsonValue.Create(1)));
        foreach (var (name, property) in schema.Properties!)
        {
            if (property.ReadOnly) continue;
            var type = property.Type!.Value & ~JsonSchemaType.Null;
            if (schema.Required?.Contains(name) == true) yield return (name, "missing", Gen.Constant<JsonNode?>(Missing));
            yield return (name, "wrong type", Gen.Constant<JsonNode?>(type.HasFlag(JsonSchemaType.String) ? JsonValue.Create(12345) : JsonValue.Create("text")));
            if (property.Enum is { Count: > 0 }) yield return (name, "not in enum", Gen.Constant<JsonNode?>(JsonValue.Create("zz-not-listed")));
            if (property.MaxLength is { } max) yield return (name, "too long", Gen.Constant<JsonNode?>(JsonValue.Create(StringOfLength(property, max + 1))));
            if (property.MinLength is > 0 and var min) yield return (name, "too short", Gen.Constant<JsonNode?>(JsonValue.Create(new string('a', min - 1))));
            if (property.Minimum is { } low) yield return (name, "below minimum", Gen.Constant<JsonNode?>(JsonValue.Create(int.Parse(low, CultureInfo.InvariantCulture) - 1)));
            if (property.Maximum is { } high) yield return (name, "above maximum", Gen.Constant<JsonNode?>(JsonValue.Create(int.Parse(high, CultureInfo.InvariantCulture) + 1)));
            if (property.MaxItems is { } most) yield return (name, "too many items", ItemsOf(property, most + 1));
            if (property.MinItems is > 0 and var least) yield return (name, "too few items", ItemsOf(property, least - 1));
        }
    }

    private static Gen<JsonNode?> ItemsOf(IOpenApiSchema array, int count)
    {
        var item = array.Examples is { Count: > 0 } examples ? Gen.Constant(examples[0]!.AsArray()[0]) : ValueOf(array.Items!);
        return Gen.ListOf(item, count).Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]));
    }

    /// <summary>A string of exactly <paramref name="length"/> characters, otherwise of the field's form.</summary>
    private static string StringOfLength(IOpenApiSchema schema, int length) => schema.Format switch
    {
        "email" => new string('a', length - "@example.org".Length) + "@example.org",
        "uri" => "https://example.org/" + new string('a', length - "https://example.org/".Length),
        _ => new string('a', length),
    };

    private static Gen<JsonObject> ObjectOf(IOpenApiSchema schema)
    {
        var fields = schema.Properties!.Where(p => !p.Value.ReadOnly).Select(p =>
        {
            var required = schema.Required?.Contains(p.Key) == true;
            return from present in required ? Gen.Constant(true) : Gen.Elements(true, false)
                   from value in ValueOf(p.Value)
                   select (p.Key, Present: present, Value: value);
        });
        var none = Gen.Constant(System.Collections.Immutable.ImmutableList<(string Key, bool Present, JsonNode? Value)>.Empty);
        var all = fields.Aggregate(none, (list, field) => from l in list from f in field select l.Add(f));
        return all.Select(list => new JsonObject(list.Where(f => f.Present).Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))));
    }

    private static Gen<JsonNode?> ValueOf(IOpenApiSchema schema)
    {
        var examples = schema.Examples?.Select(e => e?.DeepClone()).ToArray() ?? [];
        var type = schema.Type!.Value & ~JsonSchemaType.Null;
        if (schema.Enum is { Count: > 0 } values) return Gen.Elements(values.Select(v => v?.DeepClone()).ToArray());
        if (examples.Length > 0 && type is JsonSchemaType.Object or JsonSchemaType.Array) return Gen.Elements(examples);
        return type switch
        {
            JsonSchemaType.Boolean => Gen.Elements<JsonNode?>(JsonValue.Create(true), JsonValue.Create(false)),
            JsonSchemaType.Integer => Gen.Choose(int.Parse(schema.Minimum!, CultureInfo.InvariantCulture), int.Parse(schema.Maximum!, CultureInfo.InvariantCulture)).Select(n => (JsonNode?)JsonValue.Create(n)),
            JsonSchemaType.Object => ObjectOf(schema).Select(o => (JsonNode?)o),
            JsonSchemaType.Array => ArrayOf(schema),
            JsonSchemaType.String => StringOf(schema, examples),
            _ => throw new InvalidOperationException($"no generator for {type}"),
        };
    }

    private static Gen<JsonNode?> ArrayOf(IOpenApiSchema schema)
    {
        var least = schema.MinItems ?? 0;
        var most = Math.Min(schema.MaxItems ?? 5, least + 5);
        return from count in Gen.Choose(least, most)
               from items in Gen.ListOf(ValueOf(schema.Items!), count)
               let distinct = schema.UniqueItems == true ? items.DistinctBy(i => i?.ToJsonString()).ToList() : [.. items]
               select (JsonNode?)new JsonArray([.. distinct.Select(i => i?.DeepClone())]);
    }

    private static Gen<JsonNode?> StringOf(IOpenApiSchema schema, JsonNode?[] examples)
    {
        var least = Math.Max(schema.MinLength ?? 0, 1);
        var most = Math.Min(schema.MaxLength ?? 60, least + 60);
        Gen<string> text = schema.Format switch
        {
            "email" => Letters(1, 30).Select(local => local + "@example.org"),
            "uri" => Letters(1, 30).Select(path => "https://example.org/" + path),
            "date" => Gen.Choose(0, 3650).Select(d => new DateOnly(2025, 1, 1).AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            _ => Gen.OneOf(Letters(least, most), Digits(least, most)),
        };
        if (schema.Pattern is not { } pattern) return text.Select(t => (JsonNode?)JsonValue.Create(t));
        var regex = new Regex(pattern, RegexOptions.ECMAScript);
        // A pattern the letters and digits cannot meet (a key, a time zone) takes the schema's own examples.
        if (!text.Sample(20, 30).Any(regex.IsMatch))
        {
            Assert.True(examples.Length > 0, $"the schema with pattern {pattern} has no example to generate from");
            return Gen.Elements(examples);
        }
        return text.Where(regex.IsMatch).Select(t => (JsonNode?)JsonValue.Create(t));
    }

    private static Gen<string> Letters(int least, int most) =>
        from count in Gen.Choose(least, most)
        from chars in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".ToCharArray()), count)
        select new string(chars);

    private static Gen<string> Digits(int least, int most) =>
        from count in Gen.Choose(least, most)
        from chars in Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), count)
        select new string(chars);
}
