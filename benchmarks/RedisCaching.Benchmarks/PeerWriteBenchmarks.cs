using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks;

/// <summary>
/// "GetOrSetMiss": get-or-set of a key never seen before (a fresh key each call), so every call misses both tiers,
/// runs the factory (which returns a ready record: the factory's own cost is not measured) and writes both tiers.
/// Baseline: the raw StackExchange.Redis GET (a miss) then SET. "Set": a write of the record to one key. Baseline:
/// serialize + SET. "SetTagged": the same write with two tags. Baseline: SET plus SADD of the key to each tag's
/// index set (the tag-index design RedisCaching measured against its tag tokens). One caller, sequential.
/// "RedisCachingMissBackground" is RedisCaching with <see cref="CacheEntryOptions.BackgroundRedisWrite"/>: it returns
/// before Redis acknowledged the SET, as HybridCache does on every miss; the default waits for it.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerWriteBenchmarks
{
    private static readonly Func<string, CancellationToken, ValueTask<BenchRecord>> RecordFactory =
        static (_, _) => ValueTask.FromResult(PeerSetup.Record);

    private static readonly string[] Tags = ["bench-tag-a", "bench-tag-b"];

    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private RawRedisPeer _raw = null!;
    private FusionCachePeer _fusion = null!;
    private HybridCachePeer _hybrid = null!;
    private long _next;

    private RedisCachingPeer _redisCaching = null!;
    private RedisCachingPeer _redisCachingBackground = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _raw = await PeerSetup.CreateCheckedAsync<RawRedisPeer>(PeerNames.Raw, "write");
        _fusion = await PeerSetup.CreateCheckedAsync<FusionCachePeer>(PeerNames.Fusion, "write");
        _hybrid = await PeerSetup.CreateCheckedAsync<HybridCachePeer>(PeerNames.Hybrid, "write");
        _redisCaching = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "write");
        _redisCachingBackground = await RedisCachingPeer.CreateAsync(BenchEndpoint.FromEnvironment(), "write-background", backgroundRedisWrite: true, keyPrefix: "rcbench-bg");
        await PeerCheck.RunAsync(_redisCachingBackground);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _raw.DisposeAsync();
        await _fusion.DisposeAsync();
        await _hybrid.DisposeAsync();
        await _redisCaching.DisposeAsync();
        await _redisCachingBackground.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GetOrSetMiss")]
    public ValueTask<BenchRecord> RawMiss() => _raw.GetOrSetAsync(FreshKey(), RecordFactory);

    [Benchmark]
    [BenchmarkCategory("GetOrSetMiss")]
    public ValueTask<BenchRecord> FusionMiss() => _fusion.GetOrSetAsync(FreshKey(), RecordFactory);

    [Benchmark]
    [BenchmarkCategory("GetOrSetMiss")]
    public ValueTask<BenchRecord> HybridMiss() => _hybrid.GetOrSetAsync(FreshKey(), RecordFactory);

    [Benchmark]
    [BenchmarkCategory("GetOrSetMiss")]
    public ValueTask<BenchRecord> RedisCachingMiss() => _redisCaching.GetOrSetAsync(FreshKey(), RecordFactory);

    [Benchmark]
    [BenchmarkCategory("GetOrSetMiss")]
    public ValueTask<BenchRecord> RedisCachingMissBackground() => _redisCachingBackground.GetOrSetAsync(FreshKey(), RecordFactory);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Set")]
    public ValueTask RawSet() => _raw.SetAsync("bench:set", PeerSetup.Record);

    [Benchmark]
    [BenchmarkCategory("Set")]
    public ValueTask FusionSet() => _fusion.SetAsync("bench:set", PeerSetup.Record);

    [Benchmark]
    [BenchmarkCategory("Set")]
    public ValueTask HybridSet() => _hybrid.SetAsync("bench:set", PeerSetup.Record);

    [Benchmark]
    [BenchmarkCategory("Set")]
    public ValueTask RedisCachingSet() => _redisCaching.SetAsync("bench:set", PeerSetup.Record);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("SetTagged")]
    public ValueTask RawSetTagged() => _raw.SetAsync("bench:set-tagged", PeerSetup.Record, Tags);

    [Benchmark]
    [BenchmarkCategory("SetTagged")]
    public ValueTask FusionSetTagged() => _fusion.SetAsync("bench:set-tagged", PeerSetup.Record, Tags);

    [Benchmark]
    [BenchmarkCategory("SetTagged")]
    public ValueTask HybridSetTagged() => _hybrid.SetAsync("bench:set-tagged", PeerSetup.Record, Tags);

    [Benchmark]
    [BenchmarkCategory("SetTagged")]
    public ValueTask RedisCachingSetTagged() => _redisCaching.SetAsync("bench:set-tagged", PeerSetup.Record, Tags);

    // The same key-building cost for every peer; run-scoped so no earlier run's entries turn misses into hits.
    private string FreshKey() => string.Create(CultureInfo.InvariantCulture, $"bench:miss:{_run}:{++_next}");
}
