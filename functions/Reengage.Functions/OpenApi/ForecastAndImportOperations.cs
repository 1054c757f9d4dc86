// upcomingSends and importPatients: their answers from the serializer contracts that write them, their limits, query
// parameters, separators and mapping fields from the constants and tables the functions read.
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reengage.Core.Import;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Import;
using Reengage.Functions.Outreach;

namespace Reengage.Functions.OpenApi;

internal static class ForecastAndImportOperations
{
    public static IEnumerable<(string Name, OpenApiSchema Schema)> Schemas()
    {
        yield return ("UpcomingReport", AnswerSchemas.Of(UpcomingJsonContext.Default.UpcomingReportJson, "The forecast (docs/admin-api.md): rows already planned, then the coming planner runs replayed. Patients by id and first name only; `predictedSendAt` is practice-local with its offset; `decision` is will_send, held_out, planned or skip:<reason>."));
        yield return ("ImportReport", AnswerSchemas.Of(ImportJsonContext.Default.ImportReportJson, "The import report (docs/import.md); on 422 the same body is a problem+json (`type`, `title`, `status`, `detail` set)."));
        // The JSON form's fields are JsonElements the function checks by hand (PatientImportFunctions.ReadJsonBody):
        // described here from the tables that check them.
        yield return ("ImportRequest", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(["csv"], StringComparer.Ordinal),
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["csv"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The file as text." },
                ["mapping"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Field to column header, e.g. `{\"firstName\": \"Given\"}`.",
                    PropertyNames = ReengageOpenApi.EnumSchema([.. ImportFields.All.Select(ImportFields.Name)]),
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String },
                },
                ["separator"] = ReengageOpenApi.EnumSchema([.. PatientImportFunctions.Separators.Keys]),
            },
        });
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
            Description = $"At most {PatientImportFunctions.MaxBytes / (1024 * 1024)} MB. See docs/import.md for the columns.",
            Parameters =
            [
                ReengageOpenApi.Query("dryRun", "Report what would change, write nothing.", ReengageOpenApi.EnumSchema(["true", "false"], "false")),
                ReengageOpenApi.Query("separator", "Detected from the header line when not given.", ReengageOpenApi.EnumSchema([.. PatientImportFunctions.Separators.Keys])),
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

}
