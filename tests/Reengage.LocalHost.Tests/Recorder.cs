using System.Collections.Concurrent;

namespace Reengage.LocalHost.Tests;

/// <summary>What the test functions saw; one per host (a singleton of the host's services), so tests stay apart.</summary>
public sealed class Recorder
{
    private readonly ConcurrentQueue<Call> _calls = new();
    private int _instances;
    private int _concurrent;
    private int _maxConcurrent;

    public sealed record Call(string Function, string? Value, long DequeueCount = 0, string? Id = null);

    public int Instances => Volatile.Read(ref _instances);
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public void Created() => Interlocked.Increment(ref _instances);

    public void Record(string function, string? value, long dequeueCount = 0, string? id = null) =>
        _calls.Enqueue(new Call(function, value, dequeueCount, id));

    public IReadOnlyList<Call> Calls(string function) => [.. _calls.Where(c => c.Function == function)];

    public void Enter()
    {
        var now = Interlocked.Increment(ref _concurrent);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
        {
        }
    }

    public void Leave() => Interlocked.Decrement(ref _concurrent);

    /// <summary>Waits for something the host does in the background; the deadline only keeps a broken host from hanging the run.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still waiting for: {what}");
            }
            await Task.Delay(25);
        }
    }

    public Task WaitUntilAsync(Func<Recorder, bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition(this)), what);
}
