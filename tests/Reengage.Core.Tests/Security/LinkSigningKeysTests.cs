using Reengage.Core.Security;

namespace Reengage.Core.Tests.Security;

public sealed class LinkSigningKeysTests
{
    private static readonly string Secret1 = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly string Secret2 = Convert.ToBase64String(Enumerable.Repeat((byte)250, 40).ToArray());

    [Fact]
    public void Keys_are_listed_signing_key_first()
    {
        Assert.True(LinkSigningKeys.TryParse($"k2:{Secret2},k1:{Secret1}", out var keys, out var error));
        Assert.Null(error);
        Assert.Equal(["k2", "k1"], keys.Select(key => key.Id));
        Assert.Equal(Enumerable.Repeat((byte)250, 40), keys[0].Secret);
    }

    [Fact]
    public void The_url_safe_alphabet_without_padding_is_accepted_too()
    {
        var urlSafe = Secret2.Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Assert.True(LinkSigningKeys.TryParse($"k2:{urlSafe}", out var keys, out _));
        Assert.Equal(Enumerable.Repeat((byte)250, 40), keys[0].Secret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("k1")]
    [InlineData("k 1:AAAA")]
    [InlineData(":AAAA")]
    [InlineData("k1:")]
    [InlineData("k1\n:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Anything_else_is_refused_with_a_reason(string? raw)
    {
        Assert.False(LinkSigningKeys.TryParse(raw, out var keys, out var error));
        Assert.Empty(keys);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_short_secret_is_refused_naming_its_key_not_its_value()
    {
        var shortSecret = Convert.ToBase64String(new byte[31]);
        Assert.False(LinkSigningKeys.TryParse($"k1:{Secret1},weak:{shortSecret}", out _, out var error));
        Assert.Contains("\"weak\"", error, StringComparison.Ordinal);
        Assert.DoesNotContain(shortSecret, error, StringComparison.Ordinal);
    }
}
