using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RedisCaching.Internal.Keys;
using RedisCaching.Internal.Memory;
using StackExchange.Redis;

namespace RedisCaching.Internal.Engine;

/// <summary>
/// The cache engine: memory (L1) in front of Redis (L2). This file holds the shared state; reads, get-or-set and
/// writes live in the partial files beside it.
/// </summary>
internal sealed partial class RedisCache : ICache, IAsyncDisposable, IDisposable
{
    private readonly IRedisConnection _connection;
    private readonly IMemoryTier _memory;
    private readonly CacheKeyBuilder _keys;
    private readonly EntryOptionsResolver _resolver;
    private readonly SerializerRegistry _serializers;
    private readonly RedisGuard _guard;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _redisTimeout;
    private readonly TimeSpan _failSafeThrottle;
    private readonly TimeSpan _breakDuration;
    private readonly bool _throwOnRedisFailure;
    private readonly ConcurrentDictionary<FlightKey, object> _flights = new();
    private readonly ConcurrentDictionary<string, long> _refreshing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _factoryFailedUntil = new(StringComparer.Ordinal);

    public RedisCache(RedisCachingOptions options, IRedisConnection connection, IMemoryTier memory, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _memory = memory;
        _logger = logger;
        _time = time;
        _keys = new CacheKeyBuilder(options.Keys);
        _resolver = new EntryOptionsResolver(options.DefaultEntryOptions, options.Profiles);
        _serializers = new SerializerRegistry(options.JsonSerializerOptions);
        _guard = new RedisGuard(options.CircuitBreakerThreshold, options.CircuitBreakDuration, time);
        _redisTimeout = options.RedisTimeout;
        _failSafeThrottle = options.FailSafeThrottleDuration;
        _breakDuration = options.CircuitBreakDuration;
        _throwOnRedisFailure = options.ThrowOnRedisFailure;
    }

    public CacheCounters Counters { get; } = new();

    public RedisCircuitState CircuitState => _guard.State;

    public CacheCoherenceMode CoherenceMode => _memory.Mode;

    /// <summary>The prefix every Redis key of this cache starts with (what Redis tracks for invalidations).</summary>
    public string TrackingPrefix => _keys.TrackingPrefix;

    /// <summary>The Redis key a cache key is stored under (for tests and tools).</summary>
    public string RedisKeyOf(string key) => _keys.Qualify(_keys.ToMemoryKey(key));

    private long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask<IDatabase> ReadDatabaseAsync(CancellationToken cancellationToken) =>
        (await _connection.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();

    /// <summary>Our writes go through the tracked NOLOOP connection when there is one, so they do not invalidate us.</summary>
    private async ValueTask<IDatabaseAsync> WriteDatabaseAsync(CancellationToken cancellationToken) =>
        _memory.Mode is CacheCoherenceMode.Tracking or CacheCoherenceMode.Backplane
            ? _memory.WriteDatabase
            : await ReadDatabaseAsync(cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    public void Dispose() => _memory.Dispose();

    private readonly record struct FlightKey(string MemoryKey, Type ValueType);
}
