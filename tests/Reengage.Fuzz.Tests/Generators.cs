using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Reengage.Fuzz.Tests;

/// <summary>FsCheck generators of hostile requests: methods, route values, headers and bodies.</summary>
public static class Generators
{
    private static readonly string[] AnyMethod = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

    /// <summary>Route values that are not what any route expects, escaped or deliberately not.</summary>
    public static Gen<string> OddSegment =>
        Gen.OneOf(
            Gen.Elements(
                "%20", "..%2F..%2Fadmin", "%2F", "%25", "%ZZ", "%ED%A0%80", "%C3%28", "%FF%FE", "%00", "~", "'", "%22",
                "%3Cscript%3E", "%C3%A9t%C3%A9", "%F0%9F%98%80", "a%7Cb", "x%23y", "x%3Fy", "con", "null", "-1",
                "0", "1e308", "prac%5C1", "%E2%80%AE", "a.b:c@d+e=f~g-h"),
            Gen.Elements(129, 600, 3000).Select(n => new string('a', n)),
            ArbMap.Default.GeneratorFor<string>().Select(s => Escape(s ?? "")).Where(s => s.Length > 0));

    /// <summary>Percent-encodes <paramref name="text"/>, a lone surrogate included (as the bytes of its CESU form).</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var rune in SplitKeepingLoneSurrogates(text))
        {
            builder.Append(rune);
        }
        return builder.ToString();
    }

    private static IEnumerable<string> SplitKeepingLoneSurrogates(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return Uri.EscapeDataString(text.Substring(i, 2));
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                var c = (int)text[i];
                yield return $"%{0xE0 | (c >> 12):X2}%{0x80 | ((c >> 6) & 0x3F):X2}%{0x80 | (c & 0x3F):X2}";
            }
            else
            {
                yield return Uri.EscapeDataString(text[i].ToString());
            }
        }
    }

    /// <summary>A value for the route parameter <paramref name="name"/>: mostly one that exists, else an odd one.</summary>
    public static Gen<string> RouteValue(string name, FuzzHostFixture host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var plausible = name switch
        {
            "practiceId" => Gen.Elements(host.A.Id, host.A.Id, host.A.Id, host.B.Id, "prac_unknown"),
            "therapistId" => Gen.Elements(FuzzHostFixture.TherapistId, "th_2", "th_fuzz"),
            "templateId" => Gen.Elements("check-in", "progress", "seasonal", "resource", "direct", "plan-follow-up", "no-pressure", "feedback", "newsletter"),
            "locale" => Gen.Elements("fr", "en", "de", "FR"),
            "source" => Gen.Elements("generic", "calcom", "calendly", "acuity", "zoom", "GENERIC"),
            "patientId" => Gen.Elements("pat_1", "pat_42", "erased-00000000000000000000000000000000"),
            _ => Gen.Elements("x", "abc.def", "eyJ2IjoxfQ.c2ln", "1"),
        };
        return Gen.Frequency((4, plausible), (1, OddSegment));
    }

    /// <summary>Random JSON: any value, nested a few levels, with odd numbers and strings.</summary>
    public static Gen<string> Json(int depth = 3)
    {
        var scalar = Gen.OneOf(
            Gen.Elements("null", "true", "false", "0", "-0", "1e400", "-1", "3.5", "9007199254740993", "\"\"", "\"\\ud800\"", "\"\\u0000\"", "\"fr\"", "\"th_1\"", "\"https://x.example\""),
            ArbMap.Default.GeneratorFor<int>().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ArbMap.Default.GeneratorFor<string>().Select(s => JsonSerializer.Serialize(s ?? "")));
        if (depth == 0) return scalar;
        var names = Gen.Elements("name", "timeZone", "email", "displayName", "entries", "key", "therapistId", "userId", "apiKey", "subject", "html", "text", "sources", "patientId", "secret", "v", "practiceId", "outreachId", "notBefore", "data", "eventType", "type", "", "__proto__", "constructor");
        var member = from name in Gen.Frequency((4, names), (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")))
                     from value in Json(depth - 1)
                     select JsonSerializer.Serialize(name) + ":" + value;
        var obj = Gen.ListOf(member).Select(members => "{" + string.Join(",", members.Take(6)) + "}");
        var array = Gen.ListOf(Json(depth - 1)).Select(items => "[" + string.Join(",", items.Take(6)) + "]");
        return Gen.Frequency((2, scalar), (3, obj), (1, array));
    }

    /// <summary>Bodies: none, random bytes, random JSON, broken JSON, bad UTF-8, huge, deeply nested, forms.</summary>
    public static Gen<byte[]?> Body(Gen<string> nearValid) =>
        Gen.Frequency(
            (2, Gen.Constant<byte[]?>(null)),
            (1, Gen.Constant<byte[]?>([])),
            (2, ArbMap.Default.GeneratorFor<byte[]>().Select(b => (byte[]?)b)),
            (4, Json().Select(Utf8)),
            (4, nearValid.Select(Utf8)),
            (1, Json().Select(j => Utf8(j.Length > 2 ? j[..(j.Length / 2)] : "{"))),
            (1, Gen.Elements<byte[]?>(
                [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8],
                [0xEF, 0xBB, 0xBF, .. "{}"u8],
                [.. "{\"name\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8],
                [0xFF, 0xFE, .. "{\u0000}"u8],
                Utf8(new string('[', 300) + new string(']', 300)),
                Utf8("{\"a\":1,\"a\":2}"),
                Utf8("rating=5&comment=%ZZ&x"))),
            (1, Gen.Elements(70_000, 800_000, 1_100_000).Select(n => Utf8("{\"name\":\"" + new string('a', n) + "\"}"))));

    private static byte[]? Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/problem+json", "application/x-www-form-urlencoded",
        "text/plain", "multipart/form-data; boundary=zz", "application/json; charset=latin1", "@@@", "", null,
    ];

    /// <summary>
    /// Headers: the practice key right (<c>@A</c>, replaced when sent by A's key of the moment), another practice's
    /// (<c>@B</c>), wrong, missing or absurd; signatures; odd extras.
    /// </summary>
    public static Gen<List<KeyValuePair<string, string>>> Headers()
    {
        var key = Gen.Frequency(
            (4, Gen.Constant("@A")),
            (1, Gen.Constant("@B")),
            (1, Gen.Elements("rk_wrong", "", " ", new string('k', 600), "rk_\u00e9")),
            (2, Gen.Constant<string?>(null).Select(_ => (string)null!)));
        var signature = Gen.Elements(
            ("Reengage-Signature", "t=1700000000,v1=00"), ("X-Cal-Signature-256", "deadbeef"), ("Calendly-Webhook-Signature", "t=1,v1=zz"),
            ("X-Acuity-Signature", "AAAA"), ("Accept", "text/html"), ("x-functions-key", "wrong"), ("X-Forwarded-For", "::1"), ("Accept-Language", "xx;q=2"));
        return from k in key
               from extras in Gen.ListOf(signature)
               select new List<KeyValuePair<string, string>>(
                   (k is null ? [] : new[] { KeyValuePair.Create("x-reengage-key", k) })
                   .Concat(extras.Take(3).Select(e => KeyValuePair.Create(e.Item1, e.Item2))));
    }

    /// <summary>Any request to <paramref name="function"/>'s route (its methods mostly, any other sometimes).</summary>
    public static Gen<FuzzRequest> Requests(HttpFunction function, FuzzHostFixture host, Gen<string> nearValid)
    {
        ArgumentNullException.ThrowIfNull(function);
        var method = function.Methods.Count == 0
            ? Gen.Elements(AnyMethod)
            : Gen.Frequency((5, Gen.Elements(function.Methods.ToArray())), (1, Gen.Elements(AnyMethod)));
        var values = function.Parameters.Aggregate(
            Gen.Constant(new Dictionary<string, string>()),
            (gen, name) => from map in gen
                           from value in RouteValue(name, host)
                           select new Dictionary<string, string>(map) { [name] = value });
        var query = Gen.Elements("", "", "", "?days=7", "?days=-1", "?days=99999999999999999999", "?days=abc", "?code=x", "?%ZZ=1", "?days=7&days=8");
        return from m in method
               from routeValues in values
               from q in query
               from headers in Headers()
               from contentType in Gen.Elements(ContentTypes)
               from body in Body(nearValid)
               select new FuzzRequest(
                   m,
                   "/api/" + string.Join("/", function.Route.Split('/').Select(s => s.StartsWith('{') ? Param(s, routeValues) : s)) + q,
                   headers,
                   contentType,
                   m is "GET" or "HEAD" && body is { Length: > 0 } ? null : body);
    }

    private static string Param(string segment, Dictionary<string, string> values)
    {
        var name = segment.Trim('{', '}', '*').Split(':')[0].TrimEnd('?');
        var value = values[name];
        // Plausible values are plain ids; odd ones arrive escaped already.
        return value.Contains('%', StringComparison.Ordinal) || value.All(c => char.IsAsciiLetterOrDigit(c) || "_-.:@+=~".Contains(c, StringComparison.Ordinal)) ? value : Escape(value);
    }
}
