using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reengage.Core;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Tables;

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("pat_1", "pat_1")]
    [InlineData("a/b\\c#d?e", "a~2Fb~5Cc~23d~3Fe")]
    [InlineData("100%'~", "100~25~27~7E")]
    [InlineData("tab\tnul\0del\u007fc1\u0085", "tab~09nul~00del~7Fc1~85")]
    [InlineData("pipe|kept", "pipe|kept")]
    [InlineData("Zoé 👋🏽", "Zoé 👋🏽")]
    public void Escapes_what_the_service_refuses_and_nothing_else(string id, string key)
    {
        Assert.Equal(key, TableKeys.Of(id));
        Assert.Equal(id, TableKeys.Decode(key));
    }

    [Fact]
    public void Lone_surrogates_become_a_u_escape_and_pairs_stay()
    {
        // Not theory data: xunit replaces a lone surrogate when it serializes a theory argument.
        Assert.Equal("~uD800x", TableKeys.Of("\ud800x"));
        Assert.Equal("x~uDC00", TableKeys.Of("x\udc00"));
        Assert.Equal("~uDC00\ud83d\udc4b~uD800", TableKeys.Of("\udc00\ud83d\udc4b\ud800"));
        Assert.Equal("\ud800x", TableKeys.Decode("~uD800x"));
    }

    [Property]
    public void The_encoding_is_reversible_and_never_yields_a_refused_character(string? value)
    {
        value ??= "";
        var key = TableKeys.Of(value);
        Assert.Equal(value, TableKeys.Decode(key));
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' or '%' or '\'' or < ' ' or (>= '\u007f' and <= '\u009f'));
        Assert.False(TableKeys.HasLoneSurrogate(key));
    }

    [Property]
    public void The_encoding_preserves_prefixes(NonNull<string> a, NonNull<string> b)
    {
        // Unless a ends and b starts with the halves of one surrogate pair.
        if (a.Get.Length > 0 && char.IsHighSurrogate(a.Get[^1]) && b.Get.Length > 0 && char.IsLowSurrogate(b.Get[0])) return;
        Assert.Equal(TableKeys.Of(a.Get) + TableKeys.Of(b.Get), TableKeys.Of(a.Get + b.Get));
    }

    [Fact]
    public void Surrogate_pairs_from_any_plane_are_kept()
    {
        var arbitrary = Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32);
        foreach (var pair in arbitrary.Sample(200, 50))
        {
            Assert.Equal(pair, TableKeys.Of(pair));
        }
    }

    [Fact]
    public void A_key_longer_than_the_service_allows_is_invalid_input_naming_the_id()
    {
        var error = Assert.Throws<ReengageException>(() => TableKeys.Checked(new string('/', 200), "patient id"));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.Contains("patient id", error.Message, StringComparison.Ordinal);
        Assert.Equal(new string('x', 512), TableKeys.Checked(new string('x', 512), "patient id"));
    }

    [Fact]
    public void Bounded_keys_hash_long_ids_deterministically_into_a_form_no_escaped_key_takes()
    {
        var longId = new string('x', 201);
        var key = TableKeys.Bounded(longId);
        Assert.Equal(66, key.Length);
        Assert.StartsWith("~h", key, StringComparison.Ordinal);
        Assert.Equal(key, TableKeys.Bounded(longId));
        Assert.NotEqual(key, TableKeys.Bounded(new string('x', 200) + "y"));
        Assert.Equal(new string('x', 200), TableKeys.Bounded(new string('x', 200)));
    }

    [Fact]
    public void A_range_selects_exactly_the_keys_that_start_with_the_prefix_and_a_pipe()
    {
        var (from, to) = TableKeys.RangeOf("pat_1");
        bool Inside(string key) => string.CompareOrdinal(key, from) >= 0 && string.CompareOrdinal(key, to) < 0;
        Assert.True(Inside(TableKeys.Of("pat_1|lapse|2026-12-01|1")));
        Assert.True(Inside(TableKeys.Of("pat_1|")));
        Assert.False(Inside(TableKeys.Of("pat_10|lapse|2026-12-01|1")));
        Assert.False(Inside(TableKeys.Of("pat_1}|x")));
        Assert.False(Inside(TableKeys.Of("pat_1~|x")));
        Assert.False(Inside(TableKeys.Of("pat_|x")));
        Assert.False(Inside("pat_1"));
    }
}
