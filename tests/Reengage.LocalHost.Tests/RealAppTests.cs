using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Reengage.Testing;

namespace Reengage.LocalHost.Tests;

/// <summary>The app itself, with its own composition, its host.json and the sample settings, against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealAppTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_function_of_the_app_is_served_with_the_AddReengage_composition_and_the_sample_settings()
    {
        var root = RepositoryRoot.Find();
        var directory = TestApp.AppDirectory(
            File.ReadAllText(Path.Combine(root, "functions", "Reengage.FunctionApp", "host.json")),
            File.ReadAllText(Path.Combine(root, "local.settings.sample.json")));
        try
        {
            var defaults = new LocalFunctionsHostOptions();
            var declared = defaults.FunctionAssemblies.SelectMany(a => a.GetTypes())
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList();

            await using var host = await LocalFunctionsHost.StartAsync(defaults with
            {
                Port = 0,
                AppDirectory = directory,
                Settings = new Dictionary<string, string?>
                {
                    ["ReengageStorage"] = azurite.ConnectionString,
                    ["AzureWebJobsStorage"] = azurite.ConnectionString,
                },
            });
            using var client = new HttpClient { BaseAddress = host.BaseUrl };

            Assert.Equal("Reengage.Functions", Assert.Single(defaults.FunctionAssemblies).GetName().Name);
            Assert.NotEmpty(declared);
            Assert.Equal(declared, host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/admin/host/status")).StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
