using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Acs;
using Reengage.Functions.Outreach;
using Reengage.Functions.Storage;
using Reengage.Functions.Tests.Storage;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Sending;

/// <summary>
/// The storage requests of one email on the common path (issue 14): once the practice's settings, the therapist and the
/// template override (or its absence) are cached, an email costs the ledger row read, the claim, the patient read, the
/// MessageIndex row and the final update — five table requests (the host deletes the queue message: six in all); the
/// first email of a practice pays three more reads (practice, therapist, template override).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SendRequestBudgetTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private SendWorld _world = null!;
    private AcsEmailStandIn _acs = null!;
    private AcsEmailSender _transport = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new SendWorld(Clients);
        _acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { TimeProvider = _world.Clock });
        var options = new AcsEmailSenderOptions { TimeProvider = _world.Clock };
        options.Retry.MaxRetries = 0;
        _transport = new AcsEmailSender(_acs.ConnectionString, options);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _acs.DisposeAsync();
        _world.Dispose();
        await DisposeAsync();
    }

    /// <summary>A second patient of the same practice and therapist, with a row planned for the same slot.</summary>
    private async Task<SendRequest> SeedAnotherAsync(string patientId)
    {
        var row = _world.Row() with { PatientId = patientId };
        row = row with { OperationId = Ids.OperationIdOf(_world.PracticeId, row.Id) };
        await _world.Patients.CreatePatientAsync(_world.Patient() with
        {
            Id = patientId,
            Email = $"{patientId}@example.org",
            TouchLog = [new TouchRecord(SendWorld.Slot, row.Id, row.EpisodeKey)],
        });
        Assert.NotNull(await _world.Ledger.CreateOutreachAsync(row));
        return new SendRequest(_world.PracticeId, row.Id, SendWorld.Slot);
    }

    private OutreachSender CachedSender(IPracticeStore practices) => new(
        _world.Ledger,
        practices,
        _world.Patients,
        _world.MessageIndex,
        _world.ImmediateScheduler(),
        _transport,
        SendWorld.Renderer,
        _world.Settings,
        _world.Telemetry,
        _world.Clock,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<OutreachSender>.Instance);

    private string Requests() => string.Join(", ", Counter.Snapshot().OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    [Fact]
    public async Task Once_the_practice_is_cached_an_email_reads_no_therapist_and_no_template_override()
    {
        await _world.SeedAsync();
        var second = await SeedAnotherAsync("pat_two");
        var third = await SeedAnotherAsync("pat_three");
        var sender = CachedSender(new CachedPracticeStore(_world.Practices, _world.Clock));

        Counter.Reset();
        Assert.Equal(SendResult.Sent, await sender.SendAsync(_world.Request));
        // The first email of the practice: what every email cost before the therapist and the override were cached.
        Assert.True(Counter.Total == 8, Requests());
        Assert.Equal(2, Counter.Count(Clients.Names.Practices, "GET"));
        Assert.Equal(1, Counter.Count(Clients.Names.Therapists, "GET"));

        foreach (var request in new[] { second, third })
        {
            Counter.Reset();
            Assert.Equal(SendResult.Sent, await sender.SendAsync(request));
            Assert.True(Counter.Total == 5, Requests());
            Assert.Equal(0, Counter.Count(Clients.Names.Practices));
            Assert.Equal(0, Counter.Count(Clients.Names.Therapists));
            Assert.Equal(2, Counter.Count(Clients.Names.Outreach, "GET") + Counter.Count(Clients.Names.Patients, "GET"));
            Assert.Equal(1, Counter.Count(Clients.Names.MessageIndex));
        }
        Assert.Equal(3, _acs.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task An_override_saved_through_the_same_store_is_used_by_the_next_email_at_once()
    {
        await _world.SeedAsync();
        var second = await SeedAnotherAsync("pat_two");
        var practices = new CachedPracticeStore(_world.Practices, _world.Clock);
        var sender = CachedSender(practices);
        Assert.Equal(SendResult.Sent, await sender.SendAsync(_world.Request));

        var library = SendWorld.Renderer.GetLibrarySources(TemplateId.CheckIn, Locale.En);
        await practices.UpsertTemplateOverrideAsync(new TemplateOverride
        {
            PracticeId = _world.PracticeId,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.En,
            Subject = "Overridden subject for {{ patient.firstName }}",
            Html = library.Html,
            Text = library.Text,
            UpdatedAt = _world.Clock.GetUtcNow(),
        });
        await practices.UpsertTherapistAsync(_world.Therapist() with { DisplayName = "Léa Martin-Roy" });
        Assert.Equal(SendResult.Sent, await sender.SendAsync(second));

        var sent = _acs.Sent;
        Assert.Equal(2, sent.Count);
        Assert.NotEqual("Overridden subject for Zoé", sent[0].Body["content"]!["subject"]!.GetValue<string>());
        Assert.Equal("Léa Martin", sent[0].Body["replyTo"]![0]!["displayName"]!.GetValue<string>());
        Assert.Equal("Overridden subject for Zoé", sent[1].Body["content"]!["subject"]!.GetValue<string>());
        Assert.Equal("Léa Martin-Roy", sent[1].Body["replyTo"]![0]!["displayName"]!.GetValue<string>());
    }
}
