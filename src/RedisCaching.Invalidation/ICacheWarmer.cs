using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Invalidation;

/// <summary>
/// Pre-loads entries (after a deploy, or on a schedule: see <c>AddWarmingJob</c>): from a list of keys or a query you supply, with a
/// concurrency limit, progress, and a report of what failed. Registered by <c>AddInvalidation()</c> for the main cache,
/// and as a keyed service for each named cache.
/// </summary>
public interface ICacheWarmer
{
    /// <summary>Loads each key with <paramref name="load"/> and writes it to the cache (both tiers).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="keys">The keys: a list, or a query enumerated as the run goes.</param>
    /// <param name="load">Produces a key's value (e.g. from the database).</param>
    /// <param name="options">Concurrency, overwrite, entry options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told at most every <see cref="CacheWarmingOptions.ProgressInterval"/> and once at the end.</param>
    /// <param name="cancellationToken">Stops the run: loads in flight finish, no new one starts, and <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>How many keys were loaded and skipped, and each failure. A failing key never stops the run.</returns>
    Task<CacheWarmingReport> WarmAsync<T>(
        IAsyncEnumerable<string> keys,
        Func<string, CancellationToken, ValueTask<T>> load,
        CacheWarmingOptions? options = null,
        IProgress<CacheWarmingProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
