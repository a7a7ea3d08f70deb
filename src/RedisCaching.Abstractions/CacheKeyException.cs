using System;

namespace RedisCaching;

/// <summary>Thrown when a cache key breaks a key rule; <see cref="Rule"/> says which.</summary>
public sealed class CacheKeyException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public CacheKeyException()
        : base("The cache key is invalid.")
    {
        Rule = "unknown";
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong with the key.</param>
    public CacheKeyException(string message)
        : base(message)
    {
        Rule = "unknown";
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What is wrong with the key.</param>
    /// <param name="innerException">The cause.</param>
    public CacheKeyException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Rule = "unknown";
    }

    /// <summary>Creates an exception that names the rule the key broke.</summary>
    /// <param name="rule">The rule: <c>empty</c>, <c>length</c> or <c>characters</c>.</param>
    /// <param name="message">What is wrong with the key (the key itself is not repeated whole).</param>
    public CacheKeyException(string rule, string message)
        : base(message)
    {
        Rule = rule;
    }

    /// <summary>The rule the key broke: <c>empty</c>, <c>length</c> or <c>characters</c>.</summary>
    public string Rule { get; }
}
