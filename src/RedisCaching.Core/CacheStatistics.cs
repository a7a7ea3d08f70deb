namespace RedisCaching;

/// <summary>A snapshot of a cache's counters (cumulative since it started) and of its current state.</summary>
public sealed class CacheStatistics
{
    /// <summary>Reads answered from the in-process tier.</summary>
    public long MemoryHits { get; init; }

    /// <summary>Reads answered from Redis.</summary>
    public long RedisHits { get; init; }

    /// <summary>Reads neither tier could answer with a fresh value.</summary>
    public long Misses { get; init; }

    /// <summary>Stale values served by fail-safe (each after a miss).</summary>
    public long StaleServed { get; init; }

    /// <summary>Factory runs.</summary>
    public long FactoryRuns { get; init; }

    /// <summary>Redis calls that failed (timeouts, connection errors, error replies).</summary>
    public long RedisFailures { get; init; }

    /// <summary>Entries written.</summary>
    public long Sets { get; init; }

    /// <summary>Entries removed by key.</summary>
    public long Removals { get; init; }

    /// <summary>Entries held by the in-process tier now.</summary>
    public long MemoryEntries { get; init; }

    /// <summary>Bytes held by the in-process tier now.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Entries evicted from the in-process tier because a bound was reached.</summary>
    public long MemoryEvictions { get; init; }

    /// <summary>The circuit breaker around Redis now.</summary>
    public RedisCircuitState CircuitState { get; init; }

    /// <summary>How the in-process tier is kept coherent now.</summary>
    public CacheCoherenceMode CoherenceMode { get; init; }

    /// <summary>Hits (memory and Redis) plus misses.</summary>
    public long Requests => MemoryHits + RedisHits + Misses;

    /// <summary>Hits over requests, or null before the first request.</summary>
    public double? HitRate => Requests == 0 ? null : (MemoryHits + RedisHits) / (double)Requests;
}
