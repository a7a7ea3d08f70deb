using System;

namespace RedisCaching.Invalidation;

/// <summary>Where a warming run stands.</summary>
/// <param name="Loaded">Keys loaded and written.</param>
/// <param name="Skipped">Keys the cache already held (with <see cref="CacheWarmingOptions.Overwrite"/> off).</param>
/// <param name="Failed">Keys whose load or write failed.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Completed">Whether this is the last report.</param>
public sealed record CacheWarmingProgress(int Loaded, int Skipped, int Failed, TimeSpan Elapsed, bool Completed);
