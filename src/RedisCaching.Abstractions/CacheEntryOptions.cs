using System;
using System.Collections.Generic;

namespace RedisCaching;

/// <summary>
/// How one entry is cached. Every setting left <see langword="null"/> comes from the entry's profile, then from the
/// cache's defaults. Instances are immutable (use <c>with</c> to derive one), so one instance can be shared by
/// every call.
/// </summary>
public sealed record CacheEntryOptions
{
    /// <summary>Options that take everything from the profile and the defaults.</summary>
    public static CacheEntryOptions Default { get; } = new();

    /// <summary>How long the entry lives after it is written (absolute expiry, relative to the write).</summary>
    public TimeSpan? Expiration { get; init; }

    /// <summary>When set, each read extends the entry's life by this much, never beyond <see cref="Expiration"/> from the write.</summary>
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>A named TTL profile (e.g. <c>features</c>, <c>requirements</c>); its settings fill what is not set here.</summary>
    public string? Profile { get; init; }

    /// <summary>Tags; removing a tag removes every entry that carries it.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>
    /// How long after its logical expiry an entry may still be served when the factory or Redis fails
    /// (fail-safe). <see cref="TimeSpan.Zero"/> turns fail-safe off for the entry.
    /// </summary>
    public TimeSpan? FailSafeMaxDuration { get; init; }

    /// <summary>After this long a factory that has a stale value to fall back on returns it and finishes in the background.</summary>
    public TimeSpan? FactorySoftTimeout { get; init; }

    /// <summary>After this long the factory is abandoned and the call fails (or serves stale, when fail-safe has a value).</summary>
    public TimeSpan? FactoryHardTimeout { get; init; }

    /// <summary>
    /// A fraction of the entry's life (0 to 1, exclusive) after which a hit returns at once and refreshes the entry in the
    /// background, once. <see langword="null"/> or 0 turns eager refresh off.
    /// </summary>
    public float? EagerRefreshThreshold { get; init; }

    /// <summary>
    /// Opt-in stampede protection across processes: on a miss, the first process takes a short Redis lock and runs
    /// the factory; the others wait up to this long for its value (re-reading Redis), then run the factory
    /// themselves. Costs one <c>SET NX</c> per miss plus the wait. <see langword="null"/> takes the profile's or the
    /// defaults' setting (off unless they set it); <see cref="TimeSpan.Zero"/> turns it off for the entry.
    /// </summary>
    public TimeSpan? DistributedLockTimeout { get; init; }

    /// <summary>
    /// The serialization format, by name (<c>json</c>, the default; <c>messagepack</c> with RedisCaching.Serialization; or an
    /// app's <see cref="ICacheSerializerProvider"/>). A type registered with a format of its own always uses that one.
    /// An entry written in one format and read in another is a miss.
    /// </summary>
    public string? Serializer { get; init; }

    /// <summary>
    /// The compression codec, by name (<c>brotli</c>, <c>gzip</c>, <c>zlib</c>; <c>zstd</c> and <c>lz4</c> with
    /// RedisCaching.Serialization), or <c>none</c>. Payloads below the threshold, or that compress by less than the
    /// configured saving, are stored as they are. Reads decompress whatever codec an entry records.
    /// </summary>
    public string? Compression { get; init; }

    /// <summary>
    /// Encrypt the payload (needs an <see cref="ICacheEncryptor"/>, e.g. RedisCaching.Serialization's AES-GCM). A reader that
    /// expects encryption treats an unencrypted entry as a miss, and the other way round.
    /// </summary>
    public bool? Encrypt { get; init; }

    /// <summary>
    /// On a get-or-set miss, return the factory's value without waiting for Redis to acknowledge its write: the caller
    /// saves a round trip (what HybridCache always does on a miss). Memory is still filled only when
    /// Redis acknowledges the write, so this instance never holds a value Redis was not given; until then another
    /// instance may miss the key, and callers of this instance for the key get the value the factory returned. A write
    /// that fails is counted as any Redis failure and not reported to the caller. Ignored (the call waits) with
    /// <c>ThrowOnRedisFailure</c>, under the cross-process lock (<see cref="DistributedLockTimeout"/>), and for
    /// background refreshes. <see langword="null"/> takes the profile's or the defaults' setting (off unless they set it).
    /// </summary>
    public bool? BackgroundRedisWrite { get; init; }

    /// <summary>Tiers this entry skips.</summary>
    public CacheSkip Skip { get; init; }
}
