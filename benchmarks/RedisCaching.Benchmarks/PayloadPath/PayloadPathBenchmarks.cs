using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace RedisCaching.Benchmarks.PayloadPath;

/// <summary>
/// The medium order (~4 KB as JSON, ~1.5 KB as MessagePack: both above the 1 KiB compression threshold) through
/// every serializer x compressor x encryption combination, 64 round trips in flight (see
/// <see cref="PayloadPathBenchmarkBase"/>): 20 cache cases and the two raw baselines.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PayloadPathBenchmarks : PayloadPathBenchmarkBase
{
    private static readonly CacheEntryOptions JsonGzip = PayloadPathSetup.Options("json", "gzip", false);
    private static readonly CacheEntryOptions JsonGzipAes = PayloadPathSetup.Options("json", "gzip", true);
    private static readonly CacheEntryOptions JsonBrotli = PayloadPathSetup.Options("json", "brotli", false);
    private static readonly CacheEntryOptions JsonBrotliAes = PayloadPathSetup.Options("json", "brotli", true);
    private static readonly CacheEntryOptions JsonZstd = PayloadPathSetup.Options("json", "zstd", false);
    private static readonly CacheEntryOptions JsonZstdAes = PayloadPathSetup.Options("json", "zstd", true);
    private static readonly CacheEntryOptions JsonLz4 = PayloadPathSetup.Options("json", "lz4", false);
    private static readonly CacheEntryOptions JsonLz4Aes = PayloadPathSetup.Options("json", "lz4", true);
    private static readonly CacheEntryOptions MsgPackGzip = PayloadPathSetup.Options("messagepack", "gzip", false);
    private static readonly CacheEntryOptions MsgPackGzipAes = PayloadPathSetup.Options("messagepack", "gzip", true);
    private static readonly CacheEntryOptions MsgPackBrotli = PayloadPathSetup.Options("messagepack", "brotli", false);
    private static readonly CacheEntryOptions MsgPackBrotliAes = PayloadPathSetup.Options("messagepack", "brotli", true);
    private static readonly CacheEntryOptions MsgPackZstd = PayloadPathSetup.Options("messagepack", "zstd", false);
    private static readonly CacheEntryOptions MsgPackZstdAes = PayloadPathSetup.Options("messagepack", "zstd", true);
    private static readonly CacheEntryOptions MsgPackLz4 = PayloadPathSetup.Options("messagepack", "lz4", false);
    private static readonly CacheEntryOptions MsgPackLz4Aes = PayloadPathSetup.Options("messagepack", "lz4", true);

    protected override string Size => "medium";

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Gzip() => CacheRoundTripAsync(JsonGzip);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Gzip_Aes() => CacheRoundTripAsync(JsonGzipAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Brotli() => CacheRoundTripAsync(JsonBrotli);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Brotli_Aes() => CacheRoundTripAsync(JsonBrotliAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Zstd() => CacheRoundTripAsync(JsonZstd);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Zstd_Aes() => CacheRoundTripAsync(JsonZstdAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Lz4() => CacheRoundTripAsync(JsonLz4);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("json")]
    public Task<int> Json_Lz4_Aes() => CacheRoundTripAsync(JsonLz4Aes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Gzip() => CacheRoundTripAsync(MsgPackGzip);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Gzip_Aes() => CacheRoundTripAsync(MsgPackGzipAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Brotli() => CacheRoundTripAsync(MsgPackBrotli);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Brotli_Aes() => CacheRoundTripAsync(MsgPackBrotliAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Zstd() => CacheRoundTripAsync(MsgPackZstd);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Zstd_Aes() => CacheRoundTripAsync(MsgPackZstdAes);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Lz4() => CacheRoundTripAsync(MsgPackLz4);

    [Benchmark(OperationsPerInvoke = Concurrency)]
    [BenchmarkCategory("messagepack")]
    public Task<int> MsgPack_Lz4_Aes() => CacheRoundTripAsync(MsgPackLz4Aes);
}
