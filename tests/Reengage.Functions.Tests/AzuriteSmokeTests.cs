using Azure.Data.Tables;

namespace Reengage.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteSmokeTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task The_test_run_starts_its_own_Azurite_on_loopback()
    {
        var azurite = await fixture.GetAsync();
        Assert.Equal("127.0.0.1", azurite.TableServiceUri.Host);
        var table = new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("smoke"));
        await table.CreateAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["Value"] = "é" });
        var read = await table.GetEntityAsync<TableEntity>("p", "r");
        Assert.Equal("é", read.Value.GetString("Value"));
    }
}
