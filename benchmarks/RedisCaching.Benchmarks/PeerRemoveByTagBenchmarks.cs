using System.Globalization;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks;

/// <summary>
/// Remove-by-tag of 1,000 entries: before each iteration, 1,000 records are written with one fresh tag; the
/// iteration is one <c>RemoveByTagAsync</c> call (so one invocation per iteration, 20 iterations). Baseline: a plain
/// tag index in Redis (SMEMBERS, then DEL of the 1,000 keys and the index). FusionCache and HybridCache both remove
/// lazily (they record the tag's invalidation time and drop entries when they are next read), so this measures
/// the call, not the work deferred to later reads; <see cref="PeerCheck"/> proves the entries read as gone.
/// RedisCaching replaces the tag's token (one SET); its entries read as gone on every instance at once.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[InvocationCount(1)]
[IterationCount(20)]
public class PeerRemoveByTagBenchmarks
{
    private const int Entries = 1000;

    private RawRedisPeer _raw = null!;
    private FusionCachePeer _fusion = null!;
    private HybridCachePeer _hybrid = null!;
    private RedisCachingPeer _redisCaching = null!;
    private int _iteration;
    private string _tag = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _raw = await PeerSetup.CreateCheckedAsync<RawRedisPeer>(PeerNames.Raw, "tags");
        _fusion = await PeerSetup.CreateCheckedAsync<FusionCachePeer>(PeerNames.Fusion, "tags");
        _hybrid = await PeerSetup.CreateCheckedAsync<HybridCachePeer>(PeerNames.Hybrid, "tags");
        _redisCaching = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "tags");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _raw.DisposeAsync();
        await _fusion.DisposeAsync();
        await _hybrid.DisposeAsync();
        await _redisCaching.DisposeAsync();
    }

    [IterationSetup(Target = nameof(RawRemoveByTag))]
    public void FillRaw() => Fill(_raw);

    [IterationSetup(Target = nameof(FusionRemoveByTag))]
    public void FillFusion() => Fill(_fusion);

    [IterationSetup(Target = nameof(HybridRemoveByTag))]
    public void FillHybrid() => Fill(_hybrid);

    [IterationSetup(Target = nameof(RedisCachingRemoveByTag))]
    public void FillRedisCaching() => Fill(_redisCaching);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("RemoveByTag1000")]
    public ValueTask RawRemoveByTag() => _raw.RemoveByTagAsync(_tag);

    [Benchmark]
    [BenchmarkCategory("RemoveByTag1000")]
    public ValueTask FusionRemoveByTag() => _fusion.RemoveByTagAsync(_tag);

    [Benchmark]
    [BenchmarkCategory("RemoveByTag1000")]
    public ValueTask HybridRemoveByTag() => _hybrid.RemoveByTagAsync(_tag);

    [Benchmark]
    [BenchmarkCategory("RemoveByTag1000")]
    public ValueTask RedisCachingRemoveByTag() => _redisCaching.RemoveByTagAsync(_tag);

    // BenchmarkDotNet's iteration setup is synchronous; blocking here is outside the measurement.
    private void Fill(ICacheUnderTest peer) => FillAsync(peer).GetAwaiter().GetResult();

    private async Task FillAsync(ICacheUnderTest peer)
    {
        _iteration++;
        _tag = string.Create(CultureInfo.InvariantCulture, $"bench-tag-{peer.Name}-{_iteration}");
        string[] tags = [_tag];
        var writes = new Task[Entries];
        for (int i = 0; i < Entries; i++)
        {
            writes[i] = peer.SetAsync(string.Create(CultureInfo.InvariantCulture, $"bench:tagged:{_tag}:{i}"), PeerSetup.Record, tags).AsTask();
        }

        await Task.WhenAll(writes);
    }
}
