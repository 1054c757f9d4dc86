namespace Reengage.LocalHost;

/// <summary>
/// The token every non-HTTP invocation gets (cancelled only when the shutdown grace period runs out) and the
/// invocations started through the admin endpoint, so that stopping waits for them.
/// </summary>
internal sealed class InvocationTracker(Action<FunctionInvocation>? observer) : IDisposable
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

    /// <summary>Tells the in-process caller's observer; what the observer does never changes the invocation's outcome.</summary>
    public void Completed(FunctionDescriptor function, InvocationContext context, Exception? error)
    {
        if (observer is null)
        {
            return;
        }
        try
        {
            observer(new FunctionInvocation(function.Name, function.Trigger, error, context.Queue?.DequeueCount, context.Queue?.Id));
        }
        catch (Exception)
        {
            // An observer's own bug is the caller's to see in its assertions, not the host's to act on.
        }
    }

    public void Dispose() => _abort.Dispose();
}
