using System.Buffers;
using System.Globalization;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Benchmarks.Serialization;
using RedisCaching.Internal.Envelope;
using StackExchange.Redis;
using Order = RedisCaching.Benchmarks.Serialization.Order;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// Issue 10's target "the envelope adds at most 5% to a raw serialize+SET": <c>ICache.SetAsync</c> (JSON from the
/// source-generated context, no compression, no encryption) against Core's same JSON serializer into a reused buffer +
/// <c>StringSetAsync</c> with the same TTL (baseline). Two cache rows: memory tier skipped (<see cref="CacheSkip.Memory"/>:
/// envelope + Redis write only) and memory tier on (the default: the entry also lands in memory). Sequential (one
/// awaiting caller) and 64 writes in flight (per-write times through <c>OperationsPerInvoke</c>). The
/// <c>Envelope_SerializeSet</c> rows isolate the envelope itself: the baseline's work plus the engine's header encoder
/// (<c>EnvelopeFormat.WriteHeader</c>, with a clock read for its times) in front of the payload, without the rest of
/// the engine (budget, breaker, memory-tier coherence), which the cache rows include.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PayloadPathEnvelopeBenchmarks
{
    private const int Concurrency = 64;

    private static readonly CacheEntryOptions MemorySkipped = PayloadPathSetup.Options("json", "none", false);
    private static readonly CacheEntryOptions MemoryOn = MemorySkipped with { Skip = CacheSkip.None };

    private readonly ValueTask[] _sets = new ValueTask[Concurrency];
    private readonly Task<bool>[] _rawSets = new Task<bool>[Concurrency];
    private readonly ArrayBufferWriter<byte>[] _writers = new ArrayBufferWriter<byte>[Concurrency];
    private readonly string[] _keys = new string[Concurrency];
    private readonly RedisKey[] _rawKeys = new RedisKey[Concurrency];
    private readonly RedisKey[] _envelopeKeys = new RedisKey[Concurrency];
    private readonly Task<bool>[] _envelopeSets = new Task<bool>[Concurrency];
    private ServiceProvider? _provider;
    private ConnectionMultiplexer? _multiplexer;
    private ICache _cache = null!;
    private IDatabase _database = null!;
    private Order _order = null!;

    [Params("small", "medium")]
    public string Size { get; set; } = "medium";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        _order = Order.Create(Size);
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, "bench-envelope-raw"));
        _database = _multiplexer.GetDatabase();
        _provider = await PayloadPathSetup.CreateCacheAsync(endpoint, "bench-envelope-cache");
        _cache = _provider.GetRequiredService<ICache>();
        for (int i = 0; i < Concurrency; i++)
        {
            _writers[i] = new ArrayBufferWriter<byte>(8 * 1024);
            _keys[i] = string.Create(CultureInfo.InvariantCulture, $"ppenv:{Size}:{i}");
            _rawKeys[i] = string.Create(CultureInfo.InvariantCulture, $"ppenvraw:{Size}:{i}");
            _envelopeKeys[i] = string.Create(CultureInfo.InvariantCulture, $"ppenvhdr:{Size}:{i}");
        }

        // Both cache rows must really write: the entry is readable from Redis with the memory tier skipped.
        await _cache.SetAsync(_keys[0], _order, MemoryOn);
        CacheResult<Order> read = await _cache.TryGetAsync<Order>(_keys[0], MemorySkipped);
        if (!read.HasValue || read.Tier != CacheTier.Redis || !PayloadPathSetup.SameOrder(_order, read.Value))
        {
            throw new System.InvalidOperationException($"The cache did not store the {Size} order in Redis ({read}).");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sequential")]
    public Task<bool> Raw_SerializeSet() => RawSet(0);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public Task<bool> Envelope_SerializeSet() => EnvelopeSet(0);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask Cache_Set_MemorySkipped() => _cache.SetAsync(_keys[0], _order, MemorySkipped);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask Cache_Set_MemoryOn() => _cache.SetAsync(_keys[0], _order, MemoryOn);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<int> Raw_SerializeSet64()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _rawSets[i] = RawSet(i);
        }

        int stored = 0;
        for (int i = 0; i < Concurrency; i++)
        {
            stored += await _rawSets[i] ? 1 : 0;
        }

        return stored;
    }

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<int> Envelope_SerializeSet64()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _envelopeSets[i] = EnvelopeSet(i);
        }

        int stored = 0;
        for (int i = 0; i < Concurrency; i++)
        {
            stored += await _envelopeSets[i] ? 1 : 0;
        }

        return stored;
    }

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task Cache_Set_MemorySkipped64() => CacheSet64(MemorySkipped);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task Cache_Set_MemoryOn64() => CacheSet64(MemoryOn);

    private Task<bool> RawSet(int slot)
    {
        ArrayBufferWriter<byte> writer = _writers[slot];
        writer.ResetWrittenCount();
        PayloadPathSetup.Json.Serialize(_order, writer);
        return _database.StringSetAsync(_rawKeys[slot], writer.WrittenMemory, PayloadPathSetup.Expiration);
    }

    private Task<bool> EnvelopeSet(int slot)
    {
        ArrayBufferWriter<byte> writer = _writers[slot];
        writer.ResetWrittenCount();
        long now = System.TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        long expiry = now + (long)PayloadPathSetup.Expiration.TotalMilliseconds;
        EnvelopeFormat.WriteHeader(writer, new EnvelopeHeader(SerializerIds.SystemTextJson, 0, 0, now, expiry, expiry, null) { TypeFingerprint = TypeFingerprint<Order>.Value });
        PayloadPathSetup.Json.Serialize(_order, writer);
        return _database.StringSetAsync(_envelopeKeys[slot], writer.WrittenMemory, PayloadPathSetup.Expiration);
    }

    private async Task CacheSet64(CacheEntryOptions options)
    {
        for (int i = 0; i < Concurrency; i++)
        {
            // Stored once and awaited once, below: all 64 are in flight before the first await.
#pragma warning disable CA2012
            _sets[i] = _cache.SetAsync(_keys[i], _order, options);
#pragma warning restore CA2012
        }

        for (int i = 0; i < Concurrency; i++)
        {
            await _sets[i];
        }
    }
}
