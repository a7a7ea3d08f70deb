using System;
using System.Collections.Generic;

namespace RedisCaching.Invalidation;

/// <summary>What a warming run did.</summary>
/// <param name="Loaded">Keys loaded and written.</param>
/// <param name="Skipped">Keys the cache already held (with <see cref="CacheWarmingOptions.Overwrite"/> off).</param>
/// <param name="Failures">Each key that failed, with its error.</param>
/// <param name="Elapsed">How long the run took.</param>
public sealed record CacheWarmingReport(int Loaded, int Skipped, IReadOnlyList<CacheWarmingFailure> Failures, TimeSpan Elapsed);
