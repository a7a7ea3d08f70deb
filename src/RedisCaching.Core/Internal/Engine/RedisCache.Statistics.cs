namespace RedisCaching.Internal.Engine;

/// <summary><see cref="ICacheStatistics"/>: the plain counters and the current state, for health checks and tools.</summary>
internal sealed partial class RedisCache : ICacheStatistics
{
    public CacheStatistics GetStatistics() => new()
    {
        MemoryHits = Counters.MemoryHits,
        RedisHits = Counters.RedisHits,
        Misses = Counters.Misses,
        StaleServed = Counters.StaleServed,
        FactoryRuns = Counters.FactoryRuns,
        RedisFailures = Counters.RedisFailures,
        Sets = Counters.Sets,
        Removals = Counters.Removals,
        MemoryEntries = _memory.Count,
        MemoryBytes = _memory.Bytes,
        MemoryEvictions = _memory.Evictions,
        CircuitState = CircuitState,
        CoherenceMode = _memory.Mode,
    };
}
