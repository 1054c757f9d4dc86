using Reengage.Core.Model;

namespace Reengage.Core.Tests;

public sealed class WireTests
{
    [Theory]
    [InlineData(TemplateId.CheckIn, "check-in")]
    [InlineData(TemplateId.PlanFollowUp, "plan-follow-up")]
    [InlineData(TemplateId.NoPressure, "no-pressure")]
    public void Template_ids_have_the_names_of_the_contract(TemplateId id, string name)
    {
        Assert.Equal(name, Wire.Name(id));
        Assert.True(Wire.TryParse<TemplateId>(name, out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData("In_Care")]
    [InlineData("InCare")]
    [InlineData("")]
    [InlineData(null)]
    public void Only_exact_wire_names_parse(string? name) => Assert.False(Wire.TryParse<CareStatus>(name, out _));

    [Fact]
    public void Outreach_ids_join_the_key_parts_with_bars() =>
        Assert.Equal("pat_1|lapse|2026-10-01|2", new OutreachKey("pat_1", Campaign.Lapse, "2026-10-01", 2).Id);
}
