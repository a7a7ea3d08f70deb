using System;

namespace RedisCaching;

/// <summary>
/// Thrown only when <c>ThrowOnRedisFailure</c> is set and Redis failed, timed out or the circuit breaker is open;
/// by default such failures degrade to memory and the factory instead.
/// </summary>
public sealed class CacheUnavailableException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public CacheUnavailableException()
        : base("Redis is unavailable to the cache.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What failed.</param>
    public CacheUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The Redis failure.</param>
    public CacheUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
