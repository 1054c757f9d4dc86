using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Testing;

namespace Reengage.LocalHost.Tests;

/// <summary>bookingWebhook served by the local host with the app's own composition: route, method and status mapping over real HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BookingWebhookOverHttpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_route_answers_each_outcome_with_its_status_and_only_to_post()
    {
        var root = RepositoryRoot.Find();
        var directory = TestApp.AppDirectory(
            File.ReadAllText(Path.Combine(root, "functions", "Reengage.FunctionApp", "host.json")),
            File.ReadAllText(Path.Combine(root, "local.settings.sample.json")));
        try
        {
            var clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(azurite.ConnectionString));
            await clients.EnsureCreatedAsync();
            var practices = new TablePracticeStore(clients.Practices, clients.Therapists);
            var practiceId = "prac_" + Guid.NewGuid().ToString("N")[..8];
            await practices.UpsertPracticeAsync(new Practice { Id = practiceId, Name = "Cabinet", SenderDisplayName = "Cabinet", CadenceDays = [30, 60, 120], SeasonalWindows = [] });
            await practices.UpsertSecretsAsync(new PracticeSecrets
            {
                PracticeId = practiceId,
                Webhooks = new Dictionary<WebhookSource, WebhookSecret> { [WebhookSource.Generic] = new("whsec_http", null, null) },
            });

            await using var host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
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
            var url = $"/api/webhooks/generic/{practiceId}";
            var occurredAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            var body = "{\"id\":\"evt_http\",\"type\":\"appointment.booked\",\"occurredAt\":\"" + occurredAt
                + "\",\"patient\":{\"id\":\"pat_http\",\"emailConsent\":true},\"appointment\":{\"id\":\"apt_http\",\"startsAt\":\"2030-01-01T10:00:00Z\"}}";

            using var accepted = await client.SendAsync(Signed(url, body, "whsec_http"));
            using var duplicate = await client.SendAsync(Signed(url, body, "whsec_http"));
            using var forged = await client.SendAsync(Signed(url, body, "whsec_forged"));
            using var get = await client.GetAsync(url);
            using var unknownSource = await client.SendAsync(Signed($"/api/webhooks/nosuchtool/{practiceId}", body, "whsec_http"));
            using var plainText = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "text/plain") });

            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal("""{"accepted":true,"id":"evt_http"}""", await accepted.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
            Assert.Equal("""{"duplicate":true,"id":"evt_http"}""", await duplicate.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
            // POST only: another method finds no function (404, as the Functions host answers).
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.NotEqual("application/problem+json", get.Content.Headers.ContentType?.MediaType);
            Assert.Equal("application/problem+json", unknownSource.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.NotFound, unknownSource.StatusCode);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainText.StatusCode);
            Assert.NotNull(await new TablePatientStore(clients.Patients).GetPatientAsync(practiceId, "pat_http"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static HttpRequestMessage Signed(string url, string body, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Reengage-Signature", WebhookSignature.HeaderValue(secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        return request;
    }
}
