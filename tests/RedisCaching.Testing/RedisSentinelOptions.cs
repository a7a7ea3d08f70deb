using System;

namespace RedisCaching.Testing;

/// <summary>Settings of a <see cref="RedisSentinelTopology"/>.</summary>
public sealed record RedisSentinelOptions
{
    /// <summary>The defaults.</summary>
    public static RedisSentinelOptions Default { get; } = new();

    /// <summary>The name the sentinels monitor the primary under (<c>sentinel monitor &lt;name&gt; ...</c>).</summary>
    /// <value>The default value is <c>mymaster</c>.</value>
    public string ServiceName { get; init; } = "mymaster";

    /// <summary>
    /// Whether the data nodes require a password (<c>requirepass</c> and <c>masterauth</c>, one random password for
    /// both; the sentinels get it as <c>sentinel auth-pass</c>).
    /// </summary>
    /// <value>The default value is false.</value>
    public bool RequireDataPassword { get; init; }

    /// <summary>
    /// Whether the sentinels require a password of their own (<c>requirepass</c> and <c>sentinel sentinel-pass</c>
    /// on each sentinel, another random password than the data nodes').
    /// </summary>
    /// <value>The default value is false.</value>
    public bool RequireSentinelPassword { get; init; }

    /// <summary>
    /// Whether every process speaks TLS only (<c>port 0</c>, <c>tls-port</c>, the certificates of
    /// <see cref="RedisTestTls"/>, no client certificate required): the data nodes replicate over TLS and the sentinels
    /// talk TLS to the data nodes and to each other (<c>tls-replication yes</c> on all of them).
    /// </summary>
    /// <value>The default value is false.</value>
    public bool UseTls { get; init; }

    /// <summary>How long the primary must be unreachable before a sentinel deems it down (<c>down-after-milliseconds</c>).</summary>
    /// <value>The default value is 1 second: short, so a kill leads to a failover in about 2-3 s.</value>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The sentinels' <c>failover-timeout</c>.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the start, and each helper's wait for the topology to settle, may take before it throws.</summary>
    /// <value>The default value is 30 seconds (a start takes about 2-3 s on a 2-core machine).</value>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
