using System;
using System.Reflection;
using System.Threading;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace RedisCaching.Benchmarks.Peers;

/// <summary>
/// RedisCaching's own <see cref="ICache"/> behind the benchmark seam: <c>AddRedisCaching</c> with its coherent memory
/// tier (CLIENT TRACKING), one service provider per instance. No tags (<see cref="ICache"/> has none yet).
/// </summary>
public sealed class RedisCachingPeer : ICacheUnderTest
{
    private static readonly CacheEntryOptions L2Only = new() { Skip = CacheSkip.Memory };

    private readonly ICache _cache;
    private readonly IAsyncDisposable? _owner;

    /// <param name="cache">The cache under test.</param>
    /// <param name="owner">Disposed with the peer (e.g. the service provider that built the cache).</param>
    public RedisCachingPeer(ICache cache, IAsyncDisposable? owner)
    {
        _cache = cache;
        _owner = owner;
    }

    public string Name => PeerNames.RedisCaching;

    /// <summary>The cache itself, for suites that call <see cref="ICache"/> without the seam (TelemetryOverheadBenchmarks).</summary>
    public ICache Cache => _cache;

    /// <summary>The memory tier's staleness bound (<see cref="Timeout.InfiniteTimeSpan"/>: off).</summary>
    public TimeSpan MaxStaleness { get; private init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Memory hits the staleness lease refused so far (each went to Redis). Read by reflection: the counter is internal
    /// to the engine and this is a benchmark's diagnostic, not an API; -1 when it cannot be found.
    /// </summary>
    public long LeaseRefusals
    {
        get
        {
            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
            object? tier = _cache.GetType().GetField("_memory", Instance)?.GetValue(_cache);
            return tier?.GetType().GetProperty("LeaseRefusals", Instance)?.GetValue(tier) is long refusals ? refusals : -1;
        }
    }

    /// <summary><c>off</c> (no lease) or a number of milliseconds, as in <c>rediscaching@10</c>.</summary>
    public static TimeSpan ParseMaxStaleness(string text) =>
        text == "off" ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(double.Parse(text.TrimEnd('m', 's'), System.Globalization.CultureInfo.InvariantCulture));

    public PeerFeatures Features => PeerFeatures.MemoryTier | PeerFeatures.DistributedTier | PeerFeatures.Tags
        | PeerFeatures.CrossInstanceInvalidation | PeerFeatures.StampedeProtection;

    /// <summary>
    /// Creates the cache on <paramref name="endpoint"/> with its own service provider (its own connections and memory
    /// tier). Every instance uses the same key prefix, so two instances share entries (the Zipf workload needs that).
    /// Entries live <see cref="PeerDefaults.Duration"/> in both tiers, as for the other peers; values use the same
    /// source-generated System.Text.Json metadata as the raw baseline; fail-safe window at its default (1 hour).
    /// </summary>
    /// <param name="endpoint">The loopback Redis server.</param>
    /// <param name="instance">Distinguishes instances (client names in CLIENT LIST).</param>
    /// <param name="maxStaleness"><c>Memory:MaxStaleness</c>; null for the default.</param>
    /// <param name="backgroundRedisWrite">
    /// <see cref="CacheEntryOptions.BackgroundRedisWrite"/> in the defaults: a get-or-set miss returns without waiting for
    /// Redis to acknowledge its write (off by default, as in the library).
    /// </param>
    /// <param name="keyPrefix">
    /// The key prefix (<c>rcbench</c>, shared by every instance, by default). Two instances in one suite that must not
    /// share entries take prefixes of their own: with one prefix each also gets the other's invalidations.
    /// </param>
    public static async Task<RedisCachingPeer> CreateAsync(System.Net.IPEndPoint endpoint, string instance, TimeSpan? maxStaleness = null, bool backgroundRedisWrite = false, string keyPrefix = "rcbench")
    {
        var services = new ServiceCollection();
        services.AddRedisCaching(o =>
        {
            o.Redis.Host = endpoint.Address.ToString();
            o.Redis.Port = endpoint.Port;
            o.Redis.ClientName = $"bench-rediscaching-{instance}";
            o.Keys.Prefix = keyPrefix;
            o.DefaultEntryOptions = new CacheEntryOptions { Expiration = PeerDefaults.Duration, FailSafeMaxDuration = TimeSpan.FromHours(1), BackgroundRedisWrite = backgroundRedisWrite };
            o.Memory.MaxEntryLifetime = PeerDefaults.Duration;
            o.Memory.MaxStaleness = maxStaleness ?? o.Memory.MaxStaleness;
            o.JsonSerializerOptions = new JsonSerializerOptions { TypeInfoResolver = BenchJsonContext.Default };

            // A benchmark-only knob, to compare CoalesceReadsAbove settings in one build (benchmarks/README.md).
            o.CoalesceReadsAbove = int.TryParse(Environment.GetEnvironmentVariable("REDISCACHING_BENCH_COALESCE_ABOVE"), out var above) ? above : o.CoalesceReadsAbove;
        }).WithoutEnvironmentVariables();
        ServiceProvider provider = services.BuildServiceProvider();
        var peer = new RedisCachingPeer(provider.GetRequiredService<ICache>(), provider)
        {
            MaxStaleness = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisCachingOptions>>().Value.Memory.MaxStaleness,
        };
        try
        {
            // The memory tier becomes coherent (CLIENT TRACKING) asynchronously after the first use: one call, then
            // a short wait, so measurements (and PeerCheck) start with the tier on.
            await peer._cache.ExistsAsync("bench:warmup");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    // Completed calls (every L1 hit) are unwrapped without an async state machine, as the HybridCache adapter
    // passes its ValueTask through: the adapter then adds no cost of its own to the L1 rows.
    public ValueTask<T> GetOrSetAsync<T>(string key, Func<string, CancellationToken, ValueTask<T>> factory, string[]? tags = null, CancellationToken cancellationToken = default)
    {
        CacheEntryOptions? options = tags is null ? null : new CacheEntryOptions { Tags = tags };
        ValueTask<CacheResult<T>> pending = _cache.GetOrSetAsync(
            key, factory, static (f, context, ct) => f(context.Key, ct), options, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<T>(pending.Result.Value) : Slow(pending);

        static async ValueTask<T> Slow(ValueTask<CacheResult<T>> pending) => (await pending).Value;
    }

    public ValueTask<Lookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        ValueTask<CacheResult<T>> pending = _cache.TryGetAsync<T>(key, null, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            CacheResult<T> result = pending.Result;
            return new ValueTask<Lookup<T>>(result.HasValue ? new Lookup<T>(true, result.Value) : default);
        }

        return Slow(pending);
    }

    public ValueTask<Lookup<T>> TryGetFromL2Async<T>(string key, CancellationToken cancellationToken = default)
    {
        ValueTask<CacheResult<T>> pending = _cache.TryGetAsync<T>(key, L2Only, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            CacheResult<T> result = pending.Result;
            return new ValueTask<Lookup<T>>(result.HasValue ? new Lookup<T>(true, result.Value) : default);
        }

        return Slow(pending);
    }

    private static async ValueTask<Lookup<T>> Slow<T>(ValueTask<CacheResult<T>> pending)
    {
        CacheResult<T> result = await pending;
        return result.HasValue ? new Lookup<T>(true, result.Value) : default;
    }

    public ValueTask SetAsync<T>(string key, T value, string[]? tags = null, CancellationToken cancellationToken = default) =>
        _cache.SetAsync(key, value, tags is null ? null : new CacheEntryOptions { Tags = tags }, cancellationToken);

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        await _cache.RemoveAsync(key, cancellationToken);

    public async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        await _cache.RemoveByTagAsync(tag, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }
    }
}
