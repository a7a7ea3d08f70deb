using System;
using System.Net;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;

namespace RedisCaching.Benchmarks;

/// <summary>
/// What the connection options RedisCaching exposes cost on the hot path: GET 100 B with StackExchange.Redis's
/// defaults (RESP3, the baseline) against <c>HighIntegrity</c> (a correlation check after every command) and RESP2.
/// Three multiplexers on one server, measured in the same run, so only the option differs.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ConnectionOptionBenchmarks
{
    private const int Concurrency = 64;
    private readonly Task<RedisValue>[] _gets = new Task<RedisValue>[Concurrency];
    private ConnectionMultiplexer? _default;
    private ConnectionMultiplexer? _highIntegrity;
    private ConnectionMultiplexer? _resp2;
    private IDatabase _defaultDb = null!;
    private IDatabase _highIntegrityDb = null!;
    private IDatabase _resp2Db = null!;
    private RedisKey _key;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IPEndPoint endpoint = BenchEndpoint.FromEnvironment();
        _default = await ConnectionMultiplexer.ConnectAsync(BenchEndpoint.ClientOptions(endpoint, "bench-options-default"));
        ConfigurationOptions highIntegrity = BenchEndpoint.ClientOptions(endpoint, "bench-options-hi");
        highIntegrity.HighIntegrity = true;
        _highIntegrity = await ConnectionMultiplexer.ConnectAsync(highIntegrity);
        ConfigurationOptions resp2 = BenchEndpoint.ClientOptions(endpoint, "bench-options-resp2");
        resp2.Protocol = RedisProtocol.Resp2;
        _resp2 = await ConnectionMultiplexer.ConnectAsync(resp2);

        _defaultDb = _default.GetDatabase();
        _highIntegrityDb = _highIntegrity.GetDatabase();
        _resp2Db = _resp2.GetDatabase();
        _key = BenchPayload.Key("options", 100);
        byte[] value = BenchPayload.Create(100);
        await _defaultDb.StringSetAsync(_key, value);
        foreach (IDatabase database in new[] { _defaultDb, _highIntegrityDb, _resp2Db })
        {
            byte[]? read = await database.StringGetAsync(_key);
            if (read is null || !read.AsSpan().SequenceEqual(value))
            {
                throw new InvalidOperationException("A client did not read back the stored value.");
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (ConnectionMultiplexer? multiplexer in new[] { _default, _highIntegrity, _resp2 })
        {
            if (multiplexer is not null)
            {
                await multiplexer.DisposeAsync();
            }
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Sequential")]
    public async Task<long> DefaultGet() => (await _defaultDb.StringGetAsync(_key)).Length();

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public async Task<long> HighIntegrityGet() => (await _highIntegrityDb.StringGetAsync(_key)).Length();

    [Benchmark]
    [BenchmarkCategory("Sequential")]
    public async Task<long> Resp2Get() => (await _resp2Db.StringGetAsync(_key)).Length();

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<long> DefaultGet64() => Get64(_defaultDb);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<long> HighIntegrityGet64() => Get64(_highIntegrityDb);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("Concurrent64")]
    public Task<long> Resp2Get64() => Get64(_resp2Db);

    private async Task<long> Get64(IDatabase database)
    {
        for (int i = 0; i < _gets.Length; i++)
        {
            _gets[i] = database.StringGetAsync(_key);
        }

        long total = 0;
        foreach (Task<RedisValue> get in _gets)
        {
            total += (await get).Length();
        }

        return total;
    }
}
