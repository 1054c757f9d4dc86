using System.Security.Cryptography;
using System.Text;
using Reengage.Core.Booking;

namespace Reengage.Core.Tests.Booking;

public sealed class WebhookSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2027-01-05T09:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
    // 2027-01-05T09:30:00Z in Unix seconds, as Node's Date.parse gives it.
    private const long T = 1799141400;
    private const string Body = """{"id":"evt_1"}""";
    private static readonly string[] Secrets = ["whsec_test"];

    // The test's own HMAC, so that no expected value comes from the code under test.
    private static string Hmac(string secret, long t, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));

    private static SignatureCheck Verify(string? header, string body = Body, IReadOnlyList<string>? secrets = null) =>
        WebhookSignature.Verify(header, Encoding.UTF8.GetBytes(body), secrets ?? Secrets, Now);

    [Theory]
    // Computed with Node: createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex').
    [InlineData("whsec_test", """{"id":"evt_1"}""", "4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a")]
    [InlineData("whsec_test", """{"firstName":"Noé"}""", "bd4fdbad1b459374bbe39f655485fba30e1a59f8074a44478b4dd4def6a79d26")]
    [InlineData("clé-secrète", "{}", "d81791dbd90cab244541bdad5e87e924302bbf51d17ec4aaa83ba8aed76866f7")]
    public void Sign_gives_what_Nodes_crypto_gives(string secret, string body, string expected)
    {
        Assert.Equal(expected, WebhookSignature.Sign(secret, T, body));
        Assert.Equal(expected, WebhookSignature.Sign(secret, T, Encoding.UTF8.GetBytes(body)));
        Assert.Equal($"t=1799141400,v1={expected}", WebhookSignature.HeaderValue(secret, T, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_header_signed_by_Node_verifies() =>
        Assert.Equal(SignatureCheck.Valid, Verify("t=1799141400,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a"));

    [Fact]
    public void The_previous_secret_verifies_during_a_rotation_among_several_v1()
    {
        var header = $"t={T},v1={Hmac("old", T, Body)},v1={Hmac("other", T, Body)}";
        Assert.Equal(SignatureCheck.Valid, Verify(header, secrets: ["new", "old"]));
        Assert.Equal(SignatureCheck.Mismatch, Verify(header, secrets: ["new"]));
    }

    [Fact]
    public void Uppercase_hex_and_spaces_around_parts_are_accepted()
    {
        var header = $" t = {T} , v1 = {Hmac("whsec_test", T, Body).ToUpperInvariant()} ";
        Assert.Equal(SignatureCheck.Valid, Verify(header));
    }

    [Fact]
    public void A_valid_signature_among_junk_parts_verifies()
    {
        var header = $"v0=abc,junk,t=nope,t={T},v1={Hmac("whsec_test", T, Body)},v1={new string('0', 64)}";
        Assert.Equal(SignatureCheck.Valid, Verify(header));
    }

    [Fact]
    public void A_forged_signature_is_a_mismatch()
    {
        Assert.Equal(SignatureCheck.Mismatch, Verify($"t={T},v1={Hmac("forged", T, Body)}"));
        Assert.Equal(SignatureCheck.Mismatch, Verify($"t={T},v1={new string('0', 64)}"));
    }

    [Fact]
    public void A_modified_body_is_a_mismatch() =>
        Assert.Equal(SignatureCheck.Mismatch, Verify($"t={T},v1={Hmac("whsec_test", T, Body)}", Body + " "));

    [Fact]
    public void A_signature_moved_to_another_timestamp_is_a_mismatch() =>
        Assert.Equal(SignatureCheck.Mismatch, Verify($"t={T - 1},v1={Hmac("whsec_test", T, Body)}"));

    [Fact]
    public void No_secret_verifies_nothing() =>
        Assert.Equal(SignatureCheck.Mismatch, Verify($"t={T},v1={Hmac("whsec_test", T, Body)}", secrets: []));

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    [InlineData(10_000)]
    public void A_correctly_signed_but_old_or_future_timestamp_is_expired(long skew)
    {
        var t = T + skew;
        Assert.Equal(SignatureCheck.Expired, Verify($"t={t},v1={Hmac("whsec_test", t, Body)}"));
    }

    [Fact]
    public void Expiry_is_checked_before_the_signature_so_an_old_forgery_is_also_refused() =>
        Assert.Equal(SignatureCheck.Expired, Verify($"t={T - 301},v1={Hmac("forged", T - 301, Body)}"));

    [Theory]
    [InlineData(-300)]
    [InlineData(-299)]
    [InlineData(0)]
    [InlineData(300)]
    public void A_timestamp_within_300_seconds_either_way_verifies(long skew)
    {
        var t = T + skew;
        Assert.Equal(SignatureCheck.Valid, Verify($"t={t},v1={Hmac("whsec_test", t, Body)}"));
    }

    [Fact]
    public void The_window_follows_the_now_passed_in()
    {
        var header = $"t={T},v1={Hmac("whsec_test", T, Body)}";
        var bytes = Encoding.UTF8.GetBytes(Body);
        Assert.Equal(SignatureCheck.Expired, WebhookSignature.Verify(header, bytes, Secrets, Now.AddSeconds(301)));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(header, bytes, Secrets, Now.AddSeconds(300.9)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_header_is_missing(string? header) => Assert.Equal(SignatureCheck.Missing, Verify(header));

    [Theory]
    [InlineData("v1=abc")]
    [InlineData(" ")]
    [InlineData("t=1799141400")]
    [InlineData("t=1799141400,v1=abc")]
    [InlineData("t=1799141400,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977")]
    [InlineData("t=1799141400,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977ag")]
    [InlineData("t=-1799141400,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a")]
    [InlineData("t=1799141400000,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a")]
    [InlineData("t=１７９９１４１４００,v1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a")]
    [InlineData("T=1799141400,V1=4d2b9da36f17902135353dbd8365fc5ea8ec49e7fd6737cd089b0428a528977a")]
    public void A_header_without_a_usable_t_and_v1_is_malformed(string header) =>
        Assert.Equal(SignatureCheck.Malformed, Verify(header));

    [Fact]
    public void The_signature_covers_the_raw_bytes_not_a_re_encoding()
    {
        // The same text with a byte-order mark in front: different bytes, so a different signature.
        var withBom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Body)).ToArray();
        var header = $"t={T},v1={Hmac("whsec_test", T, Body)}";
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(header, withBom, Secrets, Now));
    }
}
