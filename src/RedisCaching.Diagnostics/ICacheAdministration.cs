using System.Threading;
using System.Threading.Tasks;

namespace RedisCaching.Diagnostics;

/// <summary>
/// What operators and the admin API read about one cache (registered by <c>AddRedisCaching().AddAdministration()</c>;
/// a singleton for the main cache, keyed by name for a named cache).
/// </summary>
public interface ICacheAdministration
{
    /// <summary>
    /// The cache's counters and, per Redis primary, its <c>INFO</c> figures with the keyspace hits/misses and the
    /// evicted/expired keys as deltas since the previous snapshot of this service.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The snapshot; a node that did not answer is listed with its error.</returns>
    Task<CacheStatsSnapshot> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a bounded sample of the cache's keys on every primary (<c>SCAN</c> under the cache's prefix, never
    /// <c>KEYS</c>), measures each with pipelined <c>MEMORY USAGE</c> and <c>PTTL</c>, and groups them by prefix:
    /// count, bytes, TTL distribution, keys without a TTL, and recommendations. Key names never leave this report
    /// except as group prefixes.
    /// </summary>
    /// <param name="options">The bounds; the defaults when null.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    /// <returns>The report; marked incomplete when a bound stopped it.</returns>
    Task<KeyAnalysisReport> AnalyzeKeysAsync(KeyAnalysisOptions? options = null, CancellationToken cancellationToken = default);
}
