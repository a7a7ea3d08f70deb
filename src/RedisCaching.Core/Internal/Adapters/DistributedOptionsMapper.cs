using System;
using Microsoft.Extensions.Caching.Distributed;

namespace RedisCaching.Internal.Adapters;

/// <summary>
/// Turns <see cref="DistributedCacheEntryOptions"/> into <see cref="CacheEntryOptions"/> so the entry expires
/// exactly as asked: no fail-safe window (an IDistributedCache entry is gone when it expires), the absolute
/// expiration as the engine's <see cref="CacheEntryOptions.Expiration"/>, sliding as sliding.
/// </summary>
internal static class DistributedOptionsMapper
{
    /// <summary>
    /// The life of an entry that has no absolute expiration. The engine needs one: for a sliding-only entry it is the
    /// cap the sliding window can never pass, and an entry with no expiration at all (which Microsoft's Redis cache keeps
    /// without a TTL) is kept this long. A year is "no limit" for any cache, but Redis still reclaims a forgotten key.
    /// </summary>
    public static readonly TimeSpan NoAbsoluteExpiration = TimeSpan.FromDays(365);

    /// <exception cref="ArgumentOutOfRangeException">The absolute expiration is not in the future (as Microsoft's RedisCache).</exception>
    public static CacheEntryOptions Map(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AbsoluteExpiration is { } absolute && absolute <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(options), absolute, "The absolute expiration value (AbsoluteExpiration) must be in the future.");
        }

        // Relative wins over absolute when both are set, as in Microsoft's implementations.
        var expiration = options.AbsoluteExpirationRelativeToNow ?? (options.AbsoluteExpiration - now) ?? NoAbsoluteExpiration;
        return new CacheEntryOptions
        {
            Expiration = expiration,
            SlidingExpiration = options.SlidingExpiration,
            FailSafeMaxDuration = TimeSpan.Zero,
        };
    }
}
