using System;

namespace RedisCaching.Testing;

/// <summary>Settings of a <see cref="RedisClusterTopology"/>.</summary>
public sealed record RedisClusterOptions
{
    /// <summary>The defaults.</summary>
    public static RedisClusterOptions Default { get; } = new();

    /// <summary>
    /// How long a node may be unreachable before the others deem it failed (<c>cluster-node-timeout</c>); a killed
    /// primary's replica takes over about one to two of these later.
    /// </summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the start, and each helper's wait for the cluster to settle, may take before it throws.</summary>
    /// <value>The default value is 60 seconds (a start takes about 3-4 s on a 2-core machine).</value>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
