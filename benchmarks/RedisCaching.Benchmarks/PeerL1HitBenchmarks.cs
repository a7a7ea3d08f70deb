using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks;

/// <summary>
/// L1 hit: the key is in the instance's memory tier. Baseline: <c>MemoryCache.TryGetValue</c> called directly. The
/// peers go through <see cref="ICacheUnderTest"/>: FusionCache's <c>GetOrSetAsync</c> and <c>TryGetAsync</c>,
/// HybridCache's <c>GetOrCreateAsync</c> (it has no try-get) and RedisCaching's <c>GetOrSetAsync</c> and
/// <c>TryGetAsync</c>, each with its Redis L2 configured, as deployed.
/// Categories per value type: a 200-character string and an immutable record (~200 B as JSON); "TaggedRecord" is
/// the record written with two tags (a tag-aware peer checks them on every hit), against the same untagged baseline.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerL1HitBenchmarks
{
    private const string Key = "bench:l1";

    private static readonly Func<string, CancellationToken, ValueTask<string>> TextFactory =
        static (_, _) => ValueTask.FromResult(PeerSetup.Text);

    private static readonly Func<string, CancellationToken, ValueTask<BenchRecord>> RecordFactory =
        static (_, _) => ValueTask.FromResult(PeerSetup.Record);

    private static readonly string[] Tags = ["bench-l1-tag-a", "bench-l1-tag-b"];

    private MemoryCachePeer _memory = null!;
    private FusionCachePeer _fusion = null!;
    private HybridCachePeer _hybrid = null!;

    private RedisCachingPeer _redisCaching = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _memory = await PeerSetup.CreateCheckedAsync<MemoryCachePeer>(PeerNames.Memory, "l1");
        _fusion = await PeerSetup.CreateCheckedAsync<FusionCachePeer>(PeerNames.Fusion, "l1");
        _hybrid = await PeerSetup.CreateCheckedAsync<HybridCachePeer>(PeerNames.Hybrid, "l1");
        _redisCaching = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "l1");
        foreach (ICacheUnderTest peer in new ICacheUnderTest[] { _memory, _fusion, _hybrid, _redisCaching })
        {
            await peer.SetAsync(Key + ":string", PeerSetup.Text);
            await peer.SetAsync(Key + ":record", PeerSetup.Record);
            if (peer.Features.HasFlag(PeerFeatures.Tags))
            {
                await peer.SetAsync(Key + ":tagged", PeerSetup.Record, Tags);
                await peer.GetOrSetAsync(Key + ":tagged", RecordFactory, Tags);
            }

            // Warm the L1 the way an app does (HybridCache fills its L1 on the first read, not on Set).
            await peer.GetOrSetAsync(Key + ":string", TextFactory);
            await peer.GetOrSetAsync(Key + ":record", RecordFactory);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _memory.DisposeAsync();
        await _fusion.DisposeAsync();
        await _hybrid.DisposeAsync();
        await _redisCaching.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("String")]
    public object? MemoryCacheTryGetValue_String() => _memory.Cache.TryGetValue(Key + ":string", out object? value) ? value : null;

    [Benchmark]
    [BenchmarkCategory("String")]
    public ValueTask<string> FusionGetOrSet_String() => _fusion.GetOrSetAsync(Key + ":string", TextFactory);

    [Benchmark]
    [BenchmarkCategory("String")]
    public ValueTask<Lookup<string>> FusionTryGet_String() => _fusion.TryGetAsync<string>(Key + ":string");

    [Benchmark]
    [BenchmarkCategory("String")]
    public ValueTask<string> HybridGetOrCreate_String() => _hybrid.GetOrSetAsync(Key + ":string", TextFactory);

    [Benchmark]
    [BenchmarkCategory("String")]
    public ValueTask<string> RedisCachingGetOrSet_String() => _redisCaching.GetOrSetAsync(Key + ":string", TextFactory);

    [Benchmark]
    [BenchmarkCategory("String")]
    public ValueTask<Lookup<string>> RedisCachingTryGet_String() => _redisCaching.TryGetAsync<string>(Key + ":string");

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Record")]
    public object? MemoryCacheTryGetValue_Record() => _memory.Cache.TryGetValue(Key + ":record", out object? value) ? value : null;

    [Benchmark]
    [BenchmarkCategory("Record")]
    public ValueTask<BenchRecord> FusionGetOrSet_Record() => _fusion.GetOrSetAsync(Key + ":record", RecordFactory);

    [Benchmark]
    [BenchmarkCategory("Record")]
    public ValueTask<Lookup<BenchRecord>> FusionTryGet_Record() => _fusion.TryGetAsync<BenchRecord>(Key + ":record");

    [Benchmark]
    [BenchmarkCategory("Record")]
    public ValueTask<BenchRecord> HybridGetOrCreate_Record() => _hybrid.GetOrSetAsync(Key + ":record", RecordFactory);

    [Benchmark]
    [BenchmarkCategory("Record")]
    public ValueTask<BenchRecord> RedisCachingGetOrSet_Record() => _redisCaching.GetOrSetAsync(Key + ":record", RecordFactory);

    [Benchmark]
    [BenchmarkCategory("Record")]
    public ValueTask<Lookup<BenchRecord>> RedisCachingTryGet_Record() => _redisCaching.TryGetAsync<BenchRecord>(Key + ":record");

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("TaggedRecord")]
    public object? MemoryCacheTryGetValue_TaggedRecord() => _memory.Cache.TryGetValue(Key + ":record", out object? value) ? value : null;

    [Benchmark]
    [BenchmarkCategory("TaggedRecord")]
    public ValueTask<Lookup<BenchRecord>> FusionTryGet_TaggedRecord() => _fusion.TryGetAsync<BenchRecord>(Key + ":tagged");

    [Benchmark]
    [BenchmarkCategory("TaggedRecord")]
    public ValueTask<BenchRecord> HybridGetOrCreate_TaggedRecord() => _hybrid.GetOrSetAsync(Key + ":tagged", RecordFactory, Tags);

    [Benchmark]
    [BenchmarkCategory("TaggedRecord")]
    public ValueTask<Lookup<BenchRecord>> RedisCachingTryGet_TaggedRecord() => _redisCaching.TryGetAsync<BenchRecord>(Key + ":tagged");
}
