// Reading an admin body's fields without a 5xx: JSON may escape half of a UTF-16 pair (\ud800), which cannot be read.
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reengage.Core;
using Reengage.Functions.Http;

namespace Reengage.Functions.Admin;

public static class AdminBodies
{
    /// <summary>The value <paramref name="parse"/> reads, or null with a problem on the body when a string holds a lone surrogate.</summary>
    public static T? ParseOrRefuse<T>(Func<T?> parse, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(problems);
        try
        {
            return parse();
        }
        catch (InvalidOperationException)
        {
            problems.Add(new FieldProblem("(body)", "must not contain a lone UTF-16 surrogate"));
            return default;
        }
    }

    /// <summary>
    /// A body that may be left out (actions whose options are all optional): null when it is empty or blank, else read
    /// as <see cref="AdminHttp.ReadJsonAsync"/> does (413, 415, 400).
    /// </summary>
    public static async Task<JsonBody?> ReadOptionalJsonAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = await RequestBodies.ReadBytesAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null) return new JsonBody.Refused(Problems.TooLarge(maxBytes));
        if (string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(bytes))) return null;
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
}
