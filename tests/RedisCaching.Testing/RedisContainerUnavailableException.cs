using System;

namespace RedisCaching.Testing;

/// <summary>
/// No container could be started because the engine is unreachable or misconfigured, or the image is missing
/// and cannot be pulled: a set-up problem, not a failure of the code under test.
/// </summary>
public sealed class RedisContainerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisContainerUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisContainerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RedisContainerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
