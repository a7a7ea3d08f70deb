using System;

namespace RedisCaching.Internal;

/// <summary>Where <c>REDIS_*</c> variables are read from; a service so tests can supply their own without touching the process.</summary>
internal sealed class EnvironmentVariables
{
    public static readonly EnvironmentVariables Process = new(Environment.GetEnvironmentVariable);

    public EnvironmentVariables(Func<string, string?> get) => Get = get;

    public Func<string, string?> Get { get; }
}
