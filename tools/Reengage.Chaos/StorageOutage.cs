// A storage outage in the middle of a drain: a private Azurite on disk, stopped right after the nth message a send
// worker handles and started again on the same ports and folder a few seconds later, while the workers carry on.
using Reengage.Testing;

namespace Reengage.Chaos;

public sealed class StorageOutage : IAsyncDisposable
{
    private readonly string _location;
    private readonly int _stopAfter;
    private readonly TimeSpan _down;
    private Azurite _azurite;
    private Task _restored = Task.CompletedTask;
    private int _outages;

    private StorageOutage(string location, Azurite azurite, int stopAfter, TimeSpan down, TimeSpan patience)
    {
        _location = location;
        _azurite = azurite;
        _stopAfter = stopAfter;
        _down = down;
        ConnectionString = azurite.ConnectionString;
        Deadline = DateTime.UtcNow + patience;
    }

    /// <summary>The same before and after the restart: same ports, same account.</summary>
    public string ConnectionString { get; }

    /// <summary>When the drains of the run give up (real time): the outage plus the SDK retries and the drain must fit.</summary>
    public DateTime Deadline { get; }

    /// <summary>Short, so that messages whose release failed while storage was down come back within seconds.</summary>
    public TimeSpan VisibilityTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>How many times Azurite was stopped and started again (0 when the drain handled fewer messages).</summary>
    public int Outages => Volatile.Read(ref _outages);

    /// <summary>Azurite on disk in a new temp folder, on free ports that its restart reuses.</summary>
    public static async Task<StorageOutage> StartAsync(int stopAfter, TimeSpan down, TimeSpan? patience = null)
    {
        var location = Directory.CreateTempSubdirectory("reengage-chaos-azurite-").FullName;
        var azurite = await Azurite.StartAsync(new Azurite.Options { Location = location });
        return new StorageOutage(location, azurite, stopAfter, down, patience ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// After each message a send worker handled: at the chosen one, Azurite is told to stop, and is started again
    /// later, without waiting, so that the next handlers meet storage going away under them.
    /// </summary>
    public Task OnMessageHandledAsync(int handled)
    {
        if (handled != _stopAfter || Interlocked.CompareExchange(ref _outages, 1, 0) != 0) return Task.CompletedTask;
        var stopped = _azurite.StopAsync();
        _restored = Task.Run(async () =>
        {
            await stopped;
            await Task.Delay(_down);
            var old = _azurite;
            _azurite = await old.RestartAsync();
            await old.DisposeAsync();
        });
        return Task.CompletedTask;
    }

    /// <summary>Completes once Azurite is back (at once when it never went away).</summary>
    public Task RestoredAsync() => _restored;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _restored;
        }
        finally
        {
            await _azurite.DisposeAsync();
            Directory.Delete(_location, recursive: true);
        }
    }
}
