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
}
