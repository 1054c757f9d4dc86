using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Functions.Tests.OpenApi;

/// <summary>GET /api/openapi.json through the local host with the app's own composition: anonymous, JSON, cacheable.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenApiLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_document_is_served_anonymously_as_JSON_with_an_ETag_that_answers_304()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-openapi-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(directory, "host.json"));
        try
        {
            await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                Port = 0,
                AppDirectory = directory,
                Settings = SampleSettings.ForAzurite(azurite.ConnectionString, Path.Combine(directory, "outbox")),
                Configure = builder => builder.AddReengage(),
            });
            using var client = new HttpClient { BaseAddress = host.BaseUrl };

            using var response = await client.GetAsync("/api/openapi.json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
            Assert.Equal(["*"], response.Headers.GetValues("Access-Control-Allow-Origin"));
            var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotNull(document["paths"]!["/practices/{practiceId}"]!["put"]);

            var etag = response.Headers.ETag!;
            using var again = new HttpRequestMessage(HttpMethod.Get, "/api/openapi.json");
            again.Headers.IfNoneMatch.Add(etag);
            using var notModified = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

            using var other = new HttpRequestMessage(HttpMethod.Get, "/api/openapi.json");
            other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"another\""));
            using var full = await client.SendAsync(other);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
