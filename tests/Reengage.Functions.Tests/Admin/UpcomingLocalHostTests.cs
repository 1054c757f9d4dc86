using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Admin;

/// <summary>GET upcoming through the local host with the app's own composition (AddReengage registers the forecast).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UpcomingLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Upcoming_is_served_with_the_AddReengage_composition()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-upcoming-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(directory, "host.json"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 2, 1, 4, 0, 0, TimeSpan.Zero));
        var practiceId = "prac_upcoming_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                Port = 0,
                AppDirectory = directory,
                Settings = SampleSettings.ForAzurite(azurite.ConnectionString, Path.Combine(directory, "outbox")),
                Configure = builder =>
                {
                    builder.AddReengage();
                    builder.Services.AddSingleton<TimeProvider>(clock);
                },
            });
            Assert.Equal(
                "upcomingSends GET practices/{practiceId}/upcoming Function",
                host.Functions.Where(f => f.Name == "upcomingSends").Select(f => $"{f.Name} {string.Join(",", f.HttpMethods)} {f.Route} {f.AuthLevel}").Single());
            using var client = new HttpClient { BaseAddress = host.BaseUrl };
            using var create = await client.PutAsync(
                $"/api/practices/{practiceId}",
                new StringContent("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""", Encoding.UTF8, "application/json"));
            var key = (await create.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();

            using var refused = await client.GetAsync($"/api/practices/{practiceId}/upcoming");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            client.DefaultRequestHeaders.Add("x-reengage-key", key);
            using var invalid = await client.GetAsync($"/api/practices/{practiceId}/upcoming?days=32");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            using var answer = await client.GetAsync($"/api/practices/{practiceId}/upcoming?days=3");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var report = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(3, report["days"]!.GetValue<int>());
            Assert.Equal("2027-02-04T04:00:00.000Z", report["until"]!.GetValue<string>());
            Assert.Empty(report["items"]!.AsArray());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
