using System.Reflection;

namespace Reengage.LocalHost;

/// <summary>Runs one invocation: a fresh instance of the function class from the invocation's scope, as the worker does.</summary>
internal static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(RegisteredFunction function, InvocationContext context, InvocationTracker tracker)
    {
        try
        {
            var result = await InvokeCoreAsync(function, context).ConfigureAwait(false);
            tracker.Completed(function.Descriptor, context, error: null);
            return result;
        }
        catch (Exception ex)
        {
            tracker.Completed(function.Descriptor, context, ex);
            throw;
        }
    }

    private static async Task<object?> InvokeCoreAsync(RegisteredFunction function, InvocationContext context)
    {
        var method = function.Descriptor.Method;
        object? instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.Services, method.DeclaringType!);
        try
        {
            var arguments = new object?[function.Binders.Count];
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = function.Binders[i](context);
            }
            var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            return await AwaitAsync(returned, method.ReturnType).ConfigureAwait(false);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async Task<object?> AwaitAsync(object? returned, Type returnType)
    {
        switch (returned)
        {
            case Task task:
                await task.ConfigureAwait(false);
                return returnType.IsGenericType ? returnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                return null;
        }
        if (returned is not null && returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var task = (Task)returnType.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(returned, null)!;
            await task.ConfigureAwait(false);
            return task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task);
        }
        return returned;
    }
}
