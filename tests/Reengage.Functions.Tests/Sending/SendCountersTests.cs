using System.Diagnostics.Metrics;
using Reengage.Core.Model;
using Reengage.Functions.Outbox;
using Reengage.Functions.Telemetry;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Sending;

/// <summary>The counters an operator watches (docs/operations.md), as a metrics exporter would see them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SendCountersTests(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "reengage-count-" + Guid.NewGuid().ToString("N"));
    private readonly List<(string Instrument, long Value, string? Reason)> _measurements = [];
    private readonly MeterListener _listener = new();
    private SendWorld _world = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _world = new SendWorld(Clients);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // This world's meter only: other tests' telemetry runs at the same time.
            if (instrument.Meter.Name == ReengageTelemetry.Name && ReferenceEquals(instrument, Find(instrument.Name)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "reason") reason = tag.Value as string;
            }
            lock (_measurements) _measurements.Add((instrument.Name, value, reason));
        });
        _listener.Start();
    }

    private Instrument? Find(string name) => name switch
    {
        "reengage.emails.sent" => _world.Telemetry.EmailsSent,
        "reengage.emails.skipped" => _world.Telemetry.EmailsSkipped,
        "reengage.emails.failed" => _world.Telemetry.EmailsFailed,
        "reengage.emails.throttled" => _world.Telemetry.EmailsThrottled,
        _ => null,
    };

    async Task IAsyncLifetime.DisposeAsync()
    {
        _listener.Dispose();
        _world.Dispose();
        if (Directory.Exists(_outbox)) Directory.Delete(_outbox, recursive: true);
        await DisposeAsync();
    }

    [Fact]
    public async Task A_send_counts_one_email_sent_and_its_redelivery_counts_nothing()
    {
        await _world.SeedAsync();
        var sender = _world.Sender(new OutboxEmailSender(_outbox, _world.Clock));

        await sender.SendAsync(_world.Request);
        await sender.SendAsync(_world.Request);

        Assert.Equal([("reengage.emails.sent", 1L, (string?)null)], _measurements);
    }

    [Fact]
    public async Task A_skip_at_send_time_counts_one_email_skipped_with_its_reason()
    {
        await _world.SeedAsync(patient: p => p with { Suppressed = true });

        await _world.Sender(new OutboxEmailSender(_outbox, _world.Clock)).SendAsync(_world.Request);

        Assert.Equal([("reengage.emails.skipped", 1L, (string?)"suppressed")], _measurements);
        Assert.Equal(OutreachStatus.Skipped("suppressed"), (await _world.RowAsync()).Status);
    }
}
