// The JSON Schema of an answer, exported from the serializer contract that writes it (System.Text.Json's own
// JsonSchemaExporter over the JsonTypeInfo the function serializes with): names, types and nullability cannot drift.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;

namespace Reengage.Functions.OpenApi;

public static class AnswerSchemas
{
    private static readonly JsonSchemaExporterOptions Options = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Transform,
    };

    /// <summary>The schema of what <paramref name="typeInfo"/> writes; every property it always writes is required.</summary>
    public static OpenApiSchema Of(JsonTypeInfo typeInfo, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var schema = ToSchema(typeInfo.GetJsonSchemaAsNode(Options));
        schema.Description = description ?? schema.Description;
        return schema;
    }

    /// <summary>The schema of <paramref name="type"/> as the reflection serializer (web defaults) writes it (<c>ObjectResult</c> answers).</summary>
    public static OpenApiSchema OfReflected(Type type, string? description = null) =>
        Of(JsonSerializerOptions.Web.GetTypeInfo(type), description);

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        var type = context.TypeInfo.Type;
        // Instants are written by IsoInstantConverter (a custom converter: the exporter cannot see through it).
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            var nullable = type == typeof(DateTimeOffset?) || (context.PropertyInfo?.IsGetNullable ?? false);
            return new JsonObject
            {
                ["type"] = nullable ? new JsonArray("string", "null") : "string",
                ["format"] = "date-time",
            };
        }
        if (context.PropertyInfo is null && context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject obj)
        {
            var always = context.TypeInfo.Properties.Where(AlwaysWritten).Select(p => (JsonNode)p.Name).ToArray();
            if (always.Length > 0) obj["required"] = new JsonArray(always);
            else obj.Remove("required");
        }
        return node;
    }

    /// <summary>Whether the property is written whatever its value (not <c>[JsonIgnore(Condition = WhenWriting…)]</c>).</summary>
    private static bool AlwaysWritten(JsonPropertyInfo property) =>
        property.Get is not null
        && property.ShouldSerialize is null
        && property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true).OfType<JsonIgnoreAttribute>()
            .All(a => a.Condition == JsonIgnoreCondition.Never) != false;

    /// <summary>A JSON Schema node (the subset the exporter writes) as an OpenAPI schema.</summary>
    internal static OpenApiSchema ToSchema(JsonNode? node)
    {
        if (node is not JsonObject o) return new OpenApiSchema();
        var schema = new OpenApiSchema
        {
            Type = TypeOf(o["type"]),
            Format = (string?)o["format"],
            Pattern = (string?)o["pattern"],
            Description = (string?)o["description"],
            Minimum = o["minimum"]?.ToJsonString(),
            Maximum = o["maximum"]?.ToJsonString(),
        };
        if (o["properties"] is JsonObject properties)
        {
            schema.Properties = properties.ToDictionary(p => p.Key, p => (IOpenApiSchema)ToSchema(p.Value), StringComparer.Ordinal);
        }
        if (o["required"] is JsonArray required) schema.Required = required.Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        if (o["items"] is { } items) schema.Items = ToSchema(items);
        switch (o["additionalProperties"])
        {
            case JsonObject additional:
                schema.AdditionalProperties = ToSchema(additional);
                break;
            case JsonValue closed when closed.GetValueKind() == JsonValueKind.False:
                schema.AdditionalPropertiesAllowed = false;
                break;
        }
        if (o["enum"] is JsonArray values) schema.Enum = [.. values.OfType<JsonNode>().Select(v => v.DeepClone())];
        if (o["anyOf"] is JsonArray anyOf) schema.AnyOf = [.. anyOf.Select(s => (IOpenApiSchema)ToSchema(s))];
        return schema;
    }

    private static JsonSchemaType? TypeOf(JsonNode? type) => type switch
    {
        JsonValue single => OpenApiTypeMapper.ToJsonSchemaType((string)single!),
        JsonArray several => several.Select(t => OpenApiTypeMapper.ToJsonSchemaType((string)t!)).Aggregate((a, b) => a | b),
        _ => null,
    };
}
