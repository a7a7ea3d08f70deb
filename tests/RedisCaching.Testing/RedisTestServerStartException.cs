using System;

namespace RedisCaching.Testing;

/// <summary>A test server did not come up; the message holds the tail of its log.</summary>
public sealed class RedisTestServerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisTestServerStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisTestServerStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RedisTestServerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
