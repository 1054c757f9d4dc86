// GET /api/openapi.json: the OpenAPI 3.1 document of every HTTP function (anonymous, cacheable).
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Functions.OpenApi;

namespace Reengage.Functions.Functions;

public sealed class OpenApiFunctions
{
    // The document is fixed for a build: serialized and tagged once per process.
    private static readonly Lazy<(byte[] Body, string ETag)> Document = new(() =>
    {
        var body = Encoding.UTF8.GetBytes(ReengageOpenApi.Json);
        return (body, $"\"{Convert.ToBase64String(SHA256.HashData(body))[..27].Replace('+', '-').Replace('/', '_')}\"");
    });

    [Function("openApiDocument")]
    public static IActionResult OpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (body, etag) = Document.Value;
        var response = request.HttpContext.Response;
        response.Headers.CacheControl = "public, max-age=300";
        response.Headers.ETag = etag;
        // Public and credential-free: documentation tools on other origins may fetch it.
        response.Headers.AccessControlAllowOrigin = "*";
        var matches = request.Headers.IfNoneMatch.SelectMany(v => (v ?? "").Split(','))
            .Select(tag => tag.Trim())
            .Any(tag => tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag);
        return matches
            ? new StatusCodeResult(StatusCodes.Status304NotModified)
            : new FileContentResult(body, "application/json; charset=utf-8");
    }
}
