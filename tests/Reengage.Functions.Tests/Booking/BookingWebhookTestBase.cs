using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Booking;
using Reengage.Functions.Functions;
using Reengage.Functions.Patients;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Booking;

/// <summary>The booking webhook function over real adapters on Azurite, called with a DefaultHttpContext request, on a fake clock.</summary>
public abstract class BookingWebhookTestBase(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    /// <summary>2026-11-20 10:00 UTC.</summary>
    protected static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    protected const string Secret = "whsec_test_current";

    private ServiceProvider? _metrics;

    protected FakeTimeProvider Time { get; } = new(Start);
    protected Practice Practice { get; set; } = null!;
    protected IPracticeStore Practices { get; private set; } = null!;
    protected TablePatientStore Patients { get; private set; } = null!;
    protected TableAppointmentStore Appointments { get; private set; } = null!;
    protected TableOutreachLedger Ledger { get; private set; } = null!;
    protected TableDueIndex DueIndex { get; private set; } = null!;
    protected TableSuppressionStore Suppressions { get; private set; } = null!;
    protected TableInboundEventStore InboundEvents { get; private set; } = null!;
    protected BookingWebhookFunctions Function { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Practices = new CachedPracticeStore(new TablePracticeStore(Clients.Practices, Clients.Therapists), Time);
        Patients = new TablePatientStore(Clients.Patients);
        Appointments = new TableAppointmentStore(Clients.Appointments);
        Ledger = new TableOutreachLedger(Clients.Outreach);
        DueIndex = new TableDueIndex(Clients.DueIndex);
        Suppressions = new TableSuppressionStore(Clients.Suppressions);
        InboundEvents = new TableInboundEventStore(Clients.InboundEvents);
        _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var ingestion = new BookingIngestion(
            Practices, Patients, Appointments, InboundEvents, Ledger, DueIndex, Suppressions,
            new PatientSaver(Patients, DueIndex, Appointments), Time, NullLogger<BookingIngestion>.Instance);
        var vendors = new VendorIngestion(Practices, Patients, Appointments, await CreateAcuityApiAsync(), ingestion, Time, NullLogger<VendorIngestion>.Instance);
        Function = new BookingWebhookFunctions(ingestion, vendors, new ReengageTelemetry(_metrics.GetRequiredService<IMeterFactory>()));
        Practice = new Practice
        {
            Id = FreshPracticeId(),
            Name = "Cabinet",
            SenderDisplayName = "Cabinet",
            CadenceDays = [30, 60, 120],
            SeasonalWindows = [],
        };
        await Practices.UpsertPracticeAsync(Practice);
        await SetSecretAsync(new WebhookSecret(Secret, null, null));
        Counter.Reset();
    }

    /// <summary>Acuity's API for the vendor ingestion; by default nothing listens there (Acuity tests give a stand-in).</summary>
    protected virtual Task<IAcuityApi> CreateAcuityApiAsync() =>
        Task.FromResult<IAcuityApi>(new HttpAcuityApi(new HttpClient(), new Uri("http://127.0.0.1:9/api/v1"), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(20), TimeProvider.System));

    /// <summary>Runs after the storage is released; for what a test class started itself.</summary>
    protected virtual ValueTask DisposeExtrasAsync() => ValueTask.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeExtrasAsync();
        if (_metrics is not null) await _metrics.DisposeAsync();
    }

    protected Task SetSecretAsync(WebhookSecret secret) => Practices.UpsertSecretsAsync(new PracticeSecrets
    {
        PracticeId = Practice.Id,
        Webhooks = new Dictionary<WebhookSource, WebhookSecret> { [WebhookSource.Generic] = secret },
    });

    protected static JsonObject Booked(string id, string occurredAt, string startsAt = "2026-11-27T14:00:00+01:00") => new()
    {
        ["id"] = id,
        ["type"] = "appointment.booked",
        ["occurredAt"] = occurredAt,
        ["patient"] = new JsonObject
        {
            ["id"] = "pat_42",
            ["firstName"] = "Camille",
            ["email"] = "camille@example.org",
            ["locale"] = "fr",
            ["therapistId"] = "th_1",
            ["emailConsent"] = true,
            ["careStatus"] = "in_care",
        },
        ["appointment"] = new JsonObject { ["id"] = "apt_9", ["startsAt"] = startsAt, ["therapistId"] = "th_1" },
    };

    protected long UnixNow => Time.GetUtcNow().ToUnixTimeSeconds();

    protected string SignatureOf(string body, string secret = Secret, long? timestamp = null) =>
        WebhookSignature.HeaderValue(secret, timestamp ?? UnixNow, Encoding.UTF8.GetBytes(body));

    /// <summary>Posts <paramref name="body"/> signed with the current secret.</summary>
    protected Task<Answer> PostAsync(JsonNode body, string secret = Secret) => PostAsync(body.ToJsonString(), secret);

    protected Task<Answer> PostAsync(string body, string secret = Secret) =>
        SendAsync(Practice.Id, body, new Dictionary<string, string> { ["Reengage-Signature"] = SignatureOf(body, secret) });

    protected async Task<Answer> SendAsync(string practiceId, string body, IReadOnlyDictionary<string, string> headers,
        string source = "generic", string contentType = "application/json", long? declaredLength = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.Body = new MemoryStream(bytes);
        request.ContentLength = declaredLength ?? bytes.Length;
        request.ContentType = contentType;
        foreach (var (name, value) in headers) request.Headers[name] = value;
        var result = await Function.BookingWebhook(request, source, practiceId, CancellationToken.None);
        return await Answer.Of(result);
    }

    /// <summary>Every row of every table, with its ETag: equal snapshots mean nothing was written.</summary>
    protected async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var table in new[] { Clients.Patients, Clients.Appointments, Clients.Outreach, Clients.DueIndex, Clients.InboundEvents, Clients.Suppressions, Clients.MessageIndex, Clients.Feedback })
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                text.Append(table.Name).Append(' ').Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
        }
        return text.ToString();
    }

    protected async Task<Answer> ExpectUnchangedAsync(Func<Task<Answer>> action, int status)
    {
        var before = await SnapshotAsync();
        var answer = await action();
        Assert.Equal(status, answer.Status);
        Assert.Equal(before, await SnapshotAsync());
        return answer;
    }

    protected async Task<Patient?> PatientAsync(string id = "pat_42") => (await Patients.GetPatientAsync(Practice.Id, id))?.Value;

    protected async Task<Appointment?> AppointmentAsync(string patientId, string id) => (await Appointments.GetAppointmentAsync(Practice.Id, patientId, id))?.Value;

    /// <summary>An HTTP answer as a client sees it: status, content type, JSON body.</summary>
    public sealed record Answer(int Status, string? ContentType, JsonNode? Body)
    {
        public static async Task<Answer> Of(IActionResult result)
        {
            if (result is ObjectResult objectResult)
            {
                return new Answer(objectResult.StatusCode ?? 200, "application/json", JsonSerializer.SerializeToNode(objectResult.Value));
            }
            var context = new DefaultHttpContext();
            using var body = new MemoryStream();
            context.Response.Body = body;
            await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
            return new Answer(context.Response.StatusCode, context.Response.ContentType, body.Length == 0 ? null : JsonNode.Parse(body.ToArray()))
            {
                RetryAfter = context.Response.Headers.RetryAfter.ToString(),
            };
        }

        /// <summary>The <c>Retry-After</c> header, empty when absent (problem answers only).</summary>
        public string RetryAfter { get; init; } = "";

        public IEnumerable<string> ErrorFields => Body?["errors"]?.AsArray().Select(e => e!["field"]!.GetValue<string>()) ?? [];
    }
}
