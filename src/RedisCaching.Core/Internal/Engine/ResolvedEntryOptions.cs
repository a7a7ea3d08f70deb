using System;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// An entry's options with the call, its profile and the defaults merged; every value is set. A class, resolved once
/// per options instance and shared: as a ~130-byte struct it was copied into every call's frame, a memory hit's
/// included (benchmarks/README.md, "L1 hit profile").
/// </summary>
internal sealed record ResolvedEntryOptions(
    TimeSpan Expiration,
    TimeSpan FailSafeMaxDuration,
    TimeSpan? FactorySoftTimeout,
    TimeSpan? FactoryHardTimeout,
    float EagerRefreshThreshold,
    CacheSkip Skip)
{
    /// <summary>How long a miss waits for another process's factory; null: no cross-process lock (RedisCache.Lock.cs).</summary>
    public TimeSpan? DistributedLockTimeout { get; init; }

    /// <summary>The sliding window; null when the entry does not slide (then <see cref="Expiration"/> is its life, else its cap).</summary>
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>The entry's tags as given (deduplicated), or null.</summary>
    public string[]? Tags { get; init; }

    /// <summary>The memory keys of the tags' token keys, in the order of <see cref="Tags"/>.</summary>
    public string[]? TagKeys { get; init; }

    /// <summary>The serializer chosen by name (call, profile, defaults); null for the default (JSON).</summary>
    public string? SerializerName { get; init; }

    /// <summary>The compression codec (call, profile, defaults); null: none.</summary>
    public ICacheCompressor? Compressor { get; init; }

    /// <summary>Whether payloads are encrypted (call, profile, defaults).</summary>
    public bool Encrypt { get; init; }

    /// <summary>Whether a get-or-set miss returns before Redis acknowledged its write (call, profile, defaults).</summary>
    public bool BackgroundRedisWrite { get; init; }

    /// <summary>The call's options these were resolved from (null for the defaults): what the resolver's one-entry cache compares.</summary>
    public CacheEntryOptions? ResolvedFrom { get; init; }

    /// <summary>Fail-safe never applies to a sliding entry: an idle entry that expired is gone.</summary>
    public bool FailSafeEnabled => FailSafeMaxDuration > TimeSpan.Zero && SlidingExpiration is null;

    public bool Skips(CacheSkip skip) => (Skip & skip) != 0;
}
