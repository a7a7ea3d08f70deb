using System;

namespace RedisCaching.Diagnostics;

/// <summary>
/// Thresholds of the RedisCaching health check (<c>services.AddHealthChecks().AddRedisCaching()</c>). Anything past a
/// threshold reports <c>Degraded</c>; no connection to Redis (or a failing PING) reports the registration's failure
/// status, <c>Unhealthy</c> unless it says otherwise.
/// </summary>
public sealed class RedisCachingHealthCheckOptions
{
    /// <summary>The named cache to check (<see cref="ICacheProvider"/>); null checks the unnamed <see cref="ICache"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? CacheName { get; set; }

    /// <summary>Redis <c>used_memory</c> over <c>maxmemory</c> above which the cache is degraded (not checked when maxmemory is 0, unlimited).</summary>
    /// <value>The default value is 0.9.</value>
    public double MemoryDegradedRatio { get; set; } = 0.9;

    /// <summary>Hit rate (memory and Redis hits over hits and misses, since the cache started) below which the cache is degraded.</summary>
    /// <value>The default value is 0.7.</value>
    public double MinimumHitRate { get; set; } = 0.7;

    /// <summary>Requests the cache must have served before its hit rate is judged (a cold cache misses by design).</summary>
    /// <value>The default value is 100.</value>
    public long MinimumRequestsForHitRate { get; set; } = 100;

    /// <summary>PING latency at <see cref="LatencyPercentile"/> above which the cache is degraded.</summary>
    /// <value>The default value is 100 ms.</value>
    public TimeSpan LatencyDegradedThreshold { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The percentile of the PING samples compared with <see cref="LatencyDegradedThreshold"/> (nearest rank: with 20 samples, 0.99 is the slowest).</summary>
    /// <value>The default value is 0.99.</value>
    public double LatencyPercentile { get; set; } = 0.99;

    /// <summary>PINGs sent one after another per check.</summary>
    /// <value>The default value is 20.</value>
    public int PingCount { get; set; } = 20;

    /// <summary>Budget of one whole check; past it the check reports Redis unreachable.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What is wrong with these options, or null when they are valid.</summary>
    internal string? Problem() =>
        MemoryDegradedRatio is <= 0 or > 1 ? "MemoryDegradedRatio must be in (0, 1]."
        : MinimumHitRate is < 0 or > 1 ? "MinimumHitRate must be in [0, 1]."
        : MinimumRequestsForHitRate < 1 ? "MinimumRequestsForHitRate must be at least 1."
        : LatencyDegradedThreshold <= TimeSpan.Zero ? "LatencyDegradedThreshold must be positive."
        : LatencyPercentile is <= 0 or > 1 ? "LatencyPercentile must be in (0, 1]."
        : PingCount < 1 ? "PingCount must be at least 1."
        : Timeout <= TimeSpan.Zero ? "Timeout must be positive."
        : null;
}
