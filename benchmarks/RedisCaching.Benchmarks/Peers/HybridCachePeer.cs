using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// Microsoft's HybridCache (<c>AddHybridCache()</c>) over <c>AddStackExchangeRedisCache()</c>, built through DI as an
/// app would (one service provider per instance, one multiplexer each). Its default serializer (System.Text.Json;
/// strings as raw UTF-8). It has no cross-instance L1 invalidation (a write through another instance leaves this
/// instance's L1 as it was until its local expiry), and its remove-by-tag does not reach another instance's L1
/// either (<c>check-peers</c> reports both).
/// </summary>
public sealed class HybridCachePeer : ICacheUnderTest
{
    private static readonly HybridCacheEntryOptions L1Only = new()
    {
        Flags = HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableUnderlyingData,
    };

    private static readonly HybridCacheEntryOptions L2Only = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCacheWrite | HybridCacheEntryFlags.DisableUnderlyingData,
    };

    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ServiceProvider _services;
    private readonly HybridCache _cache;

    private HybridCachePeer(ConnectionMultiplexer multiplexer, ServiceProvider services)
    {
        _multiplexer = multiplexer;
        _services = services;
        _cache = services.GetRequiredService<HybridCache>();
    }

    public string Name => PeerNames.Hybrid;

    public PeerFeatures Features => PeerFeatures.MemoryTier | PeerFeatures.DistributedTier | PeerFeatures.Tags | PeerFeatures.StampedeProtection;

    public HybridCache Cache => _cache;

    public static async Task<HybridCachePeer> CreateAsync(IPEndPoint endpoint, string instance)
    {
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(
            BenchEndpoint.ClientOptions(endpoint, $"bench-hybrid-{instance}"));
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(options =>
        {
            options.InstanceName = "hc:";
            options.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer);
        });
        services.AddHybridCache(options => options.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            Expiration = PeerDefaults.Duration,
            LocalCacheExpiration = PeerDefaults.Duration,
        });
        return new HybridCachePeer(multiplexer, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.GetOrCreateAsync(key, (key, factory), static (state, ct) => state.factory(state.key, ct), null, tags, cancellationToken);

    public ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        ReadAsync<T>(key, L1Only, cancellationToken);

    public ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default) =>
        ReadAsync<T>(key, L2Only, cancellationToken);

    public ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.SetAsync(key, value, null, tags, cancellationToken);

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        _cache.RemoveAsync(key, cancellationToken);

    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        _cache.RemoveByTagAsync(tag, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _multiplexer.DisposeAsync();
    }

    // HybridCache has no try-get: a get-or-create whose flags forbid running the factory (and writing) is its
    // equivalent; a miss comes back as default(T). The benchmark values are never null or default.
    private ValueTask<Lookup<T>> ReadAsync<T>(string key, HybridCacheEntryOptions options, CancellationToken cancellationToken)
    {
        ValueTask<T> pending = _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult(default(T)!), options, null, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<Lookup<T>>(ToLookup(pending.Result)) : Slow(pending);

        static async ValueTask<Lookup<T>> Slow(ValueTask<T> pending) => ToLookup(await pending);

        static Lookup<T> ToLookup(T value) => value is null ? default(Lookup<T>) : new Lookup<T>(true, value);
    }
}
