using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Booking;
using Reengage.Functions;
using Reengage.LocalHost;

namespace Reengage.EndToEnd.Tests;

/// <summary>
/// The outreach pipeline as its users see it, over real HTTP through the local host: an integrator creates the practice
/// through the admin routes, a booking tool sends signed webhooks, the timers plan, <c>sendOutreach</c> sends into the
/// outbox. Only routes, function names, table names and the queue message format are used: the contract.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineFlowTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const string PracticeId = "cabinet-e2e";
    private const string SigningKeys = "e2e1:RU5EIFRPIEVORCBURVNUUyBPTkxZIC0gbmV2ZXIgdXNlIHRoaXMga2V5IGluIEF6dXJl";

    // Visits on Tuesday 3 November 2026; thirty days later is Thursday 3 December, a working day in Paris.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 3, 18, 0, 0, TimeSpan.Zero));
    private readonly string _outbox = Directory.CreateTempSubdirectory("reengage-e2e-outbox-").FullName;
    private LocalFunctionsHost _host = null!;
    private HttpClient _http = null!;
    private string _webhookSecret = "";

    public async Task InitializeAsync()
    {
        _host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            Settings = new Dictionary<string, string?>
            {
                ["ReengageStorage"] = fixture.Azurite.ConnectionString,
                ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString,
                ["PUBLIC_BASE_URL"] = "http://127.0.0.1:7071",
                ["LINK_SIGNING_KEYS"] = SigningKeys,
                ["EMAIL_TRANSPORT"] = "outbox",
                ["OUTBOX_DIR"] = _outbox,
                ["LAPSED_SCAN_SCHEDULE"] = "0 0 5 * * *",
                ["MILESTONE_SCAN_SCHEDULE"] = "0 15 5 * * *",
                ["SEASONAL_SCAN_SCHEDULE"] = "0 30 5 * * *",
                ["RETENTION_SWEEP_SCHEDULE"] = "0 0 3 * * 0",
            },
            Configure = builder =>
            {
                builder.AddReengage();
                builder.Services.AddSingleton<TimeProvider>(_clock);
            },
        });
        _http = new HttpClient { BaseAddress = _host.BaseUrl };
        await ClearTablesAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_outbox, recursive: true);
    }

    [Fact]
    public async Task History_in_timers_plan_the_right_templates_and_sendOutreach_writes_each_email_once()
    {
        await CreatePracticeAsync();
        // Camille: a completed visit, then silence: the 30-day check-in (template 1).
        await BookAndCompleteAsync("pat_camille", "Camille", "camille@example.org", consent: true);
        // Louis: the same, but he books again after the planner ran and before the email went out.
        await BookAndCompleteAsync("pat_louis", "Louis", "louis@example.org", consent: true);
        // Jade never agreed to emails: planned as skipped, never sent.
        await BookAndCompleteAsync("pat_jade", "Jade", "jade@example.org", consent: false);

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 5, 0, 0, TimeSpan.Zero));
        await _host.InvokeAsync("planLapsedOutreach");
        var rows = await LedgerAsync();
        Assert.Equal(3, rows.Count);
        Assert.Equal(("check-in", "planned"), (rows["pat_camille"].GetString("templateId"), rows["pat_camille"].GetString("status")));
        Assert.Equal("planned", rows["pat_louis"].GetString("status"));
        Assert.Equal("skipped:no_consent", rows["pat_jade"].GetString("status"));

        // The timer fires again (a retry, a second instance): nothing new is planned.
        await _host.InvokeAsync("planLapsedOutreach");
        Assert.Equal(3, (await LedgerAsync()).Count);

        await PostEventAsync(new JsonObject
        {
            ["id"] = "evt_louis_rebook",
            ["type"] = "appointment.booked",
            ["occurredAt"] = Iso(_clock.GetUtcNow()),
            ["patient"] = new JsonObject { ["id"] = "pat_louis" },
            ["appointment"] = new JsonObject { ["id"] = "apt_louis_2", ["startsAt"] = "2026-12-10T10:00:00+01:00", ["therapistId"] = "th_lea" },
        });

        // The send slots open at 09:30 in Paris; the queue's own visibility runs on real time, so the test delivers each
        // planned row's message itself once the clock reaches its slot — twice for Camille, as a queue may.
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        foreach (var patient in new[] { "pat_camille", "pat_camille", "pat_louis" })
        {
            await _host.InvokeAsync("sendOutreach", MessageFor(rows[patient]));
        }

        rows = await LedgerAsync();
        Assert.Equal("sent", rows["pat_camille"].GetString("status"));
        Assert.Equal("skipped:booked", rows["pat_louis"].GetString("status"));
        var email = Assert.Single(Directory.GetFiles(_outbox, "*.eml"));
        var text = await File.ReadAllTextAsync(email);
        Assert.Contains("To: Camille <camille@example.org>", text, StringComparison.Ordinal);
        Assert.Contains("X-Reengage-Template: check-in", text, StringComparison.Ordinal);
        Assert.Contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click", text, StringComparison.Ordinal);
        Assert.Contains("Reply-To: ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_message_delivered_concurrently_sends_one_email()
    {
        await CreatePracticeAsync();
        await BookAndCompleteAsync("pat_ines", "Inès", "ines@example.org", consent: true);
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 5, 0, 0, TimeSpan.Zero));
        await _host.InvokeAsync("planLapsedOutreach");
        var row = (await LedgerAsync())["pat_ines"];
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

        var message = MessageFor(row);
        var deliveries = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await _host.InvokeAsync("sendOutreach", message);
            }
            catch (Exception)
            {
                // A delivery that lost the claim race may throw so the host redelivers; the one email is what matters.
            }
        }));
        await Task.WhenAll(deliveries);
        await _host.InvokeAsync("sendOutreach", message); // the redelivery of whichever lost

        Assert.Single(Directory.GetFiles(_outbox, "*.eml"));
        Assert.Equal("sent", (await LedgerAsync())["pat_ines"].GetString("status"));
    }

    private async Task CreatePracticeAsync()
    {
        using var create = await _http.PutAsJsonAsync($"api/practices/{PracticeId}", new
        {
            name = "Cabinet de bout en bout",
            senderAddress = "bonjour@e2e.example",
            bookingUrl = "https://e2e.example/rdv",
            timeZone = "Europe/Paris",
            country = "FR",
            locale = "fr",
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var body = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        _webhookSecret = body["webhookSecrets"]!["generic"]!.GetValue<string>();
        var apiKey = body["apiKey"]!.GetValue<string>();

        using var therapist = new HttpRequestMessage(HttpMethod.Put, $"api/practices/{PracticeId}/therapists/th_lea")
        {
            Content = JsonContent.Create(new { displayName = "Léa Martin", email = "lea@e2e.example", signature = "Psychologue", locale = "fr", active = true }),
        };
        therapist.Headers.Add("x-reengage-key", apiKey);
        using var answer = await _http.SendAsync(therapist);
        Assert.True(answer.IsSuccessStatusCode, $"PUT therapist answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
    }

    private async Task BookAndCompleteAsync(string patientId, string firstName, string email, bool consent)
    {
        var patient = new JsonObject
        {
            ["id"] = patientId,
            ["firstName"] = firstName,
            ["email"] = email,
            ["locale"] = "fr",
            ["therapistId"] = "th_lea",
            ["emailConsent"] = consent,
            ["careStatus"] = "in_care",
        };
        var appointment = new JsonObject { ["id"] = "apt_" + patientId, ["startsAt"] = "2026-11-03T14:00:00+01:00", ["therapistId"] = "th_lea" };
        await PostEventAsync(new JsonObject { ["id"] = "evt_b_" + patientId, ["type"] = "appointment.booked", ["occurredAt"] = "2026-10-20T09:00:00Z", ["patient"] = patient.DeepClone(), ["appointment"] = appointment.DeepClone() });
        await PostEventAsync(new JsonObject { ["id"] = "evt_c_" + patientId, ["type"] = "appointment.completed", ["occurredAt"] = "2026-11-03T14:50:00Z", ["patient"] = new JsonObject { ["id"] = patientId }, ["appointment"] = appointment.DeepClone() });
    }

    private async Task PostEventAsync(JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/webhooks/generic/{PracticeId}") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.HeaderValue(_webhookSecret, _clock.GetUtcNow().ToUnixTimeSeconds(), bytes));
        using var response = await _http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"webhook {body["id"]} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The ledger rows of the practice, by patient (one row each in these stories).</summary>
    private async Task<Dictionary<string, TableEntity>> LedgerAsync()
    {
        var table = new TableClient(fixture.Azurite.ConnectionString, "Outreach");
        var rows = new Dictionary<string, TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == PracticeId))
        {
            rows.Add(row.GetString("patientId"), row);
        }
        return rows;
    }

    /// <summary>The thin message the planner enqueued for a row: ids and the row's notBefore only.</summary>
    private static string MessageFor(TableEntity row) => new JsonObject
    {
        ["v"] = 1,
        ["practiceId"] = PracticeId,
        ["outreachId"] = row.GetString("id") ?? row.RowKey,
        ["notBefore"] = row.GetString("notBefore"),
    }.ToJsonString();

    private async Task ClearTablesAsync()
    {
        // The tests share one Azurite and the app's fixed table names: start each from empty tables and queues.
        var service = new TableServiceClient(fixture.Azurite.ConnectionString);
        await foreach (var table in service.QueryAsync())
        {
            var client = service.GetTableClient(table.Name);
            await foreach (var entity in client.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                await client.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
            }
        }
        var queues = new QueueServiceClient(fixture.Azurite.ConnectionString);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            await queues.GetQueueClient(queue.Name).ClearMessagesAsync();
        }
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
