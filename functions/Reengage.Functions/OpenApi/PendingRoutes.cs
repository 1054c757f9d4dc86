// upcomingSends, described from its own answer contract and limits; importPatients, PENDING on its branch, described
// from its contract (docs/import.md "The API") until it is merged and its schemas come from its own types.
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reengage.Functions.Outreach;

namespace Reengage.Functions.OpenApi;

internal static class PendingRoutes
{
    public const string UpcomingSends = "upcomingSends";
    public const string ImportPatients = "importPatients";

    /// <summary>The body limit of docs/import.md (10 MB).</summary>
    private const int MaxImportBytes = 10 * 1024 * 1024;

    public static IEnumerable<(string Name, OpenApiSchema Schema)> Schemas()
    {
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
                ReengageOpenApi.Query("days", "The horizon in days.", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = UpcomingForecast.MaxDays.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(UpcomingForecast.DefaultDays) }),
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
