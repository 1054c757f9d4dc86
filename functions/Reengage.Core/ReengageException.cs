namespace Reengage.Core;

public enum ErrorCode
{
    Conflict,
    PreconditionFailed,
    NotFound,
    InvalidInput,
    Unauthorized,
    Throttled,
    TransportUnavailable,
    StorageUnavailable,
    RenderFailed,
    InvalidConfiguration,
}

/// <summary>The one domain exception: a stable code, and whether trying again later can succeed.</summary>
public sealed class ReengageException : Exception
{
    public ReengageException(ErrorCode code, string message, bool retryable = false, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Retryable = retryable;
    }

    public ErrorCode Code { get; }
    public bool Retryable { get; }
}
