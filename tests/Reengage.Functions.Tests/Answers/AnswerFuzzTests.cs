using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Reengage.Functions.Tests.Answers;

/// <summary>
/// Arbitrary tokens, methods and form bodies (FsCheck generators, a fixed seed per case so a failure replays) against the
/// three functions: never a 5xx, only documented statuses; a refused request, and any token that is not one the email
/// carried, changes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AnswerFuzzTests(AzuriteFixture fixture) : AnswerTestBase(fixture)
{
    private static readonly int[] Documented = [200, 302, 303, 400, 404, 405, 410, 413, 415];

    private sealed record Probe(string Route, string Token, string Method, string? ContentType, string Body);

    private static Gen<string> Mutated(string[] tokens) =>
        from token in Gen.Elements(tokens)
        from other in Gen.Elements(tokens)
        from at in Gen.Choose(0, token.Length - 1)
        from c in Gen.Elements("AZaz09-_.%/ é\u0000".ToCharArray())
        from junk in ArbMap.Default.GeneratorFor<string>()
        from kind in Gen.Choose(0, 7)
        select kind switch
        {
            0 => token[..at] + c + token[(at + 1)..],
            1 => token[..at],
            2 => token + c,
            3 => token[..token.IndexOf('.', StringComparison.Ordinal)] + other[other.IndexOf('.', StringComparison.Ordinal)..],
            4 => junk ?? "",
            5 => new string('A', 1500) + "." + token,
            6 => Uri.EscapeDataString(junk ?? "") + "." + token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..],
            _ => token.Replace('.', c),
        };

    private static Gen<(string? ContentType, string Body)> Bodies =>
        from text in ArbMap.Default.GeneratorFor<string>()
        from rating in Gen.Elements("1", "5", "0", "6", "", "3.0", "%FF", "5&rating=1")
        from length in Gen.Elements(0, 10, 1999, 2000, 2001, 40_000)
        from kind in Gen.Choose(0, 6)
        select kind switch
        {
            0 => ("application/x-www-form-urlencoded", $"rating={rating}&comment={Uri.EscapeDataString(text ?? "")}"),
            1 => ("application/x-www-form-urlencoded", $"rating={rating}&comment={new string('é', length)}"),
            2 => ((string?)"multipart/form-data; boundary=zz", $"--zz\r\nContent-Disposition: form-data; name=\"rating\"\r\n\r\n{rating}\r\n--zz\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n{text}\r\n--zz--\r\n"),
            3 => ("multipart/form-data; boundary=\"" + text + "\"", text ?? ""),
            4 => ("application/json", "{\"rating\":5}"),
            5 => (null, text ?? ""),
            _ => ("application/x-www-form-urlencoded", text ?? ""),
        };

    private static Gen<Probe> Probes(string[] tokens) =>
        from route in Gen.Elements("r", "feedback", "unsubscribe")
        from original in Gen.Elements(true, false)
        from token in original ? Gen.Elements(tokens) : Mutated(tokens)
        from method in Gen.Elements("GET", "HEAD", "POST", "POST", "PUT", "DELETE")
        from body in Bodies
        select new Probe(route, token, method, body.ContentType, body.Body);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Arbitrary_requests_get_a_documented_status_and_refused_or_forged_ones_change_nothing(int seed)
    {
        var links = await SendEmailAsync(seed % 2 == 0 ? Core.Model.Locale.Fr : Core.Model.Locale.En);
        World.Clock.Advance(TimeSpan.FromHours(2));
        var tokens = links.All.Select(TokenOf).ToArray();
        var probes = Probes(tokens).Sample(40, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 40);

        foreach (var probe in probes)
        {
            var before = await SnapshotAsync();
            var url = $"{Base}{probe.Route}/{Uri.EscapeDataString(probe.Token)}";

            var answer = await SendAsync(probe.Method, url, probe.Method is "GET" or "HEAD" ? null : Encoding.UTF8.GetBytes(probe.Body), probe.ContentType);

            var what = $"{probe.Method} {probe.Route}/{probe.Token} [{probe.ContentType}] {probe.Body[..Math.Min(80, probe.Body.Length)]}";
            Assert.True(Documented.Contains(answer.Status), $"{answer.Status} for {what}");
            if (answer.Status >= 400 || !tokens.Contains(probe.Token)) AssertSame(before, await SnapshotAsync());
        }
    }
}
