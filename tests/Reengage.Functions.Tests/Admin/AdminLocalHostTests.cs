using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Admin;

/// <summary>The admin routes as the local host serves them from the function attributes, with the app's composition.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AdminLocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_admin_routes_and_methods_are_served_with_the_AddReengage_composition()
    {
        var directory = Directory.CreateTempSubdirectory("reengage-admin-host-").FullName;
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

            var admin = host.Functions
                .Where(f => f.Name is "putPractice" or "getPractice" or "putTherapist" or "listTherapists" or "exportPatient" or "erasePatient")
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => $"{f.Name} {string.Join(",", f.HttpMethods)} {f.Route} {f.AuthLevel}");
            Assert.Equal(
                [
                    "erasePatient DELETE practices/{practiceId}/patients/{patientId} Function",
                    "exportPatient GET practices/{practiceId}/patients/{patientId}/export Function",
                    "getPractice GET practices/{practiceId} Function",
                    "listTherapists GET practices/{practiceId}/therapists Function",
                    "putPractice PUT practices/{practiceId} Function",
                    "putTherapist PUT practices/{practiceId}/therapists/{therapistId} Function",
                ],
                admin);

            using var create = await client.PutAsync(
                $"/api/practices/{practiceId}",
                new StringContent("""{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            Assert.Equal($"/api/practices/{practiceId}", create.Headers.Location?.OriginalString);
            Assert.True(create.Headers.CacheControl?.NoStore);
            var key = (await create.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();

            using var unauthorized = await client.GetAsync($"/api/practices/{practiceId}");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            Assert.Equal("ApiKey header=\"x-reengage-key\"", unauthorized.Headers.WwwAuthenticate.ToString());

            client.DefaultRequestHeaders.Add("x-reengage-key", key);
            using var read = await client.GetAsync($"/api/practices/{practiceId}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("Cabinet", (await read.Content.ReadFromJsonAsync<JsonObject>())!["name"]!.GetValue<string>());

            using var therapist = await client.PutAsync(
                $"/api/practices/{practiceId}/therapists/th_1",
                new StringContent("""{"displayName":"Léa Martin","email":"lea@cabinet.example"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, therapist.StatusCode);
            using var list = await client.GetAsync($"/api/practices/{practiceId}/therapists");
            Assert.Equal("th_1", (await list.Content.ReadFromJsonAsync<JsonObject>())!["therapists"]![0]!["id"]!.GetValue<string>());

            using var export = await client.GetAsync($"/api/practices/{practiceId}/patients/pat_1/export");
            Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
            Assert.Equal("application/problem+json", export.Content.Headers.ContentType?.MediaType);

            // The erasure of a patient never known: nothing to erase.
            using var erase = await client.DeleteAsync($"/api/practices/{practiceId}/patients/pat_1");
            Assert.Equal(HttpStatusCode.NotFound, erase.StatusCode);
            Assert.Equal("application/problem+json", erase.Content.Headers.ContentType?.MediaType);

            // Only the declared methods are served on these routes.
            using var post = await client.PostAsync($"/api/practices/{practiceId}", new StringContent("{}", Encoding.UTF8, "application/json"));
            using var putPatient = await client.PutAsync($"/api/practices/{practiceId}/patients/pat_1", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.False(post.IsSuccessStatusCode);
            Assert.False(putPatient.IsSuccessStatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
