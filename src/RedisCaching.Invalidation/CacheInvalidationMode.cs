namespace RedisCaching.Invalidation;

/// <summary>How a tag is invalidated: its entries removed now, or marked stale and refreshed on their next read.</summary>
public enum CacheInvalidationMode
{
    /// <summary>Removed now (<see cref="ICache.RemoveByTagAsync"/>): the next read waits for its factory.</summary>
    Eager,

    /// <summary>
    /// Marked stale (<see cref="ICache.MarkStaleByTagAsync"/>, stale-while-revalidate): the next get-or-set returns the
    /// old value at once, flagged stale, and refreshes it in the background.
    /// </summary>
    Lazy,
}
