using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Report;

/// <summary>The report route as the local host serves it from the function attributes, with the AddReengage composition.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReportLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_report_is_served_at_its_route_as_JSON_or_CSV_and_only_to_GET()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-report-host-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(directory, "host.json"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var practiceId = "prac_host_" + Guid.NewGuid().ToString("N")[..8];
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
            using var client = new HttpClient { BaseAddress = host.BaseUrl };
            var report = Assert.Single(host.Functions, f => f.Name == "practiceReport");
            Assert.Equal("practiceReport GET practices/{practiceId}/report Function", $"{report.Name} {string.Join(",", report.HttpMethods)} {report.Route} {report.AuthLevel}");

            using var create = await client.PutAsync(
                $"/api/practices/{practiceId}",
                new StringContent("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            var key = (await create.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();

            using var unauthorized = await client.GetAsync($"/api/practices/{practiceId}/report");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

            client.DefaultRequestHeaders.Add("x-reengage-key", key);
            using var json = await client.GetAsync($"/api/practices/{practiceId}/report?from=2027-01-01&to=2027-02-01&lang=fr");
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            Assert.True(json.Headers.CacheControl?.NoStore);
            var body = (await json.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(8, body["groups"]!.AsArray().Count);
            Assert.Equal(0, body["total"]!["planned"]!.GetValue<int>());
            Assert.Equal("insufficient_data", body["holdout"]!["verdict"]!["code"]!.GetValue<string>());

            using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/practices/{practiceId}/report?from=2027-01-01&to=2027-02-01");
            csvRequest.Headers.Accept.ParseAdd("text/csv");
            using var csv = await client.SendAsync(csvRequest);
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var bytes = await csv.Content.ReadAsByteArrayAsync();
            // The UTF-8 byte-order mark reaches the client through the host (Excel needs it to read the accents).
            Assert.Equal([0xEF, 0xBB, 0xBF, .. "row,"u8.ToArray()], bytes[..7]);
            using var frenchRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/practices/{practiceId}/report?from=2027-01-01&to=2027-02-01&lang=fr");
            frenchRequest.Headers.Accept.ParseAdd("text/csv");
            using var french = await client.SendAsync(frenchRequest);
            Assert.Equal([0xEF, 0xBB, 0xBF, .. "row;"u8.ToArray()], (await french.Content.ReadAsByteArrayAsync())[..7]);

            using var badQuery = await client.GetAsync($"/api/practices/{practiceId}/report?groupBy=week");
            Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);

            // Only GET is served on the route, and nothing under it: the host answers 404, as the Functions host does.
            using var post = await client.PostAsync($"/api/practices/{practiceId}/report", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
            using var below = await client.GetAsync($"/api/practices/{practiceId}/report/2027");
            Assert.Equal(HttpStatusCode.NotFound, below.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
