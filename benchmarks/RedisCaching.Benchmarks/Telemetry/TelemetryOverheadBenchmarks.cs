using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using RedisCaching.Benchmarks.Peers;

namespace RedisCaching.Benchmarks.Telemetry;

/// <summary>
/// What OpenTelemetry listening adds to RedisCaching's hits (issue 14: at most 5 % time and 0 B per hit). The same
/// four calls run in three jobs of one run (<see cref="TelemetryOverheadConfig"/>), each its own process:
/// <c>NotListening</c> (the baseline), <c>Metrics</c> (a MeterProvider with <c>AddRedisCachingInstrumentation()</c>)
/// and <c>MetricsAndTraces</c> (that plus a TracerProvider with <c>AddRedisCachingInstrumentation()</c>, every span
/// sampled), both exporting to exporters that drop everything (<see cref="TelemetryListening"/>).
/// L1 hit: the entry is in the memory tier. L2 hit: <c>CacheSkip.Memory</c>, the ~200 B record read from Redis and
/// deserialized on every call.
/// </summary>
[Config(typeof(TelemetryOverheadConfig))]
public class TelemetryOverheadBenchmarks
{
    private const string L1Key = "bench:telemetry:l1";
    private const string L2Key = "bench:telemetry:l2";

    private static readonly CacheEntryOptions L2Only = new() { Skip = CacheSkip.Memory };

    private static readonly Func<BenchRecord, CacheFactoryContext, CancellationToken, ValueTask<BenchRecord>> Factory =
        static (record, _, _) => ValueTask.FromResult(record);

    private TelemetryListening? _listening;
    private RedisCachingPeer _peer = null!;
    private ICache _cache = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // Before the cache exists, as in an app (the providers are built with the host).
        _listening = TelemetryListening.FromEnvironment();
        _peer = await PeerSetup.CreateCheckedAsync<RedisCachingPeer>(PeerNames.RedisCaching, "telemetry");
        _cache = _peer.Cache;
        await _cache.SetAsync(L1Key, PeerSetup.Record);
        await _cache.SetAsync(L2Key, PeerSetup.Record);

        // The memory tier turns coherent (and starts keeping entries) a moment after start-up; on a busy box that can
        // take longer than the peer's own wait, so wait here until the L1 key is a memory hit (at most 10 s).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await _cache.GetOrSetAsync(L1Key, PeerSetup.Record, Factory)).Tier != CacheTier.Memory)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException("The L1 key is still not answered from memory after 10 s.");
            }

            await Task.Delay(50);
        }

        if ((await _cache.TryGetAsync<BenchRecord>(L1Key)).Tier != CacheTier.Memory
            || (await _cache.TryGetAsync<BenchRecord>(L2Key, L2Only)).Tier != CacheTier.Redis)
        {
            throw new InvalidOperationException("The L1 key is not answered from memory by try-get, or the L2 key not from Redis.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _peer.DisposeAsync();
        _listening?.Dispose();
    }

    [Benchmark]
    public ValueTask<CacheResult<BenchRecord>> L1Hit_GetOrSet() => _cache.GetOrSetAsync(L1Key, PeerSetup.Record, Factory);

    [Benchmark]
    public ValueTask<CacheResult<BenchRecord>> L1Hit_TryGet() => _cache.TryGetAsync<BenchRecord>(L1Key);

    [Benchmark]
    public ValueTask<CacheResult<BenchRecord>> L2Hit_GetOrSet() => _cache.GetOrSetAsync(L2Key, PeerSetup.Record, Factory, L2Only);

    [Benchmark]
    public ValueTask<CacheResult<BenchRecord>> L2Hit_TryGet() => _cache.TryGetAsync<BenchRecord>(L2Key, L2Only);
}
