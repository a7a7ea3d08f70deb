using System;

namespace RedisCaching;

/// <summary>
/// Thrown when options, a connection string or an environment variable cannot be turned into a working
/// configuration. The message names the setting that is wrong and what to fix; it never contains a password.
/// </summary>
public sealed class RedisCachingConfigurationException : RedisCachingException
{
    /// <summary>Creates an exception with a default message.</summary>
    public RedisCachingConfigurationException()
        : base("The RedisCaching configuration is invalid.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong and what to fix.</param>
    public RedisCachingConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What is wrong and what to fix.</param>
    /// <param name="innerException">The underlying failure (already free of secrets).</param>
    public RedisCachingConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that names the setting at fault.</summary>
    /// <param name="setting">The setting, connection-string part or variable that is wrong, e.g. <c>port</c>.</param>
    /// <param name="message">What is wrong and what to fix.</param>
    public RedisCachingConfigurationException(string setting, string message)
        : base(message)
    {
        Setting = setting;
    }

    /// <summary>The setting, connection-string part or environment variable at fault, when one is known.</summary>
    public string? Setting { get; }
}
