using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// FusionCache 2.x as its docs set it up for a multi-instance app: its own L1 (MemoryCache), Microsoft's
/// <see cref="RedisCache"/> as L2, the StackExchange.Redis backplane, System.Text.Json (source-generated
/// metadata, the same as the baseline). One multiplexer per instance, shared by L2 and backplane. Everything
/// else at FusionCache's defaults (backplane publishes in the background, no fail-safe).
/// </summary>
public sealed class FusionCachePeer : ICacheUnderTest
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly FusionCache _cache;
    private readonly FusionCacheEntryOptions _l2Only;

    // FusionCache's factory has no state argument: the adapter's wrapper around the caller's factory is built once
    // per factory (benchmarks use one each), not once per call, so a hit does not pay for a closure.
    private object? _lastFactory;

    private FusionCachePeer(ConnectionMultiplexer multiplexer, FusionCache cache)
    {
        _multiplexer = multiplexer;
        _cache = cache;
        _l2Only = cache.DefaultEntryOptions.Duplicate();
        _l2Only.SkipMemoryCacheRead = true;
        _l2Only.SkipMemoryCacheWrite = true;
    }

    public string Name => PeerNames.Fusion;

    public PeerFeatures Features => PeerFeatures.MemoryTier | PeerFeatures.DistributedTier | PeerFeatures.Tags
        | PeerFeatures.CrossInstanceInvalidation | PeerFeatures.StampedeProtection;

    public IFusionCache Cache => _cache;

    public static async Task<FusionCachePeer> CreateAsync(IPEndPoint endpoint, string instance)
    {
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(
            BenchEndpoint.ClientOptions(endpoint, $"bench-fusion-{instance}"));
        Func<Task<IConnectionMultiplexer>> connect = () => Task.FromResult<IConnectionMultiplexer>(multiplexer);
        var cache = new FusionCache(new FusionCacheOptions
        {
            // The same name on every instance: the backplane channel is derived from it.
            CacheName = "bench",
            DefaultEntryOptions = new FusionCacheEntryOptions { Duration = PeerDefaults.Duration },
        });
        cache.SetupSerializer(new FusionCacheSystemTextJsonSerializer(PeerDefaults.JsonWithReflectionFallback));
        cache.SetupDistributedCache(new RedisCache(Options.Create(new RedisCacheOptions
        {
            InstanceName = "fc:",
            ConnectionMultiplexerFactory = connect,
        })));
        cache.SetupBackplane(new RedisBackplane(Options.Create(new RedisBackplaneOptions
        {
            ConnectionMultiplexerFactory = connect,
        })));
        return new FusionCachePeer(multiplexer, cache);
    }

    public ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.GetOrSetAsync(key, Wrap(factory), default, null, tags, cancellationToken);

    public async ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        MaybeValue<T> value = await _cache.TryGetAsync<T>(key, null, cancellationToken);
        return value.HasValue ? new Lookup<T>(true, value.Value) : default(Lookup<T>);
    }

    public async ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default)
    {
        MaybeValue<T> value = await _cache.TryGetAsync<T>(key, _l2Only, cancellationToken);
        return value.HasValue ? new Lookup<T>(true, value.Value) : default(Lookup<T>);
    }

    public ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.SetAsync(key, value, null, tags, cancellationToken);

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        _cache.RemoveAsync(key, null, cancellationToken);

    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        _cache.RemoveByTagAsync(tag, null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _cache.Dispose();
        await _multiplexer.DisposeAsync();
    }

    private Func<FusionCacheFactoryExecutionContext<T>, CancellationToken, Task<T>> Wrap<T>(Func<string, CancellationToken, ValueTask<T>> factory)
    {
        if (Volatile.Read(ref _lastFactory) is Wrapped<T> wrapped && ReferenceEquals(wrapped.Source, factory))
        {
            return wrapped.Native;
        }

        wrapped = new Wrapped<T>(factory);
        Volatile.Write(ref _lastFactory, wrapped);
        return wrapped.Native;
    }

    private sealed class Wrapped<T>(Func<string, CancellationToken, ValueTask<T>> source)
    {
        public Func<string, CancellationToken, ValueTask<T>> Source { get; } = source;

        public Func<FusionCacheFactoryExecutionContext<T>, CancellationToken, Task<T>> Native { get; } =
            (context, cancellationToken) => source(context.Key, cancellationToken).AsTask();
    }
}
