using Microsoft.AspNetCore.Http;

namespace Reengage.Functions.Http;

/// <summary>Bounded reads of request bodies: the raw bytes first (signatures are checked over them), never more than asked.</summary>
public static class RequestBodies
{
    /// <summary>The raw bytes, or null when there are more than <paramref name="maxBytes"/> (by header first, then by what arrived).</summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } declared && declared > maxBytes) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary><c>application/json</c> or any <c>application/*+json</c>, whatever its parameters.</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return false;
        var type = contentType.Split(';')[0].Trim();
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Tabs and line breaks are fine in free text when <paramref name="multiline"/>; other C0 controls, DEL and lone surrogates are not.</summary>
    public static bool IsCleanText(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }
                return false;
            }
            if (char.IsLowSurrogate(c)) return false;
            var lineBreak = c is '\n' or '\r' or '\t';
            if ((c < 0x20 && !(multiline && lineBreak)) || c == 0x7f) return false;
        }
        return true;
    }
}
