using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reengage.Core;

namespace Reengage.Functions.Http;

/// <summary>
/// RFC 9457 problem+json answers with the TypeScript app's shape: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>
/// and, for invalid input, <c>errors</c> naming each field.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IActionResult Of(int status, string title, string detail, IReadOnlyList<FieldProblem>? errors = null, IReadOnlyDictionary<string, string>? headers = null) =>
        new ProblemResult(new ProblemBody("about:blank", title, status, detail, errors), headers);

    /// <summary>400 listing every invalid field; nothing was changed.</summary>
    public static IActionResult Invalid(string title, IReadOnlyList<FieldProblem> errors) =>
        Of(StatusCodes.Status400BadRequest, title, "Some fields are missing or invalid; nothing was changed.", errors);

    public static IActionResult TooLarge(int maxBytes) =>
        Of(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body must be at most {maxBytes} bytes.");

    public static IActionResult NotJson() =>
        Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be JSON (Content-Type: application/json).");

    public static IActionResult InvalidJson() =>
        Of(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is not valid JSON.");

    public static IActionResult Conflict() =>
        Of(StatusCodes.Status409Conflict, "Conflict", "The resource changed while this request ran; send it again.");

    internal sealed record ProblemBody(
        string Type,
        string Title,
        int Status,
        string Detail,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldProblem>? Errors);

    private sealed class ProblemResult(ProblemBody body, IReadOnlyDictionary<string, string>? headers) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = body.Status;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-store";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }
            await JsonSerializer.SerializeAsync(response.Body, body, HttpJsonContext.Default.ProblemBody, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Problems.ProblemBody))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
