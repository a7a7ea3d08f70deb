using System;

namespace RedisCaching.Internal.Engine;

/// <summary>An entry's options with the call, its profile and the defaults merged; every value is set.</summary>
internal readonly record struct ResolvedEntryOptions(
    TimeSpan Expiration,
    TimeSpan FailSafeMaxDuration,
    TimeSpan? FactorySoftTimeout,
    TimeSpan? FactoryHardTimeout,
    float EagerRefreshThreshold,
    CacheSkip Skip)
{
    /// <summary>How long a miss waits for another process's factory; null: no cross-process lock (RedisCache.Lock.cs).</summary>
    public TimeSpan? DistributedLockTimeout { get; init; }

    public bool FailSafeEnabled => FailSafeMaxDuration > TimeSpan.Zero;

    public bool Skips(CacheSkip skip) => (Skip & skip) != 0;
}
