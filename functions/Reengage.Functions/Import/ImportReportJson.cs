// The import report as the API answers it (docs/import.md), and its source-generated serializer.
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Reengage.Functions.Import;

public sealed record ImportTotalsJson(int Lines, int Create, int Update, int Unchanged, int Invalid, int Suppressed);

public sealed record LineErrorJson(string? Field, string? Column, string Message);

public sealed record FileErrorJson(int? Line, string Message);

public sealed record LineReportJson(
    int Line,
    string? PatientId,
    string Action,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Fields = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Suppressed = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LineErrorJson>? Errors = null);

/// <summary>
/// The report; on 422 the same body is a problem+json, with <see cref="Type"/>, <see cref="Title"/>, <see cref="Status"/>
/// and <see cref="Detail"/> set.
/// </summary>
public sealed record ImportReportJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Title { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Status { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Detail { get; init; }
    public required string PracticeId { get; init; }
    /// <summary><c>dry_run</c>, <c>applied</c>, or <c>invalid</c>: nothing was (or would be) written.</summary>
    public required string Outcome { get; init; }
    public required bool DryRun { get; init; }
    public required string Encoding { get; init; }
    public required string Separator { get; init; }
    /// <summary>Field -> the header it was read from.</summary>
    public required IReadOnlyDictionary<string, string> Columns { get; init; }
    public required IReadOnlyList<string> IgnoredColumns { get; init; }
    public required IReadOnlyList<FileErrorJson> FileErrors { get; init; }
    public required ImportTotalsJson Totals { get; init; }
    public required IReadOnlyList<LineReportJson> Lines { get; init; }

    /// <summary>An <c>invalid</c> report as the 422 answer carries it (the API's, and <c>reengage import --local</c>'s JSON).</summary>
    public ImportReportJson AsProblem() => this with
    {
        Type = "about:blank",
        Title = "Invalid import file",
        Status = StatusCodes.Status422UnprocessableEntity,
        Detail = FileErrors.Count > 0
            ? "The file cannot be read as a patient list; nothing was imported."
            : $"{Totals.Invalid} of {Totals.Lines} lines are invalid; nothing was imported.",
    };
}

/// <summary>The JSON body form: <c>{"csv": "...", "mapping": {...}, "separator": ";"}</c>.</summary>
public sealed class ImportRequestJson
{
    public JsonElement Csv { get; set; }
    public JsonElement Mapping { get; set; }
    public JsonElement Separator { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; set; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ImportReportJson))]
[JsonSerializable(typeof(ImportRequestJson))]
public sealed partial class ImportJsonContext : JsonSerializerContext;
