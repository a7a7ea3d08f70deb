using System;

namespace RedisCaching;

/// <summary>Thrown when a factory runs past its hard timeout and fail-safe has no value to serve instead.</summary>
public sealed class CacheFactoryTimeoutException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public CacheFactoryTimeoutException()
        : base("The cache factory did not finish within its hard timeout.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What timed out.</param>
    public CacheFactoryTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What timed out.</param>
    /// <param name="innerException">The cause.</param>
    public CacheFactoryTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
