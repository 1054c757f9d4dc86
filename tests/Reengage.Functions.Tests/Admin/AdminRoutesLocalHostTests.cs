using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Admin;

/// <summary>The credential, integration and template routes through the local host with the app's own composition.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AdminRoutesLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Rotation_integration_and_template_routes_are_served_with_the_AddReengage_composition()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-admin-routes-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(directory, "host.json"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var practiceId = "prac_routes_" + Guid.NewGuid().ToString("N")[..8];
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
            static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

            using var create = await client.PutAsync($"/api/practices/{practiceId}", Json("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}"""));
            var oldKey = (await create.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();
            client.DefaultRequestHeaders.Add("x-reengage-key", oldKey);

            using var rotated = await client.PostAsync($"/api/practices/{practiceId}/keys/rotate", null);
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            var newKey = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();
            client.DefaultRequestHeaders.Remove("x-reengage-key");
            client.DefaultRequestHeaders.Add("x-reengage-key", newKey);

            using var secret = await client.PostAsync($"/api/practices/{practiceId}/webhook-secrets/calcom/rotate", null);
            Assert.Equal(HttpStatusCode.OK, secret.StatusCode);
            using var therapist = await client.PutAsync($"/api/practices/{practiceId}/therapists/th_1", Json("""{"displayName":"Léa Martin","email":"lea@cabinet.example"}"""));
            using var mapping = await client.PutAsync($"/api/practices/{practiceId}/therapist-mapping", Json("""{"entries":[{"key":"calcom:eventType:1204","therapistId":"th_1"}]}"""));
            Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
            using var acuity = await client.PutAsync($"/api/practices/{practiceId}/integrations/acuity", Json("""{"userId":"11145481","apiKey":"acuity-key-0123456789abcdef"}"""));
            Assert.Equal(HttpStatusCode.Created, acuity.StatusCode);
            using var integrations = await client.GetAsync($"/api/practices/{practiceId}/integrations");
            var view = (await integrations.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal($"http://localhost:7071/api/webhooks/calcom/{practiceId}", view["sources"]!["calcom"]!["webhookUrl"]!.GetValue<string>());
            Assert.True(view["sources"]!["calcom"]!["configured"]!.GetValue<bool>());
            Assert.Equal(1, view["therapistMapping"]!["entries"]!.GetValue<int>());

            using var template = await client.GetAsync($"/api/practices/{practiceId}/templates/check-in/fr");
            Assert.Equal("library", (await template.Content.ReadFromJsonAsync<JsonObject>())!["source"]!.GetValue<string>());
            using var preview = await client.PostAsync($"/api/practices/{practiceId}/templates/check-in/fr/preview", null);
            Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            Assert.Equal("sample", (await preview.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.GetValue<string>());
            using var delete = await client.DeleteAsync($"/api/practices/{practiceId}/templates/check-in/fr");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            using var unknown = await client.GetAsync($"/api/practices/{practiceId}/templates/newsletter/fr");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
