using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RedisCaching.Benchmarks.Resp;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks;

/// <summary>
/// GET through StackExchange.Redis with nothing of ours on top: the baseline every cache benchmark is compared
/// with. The hand-written RESP socket (<see cref="RespConnection"/>) shows the floor below it. "Sequential" is one
/// awaiting caller; "Concurrent64" puts 64 requests in flight at once (64 callers with one request each), and
/// results are per operation.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RawGetBenchmarks
{
    private const int Concurrency = 64;

    private readonly Task<RedisValue>[] _gets = new Task<RedisValue>[Concurrency];
    private readonly Task<Lease<byte>?>[] _leases = new Task<Lease<byte>?>[Concurrency];
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase _database = null!;
    private RespConnection _resp = null!;
    private RedisKey _key;
    private byte[] _getOne = [];
    private byte[] _getMany = [];

    [Params(100, 10 * 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, "bench-get"));
        _database = _multiplexer.GetDatabase();
        string key = BenchPayload.Key("get", ValueSize);
        _key = key;
        byte[] value = BenchPayload.Create(ValueSize);
        await _database.StringSetAsync(_key, value);

        _resp = await RespConnection.ConnectAsync(endpoint, CancellationToken.None);
        _getOne = RespCommands.Get(key, 1);
        _getMany = RespCommands.Get(key, Concurrency);

        // A floor that parses wrongly would be fast for the wrong reason: check both clients read the value.
        await _resp.RoundTripAsync(_getOne, 1);
        if (!_resp.LastValue.SequenceEqual(value) || (await _resp.RoundTripAsync(_getMany, Concurrency)) != (long)Concurrency * ValueSize)
        {
            throw new InvalidOperationException("The RESP floor did not read back the stored value.");
        }

        byte[]? read = await _database.StringGetAsync(_key);
        if (read is null || !read.AsSpan().SequenceEqual(value))
        {
            throw new InvalidOperationException("StackExchange.Redis did not read back the stored value.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _resp.Dispose();
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sequential")]
    public async Task<long> SeRedisGet() => (await _database.StringGetAsync(_key)).Length();

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public async Task<long> SeRedisGetLease()
    {
        using Lease<byte>? lease = await _database.StringGetLeaseAsync(_key);
        return lease?.Length ?? -1;
    }

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<long> RespSocketGet() => _resp.RoundTripAsync(_getOne, 1);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<long> SeRedisGet64()
    {
        for (int i = 0; i < _gets.Length; i++)
        {
            _gets[i] = _database.StringGetAsync(_key);
        }

        // All 64 are in flight before the first await; awaiting in order adds no allocation (Task.WhenAll would).
        long total = 0;
        foreach (Task<RedisValue> get in _gets)
        {
            total += (await get).Length();
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<long> SeRedisGetLease64()
    {
        for (int i = 0; i < _leases.Length; i++)
        {
            _leases[i] = _database.StringGetLeaseAsync(_key);
        }

        long total = 0;
        foreach (Task<Lease<byte>?> get in _leases)
        {
            using Lease<byte>? lease = await get;
            total += lease?.Length ?? 0;
        }

        return total;
    }

    /// <summary>64 GETs written in one send, then 64 replies read: a pipeline on one socket.</summary>
    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public ValueTask<long> RespSocketGet64() => _resp.RoundTripAsync(_getMany, Concurrency);
}
