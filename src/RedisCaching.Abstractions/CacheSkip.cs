using System;

namespace RedisCaching;

/// <summary>Tiers an entry skips (<see cref="CacheEntryOptions.Skip"/>).</summary>
[Flags]
public enum CacheSkip
{
    /// <summary>Both tiers are used.</summary>
    None = 0,

    /// <summary>Do not read from the in-process tier.</summary>
    MemoryRead = 1,

    /// <summary>Do not store in the in-process tier.</summary>
    MemoryWrite = 2,

    /// <summary>Do not read from Redis.</summary>
    RedisRead = 4,

    /// <summary>Do not write to Redis.</summary>
    RedisWrite = 8,

    /// <summary>Skip the in-process tier entirely.</summary>
    Memory = MemoryRead | MemoryWrite,

    /// <summary>Skip Redis entirely (a local-only entry).</summary>
    Redis = RedisRead | RedisWrite,
}
