using System;

namespace RedisCaching.Invalidation;

/// <summary>An entry's dependencies form a cycle, or go past <see cref="CacheDependencyOptions.MaxDepth"/> or <see cref="CacheDependencyOptions.MaxTags"/>; nothing was written.</summary>
public sealed class CacheDependencyException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public CacheDependencyException()
        : base("The entry's dependencies are not allowed.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong.</param>
    public CacheDependencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CacheDependencyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
