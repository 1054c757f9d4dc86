// PENDING: two admin routes being ported on other branches (upcomingSends, importPatients), described here from their
// contract (docs/admin-api.md "Upcoming sends", docs/import.md "The API") so that they are documented the moment their
// functions are merged. Once merged, replace the hand-written schemas below with AnswerSchemas.Of(<their JsonTypeInfo>)
// and the import body with FieldSchemas.Of(<its BodyShape>), then delete this file's hand-written parts.
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Reengage.Functions.OpenApi;

internal static class PendingRoutes
{
    public const string UpcomingSends = "upcomingSends";
    public const string ImportPatients = "importPatients";

    /// <summary>The horizon limit of docs/admin-api.md (1-31 days, default 7).</summary>
    private const int MaxUpcomingDays = 31;

    /// <summary>The body limit of docs/import.md (10 MB).</summary>
    private const int MaxImportBytes = 10 * 1024 * 1024;

    public static IEnumerable<(string Name, OpenApiSchema Schema)> Schemas()
    {
        yield return ("UpcomingReport", Parse("""
            { "type": "object", "description": "The forecast (docs/admin-api.md): rows already planned, then the coming planner runs replayed. Patients by id and first name only.",
              "required": ["practiceId", "timeZone", "generatedAt", "until", "days", "items", "totals"],
              "properties": {
                "practiceId": { "type": "string" }, "timeZone": { "type": "string" },
                "generatedAt": { "type": "string", "format": "date-time" }, "until": { "type": "string", "format": "date-time" },
                "days": { "type": "integer", "minimum": 1, "maximum": 31 },
                "items": { "type": "array", "items": { "type": "object",
                  "required": ["patientId", "templateId", "campaign", "step", "predictedSendAt", "decision"],
                  "properties": {
                    "patientId": { "type": "string" }, "firstName": { "type": ["string", "null"] }, "therapistId": { "type": ["string", "null"] },
                    "templateId": { "type": "string" }, "campaign": { "type": "string" }, "step": { "type": "integer" },
                    "dueDate": { "type": ["string", "null"], "format": "date" }, "plannedOn": { "type": ["string", "null"], "format": "date" },
                    "predictedSendAt": { "type": "string", "format": "date-time", "description": "Practice-local." },
                    "decision": { "type": "string", "description": "will_send, held_out, planned or skip:<reason>." } } } },
                "totals": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "Items by decision." } } }
            """));
        yield return ("ImportRequest", Parse("""
            { "type": "object", "required": ["csv"], "additionalProperties": false,
              "properties": {
                "csv": { "type": "string", "description": "The file as text." },
                "mapping": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Field to column header, e.g. {\"firstName\": \"Given\"}." },
                "separator": { "type": "string", "enum": [",", ";", "comma", "semicolon"] } } }
            """));
        yield return ("ImportReport", Parse("""
            { "type": "object", "description": "The import report (docs/import.md).",
              "required": ["practiceId", "outcome", "dryRun", "totals", "lines"],
              "properties": {
                "practiceId": { "type": "string" }, "outcome": { "type": "string", "enum": ["dry_run", "applied", "invalid"] },
                "dryRun": { "type": "boolean" }, "encoding": { "type": "string" }, "separator": { "type": "string" },
                "columns": { "type": "object", "additionalProperties": { "type": "string" } },
                "ignoredColumns": { "type": "array", "items": { "type": "string" } },
                "fileErrors": { "type": "array", "items": { "type": "object", "properties": { "line": { "type": ["integer", "null"] }, "message": { "type": "string" } } } },
                "totals": { "type": "object", "additionalProperties": { "type": "integer" } },
                "lines": { "type": "array", "items": { "type": "object", "properties": {
                  "line": { "type": "integer" }, "patientId": { "type": ["string", "null"] },
                  "action": { "type": "string", "enum": ["create", "update", "unchanged", "invalid"] },
                  "fields": { "type": "array", "items": { "type": "string" } },
                  "suppressed": { "type": "boolean" },
                  "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "column": { "type": ["string", "null"] }, "message": { "type": "string" } } } } } } } } }
            """));
    }

    public static ReengageOpenApi.OperationSpec Upcoming(ReengageOpenApi.Components c) =>
        new("Reports", "What the practice will send in the next days, and why",
            new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal)
            {
                ["200"] = ReengageOpenApi.JsonAnswer(c, "The forecast; nothing is written.", c.Schema("UpcomingReport")),
                ["400"] = c.Response("BadRequest"),
            })
        {
            Parameters =
            [
                ReengageOpenApi.Query("days", "The horizon in days.", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = MaxUpcomingDays.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(7) }),
            ],
        };

    public static ReengageOpenApi.OperationSpec Import(ReengageOpenApi.Components c, string[] writeErrors) =>
        new("Patients", "Imports a CSV of patients: all lines checked first, all or nothing",
            new Dictionary<string, IOpenApiResponse>(
                [
                    new("200", ReengageOpenApi.JsonAnswer(c, "Dry run or applied.", c.Schema("ImportReport"), ("Cache-Control", "`no-store`."))),
                    new("422", new OpenApiResponse
                    {
                        Description = "Invalid lines or file: nothing was imported.",
                        Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                        {
                            ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchema { AllOf = [c.Schema("Problem"), c.Schema("ImportReport")] } },
                        },
                    }),
                    .. ReengageOpenApi.Errors(c, [.. writeErrors.Where(s => s != "409")]).Select(e => new KeyValuePair<string, IOpenApiResponse>(e.Status, e.Response)),
                ],
                StringComparer.Ordinal))
        {
            Description = $"At most {MaxImportBytes / (1024 * 1024)} MB. See docs/import.md for the columns.",
            Parameters =
            [
                ReengageOpenApi.Query("dryRun", "Report what would change, write nothing.", ReengageOpenApi.EnumSchema(["true", "false"], "false")),
                ReengageOpenApi.Query("separator", "Detected from the header line when not given.", ReengageOpenApi.EnumSchema([",", ";", "comma", "semicolon"])),
            ],
            Body = new OpenApiRequestBody
            {
                Required = true,
                Description = "The file (UTF-8 or Windows-1252), or JSON with the file, a column mapping and a separator.",
                Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    ["application/json"] = new OpenApiMediaType { Schema = c.Schema("ImportRequest") },
                },
            },
        };

    private static OpenApiSchema Parse(string json) => AnswerSchemas.ToSchema(JsonNode.Parse(json));
}
