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
/// SET through StackExchange.Redis with nothing of ours on top (the baseline for cache writes), with the
/// hand-written RESP socket as the floor. Same shapes as <see cref="RawGetBenchmarks"/>.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RawSetBenchmarks
{
    private const int Concurrency = 64;

    private readonly Task<bool>[] _sets = new Task<bool>[Concurrency];
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase _database = null!;
    private RespConnection _resp = null!;
    private RedisKey _key;
    private RedisValue _value;
    private byte[] _setOne = [];
    private byte[] _setMany = [];

    [Params(100, 10 * 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, "bench-set"));
        _database = _multiplexer.GetDatabase();
        string key = BenchPayload.Key("set", ValueSize);
        _key = key;
        byte[] value = BenchPayload.Create(ValueSize);

        // RedisValue wraps the array without copying: the benchmark measures the client, not building a value.
        _value = value;
        _resp = await RespConnection.ConnectAsync(endpoint, CancellationToken.None);
        _setOne = RespCommands.Set(key, value, 1);
        _setMany = RespCommands.Set(key, value, Concurrency);

        await _resp.RoundTripAsync(_setMany, Concurrency);
        byte[]? read = await _database.StringGetAsync(_key);
        if (read is null || !read.AsSpan().SequenceEqual(value) || !await _database.StringSetAsync(_key, _value))
        {
            throw new InvalidOperationException("The SET round trip did not store the value.");
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
    public Task<bool> SeRedisSet() => _database.StringSetAsync(_key, _value);

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public ValueTask<long> RespSocketSet() => _resp.RoundTripAsync(_setOne, 1);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public async Task<int> SeRedisSet64()
    {
        for (int i = 0; i < _sets.Length; i++)
        {
            _sets[i] = _database.StringSetAsync(_key, _value);
        }

        int stored = 0;
        foreach (Task<bool> set in _sets)
        {
            stored += await set ? 1 : 0;
        }

        return stored;
    }

    /// <summary>64 SETs written in one send, then 64 replies read: a pipeline on one socket.</summary>
    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public ValueTask<long> RespSocketSet64() => _resp.RoundTripAsync(_setMany, Concurrency);
}
