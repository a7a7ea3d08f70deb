namespace RedisCaching;

/// <summary>How the in-process tier is kept coherent with Redis.</summary>
public enum CacheCoherenceMode
{
    /// <summary>Not started yet, or the invalidation stream is down: the in-process tier holds nothing until it is back.</summary>
    Unavailable,

    /// <summary>Redis server-assisted client-side caching (<c>CLIENT TRACKING</c>): every write, expiry, eviction and flush, by anyone, invalidates.</summary>
    Tracking,

    /// <summary>The server refused tracking: invalidations travel on a pub/sub channel that RedisCaching's own writes publish to (writes by other programs are not seen).</summary>
    Backplane,

    /// <summary>The in-process tier is switched off.</summary>
    Disabled,
}
