using System;

namespace RedisCaching.Invalidation;

/// <summary>One key a warming run could not load or write (returned to the caller; never logged, keys are not logged).</summary>
/// <param name="Key">The cache key.</param>
/// <param name="Error">What the loader or the cache threw.</param>
public sealed record CacheWarmingFailure(string Key, Exception Error);
