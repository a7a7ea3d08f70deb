using System.Threading;

namespace RedisCaching.Internal.Engine;

/// <summary>What the engine counts; published as metrics by Internal/Telemetry/CacheInstruments (read at collection time, so a hit costs one increment).</summary>
internal sealed class CacheCounters
{
    private readonly StripedCounter _memoryHits = new();
    private long _redisHits;
    private long _misses;
    private long _factoryRuns;
    private long _staleServed;
    private long _redisFailures;
    private long _unreadableEntries;
    private long _skippedWhileOpen;
    private long _staleFromRedis;
    private long _sets;
    private long _removals;

    public long MemoryHits => _memoryHits.Value;

    public long RedisHits => Volatile.Read(ref _redisHits);

    public long Misses => Volatile.Read(ref _misses);

    public long FactoryRuns => Volatile.Read(ref _factoryRuns);

    public long StaleServed => Volatile.Read(ref _staleServed);

    public long RedisFailures => Volatile.Read(ref _redisFailures);

    public long UnreadableEntries => Volatile.Read(ref _unreadableEntries);

    public long SkippedWhileOpen => Volatile.Read(ref _skippedWhileOpen);

    /// <summary>The part of <see cref="StaleServed"/> whose value was read from Redis (the rest came from memory).</summary>
    public long StaleFromRedis => Volatile.Read(ref _staleFromRedis);

    public long Sets => Volatile.Read(ref _sets);

    public long Removals => Volatile.Read(ref _removals);

    public void Set() => Interlocked.Increment(ref _sets);

    public void Removal() => Interlocked.Increment(ref _removals);

    /// <summary>Every memory hit, from every core: striped (<see cref="StripedCounter"/>), the rest are per Redis call or rarer.</summary>
    /// <returns>The count in the hit's stripe after it (what the hot-key sampler decides from).</returns>
    public long MemoryHit() => _memoryHits.Increment();

    public void RedisHit() => Interlocked.Increment(ref _redisHits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public void FactoryRun() => Interlocked.Increment(ref _factoryRuns);

    public void Stale(CacheTier tier)
    {
        Interlocked.Increment(ref _staleServed);
        if (tier == CacheTier.Redis)
        {
            Interlocked.Increment(ref _staleFromRedis);
        }
    }

    public void RedisFailure() => Interlocked.Increment(ref _redisFailures);

    public void Unreadable() => Interlocked.Increment(ref _unreadableEntries);

    public void SkippedOpen() => Interlocked.Increment(ref _skippedWhileOpen);
}
