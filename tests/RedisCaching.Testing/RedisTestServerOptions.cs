using System;
using System.Collections.Generic;

namespace RedisCaching.Testing;

/// <summary>Optional settings for one test server.</summary>
public sealed record RedisTestServerOptions
{
    /// <summary>The defaults.</summary>
    public static RedisTestServerOptions Default { get; } = new();

    /// <summary>
    /// redis-server arguments appended after the topology's own, so they override them,
    /// e.g. <c>["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"]</c>. Ignored by an external server.
    /// </summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long a start or restart may take before it fails with the server's log tail.</summary>
    /// <value>The default value is 15 seconds (a container start takes about 2 s on a 2-core machine).</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
