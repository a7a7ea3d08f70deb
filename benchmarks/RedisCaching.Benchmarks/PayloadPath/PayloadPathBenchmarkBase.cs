using System;
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using RedisCaching.Benchmarks.Serialization;
using StackExchange.Redis;
using Order = RedisCaching.Benchmarks.Serialization.Order;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// The full write-then-read path of one entry, 64 entries in flight: <c>ICache.SetAsync</c> of 64 keys, then
/// <c>ICache.TryGetAsync</c> of the same 64 with the memory tier skipped (<see cref="CacheSkip.Memory"/>), so each read
/// fetches the entry from Redis and undoes every stage. Times are per round trip (one SET plus one GET).
/// The baseline of each category (serializer) is the raw StackExchange.Redis path with the same serializer object:
/// serialize into a reused buffer per slot + <c>StringSetAsync</c> with the same TTL, then <c>StringGetAsync</c> +
/// deserialize, no envelope. Derived classes choose the object size and add the compressed combinations.
/// </summary>
public abstract class PayloadPathBenchmarkBase
{
    protected const int Concurrency = 64;

    protected static readonly CacheEntryOptions JsonNone = PayloadPathSetup.Options("json", "none", false);
    protected static readonly CacheEntryOptions JsonNoneAes = PayloadPathSetup.Options("json", "none", true);
    protected static readonly CacheEntryOptions MsgPackNone = PayloadPathSetup.Options("messagepack", "none", false);
    protected static readonly CacheEntryOptions MsgPackNoneAes = PayloadPathSetup.Options("messagepack", "none", true);

    private static readonly string[] Serializers = ["json", "messagepack"];
    private static readonly string[] Codecs = ["none", "gzip", "brotli", "zstd", "lz4"];

    private readonly ValueTask[] _sets = new ValueTask[Concurrency];
    private readonly ValueTask<CacheResult<Order>>[] _gets = new ValueTask<CacheResult<Order>>[Concurrency];
    private readonly Task<bool>[] _rawSets = new Task<bool>[Concurrency];
    private readonly Task<RedisValue>[] _rawGets = new Task<RedisValue>[Concurrency];
    private readonly ArrayBufferWriter<byte>[] _writers = new ArrayBufferWriter<byte>[Concurrency];
    private readonly string[] _keys = new string[Concurrency];
    private readonly RedisKey[] _rawKeys = new RedisKey[Concurrency];
    private ServiceProvider? _provider;
    private ConnectionMultiplexer? _multiplexer;
    private ICache _cache = null!;
    private IDatabase _database = null!;
    private Order _order = null!;

    /// <summary>"small" (~200 B as JSON) or "medium" (~4 KB), see <see cref="Order.Create"/>.</summary>
    protected abstract string Size { get; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        _order = Order.Create(Size);
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, "bench-payload-raw"));
        _database = _multiplexer.GetDatabase();
        _provider = await PayloadPathSetup.CreateCacheAsync(endpoint, "bench-payload-cache");
        _cache = _provider.GetRequiredService<ICache>();
        for (int i = 0; i < Concurrency; i++)
        {
            _writers[i] = new ArrayBufferWriter<byte>(8 * 1024);
            _keys[i] = string.Create(CultureInfo.InvariantCulture, $"pp:{Size}:{i}");
            _rawKeys[i] = string.Create(CultureInfo.InvariantCulture, $"ppraw:{Size}:{i}");
        }

        await VerifyAsync();
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

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Raw_Json() => RawRoundTripAsync(PayloadPathSetup.Json);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_None() => CacheRoundTripAsync(JsonNone);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_None_Aes() => CacheRoundTripAsync(JsonNoneAes);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> Raw_MsgPack() => RawRoundTripAsync(PayloadPathSetup.MessagePack);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_None() => CacheRoundTripAsync(MsgPackNone);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_None_Aes() => CacheRoundTripAsync(MsgPackNoneAes);

    /// <summary>64 sets, all awaited, then 64 reads of the same keys; throws unless every read found its value.</summary>
    protected async Task<int> CacheRoundTripAsync(CacheEntryOptions options)
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

        for (int i = 0; i < Concurrency; i++)
        {
            // Stored once and awaited once, below: all 64 are in flight before the first await.
#pragma warning disable CA2012
            _gets[i] = _cache.TryGetAsync<Order>(_keys[i], options);
#pragma warning restore CA2012
        }

        int found = 0;
        for (int i = 0; i < Concurrency; i++)
        {
            found += (await _gets[i]).HasValue ? 1 : 0;
        }

        return found == Concurrency ? found : throw new InvalidOperationException($"{Concurrency - found} of {Concurrency} reads missed.");
    }

    /// <summary>The same shape without the cache: serialize into the slot's reused buffer, SET with the TTL; GET, deserialize.</summary>
    protected async Task<int> RawRoundTripAsync(ICacheSerializer<Order> serializer)
    {
        for (int i = 0; i < Concurrency; i++)
        {
            ArrayBufferWriter<byte> writer = _writers[i];
            writer.ResetWrittenCount();
            serializer.Serialize(_order, writer);
            _rawSets[i] = _database.StringSetAsync(_rawKeys[i], writer.WrittenMemory, PayloadPathSetup.Expiration);
        }

        for (int i = 0; i < Concurrency; i++)
        {
            await _rawSets[i];
        }

        for (int i = 0; i < Concurrency; i++)
        {
            _rawGets[i] = _database.StringGetAsync(_rawKeys[i]);
        }

        int found = 0;
        for (int i = 0; i < Concurrency; i++)
        {
            RedisValue value = await _rawGets[i];
            found += serializer.Deserialize(new ReadOnlySequence<byte>((ReadOnlyMemory<byte>)value)).Id == _order.Id ? 1 : 0;
        }

        return found == Concurrency ? found : throw new InvalidOperationException($"{Concurrency - found} of {Concurrency} reads missed.");
    }

    /// <summary>
    /// Every combination (both serializers x 5 codecs x encryption off/on) must read back what it wrote, through Redis.
    /// Prints the bytes each stores (envelope included) next to the raw serialized size, for benchmarks/README.md.
    /// </summary>
    private async Task VerifyAsync()
    {
        foreach (string serializer in Serializers)
        {
            var raw = new ArrayBufferWriter<byte>();
            PayloadPathSetup.RawSerializer(serializer).Serialize(_order, raw);
            foreach (string codec in Codecs)
            {
                foreach (bool encrypt in new[] { false, true })
                {
                    CacheEntryOptions options = PayloadPathSetup.Options(serializer, codec, encrypt);
                    string key = $"ppverify:{Size}:{serializer}:{codec}:{encrypt}";
                    await _cache.SetAsync(key, _order, options);
                    CacheResult<Order> read = await _cache.TryGetAsync<Order>(key, options);
                    if (!read.HasValue || read.Tier != CacheTier.Redis || !PayloadPathSetup.SameOrder(_order, read.Value))
                    {
                        throw new InvalidOperationException($"The {serializer}/{codec}/encrypt={encrypt} round trip did not read back the value from Redis ({read}).");
                    }

                    long stored = -1;
                    await foreach (RedisKey name in _multiplexer!.GetServers()[0].KeysAsync(pattern: "ppbench*:" + key))
                    {
                        stored = await _database.StringLengthAsync(name);
                    }

                    Console.WriteLine($"// PayloadPath stored: size={Size} serializer={serializer} codec={codec} encrypt={encrypt} serialized={raw.WrittenCount} B stored={stored} B");
                }
            }
        }
    }
}
