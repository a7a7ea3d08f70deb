using System;

namespace RedisCaching.Invalidation;

/// <summary>
/// A pattern invalidation stopped because Redis failed (an error reply such as <c>NOPERM</c>, a timeout, a lost
/// connection) or a primary was not connected. Keys removed until then stay removed, and every instance was told.
/// </summary>
public sealed class PatternInvalidationException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public PatternInvalidationException()
        : base("The pattern invalidation failed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What failed.</param>
    public PatternInvalidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The Redis failure.</param>
    public PatternInvalidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that records how far the run got.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="keysRemoved">Keys removed before the failure.</param>
    /// <param name="innerException">The Redis failure, if any.</param>
    public PatternInvalidationException(string message, long keysRemoved, Exception? innerException)
        : base(message, innerException)
    {
        KeysRemoved = keysRemoved;
    }

    /// <summary>Keys removed before the failure (they stay removed).</summary>
    public long KeysRemoved { get; }
}
