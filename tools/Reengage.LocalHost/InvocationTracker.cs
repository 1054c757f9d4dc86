namespace Reengage.LocalHost;

/// <summary>
/// The token every non-HTTP invocation gets (cancelled only when the shutdown grace period runs out) and the
/// invocations started through the admin endpoint, so that stopping waits for them.
/// </summary>
internal sealed class InvocationTracker : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private readonly HashSet<Task> _background = [];

    public CancellationToken AbortToken => _abort.Token;

    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped already.
        }
    }

    public void Track(Task task)
    {
        lock (_background)
        {
            _background.RemoveWhere(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    public Task WhenBackgroundDoneAsync()
    {
        lock (_background)
        {
            return Task.WhenAll(_background);
        }
    }

    public void Dispose() => _abort.Dispose();
}
