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
    private readonly Codecs.FormatRegistry _formats;
    private readonly Codecs.CodecSet _codecs;
    private readonly RedisGuard _guard;
    private readonly NodeBreakers _nodeBreakers;
    private readonly TimeProvider _time;
    private readonly HitClock _hitClock;
    private readonly ILogger _logger;
    private readonly TimeSpan _redisTimeout;
    private readonly TimeSpan _failSafeThrottle;
    private readonly TimeSpan _breakDuration;
    private readonly bool _throwOnRedisFailure;

    /// <summary>How long a flight's Redis read may have been under way for a caller to still join it (timestamp ticks); long.MaxValue when the bound is off.</summary>
    private readonly long _flightJoinWindowTicks;
    private readonly ConcurrentDictionary<FlightKey, object> _flights = new();
    private readonly ConcurrentDictionary<string, long> _refreshing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _factoryFailedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inDoubt = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private readonly Telemetry.RedisServerTags _server;

    /// <summary>Null when coalescing is off (<see cref="RedisCachingOptions.CoalesceReadsAbove"/> zero).</summary>
    private readonly ReadCoalescer? _coalescer;

    /// <summary>The coalescer of this cache's reads (null when off), for tests and diagnostics.</summary>
    internal ReadCoalescer? Coalescer => _coalescer;

    public RedisCache(RedisCachingOptions options, IRedisConnection connection, IMemoryTier memory, ILogger logger, TimeProvider time, Codecs.CodecSet codecs, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = string.IsNullOrEmpty(name) ? DefaultName : name;
        _server = Telemetry.RedisServerTags.From(options.Redis);
        _connection = connection;
        _memory = memory;
        _logger = logger;
        _time = time;
        _hitClock = new HitClock(time);
        _keys = new CacheKeyBuilder(options.Keys);
        _codecs = codecs;
        _resolver = new EntryOptionsResolver(options.DefaultEntryOptions, options.Profiles, _keys.ToTagKey, codecs);
        _formats = new Codecs.FormatRegistry(codecs);
        _guard = new RedisGuard(options.CircuitBreakerThreshold, options.CircuitBreakDuration, time);
        _nodeBreakers = new NodeBreakers(options.CircuitBreakerThreshold, options.CircuitBreakDuration, time);
        _redisTimeout = options.RedisTimeout;
        _failSafeThrottle = options.FailSafeThrottleDuration;
        _coalescer = options.CoalesceReadsAbove > 0 ? new ReadCoalescer(options.CoalesceReadsAbove) : null;
        _breakDuration = options.CircuitBreakDuration;
        _throwOnRedisFailure = options.ThrowOnRedisFailure;
        _flightJoinWindowTicks = JoinWindowTicks(options.Memory.MaxStaleness, time);

        Telemetry.CacheInstruments.Register(this);

        // Connect now, in the background: the first cache call then does not spend its Redis budget on the handshake.
        _ = WarmUpAsync(connection);
    }

    private static async Task WarmUpAsync(IRedisConnection connection)
    {
        try
        {
            await connection.GetMultiplexerAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException or TimeoutException)
        {
            // Nothing to do: the first call will try again (within its budget) and degrade if Redis is still away.
        }
    }

    public CacheCounters Counters { get; } = new();

    /// <summary>The <c>rediscaching.cache.name</c> of this cache's telemetry (never a key: an options name).</summary>
    public string Name { get; }

    /// <summary>The in-process tier, for its gauges.</summary>
    public IMemoryTier Memory => _memory;

    /// <summary>Keys whose factory is throttled after a failure (bounded; for tests and diagnostics).</summary>
    public int ThrottledKeyCount => _factoryFailedUntil.Count;

    /// <summary>The worst breaker's state (on a cluster there is one per primary, see <see cref="GuardFor"/>).</summary>
    public RedisCircuitState CircuitState => _nodeBreakers.Worst(_guard.State);

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
        _memory.TakesOwnWrites
            ? _memory.WriteDatabase
            : await ReadDatabaseAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        Telemetry.CacheInstruments.Unregister(this);
        await _disposed.CancelAsync().ConfigureAwait(false);
        await _memory.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        Telemetry.CacheInstruments.Unregister(this);
        _disposed.Cancel();
        _memory.Dispose();
    }

    /// <summary>A background refresh is its own flight: a caller that needs a value never joins (and inherits the failure of) a refresh.</summary>
    private readonly record struct FlightKey(string MemoryKey, Type ValueType, bool RefreshOnly);

    private const int MaxThrottledKeys = 1024;

    /// <summary>The telemetry name of the unnamed cache.</summary>
    public const string DefaultName = "default";
}
