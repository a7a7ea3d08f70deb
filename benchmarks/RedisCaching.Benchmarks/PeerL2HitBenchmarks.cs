using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Benchmarks.Peers;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks;

/// <summary>
/// L2 hit with L1 bypassed: the record (~200 B as JSON) read from Redis every time. Baseline: the raw
/// StackExchange.Redis GET of the same bytes (no deserialization), as in <see cref="RawGetBenchmarks"/>. Then the raw
/// GET plus System.Text.Json (what any cache must add at least), FusionCache (<c>SkipMemoryCacheRead/Write</c>),
/// HybridCache (<c>DisableLocalCache</c>, factory disabled) and RedisCaching (<c>CacheSkip.Memory</c>). "Concurrent64": 64 reads in flight, each on its own key
/// (HybridCache would otherwise coalesce reads of one key into one), results per read.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerL2HitBenchmarks
{
    private const int Concurrency = 64;

    private readonly string[] _keys = new string[Concurrency];
    private readonly RedisKey[] _redisKeys = new RedisKey[Concurrency];
    private readonly Task<RedisValue>[] _gets = new Task<RedisValue>[Concurrency];
    private readonly ValueTask<Lookup<BenchRecord>>[] _reads = new ValueTask<Lookup<BenchRecord>>[Concurrency];
    private RawRedisPeer _raw = null!;
    private FusionCachePeer _fusion = null!;
    private HybridCachePeer _hybrid = null!;

    private RedisCachingPeer _redisCaching = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _raw = await PeerSetup.CreateCheckedAsync<RawRedisPeer>(PeerNames.Raw, "l2");
        _fusion = await PeerSetup.CreateCheckedAsync<FusionCachePeer>(PeerNames.Fusion, "l2");
        _hybrid = await PeerSetup.CreateCheckedAsync<HybridCachePeer>(PeerNames.Hybrid, "l2");
        _redisCaching = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "l2");
        for (int i = 0; i < Concurrency; i++)
        {
            _keys[i] = $"bench:l2:{i}";
            _redisKeys[i] = _keys[i];
            foreach (ICacheUnderTest peer in new ICacheUnderTest[] { _raw, _fusion, _hybrid, _redisCaching })
            {
                await peer.SetAsync(_keys[i], PeerSetup.Record);
                if ((await peer.TryGetFromL2Async<BenchRecord>(_keys[i])).Value != PeerSetup.Record)
                {
                    throw new System.InvalidOperationException($"{peer.Name} did not read the record back from L2.");
                }
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _raw.DisposeAsync();
        await _fusion.DisposeAsync();
        await _hybrid.DisposeAsync();
        await _redisCaching.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sequential")]
    public async Task<long> RawGet() => (await _raw.Database.StringGetAsync(_redisKeys[0])).Length();

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<Lookup<BenchRecord>> RawGetDeserialize() => _raw.TryGetFromL2Async<BenchRecord>(_keys[0]);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<Lookup<BenchRecord>> FusionL2() => _fusion.TryGetFromL2Async<BenchRecord>(_keys[0]);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<Lookup<BenchRecord>> HybridL2() => _hybrid.TryGetFromL2Async<BenchRecord>(_keys[0]);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<Lookup<BenchRecord>> RedisCachingL2() => _redisCaching.TryGetFromL2Async<BenchRecord>(_keys[0]);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<long> RawGet64()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _gets[i] = _raw.Database.StringGetAsync(_redisKeys[i]);
        }

        long total = 0;
        foreach (Task<RedisValue> get in _gets)
        {
            total += (await get).Length();
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<int> RawGetDeserialize64() => Read64(_raw);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<int> FusionL2_64() => Read64(_fusion);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<int> HybridL2_64() => Read64(_hybrid);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<int> RedisCachingL2_64() => Read64(_redisCaching);

    private async Task<int> Read64(ICacheUnderTest peer)
    {
        // Each ValueTask is stored once and awaited once, below: all 64 are in flight before the first await.
#pragma warning disable CA2012
        for (int i = 0; i < Concurrency; i++)
        {
            _reads[i] = peer.TryGetFromL2Async<BenchRecord>(_keys[i]);
        }
#pragma warning restore CA2012

        int found = 0;
        foreach (ValueTask<Lookup<BenchRecord>> read in _reads)
        {
            found += (await read).Found ? 1 : 0;
        }

        return found;
    }
}
