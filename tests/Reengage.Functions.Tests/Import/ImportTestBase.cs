using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Import;
using Reengage.Functions.Patients;
using Reengage.Functions.Storage;
using Reengage.Functions.Tests.Admin;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Import;

/// <summary>
/// The import function with the app's own registrations on the shared Azurite (tables of its own per test class), on
/// 1 Dec 2026 at 10:00 UTC (11:00 in Paris), with a practice holding two therapists.
/// </summary>
public abstract class ImportTestBase(AzuriteFixture fixture) : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Clock { get; } = new(Start);
    protected ServiceProvider Services { get; private set; } = null!;
    protected ReengageStorageClients Clients => Services.GetRequiredService<ReengageStorageClients>();
    protected string PracticeId { get; } = "prac_" + Guid.NewGuid().ToString("N")[..8];
    protected string Key { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ReengageStorage"] = fixture.ConnectionString })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddReengageStorage(configuration, StorageNames.WithAffix(prefix: AzuriteFixture.UniqueName("imp")));
        services.AddSingleton<PatientSaver>();
        services.AddAdministration();
        services.AddPatientImport();
        services.AddSingleton<PracticeAdminFunctions>();
        services.AddSingleton<PatientImportFunctions>();
        Services = services.BuildServiceProvider();
        await Clients.EnsureCreatedAsync();
        Key = await CreatePracticeAsync(PracticeId);
    }

    public async Task DisposeAsync()
    {
        await Clients.DeleteAllAsync();
        await Services.DisposeAsync();
    }

    protected async Task<string> CreatePracticeAsync(string practiceId)
    {
        var admin = Services.GetRequiredService<PracticeAdminFunctions>();
        var created = await RunAsync(admin.PutPractice(
            Request("PUT", null, """{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}""", "application/json"),
            practiceId,
            CancellationToken.None));
        Assert.Equal(201, created.Status);
        var key = created.Json!["apiKey"]!.GetValue<string>();
        foreach (var (id, body) in new[]
        {
            ("th_1", """{"displayName":"Dr Léa Martin","email":"lea@cabinet.example"}"""),
            ("th_2", """{"displayName":"Bruno Adam","email":"bruno@cabinet.example","locale":"en"}"""),
        })
        {
            var therapist = await RunAsync(admin.PutTherapist(Request("PUT", key, body, "application/json"), practiceId, id, CancellationToken.None));
            Assert.True(therapist.Status is 200 or 201, therapist.Body);
        }
        return key;
    }

    protected static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", "import", name));

    /// <summary>POSTs <paramref name="body"/> to the import route of <paramref name="practiceId"/> (this test's practice by default).</summary>
    protected Task<Answer> PostAsync(byte[] body, string query = "?dryRun=false", string? key = "", string contentType = "text/csv", string? practiceId = null)
    {
        var request = Request("POST", key == "" ? Key : key, null, contentType);
        request.QueryString = new QueryString(query);
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;
        request.ContentType = contentType;
        return RunAsync(Services.GetRequiredService<PatientImportFunctions>().ImportPatients(request, practiceId ?? PracticeId, CancellationToken.None));
    }

    protected Task<Answer> PostAsync(string csv, string query = "?dryRun=false", string contentType = "text/csv") =>
        PostAsync(Encoding.UTF8.GetBytes(csv), query, contentType: contentType);

    protected static HttpRequest Request(string method, string? key, string? body, string contentType) =>
        AdminTestBase.Request(method, key, body, contentType);

    protected static Task<Answer> RunAsync(Task<IActionResult> action) => AdminTestBase.RunAsync(action);

    /// <summary>Every row of every table, with its ETag: equal snapshots mean nothing was written.</summary>
    protected async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var table in new[] { Clients.Patients, Clients.Appointments, Clients.Outreach, Clients.DueIndex, Clients.InboundEvents, Clients.Suppressions })
        {
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                text.Append(table.Name).Append(' ').Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
        }
        return text.ToString();
    }

    protected async Task<Dictionary<string, Patient>> PatientsAsync()
    {
        var found = new Dictionary<string, Patient>();
        await foreach (var p in Services.GetRequiredService<IPatientStore>().ListPatientsAsync(PracticeId)) found[p.Id] = p;
        return found;
    }

    protected async Task<List<Appointment>> AppointmentsAsync(string patientId)
    {
        var found = new List<Appointment>();
        await foreach (var a in Services.GetRequiredService<IAppointmentStore>().ListAppointmentsAsync(PracticeId, patientId)) found.Add(a);
        return [.. found.OrderBy(a => a.StartsAt)];
    }

    protected async Task<List<string>> DueOnAsync(string day)
    {
        var found = new List<string>();
        await foreach (var entry in Services.GetRequiredService<IDueIndex>().ListDueForPracticeAsync(day, PracticeId)) found.Add(entry.PatientId);
        return [.. found.Order(StringComparer.Ordinal)];
    }

    protected static IEnumerable<(int Line, string? PatientId, string Action)> Actions(JsonNode report) =>
        report["lines"]!.AsArray().Select(l => (l!["line"]!.GetValue<int>(), l["patientId"]?.GetValue<string>(), l["action"]!.GetValue<string>()));
}
