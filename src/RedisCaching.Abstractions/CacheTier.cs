namespace RedisCaching;

/// <summary>Where a cache result came from.</summary>
public enum CacheTier
{
    /// <summary>No value: a miss.</summary>
    None,

    /// <summary>The in-process tier (L1).</summary>
    Memory,

    /// <summary>Redis (L2).</summary>
    Redis,

    /// <summary>The factory ran and produced the value.</summary>
    Factory,
}
