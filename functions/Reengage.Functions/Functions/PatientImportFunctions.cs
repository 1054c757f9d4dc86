// Admin API: POST practices/{practiceId}/patients/import?dryRun=true|false[&separator=comma|semicolon], a CSV of patients.
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core;
using Reengage.Core.Import;
using Reengage.Functions.Admin;
using Reengage.Functions.Http;
using Reengage.Functions.Import;

namespace Reengage.Functions.Functions;

public sealed class PatientImportFunctions(PatientImport import, PracticeKeyAuthorizer authorizer)
{
    public const int MaxBytes = 10 * 1024 * 1024;

    private static readonly string[] CsvTypes = ["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"];

    /// <summary><c>code</c> carries the function key when it is not sent as a header.</summary>
    private static readonly string[] QueryParameters = ["dryRun", "separator", "code"];

    /// <summary>The separators the query and the JSON body accept, by name.</summary>
    internal static readonly IReadOnlyDictionary<string, char> Separators = new Dictionary<string, char>(StringComparer.Ordinal)
    {
        [","] = ',',
        [";"] = ';',
        ["comma"] = ',',
        ["semicolon"] = ';',
    };

    [Function("importPatients")]
    public Task<IActionResult> ImportPatients(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "practices/{practiceId}/patients/import")] HttpRequest request,
        string practiceId,
        CancellationToken cancellationToken) =>
        AdminHttp.GuardAsync(async () =>
        {
            var practice = await authorizer.AuthorizeAsync(request, practiceId, cancellationToken).ConfigureAwait(false);
            if (practice is null) return PracticeKeyAuthorizer.Denied();

            // A mistyped `dryrun=true` must not turn a dry run into an import: unknown parameters are refused.
            var errors = new List<FieldProblem>();
            foreach (var name in request.Query.Keys.Where(k => !QueryParameters.Contains(k, StringComparer.Ordinal)))
            {
                errors.Add(new FieldProblem(name, "is not a parameter here (use dryRun, separator)"));
            }
            string dryRunParam = request.Query["dryRun"].Count == 0 ? "false" : request.Query["dryRun"].ToString();
            if (dryRunParam is not ("true" or "false")) errors.Add(new FieldProblem("dryRun", "must be true or false"));
            char? separator = null;
            if (request.Query["separator"].Count > 0)
            {
                if (Separators.TryGetValue(request.Query["separator"].ToString(), out var s)) separator = s;
                else errors.Add(new FieldProblem("separator", "must be \",\" (comma) or \";\" (semicolon)"));
            }
            if (errors.Count > 0) return Problems.Of(StatusCodes.Status400BadRequest, "Invalid query", "Some query parameters are invalid.", errors);

            var json = RequestBodies.IsJson(request.ContentType);
            var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
            if (!json && !CsvTypes.Contains(mediaType))
            {
                return Problems.Of(
                    StatusCodes.Status415UnsupportedMediaType,
                    "Unsupported media type",
                    "Send the file as text/csv, or as application/json {\"csv\": \"...\", \"mapping\": {...}}.");
            }
            var body = await RequestBodies.ReadBytesAsync(request, MaxBytes, cancellationToken).ConfigureAwait(false);
            if (body is null) return Problems.TooLarge(MaxBytes);

            string text;
            CsvEncoding encoding;
            IReadOnlyDictionary<ImportField, string>? mapping = null;
            if (json)
            {
                switch (ReadJsonBody(body))
                {
                    case JsonImportBody.Refused refused:
                        return refused.Answer;
                    case JsonImportBody.Parsed parsed:
                        (text, encoding, mapping) = (parsed.Csv, CsvEncoding.Utf8, parsed.Mapping);
                        separator = parsed.Separator ?? separator;
                        break;
                    default:
                        throw new InvalidOperationException("Unknown JSON body result.");
                }
            }
            else
            {
                (text, encoding) = CsvImport.Decode(body);
            }

            var report = await import.ImportAsync(
                practice.Value,
                text,
                encoding,
                new ImportRequest(dryRunParam == "true", new ImportFileOptions(separator, mapping)),
                cancellationToken).ConfigureAwait(false);
            if (report.Outcome != "invalid") return AdminHttp.Json(StatusCodes.Status200OK, report, ImportJsonContext.Default.ImportReportJson);
            return new ProblemReport(report.AsProblem());
        });

    private abstract record JsonImportBody
    {
        public sealed record Parsed(string Csv, IReadOnlyDictionary<ImportField, string>? Mapping, char? Separator) : JsonImportBody;

        public sealed record Refused(IActionResult Answer) : JsonImportBody;
    }

    /// <summary><c>{"csv": "...", "mapping": {field: header}, "separator": ";"}</c>, strictly: an unknown field is refused.</summary>
    private static JsonImportBody ReadJsonBody(byte[] body)
    {
        ImportRequestJson? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body, ImportJsonContext.Default.ImportRequestJson);
        }
        catch (JsonException)
        {
            return new JsonImportBody.Refused(Problems.InvalidJson());
        }
        if (wire is null) return new JsonImportBody.Refused(Problems.InvalidJson());
        var errors = new List<FieldProblem>();
        foreach (var name in wire.Unknown?.Keys ?? Enumerable.Empty<string>()) errors.Add(new FieldProblem(name, "is not a field of an import request"));
        string? csv = null;
        if (wire.Csv.ValueKind == JsonValueKind.String && wire.Csv.GetString() is { Length: > 0 } text) csv = text;
        else errors.Add(new FieldProblem("csv", wire.Csv.ValueKind == JsonValueKind.Undefined ? "is required" : "must be a non-empty string"));
        Dictionary<ImportField, string>? mapping = null;
        if (wire.Mapping.ValueKind == JsonValueKind.Object)
        {
            mapping = [];
            foreach (var property in wire.Mapping.EnumerateObject())
            {
                var path = $"mapping.{property.Name}";
                if (!ImportFields.TryParse(property.Name, out var field)) errors.Add(new FieldProblem(path, "is not an import field"));
                else if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Trim() is not { Length: > 0 and <= 200 } header)
                    errors.Add(new FieldProblem(path, "must be a header of 1-200 characters"));
                else mapping[field] = header;
            }
        }
        else if (wire.Mapping.ValueKind != JsonValueKind.Undefined)
        {
            errors.Add(new FieldProblem("mapping", "must be an object"));
        }
        char? separator = null;
        if (wire.Separator.ValueKind == JsonValueKind.String && wire.Separator.GetString() is "," or ";") separator = wire.Separator.GetString()![0];
        else if (wire.Separator.ValueKind != JsonValueKind.Undefined) errors.Add(new FieldProblem("separator", "must be \",\" or \";\""));
        if (errors.Count > 0) return new JsonImportBody.Refused(Problems.Of(StatusCodes.Status400BadRequest, "Invalid import request", "Some fields are missing or invalid.", errors));
        return new JsonImportBody.Parsed(csv!, mapping, separator);
    }

    /// <summary>422 problem+json carrying the whole report.</summary>
    private sealed class ProblemReport(ImportReportJson report) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            response.ContentType = Problems.ContentType;
            response.Headers.CacheControl = "no-store";
            await JsonSerializer.SerializeAsync(response.Body, report, ImportJsonContext.Default.ImportReportJson, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
