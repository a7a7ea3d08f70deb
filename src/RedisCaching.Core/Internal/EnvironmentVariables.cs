using System;

namespace RedisCaching.Internal;

/// <summary>Where <c>REDIS_*</c> variables are read from; a service so tests and <c>WithoutEnvironmentVariables()</c> can replace it.</summary>
internal sealed class EnvironmentVariables
{
    public static readonly EnvironmentVariables Process = new(Environment.GetEnvironmentVariable);
    public static readonly EnvironmentVariables None = new(static _ => null);

    public EnvironmentVariables(Func<string, string?> get) => Get = get;

    public Func<string, string?> Get { get; }
}
