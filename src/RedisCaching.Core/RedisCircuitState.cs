namespace RedisCaching;

/// <summary>The state of the cache's circuit breaker around Redis.</summary>
public enum RedisCircuitState
{
    /// <summary>Redis is called as usual.</summary>
    Closed,

    /// <summary>Redis failed repeatedly: calls skip it (reads use memory and the factory, writes are counted no-ops).</summary>
    Open,

    /// <summary>The break has passed: the next call probes Redis.</summary>
    HalfOpen,
}
