using System;

namespace RedisCaching;

/// <summary>
/// The base type of every exception RedisCaching throws on purpose, so a host app can catch the library's
/// failures without catching unrelated ones.
/// </summary>
public class RedisCachingException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public RedisCachingException()
        : base("A RedisCaching operation failed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What failed and, where possible, what to do about it.</param>
    public RedisCachingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the failure that caused it.</summary>
    /// <param name="message">What failed and, where possible, what to do about it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public RedisCachingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
