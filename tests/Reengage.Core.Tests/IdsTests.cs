using Reengage.Core.Model;

namespace Reengage.Core.Tests;

public sealed class IdsTests
{
    [Fact]
    public void Operation_ids_are_the_UUIDv5_the_TypeScript_implementation_derived()
    {
        // Expected value computed with Node's crypto (SHA-1 over namespace + name), independently of this code.
        Assert.Equal("72161c0b-6418-5626-85fb-6a58edaae5f6", Ids.OperationIdOf("prac_1", "pat_1|lapse|2026-10-01|1"));
    }

    [Fact]
    public void Operation_ids_differ_by_practice() =>
        Assert.NotEqual(Ids.OperationIdOf("prac_1", "pat_1|lapse|2026-10-01|1"), Ids.OperationIdOf("prac_2", "pat_1|lapse|2026-10-01|1"));

    [Fact]
    public void Address_hashes_ignore_case_and_surrounding_spaces()
    {
        const string expected = "a2e7502041e32202139d2ef67ee01cef84543a2c89dc4269121aec27f9881b61";
        Assert.Equal(expected, Ids.AddressHashOf("prac_1", "camille@example.org"));
        Assert.Equal(expected, Ids.AddressHashOf("prac_1", "  Camille@Example.ORG "));
    }

    [Theory]
    [InlineData("pat_42", true)]
    [InlineData("a", true)]
    [InlineData("_leading", false)]
    [InlineData("has|bar", false)]
    [InlineData("has space", false)]
    [InlineData("pat_1\n", false)]
    [InlineData("", false)]
    public void Ids_keep_to_a_safe_alphabet(string id, bool valid) => Assert.Equal(valid, Ids.IsValid(id));

    [Fact]
    public void Ids_are_at_most_128_characters()
    {
        Assert.True(Ids.IsValid(new string('a', 128)));
        Assert.False(Ids.IsValid(new string('a', 129)));
    }

    [Fact]
    public void Outreach_ids_parse_back_to_their_key()
    {
        Assert.Equal(new OutreachKey("pat_1", Campaign.Seasonal, "2027:new-year", 1), Ids.ParseOutreachId("pat_1|seasonal|2027:new-year|1"));
        Assert.Null(Ids.ParseOutreachId("pat_1|lapse|2026-10-01|0"));
        Assert.Null(Ids.ParseOutreachId("pat_1|other|2026-10-01|1"));
        Assert.Null(Ids.ParseOutreachId("pat_1|lapse||1"));
        Assert.Null(Ids.ParseOutreachId("pat_1|lapse|2026-10-01"));
    }
}
