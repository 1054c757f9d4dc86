// The JSON Schema of an admin body, written from the same FieldRule/BodyShape declarations its parser reads.
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reengage.Functions.Admin;

namespace Reengage.Functions.OpenApi;

public static class FieldSchemas
{
    /// <summary>The object schema of <paramref name="shape"/>: its fields, the required ones, no other field.</summary>
    public static OpenApiSchema Of(BodyShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var required = shape.Fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = shape.Description,
            Properties = shape.Fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)Of(f), StringComparer.Ordinal),
            Required = required.Count > 0 ? required : null,
            // Unknown fields are refused, so that a misspelt one is not silently lost.
            AdditionalPropertiesAllowed = false,
        };
    }

    public static OpenApiSchema Of(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var schema = new OpenApiSchema
        {
            Description = Describe(rule),
            MinLength = rule.MinLength,
            MaxLength = rule.MaxLength,
            Pattern = rule.Pattern,
            Format = rule.Format,
            Minimum = rule.Minimum?.ToString(CultureInfo.InvariantCulture),
            Maximum = rule.Maximum?.ToString(CultureInfo.InvariantCulture),
            MinItems = rule.MinItems,
            MaxItems = rule.MaxItems,
            UniqueItems = rule.UniqueItems ? true : null,
            Examples = rule.Examples?.Select(e => JsonNode.Parse(e)!).ToList(),
        };
        switch (rule.Kind)
        {
            case FieldKind.Text or FieldKind.Email or FieldKind.HttpsUrl or FieldKind.Id or FieldKind.String:
                schema.Type = JsonSchemaType.String;
                break;
            case FieldKind.Whole:
                schema.Type = JsonSchemaType.Integer;
                break;
            case FieldKind.Bool:
                schema.Type = JsonSchemaType.Boolean;
                break;
            case FieldKind.OneOf:
                schema.Type = JsonSchemaType.String;
                schema.Enum = [.. rule.Values!.Select(v => (JsonNode)JsonValue.Create(v))];
                break;
            case FieldKind.Array:
                schema.Type = JsonSchemaType.Array;
                schema.Items = Of(rule.Items!);
                break;
            case FieldKind.Object:
                var shape = Of(rule.Shape!);
                shape.Description = schema.Description ?? shape.Description;
                shape.Examples = schema.Examples;
                schema = shape;
                break;
            case FieldKind.Ignored:
                schema.ReadOnly = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "unknown field kind");
        }
        // A string kind read by the parser's own code may still take its values from a list (time zones).
        if (rule.Values is { } values && schema.Enum is null) schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (rule.Nullable) schema.Type |= JsonSchemaType.Null;
        return schema;
    }

    private static string? Describe(FieldRule rule)
    {
        var rules = rule.Kind switch
        {
            FieldKind.Text => rule.Multiline ? "Trimmed; no control characters but line breaks." : "Trimmed; no control characters.",
            FieldKind.Id => "1-128 characters: letters, digits and `_ . : @ + = ~ -`, starting with a letter or digit.",
            _ => null,
        };
        return (rule.Description, rules) switch
        {
            (null, null) => null,
            (null, _) => rules,
            (_, null) => rule.Description,
            _ => $"{rule.Description} {rules}",
        };
    }
}
