// Crash injection at the ports: a DispatchProxy around each port interface makes one chosen call end the simulated
// process, before the call reaches storage, the queue or ACS, or after it did, with no branch in production code.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Reengage.Chaos;

/// <summary>What a dying process leaves behind: thrown by the faulty ports, never caught as a business error.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string point)
        : base($"simulated crash at {point}")
    {
        Point = point;
    }

    public SimulatedCrashException()
        : this("dead")
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
        Point = "dead";
    }

    /// <summary><c>port.Method:before|after</c>, or <c>dead</c> for calls a process made after it had died.</summary>
    public string Point { get; }
}

public enum CrashWhen
{
    Before,
    After,
}

/// <summary>Where a process dies: nowhere, or at its nth call (1-based), before or after the call.</summary>
public sealed record CrashPlan(int Call, CrashWhen When)
{
    public static CrashPlan? None => null;
}

/// <summary>
/// One simulated worker process. Its calls are counted; once it has died every further call throws too (a dead
/// process writes nothing more), and calls already in flight finish as real requests would.
/// </summary>
public sealed class SimulatedProcess(CrashPlan? plan = null)
{
    private readonly Lock _gate = new();
    private readonly List<string> _trace = [];
    private int _calls;

    public SimulatedCrashException? Crash { get; private set; }

    public bool MayCrash => plan is not null;

    public bool Dead => Crash is not null;

    /// <summary><c>port.Method</c> of every call, in order: what a systematic sweep enumerates.</summary>
    public IReadOnlyList<string> Trace
    {
        get
        {
            lock (_gate) return [.. _trace];
        }
    }

    /// <summary>Called before a port call; returns whether to die once the call has completed.</summary>
    public bool Enter(string point)
    {
        CrashWhen? when;
        lock (_gate)
        {
            if (Crash is { } crash) throw crash.Point == "dead" ? crash : new SimulatedCrashException();
            _calls++;
            _trace.Add(point);
            when = plan is not null && plan.Call == _calls ? plan.When : null;
        }
        if (when == CrashWhen.Before) Die($"{point}:before");
        return when == CrashWhen.After;
    }

    public void Die(string point)
    {
        lock (_gate) Crash ??= new SimulatedCrashException(point);
        throw new SimulatedCrashException(Crash.Point);
    }

    public void ThrowIfDead()
    {
        if (Dead) throw new SimulatedCrashException();
    }
}

/// <summary>A port whose every call goes through a <see cref="SimulatedProcess"/> that may die there.</summary>
#pragma warning disable CA1515 // DispatchProxy needs a public, non-sealed proxy type.
public class FaultyPort<T> : DispatchProxy
#pragma warning restore CA1515
    where T : class
{
    private T _target = null!;
    private string _name = "";
    private SimulatedProcess _process = null!;

    public static T Wrap(T target, string name, SimulatedProcess process)
    {
        var proxy = Create<T, FaultyPort<T>>();
        var port = (FaultyPort<T>)(object)proxy;
        port._target = target;
        port._name = name;
        port._process = process;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var point = $"{_name}.{targetMethod.Name}";
        var returnType = targetMethod.ReturnType;
        bool dieAfter;
        try
        {
            dieAfter = _process.Enter(point);
        }
        catch (SimulatedCrashException crash)
        {
            // Failing the way the port fails: a faulted task, or a listing whose first page fails.
            return Failed(returnType, crash);
        }
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException error) when (error.InnerException is { } inner)
        {
            if (dieAfter) _process.Die($"{point}:after");
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
        if (result is null)
        {
            if (dieAfter) _process.Die($"{point}:after");
            return null;
        }
        if (returnType == typeof(Task)) return AfterTask((Task)result, point, dieAfter);
        if (Generic(returnType, typeof(Task<>)) is { } taskOf)
        {
            return Helper(nameof(AfterTaskOf), taskOf).Invoke(this, [result, point, dieAfter]);
        }
        if (Generic(returnType, typeof(IAsyncEnumerable<>)) is { } itemOf)
        {
            return Helper(nameof(Crashing), itemOf).Invoke(this, [result, point, dieAfter, CancellationToken.None]);
        }
        if (dieAfter) _process.Die($"{point}:after");
        return result;
    }

    private object? Failed(Type returnType, SimulatedCrashException crash)
    {
        if (returnType == typeof(Task)) return Task.FromException(crash);
        if (Generic(returnType, typeof(Task<>)) is { } taskOf)
        {
            return Helper(nameof(FailedTaskOf), taskOf).Invoke(this, [crash]);
        }
        if (Generic(returnType, typeof(IAsyncEnumerable<>)) is { } itemOf)
        {
            return Helper(nameof(FailingListing), itemOf).Invoke(this, [crash]);
        }
        throw crash;
    }

    private async Task AfterTask(Task task, string point, bool dieAfter)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            if (dieAfter) _process.Die($"{point}:after");
        }
    }

    private async Task<TResult> AfterTaskOf<TResult>(Task<TResult> task, string point, bool dieAfter)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            if (dieAfter) _process.Die($"{point}:after");
        }
    }

#pragma warning disable CA1822 // Called through reflection with a closed generic.
    private Task<TResult> FailedTaskOf<TResult>(SimulatedCrashException crash) => Task.FromException<TResult>(crash);

    /// <summary>A listing counts as one call, made when its first page is fetched.</summary>
    private async IAsyncEnumerable<TItem> FailingListing<TItem>(SimulatedCrashException crash)
    {
        await Task.Yield();
        if (crash is not null) throw crash;
        yield break;
    }
#pragma warning restore CA1822

    /// <summary>The process can also die between two items (it then never asks for the next page).</summary>
    private async IAsyncEnumerable<TItem> Crashing<TItem>(IAsyncEnumerable<TItem> source, string point, bool dieAfterFirstPage, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = true;
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (first && dieAfterFirstPage) _process.Die($"{point}:after");
            first = false;
            _process.ThrowIfDead();
            yield return item;
        }
        if (first && dieAfterFirstPage) _process.Die($"{point}:after");
    }

    private static Type? Generic(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition ? type.GetGenericArguments()[0] : null;

    private static MethodInfo Helper(string name, Type argument) =>
        typeof(FaultyPort<T>).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(argument);
}
