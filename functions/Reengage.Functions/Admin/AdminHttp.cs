// What every admin route shares: JSON answers never kept by a cache, bounded JSON bodies, no 5xx for bad input.
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Reengage.Core;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

/// <summary>A request body read as JSON, or the answer that refuses it.</summary>
public abstract record JsonBody
{
    private JsonBody()
    {
    }

    public sealed record Parsed(JsonElement Value) : JsonBody;

    public sealed record Refused(IActionResult Answer) : JsonBody;
}

public static class AdminHttp
{
    /// <summary>The body limit of settings and therapists (64 KB, as the TypeScript app).</summary>
    public const int MaxSettingsBytes = 64 * 1024;

    public const string IdHint = "must be 1-128 characters: letters, digits and _ . : @ + = ~ -";

    /// <summary>A JSON answer with <c>Cache-Control: no-store</c>: admin answers carry a practice's data or credentials.</summary>
    public static IActionResult Json<T>(int status, T body, JsonTypeInfo<T> typeInfo, IReadOnlyDictionary<string, string>? headers = null) =>
        new JsonAnswer<T>(status, body, typeInfo, headers);

    /// <summary>At most <paramref name="maxBytes"/> bytes of <c>application/json</c> that parse: 413, 415 or 400 otherwise.</summary>
    public static async Task<JsonBody> ReadJsonAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = await RequestBodies.ReadBytesAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null) return new JsonBody.Refused(Problems.TooLarge(maxBytes));
        if (!RequestBodies.IsJson(request.ContentType)) return new JsonBody.Refused(Problems.NotJson());
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return new JsonBody.Parsed(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            return new JsonBody.Refused(Problems.InvalidJson());
        }
    }

    /// <summary>
    /// The last line of defence of "no input produces a 5xx": input refused deeper down (a table key or property too
    /// long) is a 400, a concurrent change a 409. Anything else is a real fault and propagates.
    /// </summary>
    public static async Task<IActionResult> GuardAsync(Func<Task<IActionResult>> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (ReengageException e) when (e.Code == ErrorCode.InvalidInput)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid request", e.Message);
        }
        catch (ReengageException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.Conflict)
        {
            return Problems.Conflict();
        }
    }

    private sealed class JsonAnswer<T>(int status, T body, JsonTypeInfo<T> typeInfo, IReadOnlyDictionary<string, string>? headers) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }
            await JsonSerializer.SerializeAsync(response.Body, body, typeInfo, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
