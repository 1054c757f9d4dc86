using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Reengage.Functions.Acs;

/// <summary>
/// Signs a request with an ACS access key (the connection-string scheme): HMAC-SHA256 over
/// <c>VERB\npath?query\nx-ms-date;host;x-ms-content-sha256</c>. Registered per retry, so that every attempt carries
/// a fresh <c>x-ms-date</c> and a retry after a long wait is not refused for clock skew.
/// </summary>
internal sealed class AcsHmacAuthenticationPolicy(byte[] accessKey, TimeProvider timeProvider) : HttpPipelinePolicy
{
    public const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Sign(message, ContentHash(message, async: false).GetAwaiter().GetResult());
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Sign(message, await ContentHash(message, async: true).ConfigureAwait(false));
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    private void Sign(HttpMessage message, string contentHash)
    {
        var request = message.Request;
        var uri = request.Uri.ToUri();
        var date = timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        // Authority is what HttpClient sends as Host: the port only when it is not the scheme's default.
        var stringToSign = $"{request.Method.Method.ToUpperInvariant()}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"HMAC-SHA256 SignedHeaders={SignedHeaders}&Signature={signature}");
    }

    private static async ValueTask<string> ContentHash(HttpMessage message, bool async)
    {
        var content = message.Request.Content;
        if (content is null)
        {
            return Convert.ToBase64String(SHA256.HashData(ReadOnlySpan<byte>.Empty));
        }
        using var buffer = new MemoryStream();
        if (async)
        {
            await content.WriteToAsync(buffer, message.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            content.WriteTo(buffer, message.CancellationToken);
        }
        return Convert.ToBase64String(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }
}
