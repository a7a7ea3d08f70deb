using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Hybrid;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// Turns HybridCache's per-call options and tags into <see cref="CacheEntryOptions"/>.
/// <see cref="HybridCacheEntryOptions.LocalCacheExpiration"/> is not used: our memory tier holds an entry only while
/// Redis does, and CLIENT TRACKING drops it everywhere on any change, so there is no separate, shorter life for a
/// local copy to bound. <see cref="HybridCacheEntryFlags.DisableCompression"/> is not used either (nothing is
/// compressed yet).
/// </summary>
internal static class HybridOptionsMapper
{
    // HybridCacheEntryOptions is immutable (init-only), so one mapping per instance is safe; callers usually pass a
    // few static instances, and the engine's resolver then sees the same CacheEntryOptions instance each time.
    private static readonly ConditionalWeakTable<HybridCacheEntryOptions, CacheEntryOptions> Mapped = new();

    public static CacheEntryOptions? Map(HybridCacheEntryOptions? options, IEnumerable<string>? tags)
    {
        var mapped = options is null ? null : Mapped.GetValue(options, static o => MapOnce(o));
        var tagList = tags is null ? null : tags.ToArray();
        return tagList is { Length: > 0 } ? (mapped ?? CacheEntryOptions.Default) with { Tags = tagList } : mapped;
    }

    public static bool DisablesUnderlyingData(HybridCacheEntryOptions? options) =>
        options?.Flags is { } flags && (flags & HybridCacheEntryFlags.DisableUnderlyingData) != 0;

    private static CacheEntryOptions MapOnce(HybridCacheEntryOptions options)
    {
        var skip = ToSkip(options.Flags ?? HybridCacheEntryFlags.None);
        return options.Expiration is null && skip == CacheSkip.None
            ? CacheEntryOptions.Default
            : new CacheEntryOptions { Expiration = options.Expiration, Skip = skip };
    }

    private static CacheSkip ToSkip(HybridCacheEntryFlags flags)
    {
        var skip = CacheSkip.None;
        skip |= (flags & HybridCacheEntryFlags.DisableLocalCacheRead) != 0 ? CacheSkip.MemoryRead : CacheSkip.None;
        skip |= (flags & HybridCacheEntryFlags.DisableLocalCacheWrite) != 0 ? CacheSkip.MemoryWrite : CacheSkip.None;
        skip |= (flags & HybridCacheEntryFlags.DisableDistributedCacheRead) != 0 ? CacheSkip.RedisRead : CacheSkip.None;
        skip |= (flags & HybridCacheEntryFlags.DisableDistributedCacheWrite) != 0 ? CacheSkip.RedisWrite : CacheSkip.None;
        return skip;
    }
}
