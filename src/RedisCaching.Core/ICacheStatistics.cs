namespace RedisCaching;

/// <summary>
/// What a cache counted since it started, for health checks and administration tools (the same counters the
/// <see cref="RedisCachingTelemetry.MeterName"/> meter publishes). The engine behind <see cref="ICache"/> implements it:
/// cast the cache (or a named cache from <see cref="ICacheProvider"/>) to read it.
/// </summary>
public interface ICacheStatistics
{
    /// <summary>A consistent-enough snapshot of the counters (each read atomically; not all at one instant).</summary>
    /// <returns>The counters and the cache's current state.</returns>
    CacheStatistics GetStatistics();
}
