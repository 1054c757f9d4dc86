// The answer pages over HTTP: security headers, redirects, bounded form reads, and a page for every failure.
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Reengage.Functions.Http;

namespace Reengage.Functions.Answers;

public static class AnswerHttp
{
    /// <summary>Generous for a 2,000-character comment even in a script that takes 9 bytes a character once encoded.</summary>
    public const int MaxFormBytes = 32 * 1024;

    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";

    /// <summary>The headers of every page (docs/answers.md).</summary>
    public static IReadOnlyDictionary<string, string> PageHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        ["Cache-Control"] = "no-store",
        // The SPEC's CSP has no frame-ancestors; this keeps the confirm buttons from being framed (clickjacking).
        ["X-Frame-Options"] = "DENY",
    };

    public static IActionResult ToResult(AnswerView view) => new AnswerResult(view);

    /// <summary>A form's text fields (the first value of each name), or the page saying why the body cannot be read.</summary>
    public sealed record FormRead(IReadOnlyDictionary<string, string>? Fields, AnswerView? Problem);

    /// <summary>
    /// Our own pages post <c>application/x-www-form-urlencoded</c>; RFC 8058 one-click clients SHOULD post
    /// <c>multipart/form-data</c> and MAY post urlencoded, so both are read. Only text fields are kept.
    /// </summary>
    public static async Task<FormRead> ReadFormAsync(HttpRequest request, AnswerRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType);
        var type = mediaType?.MediaType.Value?.ToLowerInvariant();
        if (type is not ("application/x-www-form-urlencoded" or "multipart/form-data")) return new FormRead(null, new AnswerView.UnreadableForm(route, 415));
        var body = await RequestBodies.ReadBytesAsync(request, MaxFormBytes, cancellationToken).ConfigureAwait(false);
        if (body is null) return new FormRead(null, new AnswerView.TooLarge(route));
        try
        {
            var fields = type == "multipart/form-data"
                ? await ReadMultipartAsync(body, mediaType!, cancellationToken).ConfigureAwait(false)
                : ReadUrlEncoded(body);
            return fields is null ? new FormRead(null, new AnswerView.UnreadableForm(route, 400)) : new FormRead(fields, null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or DecoderFallbackException)
        {
            return new FormRead(null, new AnswerView.UnreadableForm(route, 400));
        }
    }

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    private static Dictionary<string, string> ReadUrlEncoded(byte[] body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in new FormReader(StrictUtf8.GetString(body)).ReadForm())
        {
            fields[name] = values.FirstOrDefault() ?? "";
        }
        return fields;
    }

    private static async Task<Dictionary<string, string>?> ReadMultipartAsync(byte[] body, MediaTypeHeaderValue mediaType, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new MultipartReader(boundary, new MemoryStream(body)) { HeadersCountLimit = 16, HeadersLengthLimit = 4096 };
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFormDisposition()) continue;
            using var text = new StreamReader(section.Body, StrictUtf8);
            var value = await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (name is not null && !fields.ContainsKey(name)) fields[name] = value;
        }
        return fields;
    }

    /// <summary>Writes a page (or a redirect) with the security headers; a HEAD gets the headers only.</summary>
    private sealed class AnswerResult(AnswerView view) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = view.Status;
            if (view is AnswerView.Redirect redirect)
            {
                // no-referrer also on the redirect: the booking site must not learn the link (it is a bearer token).
                response.Headers.Location = redirect.Location;
                response.Headers.CacheControl = "no-store";
                response.Headers["Referrer-Policy"] = "no-referrer";
                return;
            }
            foreach (var (name, value) in PageHeaders) response.Headers[name] = value;
            if (view is AnswerView.MethodNotAllowed notAllowed) response.Headers.Allow = string.Join(", ", notAllowed.Allow);
            if (view is AnswerView.Unavailable) response.Headers.RetryAfter = "60";
            response.ContentType = "text/html; charset=utf-8";
            var bytes = Encoding.UTF8.GetBytes(AnswerPages.Render(view));
            response.ContentLength = bytes.Length;
            if (HttpMethods.IsHead(context.HttpContext.Request.Method)) return;
            await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
