// Translates Table and Queue SDK failures into ReengageException at the adapter boundary.
using System.Net.Sockets;
using Azure;
using Reengage.Core;

namespace Reengage.Functions.Tables;

internal static class StorageErrors
{
    /// <summary>
    /// 409 → Conflict, 412 → PreconditionFailed, 5xx/408/429 and network failures → retryable StorageUnavailable;
    /// anything else (400, 403, a missing table…) is null, for the caller to rethrow unchanged.
    /// <paramref name="what"/> names the operation and table, never the row's content.
    /// </summary>
    public static ReengageException? Translate(Exception error, string what) => error switch
    {
        RequestFailedException { Status: 409 } => new ReengageException(ErrorCode.Conflict, $"{what}: the row already exists.", inner: error),
        RequestFailedException { Status: 412 } => new ReengageException(ErrorCode.PreconditionFailed, $"{what}: the row changed since it was read.", inner: error),
        _ when IsTransient(error) => new ReengageException(ErrorCode.StorageUnavailable, $"{what}: storage is unavailable.", retryable: true, inner: error),
        _ => null,
    };

    /// <summary>A missing row; a missing table is a deployment fault, not a missing row, and must surface.</summary>
    public static bool IsNotFound(RequestFailedException error) => error.Status == 404 && error.ErrorCode != "TableNotFound";

    private static bool IsTransient(Exception error) => error switch
    {
        // Status 0: the request never got an answer (connection refused, reset, DNS).
        RequestFailedException { Status: 0 } => true,
        RequestFailedException failed => failed.Status is >= 500 or 408 or 429,
        HttpRequestException or SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => false,
    };

    public static async Task<T> GuardAsync<T>(string what, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception error) when (Translate(error, what) is { } translated)
        {
            throw translated;
        }
    }

    public static async Task GuardAsync(string what, Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception error) when (Translate(error, what) is { } translated)
        {
            throw translated;
        }
    }
}
